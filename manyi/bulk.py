# ruff: noqa: S608 -- identifiers come from the models' metadata, quoted; values are parameters.
"""INSERT many rows of a model without building ORM statements: `insert_rows(model, rows)`.

Where this is used, Django's own path cost most of the time: bulk_create() compiles every
value through its field (about 4 µs each: most of a 100,000-customer import), and an ORM
statement is compiled anew on each request (half the CPU of an answer submission). Here the
statement is built once per model and column list, text, numbers and booleans go to the
driver as they are, and other values (dates, times, decimals, JSON, UUIDs) through their
field's `get_db_prep_save`, once per distinct value.

Like bulk_create, no model signals are sent and `save()` is not called; fields left out get
their model defaults, and auto_now / auto_now_add fields the time of the call, as save() gives
them on insert. On PostgreSQL a few rows go as one array per column through UNNEST (as
Django's bulk_create does there): one statement of as many parameters as columns, which
psycopg keeps parsed; a thousand rows or more go by COPY. On SQLite one short statement per
row runs in process (executemany).
"""

from __future__ import annotations

from functools import lru_cache
from operator import attrgetter

from django.db import NotSupportedError, connections, router, transaction
from django.db.models import NOT_PROVIDED
from django.utils import timezone

BATCH_SIZE = 10_000  # rows per statement (PostgreSQL) or per executemany (SQLite)
COPY_FROM = 1_000  # rows from which PostgreSQL gets them by COPY (without keys to return)
SQLITE_MAX_PARAMS = 999  # a multi-row VALUES statement, when keys must come back
# Fields whose Python values (str, int, float, bool) are what the drivers store.
PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "EmailField",
        "FloatField",
        "IntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
        "URLField",
    }
)
NATIVE = frozenset({str, int, float, bool})
# Sent to PostgreSQL as text in UNNEST's arrays, each distinct value once: psycopg takes about
# 10 µs to write a timestamp into an array, and the server reads the text as fast.
AS_TEXT_IN_ARRAYS = frozenset({"DateField", "DateTimeField", "DecimalField", "TimeField", "UUIDField"})


def insert_rows(model, rows, *, fields=None, ignore_conflicts_on=(), set_pks=False, batch_size=BATCH_SIZE):
    """INSERT `rows` into `model`'s table; returns how many rows were inserted.

    rows: model instances, or sequences of values in the order of `fields` (field names; by
    default every concrete field but the primary key, in the model's order).
    ignore_conflicts_on: field names of a unique constraint; a row that would break it is
    skipped (ON CONFLICT … DO NOTHING) and not counted.
    set_pks: give each instance its new primary key (instances only, no conflicts skipped).
    All rows go in one transaction.
    """
    rows = list(rows)
    if set_pks and (ignore_conflicts_on or not all(isinstance(row, model) for row in rows)):
        raise ValueError("set_pks needs model instances and no skipped conflicts.")
    if not rows:
        return 0
    alias = router.db_for_write(model)
    connection = connections[alias]
    plan = _plan(alias, model, tuple(fields or ()))
    values = _values(plan, rows, connection)
    with transaction.atomic(using=alias, savepoint=False), connection.cursor() as cursor:
        if set_pks:
            keys = _insert_returning(cursor, plan, values, batch_size)
            for obj, key in zip(rows, keys, strict=True):
                obj.pk = key
                obj._state.adding = False
                obj._state.db = alias
            return len(keys)
        return _insert(cursor, plan, values, tuple(ignore_conflicts_on), batch_size)


