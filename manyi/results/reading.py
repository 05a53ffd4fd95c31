# ruff: noqa: S608 -- identifiers come from the models' metadata, quoted; values are parameters or literals.
"""Reading a campaign's completed responses in bulk, as numbers, for results.dataset.

DESIGN. A dashboard's dataset is built by reading every completed response of a campaign once
(then only the newer ones). Reading them as model rows or value tuples made one Python object
per value and parsed each response's JSON in Python: 71 s for 1,000,000 responses on
PostgreSQL, 55 s on SQLite. Here the database does the JSON work and the client receives
plain numbers:

- each item's points, stated importance, dimension score and competitor points are taken out
  of the response's JSON by the database (PostgreSQL ``->>``, SQLite ``json_extract``), one
  column each; a point stored as JSON null (a question a condition hid: not asked) arrives as
  -inf, a point not stored (not answered) as NaN;
- categories arrive as numbers too: the customer's id (its region, type and account manager
  are then read from the customers present, a few thousand rows), the agent's id, and the
  channel's position among Channel's values;
- PostgreSQL sends the rows by ``COPY (SELECT …) TO STDOUT (FORMAT BINARY)`` with every column
  made NOT NULL (NaN, -1): every row then has the same length and numpy reads the stream as an
  array of records (np.frombuffer), without a Python object per value. SQLite has no COPY: a
  plain cursor's tuples give the scalars, and each group of values (points, importance …)
  arrives as one JSON array text per response (json_extract with all the group's paths),
  which numpy reads for a whole chunk at once.

The numbers are those the JSON holds: PostgreSQL parses a JSON number to double precision
and rounds it to single (float8 → float4, as numpy rounds a Python float), SQLite returns
the double. Measured in bench/analytics.py (BENCH analytics.dashboard_1m_*_cold_s).
"""

from __future__ import annotations

import itertools
import json
import warnings
from dataclasses import dataclass

import numpy as np
from django.db import connection

from manyi.campaigns.choices import Channel, ResponseStatus
from manyi.campaigns.models import Invitation, Response

CHUNK = 50_000  # rows per array made while reading (and per progress report)
CHANNELS = list(Channel.values)
NO_LABEL, OTHER_CHANNEL = -1, -2
# PostgreSQL's binary timestamps count microseconds from 2000-01-01 UTC.
POSTGRES_EPOCH = 946_684_800
SCALARS = (  # (name, binary type) of the one-value-per-response columns, in the query's order
    ("ids", ">i8"),
    ("completed", ">i8"),
    ("valid", "u1"),
    ("index", ">f8"),
    ("satisfied", "u1"),
    ("nps", ">f8"),
    ("customer", ">i8"),
    ("contact", ">i8"),
    ("agent", ">i8"),
    ("channel", ">i8"),
)


@dataclass
class Block:
    """Responses read, as arrays (row i is the same response everywhere)."""

    ids: np.ndarray  # int64
    completed: np.ndarray  # datetime64[s]
    valid: np.ndarray  # bool
    index: np.ndarray  # float64
    satisfied: np.ndarray  # bool
    nps: np.ndarray  # float64
    customer: np.ndarray  # int64, -1 none
    contact: np.ndarray  # int64, -1 none
    agent: np.ndarray  # int64, -1 none
    channel: np.ndarray  # int64: position in CHANNELS; NO_LABEL empty; OTHER_CHANNEL another value
    points: np.ndarray  # float32 (n, items); NaN not answered, -inf not asked
    importance: np.ndarray  # float32 (n, items)
    dimensions: np.ndarray  # float32 (n, dimensions)
    competitor: np.ndarray  # float32 (n, competitor items)

    @property
    def size(self):
        return len(self.ids)


