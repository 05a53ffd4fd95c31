# ruff: noqa: S608 -- identifiers come from the models' metadata, quoted; values are parameters.
"""Statements built once per process for the answer submission, the path under public load.

Django compiles every ORM statement anew on each request. On the answer page that was about
half of the CPU a submission costs (≈ 1.3 ms to read the invitation with its campaign and
questionnaire, ≈ 1.5 ms to insert the response and its answers, ≈ 0.5 ms to mark the
invitation, on this 2-core machine), and the CPU is what limits submissions per second.

The SQL here is built from the models' own field lists the first time it is needed, so it
follows schema changes (inserts through manyi.bulk.insert_rows); values go through each
field's `get_db_prep_save` (plain text and numbers as they are), and values read back through
the same converters the ORM applies. What it skips is model signals: Invitation, Response and
Answer have no receivers, and `test_hot_sql.py` fails if one is ever connected (a receiver
would need these statements replaced by `save()`).
"""

from functools import lru_cache

from django.db import connections, router

from manyi.bulk import insert_rows


def _quote(connection, name):
    return connection.ops.quote_name(name)


def _columns(connection, model, alias):
    """SELECT list entries and per-column converters for every concrete field of a model."""
    table = model._meta.db_table
    select, readers = [], []
    for field in model._meta.concrete_fields:
        select.append(f"{_quote(connection, alias)}.{_quote(connection, field.column)}")
        col = field.get_col(table)
        converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        readers.append((field.attname, col, converters))
    return select, readers


def _build(model, connection, row, readers):
    names, values = [], []
    for (attname, col, converters), value in zip(readers, row, strict=True):
        for converter in converters:
            value = converter(value, col, connection)
        names.append(attname)
        values.append(value)
    return model.from_db(connection.alias, names, values)


# Keyed by the connection object: converters are bound to its backend (one per thread).
@lru_cache(maxsize=16)
def _invitation_statement(connection):
    from manyi.surveys.models import Questionnaire

    from .models import Campaign, Invitation

    q = lambda name: _quote(connection, name)  # noqa: E731
    parts = [
        _columns(connection, model, name)
        for model, name in ((Invitation, "i"), (Campaign, "c"), (Questionnaire, "q"))
    ]
    select = ", ".join(column for columns, _ in parts for column in columns)
    sql = (
        f"SELECT {select} FROM {q(Invitation._meta.db_table)} {q('i')}"
        f" INNER JOIN {q(Campaign._meta.db_table)} {q('c')}"
        f" ON {q('c')}.{q('id')} = {q('i')}.{q(Invitation._meta.get_field('campaign').column)}"
        f" INNER JOIN {q(Questionnaire._meta.db_table)} {q('q')}"
        f" ON {q('q')}.{q('id')} = {q('c')}.{q(Campaign._meta.get_field('questionnaire').column)}"
        f" WHERE {q('i')}.{q('token')} = %s"
    )
    return sql, [readers for _, readers in parts]


def invitation_with_survey(token):
    """The invitation for a token with its campaign and questionnaire attached, or None.

    The same as `Invitation.objects.select_related("campaign__questionnaire").get(token=...)`.
    """
    from manyi.surveys.models import Questionnaire

    from .models import Campaign, Invitation

    alias = router.db_for_read(Invitation)
    connection = connections[alias]
    sql, (invitation_readers, campaign_readers, questionnaire_readers) = _invitation_statement(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [token])
        row = cursor.fetchone()
    if row is None:
        return None
    first, second = len(invitation_readers), len(invitation_readers) + len(campaign_readers)
    invitation = _build(Invitation, connection, row[:first], invitation_readers)
    campaign = _build(Campaign, connection, row[first:second], campaign_readers)
    campaign.questionnaire = _build(Questionnaire, connection, row[second:], questionnaire_readers)
    invitation.campaign = campaign
    return invitation


def insert(objects):
    """INSERT model instances of one model in one statement and set their primary keys."""
    if objects:
        insert_rows(type(objects[0]), objects, set_pks=True)


@lru_cache(maxsize=64)
def _update_statement(alias, model, attnames):
    connection = connections[alias]
    fields = [model._meta.get_field(name) for name in attnames]
    assignments = ", ".join(f"{_quote(connection, field.column)} = %s" for field in fields)
    sql = (
        f"UPDATE {_quote(connection, model._meta.db_table)} SET {assignments}"
        f" WHERE {_quote(connection, model._meta.pk.column)} = %s"
    )
    return sql, fields


def update(obj, attnames):
    """UPDATE the named fields of one saved instance (like save(update_fields=...))."""
    model = type(obj)
    alias = router.db_for_write(model)
    connection = connections[alias]
    sql, fields = _update_statement(alias, model, tuple(attnames))
    params = [field.get_db_prep_save(field.pre_save(obj, False), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, obj.pk])
