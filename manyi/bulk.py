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
row runs in process (executemany). A value that is the same in every row (a constant default,
the time of the call) goes once per statement on PostgreSQL, not once per row.
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
TEMPORARY_TABLE = "manyi_bulk_rows"
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
# Sent to PostgreSQL as text, each distinct value once: psycopg takes about 10 µs to write a
# timestamp into an array, and the server reads the text as fast.
AS_TEXT_ON_POSTGRESQL = frozenset({"DateField", "DateTimeField", "DecimalField", "TimeField", "UUIDField"})


def insert_rows(model, rows, *, fields=None, ignore_conflicts_on=(), set_pks=False, batch_size=BATCH_SIZE):
    """INSERT `rows` into `model`'s table; returns how many rows were inserted.

    rows: model instances, or sequences of values in the order of `fields` (field names; by
    default every concrete field but the primary key, in the model's order; of an instance
    only these fields are read).
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
    columns, fixed = _values(plan, rows, connection)
    with transaction.atomic(using=alias, savepoint=False), connection.cursor() as cursor:
        if set_pks:
            keys = _insert_returning(cursor, plan, columns, fixed, batch_size)
            for obj, key in zip(rows, keys, strict=True):
                obj.pk = key
                obj._state.adding = False
                obj._state.db = alias
            return len(keys)
        return _insert(cursor, plan, columns, fixed, tuple(ignore_conflicts_on), batch_size)


class _Plan:
    """What one model and column list needs, worked out once: the fields each row brings (the
    given ones, then those left out whose default is called for each row), the fields with one
    value for all rows (a constant default, or the time of the call for auto_now), how values
    are adapted, and whether PostgreSQL can take the rows as arrays (UNNEST, COPY)."""

    def __init__(self, alias, model, names):
        connection = connections[alias]
        meta = model._meta
        insertable = [f for f in meta.concrete_fields if not f.primary_key]
        given = [meta.get_field(name) for name in names] if names else insertable
        if len({f.attname for f in given}) != len(given) or any(f.primary_key for f in given):
            raise ValueError(f"Give each field of {meta.label} once, its primary key never: {names}.")
        left_out = [f for f in insertable if f not in given]
        for f in left_out:
            if f.db_default is not NOT_PROVIDED and not f.has_default():
                raise ValueError(f"{meta.label}.{f.name} has only a database default: give its value.")
        per_row = [f for f in left_out if f.has_default() and callable(f.default) and not _auto(f)]
        self.alias, self.model, self.width = alias, model, len(given)
        self.fields = given + per_row
        self.fixed = [f for f in left_out if f not in per_row]
        self.read = _reader([f.attname for f in given])
        self.callables = [(i, f.default) for i, f in enumerate(per_row, self.width)]
        self.auto = [i for i, f in enumerate(given) if _auto(f)]
        self.auto_attnames = [f.attname for f in insertable if _auto(f)]
        self.plain = [_internal_type(f) in PLAIN_TYPES for f in self.fields]
        # As Django's bulk_create on PostgreSQL (compiler.InsertUnnest): standard types only,
        # the array type without its size (varchar[], not varchar(50)[]); JSON stays out.
        postgresql = connection.vendor == "postgresql"
        self.arrays = postgresql and all(
            _internal_type(f) in connection.data_types
            and f.db_type(connection) != "jsonb"
            and not hasattr(f, "get_placeholder")
            for f in self.fields + self.fixed
        )
        self.as_text = [self.arrays and _internal_type(f) in AS_TEXT_ON_POSTGRESQL for f in self.fields]
        self.fixed_as_text = [self.arrays and _internal_type(f) in AS_TEXT_ON_POSTGRESQL for f in self.fixed]

    def values(self, row):
        return self.read(row) if isinstance(row, self.model) else row

    def base_type(self, field):
        return field.db_type(connections[self.alias]).split("(")[0]


def _auto(field):
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


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
    """(the columns of plan.fields, the values of plan.fixed), as the database takes them.

    Column by column: a column of text and numbers is checked in one pass, and any other is
    adapted once per distinct value."""
    now = timezone.now() if plan.auto_attnames else None
    fixed = [
        _adapter(f, connection, text)(now if _auto(f) else f.get_default())
        for f, text in zip(plan.fixed, plan.fixed_as_text, strict=True)
    ]
    given = [plan.values(row) for row in rows]
    for values, row in zip(given, rows, strict=True):
        if len(values) != plan.width:
            raise ValueError(f"A row of {len(values)} values for {plan.width} fields: {row!r}")
    columns = [list(column) for column in zip(*given, strict=True)] if plan.width else []
    columns += [[default() for _row in rows] for _i, default in plan.callables]
    for i in plan.auto:
        columns[i] = [now] * len(rows)
    if isinstance(rows[0], plan.model):
        for row in rows:
            for attname in plan.auto_attnames:
                setattr(row, attname, now)
    return [
        _adapted(
            _floats(column) if _internal_type(f) == "FloatField" else column,
            plain,
            _adapter(f, connection, text),
        )
        for column, plain, f, text in zip(columns, plan.plain, plan.fields, plan.as_text, strict=True)
    ], fixed


def _floats(column):
    """A float column with the whole numbers given as int made floats: PostgreSQL takes a
    column as one array, and psycopg cannot write an array of mixed int and float (a table
    question's share of 50 beside an answer's 7.5)."""
    if int in set(map(type, column)):
        return [float(value) if type(value) is int else value for value in column]
    return column


PASSED = NATIVE | {type(None)}


def _adapted(column, plain, adapt):
    """A column as the driver takes it: text and numbers of a plain field as they are."""
    if plain and set(map(type, column)) <= PASSED:
        return column
    try:
        distinct = set(column)
    except TypeError:  # unhashable (JSON)
        return [adapt(value) for value in column]
    adapted = {value: adapt(value) for value in distinct}
    return list(map(adapted.__getitem__, column))


def _adapter(field, connection, as_text=False):
    """value -> what the driver takes, through the field."""
    prepare = field.get_db_prep_save

    def adapt(value):
        if value is None:
            return None
        value = prepare(value, connection)
        return str(value) if as_text else value

    return adapt


def _rows(columns, start=0, end=None):
    return list(zip(*(column[start:end] for column in columns), strict=True))


def _insert(cursor, plan, columns, fixed, conflicts, batch_size):
    size = len(columns[0])
    if plan.arrays and size >= COPY_FROM:
        return _copy(cursor, plan, columns, fixed, conflicts)
    inserted = 0
    for start in range(0, size, batch_size):
        end = min(start + batch_size, size)
        if plan.arrays and end - start > 1:
            cursor.execute(_statement(plan, conflicts, "unnest"), fixed + [c[start:end] for c in columns])
        else:
            rows = _rows(columns, start, end)
            cursor.executemany(
                _statement(plan, conflicts, 1), [(*row, *fixed) for row in rows] if fixed else rows
            )
        inserted += cursor.rowcount
    return inserted


def _copy(cursor, plan, columns, fixed, conflicts):
    """Many rows on PostgreSQL: COPY, the fastest way in (UNNEST of 50,000 rows took twice as
    long). Straight into the table when the rows bring every column and no conflict is to be
    skipped; else into a temporary table, moved by one INSERT … SELECT (… ON CONFLICT)."""
    quote = cursor.db.ops.quote_name
    table = quote(plan.model._meta.db_table)
    names = ", ".join(quote(f.column) for f in plan.fields)
    straight = not (conflicts or plan.fixed)
    if not straight:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {TEMPORARY_TABLE} ON COMMIT DROP AS SELECT {names} FROM {table} WITH NO DATA"
        )
    with cursor.cursor.copy(f"COPY {table if straight else TEMPORARY_TABLE} ({names}) FROM STDIN") as copy:
        for row in _rows(columns):
            copy.write_row(row)
    if straight:
        return len(columns[0])
    cursor.execute(_statement(plan, conflicts, TEMPORARY_TABLE), fixed)
    inserted = cursor.rowcount
    # Dropped now: inside an outer transaction (a test, the demo loader) ON COMMIT would come
    # only after the next call had tried to create it again.
    cursor.execute(f"DROP TABLE {TEMPORARY_TABLE}")
    return inserted


def _insert_returning(cursor, plan, columns, fixed, batch_size):
    """INSERT … RETURNING the primary keys, in the order of the rows."""
    connection = cursor.db
    if not connection.features.can_return_rows_from_bulk_insert:
        raise NotSupportedError("This database cannot return the keys of inserted rows.")
    if plan.arrays:
        per_statement = batch_size
    else:
        per_statement = max(1, min(batch_size, SQLITE_MAX_PARAMS // (len(plan.fields) + len(plan.fixed))))
    keys, size = [], len(columns[0])
    for start in range(0, size, per_statement):
        end = min(start + per_statement, size)
        if plan.arrays and end - start > 1:
            params = fixed + [c[start:end] for c in columns]
            cursor.execute(_statement(plan, (), "unnest", returning=True), params)
        else:
            params = [v for row in _rows(columns, start, end) for v in (*row, *fixed)]
            cursor.execute(_statement(plan, (), end - start, returning=True), params)
        keys += [row[0] for row in cursor.fetchall()]
    return keys


@lru_cache(maxsize=256)
def _statement(plan, conflicts, source, returning=False):
    """The INSERT of plan.fields then plan.fixed, from `source`: a number of rows of VALUES
    (each with the fixed values), "unnest" (the fixed values as parameters, then one array per
    row field) or the name of a table holding the row fields (the fixed values as parameters)."""
    connection = connections[plan.alias]
    quote = connection.ops.quote_name
    meta = plan.model._meta
    columns = ", ".join(quote(f.column) for f in plan.fields + plan.fixed)
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) "
    if isinstance(source, int):
        one = "(" + ", ".join(["%s"] * (len(plan.fields) + len(plan.fixed))) + ")"
        sql += "VALUES " + ", ".join([one] * source)
    else:
        fixed = "".join(f", %s::{plan.base_type(f)}" for f in plan.fixed)
        if source == "unnest":
            arrays = ", ".join(f"%s::{plan.base_type(f)}[]" for f in plan.fields)
            sql += f"SELECT *{fixed} FROM UNNEST({arrays})"
        else:
            sql += f"SELECT *{fixed} FROM {quote(source)}"
    if conflicts:
        target = ", ".join(quote(meta.get_field(name).column) for name in conflicts)
        sql += f" ON CONFLICT ({target}) DO NOTHING"
    if returning:
        sql += f" RETURNING {quote(meta.pk.column)}"
    return sql