def read_block(
    campaign_id, after_id, item_keys, dimension_keys, competitor_keys, progress=None, importance_keys=None
):
    """The completed responses of the campaign with pk > after_id, in pk order, as a Block.
    `progress(rows read so far)` is called after each chunk. `importance_keys`: the items whose
    stated importance is asked (None: every item); the others' importance is NaN unread, as
    a questionnaire that never asks it stores none (a third of the work of a cold build)."""
    importance_keys = list(item_keys if importance_keys is None else importance_keys)
    widths = (len(item_keys), len(importance_keys), len(dimension_keys), len(competitor_keys))
    if connection.vendor == "postgresql":
        query = _postgres_query(campaign_id, item_keys, importance_keys, dimension_keys, competitor_keys)
        chunks = _packed_chunks(query, after_id, widths, progress)
    else:
        sql, params = _sqlite_query(
            campaign_id, after_id, item_keys, importance_keys, dimension_keys, competitor_keys
        )
        chunks = _fetch_tuples(sql, params, item_keys, widths, progress)
    block = _block(chunks, widths)
    if importance_keys != list(item_keys):
        importance = np.full((block.size, len(item_keys)), np.nan, np.float32)
        importance[:, [list(item_keys).index(key) for key in importance_keys]] = block.importance
        block.importance = importance
    return block


# ------------------------------------------------------------------------------------------
# The query


def _names():
    quote = connection.ops.quote_name
    response = {name: quote(Response._meta.get_field(name).column) for name in _RESPONSE_FIELDS}
    return (
        quote(Response._meta.db_table),
        quote(Invitation._meta.db_table),
        response,
        quote(Invitation._meta.get_field("contact").column),
    )


_RESPONSE_FIELDS = (
    "id",
    "campaign",
    "status",
    "invitation",
    "completed_at",
    "started_at",
    "valid",
    "index",
    "satisfied",
    "nps",
    "customer",
    "agent",
    "channel",
    "points",
    "importance",
    "dimension_scores",
    "competitor",
)


def _postgres_query(campaign_id, item_keys, importance_keys, dimension_keys, competitor_keys):
    """One chunk: the next CHUNK completed responses after an id (parameters: the id, the
    chunk's size), each column packed by the server into one bytea of big-endian binary
    values (int8send, float4send …; string_agg in the rows' id order)."""
    from psycopg import sql

    response, invitation, f, contact = _names()
    literal = sql.Literal

    def number(column, key, default="'NaN'::float8"):
        return f"float4send(COALESCE(({column} ->> {{}})::float8, {default})::float4)", [literal(key)]

    def point(key):
        # A key stored with null (not asked) is the only case where ->> gives NULL and ? holds.
        column = f"r.{f['points']}"
        text, parts = number(
            column, key, f"CASE WHEN {column} ? {{}} THEN '-Infinity'::float8 ELSE 'NaN' END"
        )
        return text, [*parts, literal(key)]

    channel = " ".join(f"WHEN {{}} THEN {i}" for i in range(len(CHANNELS)))
    select = [
        (f"int8send(r.{f['id']}::int8)", []),
        (f"timestamptz_send(COALESCE(r.{f['completed_at']}, r.{f['started_at']}))", []),
        (f"boolsend(COALESCE(r.{f['valid']}, false))", []),
        (f"float8send(COALESCE(r.{f['index']}, 'NaN')::float8)", []),
        (f"boolsend(COALESCE(r.{f['satisfied']}, false))", []),
        (f"float8send(COALESCE(r.{f['nps']}::float8, 'NaN'))", []),
        (f"int8send(COALESCE(r.{f['customer']}, -1)::int8)", []),
        (f"int8send(COALESCE(i.{contact}, -1)::int8)", []),
        (f"int8send(COALESCE(r.{f['agent']}, -1)::int8)", []),
        (
            f"int8send((CASE r.{f['channel']} WHEN '' THEN {NO_LABEL} {channel} ELSE {OTHER_CHANNEL} END)::int8)",
            [literal(value) for value in CHANNELS],
        ),
        *(point(key) for key in item_keys),
        *(number(f"r.{f['importance']}", key) for key in importance_keys),
        *(number(f"r.{f['dimension_scores']}", key) for key in dimension_keys),
        *(number(f"r.{f['competitor']}", key) for key in competitor_keys),
    ]
    inner = sql.SQL(", ").join(
        sql.SQL(text + f" AS c{i}").format(*parts) for i, (text, parts) in enumerate(select)
    )
    packed = sql.SQL(", ").join(sql.SQL(f"string_agg(c{i}, ''::bytea)") for i in range(len(select)))
    return sql.SQL(
        f"SELECT {{}} FROM (SELECT {{}} FROM {response} r LEFT JOIN {invitation} i ON i.id = r.{f['invitation']} "
        f"WHERE r.{f['campaign']} = {{}} AND r.{f['status']} = {{}} AND r.{f['id']} > %s "
        f"ORDER BY r.{f['id']} LIMIT %s) AS chunk"
    ).format(packed, inner, literal(campaign_id), literal(ResponseStatus.COMPLETED.value))