class _Plan:
    """What one model and column list needs, worked out once: the INSERT's fields (the given
    ones, then those filled from their defaults), how each value is adapted, and whether
    PostgreSQL can take the rows as arrays."""

    def __init__(self, alias, model, names):
        connection = connections[alias]
        meta = model._meta
        insertable = [f for f in meta.concrete_fields if not f.primary_key]
        given = [meta.get_field(name) for name in names] if names else insertable
        if len({f.attname for f in given}) != len(given) or any(f.primary_key for f in given):
            raise ValueError(f"Give each field of {meta.label} once, its primary key never: {names}.")
        left_out = [f for f in insertable if f not in given]
        self.alias, self.model, self.fields = alias, model, given + left_out
        self.width = len(given)
        self.read = _reader([f.attname for f in given])
        # Left out: a constant default once, a callable one (a token) for each row.
        calls = [f.has_default() and callable(f.default) for f in left_out]
        self.constants = [None if call else f.get_default() for f, call in zip(left_out, calls, strict=True)]
        self.callables = [
            (i, f.default)
            for i, (f, call) in enumerate(zip(left_out, calls, strict=True), self.width)
            if call
        ]
        for f in left_out:
            if f.db_default is not NOT_PROVIDED and not f.has_default():
                raise ValueError(f"{meta.label}.{f.name} has only a database default: give its value.")
        self.auto = [
            i
            for i, f in enumerate(self.fields)
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        self.plain = [_internal_type(f) in PLAIN_TYPES for f in self.fields]
        # As Django's bulk_create on PostgreSQL (compiler.InsertUnnest): standard types only,
        # the array type without its size (varchar[], not varchar(50)[]); JSON stays out.
        types = [f.db_type(connection) for f in self.fields]
        self.unnest = connection.vendor == "postgresql" and all(
            _internal_type(f) in connection.data_types and t != "jsonb" and not hasattr(f, "get_placeholder")
            for t, f in zip(types, self.fields, strict=True)
        )
        self.array_types = [t.split("(")[0] for t in types] if self.unnest else None
        self.as_text = [self.unnest and _internal_type(f) in AS_TEXT_IN_ARRAYS for f in self.fields]

    def values(self, row):
        return self.read(row) if isinstance(row, self.model) else row


def _reader(attnames):
    """instance -> the tuple of its values of these fields."""
    if len(attnames) == 1:
        one = attrgetter(attnames[0])
        return lambda obj: (one(obj),)
    return attrgetter(*attnames)


def _internal_type(field):
    return (field.target_field if field.is_relation else field).get_internal_type()


@lru_cache(maxsize=128)
def _plan(alias, model, names):
    return _Plan(alias, model, names)


def _values(plan, rows, connection):
    """Each row's values for the INSERT's fields, as the database takes them."""
    now = timezone.now() if plan.auto else None
    adapters = [_adapter(f, connection, text) for f, text in zip(plan.fields, plan.as_text, strict=True)]
    checks = list(zip(plan.plain, adapters, strict=True))
    width, constants = plan.width, plan.constants
    out = []
    for row in rows:
        values = list(plan.values(row))
        if len(values) != width:
            raise ValueError(f"A row of {len(values)} values for {width} fields: {row!r}")
        values += constants
        for i, default in plan.callables:
            values[i] = default()
        for i in plan.auto:
            values[i] = now
            if isinstance(row, plan.model):
                setattr(row, plan.fields[i].attname, now)
        out.append(
            [
                v if v is None or (plain and v.__class__ in NATIVE) else adapt(v)
                for v, (plain, adapt) in zip(values, checks, strict=True)
            ]
        )
    return out


def _adapter(field, connection, as_text=False):
    """value -> what the driver takes, through the field, once per distinct hashable value."""
    cache = {}
    if as_text:
        prepare = lambda value, connection: str(field.get_db_prep_save(value, connection))  # noqa: E731
    else:
        prepare = field.get_db_prep_save

    def adapt(value):
        try:
            key = (value.__class__, value)
            found = cache.get(key, cache)
        except TypeError:  # unhashable (JSON): no cache
            return prepare(value, connection)
        if found is cache:
            found = cache[key] = prepare(value, connection)
        return found

    return adapt


def _insert(cursor, plan, values, conflicts, batch_size):
    if plan.unnest and len(values) >= COPY_FROM:
        return _copy(cursor, plan, values, conflicts)
    inserted = 0
    for start in range(0, len(values), batch_size):
        chunk = values[start : start + batch_size]
        if plan.unnest and len(chunk) > 1:
            cursor.execute(
                _statement(plan, conflicts, "unnest"), [list(column) for column in zip(*chunk, strict=True)]
            )
        else:
            cursor.executemany(_statement(plan, conflicts, 1), chunk)
        inserted += cursor.rowcount
    return inserted


def _copy(cursor, plan, values, conflicts):
    """Many rows on PostgreSQL: COPY, the fastest way in (UNNEST of 50,000 rows took twice as
    long). With conflicts to skip, COPY goes to a temporary table and one INSERT … SELECT … ON
    CONFLICT moves the rows."""
    quote = cursor.db.ops.quote_name
    table, columns = quote(plan.model._meta.db_table), ", ".join(quote(f.column) for f in plan.fields)
    target = "manyi_bulk_rows" if conflicts else table
    if conflicts:
        cursor.execute(
            f"CREATE TEMPORARY TABLE manyi_bulk_rows ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA"
        )
    with cursor.cursor.copy(f"COPY {target} ({columns}) FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)
    if not conflicts:
        return len(values)
    cursor.execute(_statement(plan, conflicts, "manyi_bulk_rows"))
    inserted = cursor.rowcount
    # Dropped now: inside an outer transaction (a test, the demo loader) ON COMMIT would come
    # only after the next call had tried to create it again.
    cursor.execute("DROP TABLE manyi_bulk_rows")
    return inserted


def _insert_returning(cursor, plan, values, batch_size):
    """INSERT … RETURNING the primary keys, in the order of the rows."""
    connection = cursor.db
    if not connection.features.can_return_rows_from_bulk_insert:
        raise NotSupportedError("This database cannot return the keys of inserted rows.")
    if plan.unnest:
        per_statement = batch_size
    else:
        per_statement = max(1, min(batch_size, SQLITE_MAX_PARAMS // len(plan.fields)))
    keys = []
    for start in range(0, len(values), per_statement):
        chunk = values[start : start + per_statement]
        if plan.unnest and len(chunk) > 1:
            params = [list(column) for column in zip(*chunk, strict=True)]
            sql = _statement(plan, (), "unnest", returning=True)
        else:
            params = [v for row in chunk for v in row]
            sql = _statement(plan, (), len(chunk), returning=True)
        cursor.execute(sql, params)
        keys += [row[0] for row in cursor.fetchall()]
    return keys


@lru_cache(maxsize=256)
def _statement(plan, conflicts, rows, returning=False):
    """INSERT for `rows` rows of VALUES, "unnest": one array per column, or the name of a
    table holding the rows (as the INSERT's columns)."""
    connection = connections[plan.alias]
    quote = connection.ops.quote_name
    meta = plan.model._meta
    columns = ", ".join(quote(f.column) for f in plan.fields)
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) "
    if rows == "unnest":
        sql += "SELECT * FROM UNNEST({})".format(", ".join(f"%s::{t}[]" for t in plan.array_types))
    elif isinstance(rows, str):
        sql += f"SELECT * FROM {quote(rows)}"
    else:
        one = "(" + ", ".join(["%s"] * len(plan.fields)) + ")"
        sql += "VALUES " + ", ".join([one] * rows)
    if conflicts:
        target = ", ".join(quote(meta.get_field(name).column) for name in conflicts)
        sql += f" ON CONFLICT ({target}) DO NOTHING"
    if returning:
        sql += f" RETURNING {quote(meta.pk.column)}"
    return sql