def _sqlite_query(campaign_id, after_id, item_keys, importance_keys, dimension_keys, competitor_keys):
    """The scalars one column each, then one column per wide group (points, importance,
    dimensions, competitor): ``json_extract`` with all the group's paths at once gives the
    group's values as one JSON array text ([8.0,null,…]), the response's JSON parsed once per
    group instead of once per key (2.6 → 1.0 s CPU per 200,000 responses, measured); then the
    points themselves where they hold a JSON null (a question a condition hid), else NULL."""
    response, invitation, f, contact = _names()
    params = []

    def path(key):
        return "$." + json.dumps(key)  # as Django's own KeyTransform writes a key's path

    def values(column, keys):
        if not keys:
            return None
        params.extend(path(key) for key in keys)
        if len(keys) == 1:  # one path gives the value itself, not an array
            return f"'[' || json_quote(json_extract(COALESCE({column}, '{{}}'), %s)) || ']'"
        return f"json_extract(COALESCE({column}, '{{}}'), {', '.join(['%s'] * len(keys))})"

    channel = " ".join(f"WHEN %s THEN {i}" for i in range(len(CHANNELS)))
    select = [
        f"r.{f['id']}",
        f"CAST(strftime('%%s', COALESCE(r.{f['completed_at']}, r.{f['started_at']})) AS INTEGER)",
        f"COALESCE(r.{f['valid']}, 0)",
        f"r.{f['index']}",
        f"COALESCE(r.{f['satisfied']}, 0)",
        f"r.{f['nps']}",
        f"COALESCE(r.{f['customer']}, -1)",
        f"COALESCE(i.{contact}, -1)",
        f"COALESCE(r.{f['agent']}, -1)",
        f"CASE r.{f['channel']} WHEN '' THEN {NO_LABEL} {channel} ELSE {OTHER_CHANNEL} END",
    ]
    params.extend(CHANNELS)
    groups = [
        values(f"r.{f['points']}", item_keys),
        values(f"r.{f['importance']}", importance_keys),
        values(f"r.{f['dimension_scores']}", dimension_keys),
        values(f"r.{f['competitor']}", competitor_keys),
    ]
    select += [group for group in groups if group is not None]
    select.append(f"CASE WHEN instr(r.{f['points']}, 'null') > 0 THEN r.{f['points']} END")
    sql = (
        f"SELECT {', '.join(select)} FROM {response} r LEFT JOIN {invitation} i ON i.id = r.{f['invitation']} "
        f"WHERE r.{f['campaign']} = %s AND r.{f['status']} = %s AND r.{f['id']} > %s ORDER BY r.{f['id']}"
    )
    return sql, [*params, campaign_id, ResponseStatus.COMPLETED.value, after_id]


# ------------------------------------------------------------------------------------------
# Transfer


def _groups(widths):
    """(first, last) column of each wide group (points, importance, dimensions, competitor)."""
    edges = np.cumsum((0, *widths)).tolist()
    return list(itertools.pairwise(edges))


def _packed_chunks(query, after_id, widths, progress):
    """Yields ({scalar: array}, [float32 (rows, width) matrix of each wide group]) per chunk of
    PostgreSQL's packed columns: numpy reads each column's bytes as they are (np.frombuffer),
    no Python object per value. Chunks follow each other by id (keyset), one short query each."""
    import psycopg

    connection.ensure_connection()
    done = 0
    # A cursor binding on the server, so that results may come binary (bytes, not hex).
    with psycopg.Cursor(connection.connection) as cursor:
        while True:
            cursor.execute(query, [after_id, CHUNK], binary=True)
            packed = cursor.fetchone()
            if packed is None or packed[0] is None:
                return
            scalars = {
                name: np.frombuffer(data, kind).astype(kind.lstrip(">"))
                for (name, kind), data in zip(SCALARS, packed, strict=False)
            }
            rows, wide = len(scalars["ids"]), packed[len(SCALARS) :]
            groups = [
                np.ascontiguousarray(
                    np.frombuffer(b"".join(wide[first:last]), ">f4").reshape(last - first, rows).T, np.float32
                )
                for first, last in _groups(widths)
            ]
            if (np.diff(scalars["ids"]) <= 0).any():  # not in id order: put it in order
                order = np.argsort(scalars["ids"], kind="stable")
                scalars = {name: values[order] for name, values in scalars.items()}
                groups = [group[order] for group in groups]
            after_id = int(scalars["ids"][-1])
            done += rows
            if progress:
                progress(done)
            yield scalars, groups
            if rows < CHUNK:
                return


def _fetch_tuples(sql, params, item_keys, widths, progress):
    """Yields ({scalar: array}, [float32 (rows, width) matrix of each wide group]) per CHUNK
    rows of SQLite's tuples (_sqlite_query): the scalars one array each (SQL NULL → NaN), the
    groups' JSON arrays parsed by numpy, the points a condition hid set to -inf."""
    done = 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            done += len(rows)
            if progress:
                progress(done)
            columns = list(zip(*rows, strict=True))
            scalars = {
                name: np.array(columns[position], np.float64)
                for position, (name, _kind) in enumerate(SCALARS)
            }
            texts = iter(columns[len(SCALARS) : -1])  # the groups with a column (width > 0)
            groups = [_numbers(next(texts) if width else (), len(rows), width) for width in widths]
            _mark_not_asked(groups[0], columns[-1], item_keys)
            yield scalars, groups


def _numbers(texts, rows, width):
    """A float32 (rows, width) matrix of the JSON arrays `texts` (one per row, null → NaN):
    numpy reads them all as one comma-separated text; an array it cannot read that way (a
    point stored as a string, say) is read row by row by the json module."""
    if not width:
        return np.empty((rows, 0), np.float32)
    joined = ",".join(texts).replace("[", "").replace("]", "").replace("null", "nan")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy warns, and stops, at what it cannot read
        try:
            values = np.fromstring(joined, dtype=np.float64, sep=",")
        except (DeprecationWarning, ValueError):
            values = None
    if values is None or values.size != rows * width:
        values = np.array([[_number(value) for value in json.loads(text)] for text in texts], np.float64)
    return values.reshape(rows, width).astype(np.float32)


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.nan


def _mark_not_asked(points, texts, item_keys):
    """-inf where a response's points hold the key with null (a question a condition hid: not
    asked), not NaN (not answered). `texts`: the points JSON of the rows that have a null."""
    for row, text in enumerate(texts):
        if text is None:
            continue
        stored = json.loads(text)
        for position, key in enumerate(item_keys):
            if key in stored and stored[key] is None:
                points[row, position] = -np.inf


# ------------------------------------------------------------------------------------------
# Chunks to columns


def _block(chunks, widths):
    scalars = {name: [] for name, _kind in SCALARS}
    wide = [[] for _width in widths]
    for values, groups in chunks:
        for name, _kind in SCALARS:
            scalars[name].append(values[name])
        for parts, group in zip(wide, groups, strict=True):
            parts.append(group)
    joined = {name: _join(parts) for name, parts in scalars.items()}
    points, importance, dimensions, competitor = (
        np.concatenate(parts) if parts else np.empty((0, width), np.float32)
        for parts, width in zip(wide, widths, strict=True)
    )
    completed = joined["completed"].astype(np.int64, copy=False)
    if connection.vendor == "postgresql":
        completed = np.floor_divide(completed, 1_000_000) + POSTGRES_EPOCH
    return Block(
        ids=joined["ids"].astype(np.int64, copy=False),
        completed=completed.astype("datetime64[s]"),
        valid=joined["valid"].astype(bool, copy=False),
        index=joined["index"].astype(np.float64, copy=False),
        satisfied=joined["satisfied"].astype(bool, copy=False),
        nps=joined["nps"].astype(np.float64, copy=False),
        customer=joined["customer"].astype(np.int64, copy=False),
        contact=joined["contact"].astype(np.int64, copy=False),
        agent=joined["agent"].astype(np.int64, copy=False),
        channel=joined["channel"].astype(np.int64, copy=False),
        points=points,
        importance=importance,
        dimensions=dimensions,
        competitor=competitor,
    )


def _join(parts):
    return np.concatenate(parts) if parts else np.empty(0)


FEW = 64  # so many distinct keys or fewer (channels, agents) are found without sorting


def distinct(keys):
    """(the distinct keys in the order they first appear, each row's position among them). A
    few distinct keys in a short span (channels, agents) are found by counting, others by
    sorting (np.unique)."""
    if not keys.size:
        return keys[:0], np.empty(0, np.intp)
    low = int(keys.min())
    if int(keys.max()) - low < 1 << 16:
        shifted = keys - low
        present = np.flatnonzero(np.bincount(shifted))
        if len(present) <= FEW:
            firsts = [int(np.argmax(shifted == value)) for value in present.tolist()]
            present = present[np.argsort(firsts, kind="stable")]
            rank = np.zeros(int(present.max()) + 1, np.intp)
            rank[present] = np.arange(len(present))
            return present + low, rank[shifted]
    unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(unique), np.intp)
    rank[order] = np.arange(len(unique))
    return unique[order], rank[inverse.reshape(-1)]


def encode(labels, seen, label_of):
    """Category codes per row, from `seen` (distinct(keys) of the rows) and `label_of(key)` (a
    label, or "" / None for none: code -1). Labels new to `labels` (the dataset's list,
    changed in place) get the next codes in the order they first appear among the rows."""
    keys, positions = seen
    lookup = {label: code for code, label in enumerate(labels)}
    codes = np.empty(len(keys), np.int32)
    for position, key in enumerate(keys.tolist()):
        label = label_of(key)
        if not label:
            codes[position] = -1
            continue
        code = lookup.get(label)
        if code is None:
            code = lookup[label] = len(labels)
            labels.append(label)
        codes[position] = code
    return codes[positions]


def category_codes(block, labels):
    """{category: int32 codes per row of `block`} (results.dataset.CATEGORIES), extending
    `labels` ({category: [label, ...]}) with the labels new to it."""
    from manyi.accounts.models import User
    from manyi.customers.models import Customer

    by_customer, by_agent = distinct(block.customer), distinct(block.agent)
    customers = {}
    present = [key for key in by_customer[0].tolist() if key >= 0]
    for start in range(0, len(present), 5000):
        for pk, *values in Customer.objects.filter(pk__in=present[start : start + 5000]).values_list(
            "pk", "region", "customer_type", "owner__username"
        ):
            customers[pk] = values
    agents = dict(
        User.objects.filter(pk__in=[key for key in by_agent[0].tolist() if key >= 0]).values_list(
            "pk", "username"
        )
    )
    channel_keys, other_channels = _channel_keys(block)

    def customer_label(position):
        return lambda key: (customers.get(key) or (None, None, None))[position]

    return {
        "region": encode(labels["region"], by_customer, customer_label(0)),
        "customer_type": encode(labels["customer_type"], by_customer, customer_label(1)),
        "owner": encode(labels["owner"], by_customer, customer_label(2)),
        "channel": encode(labels["channel"], distinct(channel_keys), other_channels.get),
        "agent": encode(labels["agent"], by_agent, agents.get),
    }


def _channel_keys(block):
    """(a key per row, {key: channel}): the known channels by their position; a value not
    among Channel's (left by an older version, say) read apart, for those rows only."""
    keys = block.channel.copy()
    labels = dict(enumerate(CHANNELS))
    other = np.flatnonzero(keys == OTHER_CHANNEL)
    if other.size:
        wanted = set(block.ids[other].tolist())
        found = {
            pk: channel
            for pk, channel in Response.objects.filter(
                pk__gte=int(block.ids[other[0]]), pk__lte=int(block.ids[other[-1]])
            )
            .exclude(channel__in=["", *CHANNELS])
            .values_list("pk", "channel")
            if pk in wanted
        }
        values = sorted(set(found.values()))
        for position, value in enumerate(values):
            labels[len(CHANNELS) + position] = value
        keys[other] = [len(CHANNELS) + values.index(found[pk]) for pk in block.ids[other].tolist()]
    return keys, labels
