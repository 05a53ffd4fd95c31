"""A campaign's completed responses as columns of numpy arrays, for instant dashboards.

Reading a million responses from the database takes seconds; filtering and summarising arrays
that are already in memory takes milliseconds. So each campaign's responses are read once into
a `CampaignDataset` (one row per completed response), kept per process and saved under
``var/analysis/`` so that other processes and restarts start warm. Every use first asks the
database how many completed responses there are and what the newest is (one indexed
aggregate): new responses are appended; anything else unexpected (a draft completed late with
an older id, a response removed) makes the dataset read again from scratch. So figures are
always those of the database at the moment of the request.

Columns come from the response rows only (scores, points and importance by item are stored on
the response when it is completed), never from the answer rows.

Embedded columnar engines, measured (issue 17; bench/columnar.py, `make bench-columnar`): the
same responses of bench-analytics' generator, every engine's columns and figures checked equal
to ours, runs taken in turns, medians of 3 (cold) and 7 (warm), on the shared 2-core machine
under load (wall times inflated; CPU is this process's, all threads). Cold read into columns,
1,000,000 responses on SQLite: ours (reading.py) 21.2 s wall, 13.4 s CPU; connectorx to Arrow
with the JSON decoded by DuckDB 6.3 s, 3.9 s CPU; DuckDB's sqlite scanner 5.6 s, 3.8 s CPU;
connectorx with Polars' json_decode 10.5 s, 7.4 s CPU (200,000: ours 6.2-8.9 s, 2.5-2.8 s CPU;
DuckDB 2.1-4.3 s, 0.8-1.1 s CPU). 200,000 on PostgreSQL: ours 3.1-4.6 s (the JSON work is the
server's); DuckDB over connectorx 3.0 s, its postgres scanner 3.3-4.2 s, Polars 4.9-5.4 s.
Warm, what dashboard_summary computes (index, satisfied share, item means with 一般 filled in,
dimension means, NPS, monthly trend, regions) over 1,000,000 rows in memory: ours 253 ms
(224 ms CPU), Polars 180 ms (175 ms CPU), DuckDB SQL over Arrow 308 ms (281 ms CPU); at
200,000 Polars and ours take the same CPU (39-53 ms). Decision: the figures stay on numpy
(Polars saves 70 ms of a dashboard that takes 0.4-2 s, DuckDB is slower, and every analysis
here, filters, voice rule, imputation, item-first index, cross tabs, PLS, is numpy). The cold
read on SQLite is where an engine clearly wins, about three times less work; it is left for a
decision on issue 17, not adopted here: 600 MB of wheels (connectorx, pyarrow, duckdb), and
DuckDB's sqlite / postgres scanners are not in its wheel (it downloads them at first use, which
an offline server cannot): PyPI has them only as another party's packages, for DuckDB 1.4.4.
On PostgreSQL no engine clearly beats COPY.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db.models import Count, Max

from manyi.analytics import scoring
from manyi.campaigns.models import Response
from manyi.customers.models import Purchase

from . import reading

FORMAT = 6  # bump when the saved layout changes
# The wide per-item columns in single precision: answer points are small whole numbers (exact
# in float32) and it halves the memory of a large campaign (1,000,000 × 20 items: 80 MB).
WIDE = np.float32
CATEGORIES = ("region", "customer_type", "owner", "channel", "agent")


@dataclass
class CampaignDataset:
    """Columns of one campaign's completed responses; row i is the same response everywhere."""

    campaign_id: int
    item_keys: list[str]
    dimension_keys: list[str]
    ids: np.ndarray  # int64
    completed: np.ndarray  # datetime64[s], UTC
    valid: np.ndarray  # bool
    index: np.ndarray  # float64, NaN when invalid or unscored
    satisfied: np.ndarray  # bool
    nps: np.ndarray  # float64, NaN when not answered
    customer: np.ndarray  # int64, -1 for anonymous answers
    contact: np.ndarray  # int64, the invited contact person; -1 when none was named
    points: np.ndarray  # float32 (n, items), NaN = not answered
    importance: np.ndarray  # float32 (n, items), NaN = not stated
    dimensions: np.ndarray  # float32 (n, dimensions)
    codes: dict[str, np.ndarray] = field(default_factory=dict)  # category -> int32 codes, -1 = none
    labels: dict[str, list[str]] = field(default_factory=dict)  # category -> label of each code
    products: dict[int, np.ndarray] = field(default_factory=dict)  # product id -> row positions
    # Items that also ask how the main competitor does, and its points (n, len(keys)); most
    # questionnaires have none, so the columns cost nothing then.
    competitor_keys: list[str] = field(default_factory=list)
    competitor: np.ndarray = field(default_factory=lambda: np.empty((0, 0), WIDE))
    # (row, item column) of each scored item a respondent was not asked (hidden by a
    # questionnaire condition; stored as a null point): neither missing nor filled in.
    # Sparse, and empty for questionnaires without conditions.
    unasked: np.ndarray = field(default_factory=lambda: np.empty((0, 2), np.int64))
    # The campaign's VoiceRule, set from the campaign each time the dataset is handed out.
    voice: str = "customer"

    @property
    def size(self):
        return len(self.ids)

    @property
    def last_id(self):
        return int(self.ids[-1]) if self.size else 0

    def whole_points(self):
        """The points as one uint8 row per item (contiguous), 255 where not answered or not a
        whole number 0..254: answers per option are then one np.bincount per item, without
        copying the float matrix (kept once made)."""
        cached = getattr(self, "_whole_points", None)
        if cached is not None and cached.shape[1] == self.size:
            return cached
        points = self.points
        with np.errstate(invalid="ignore"):
            whole = (points >= 0) & (points <= 254) & (points == np.floor(points))
        self._whole_points = np.ascontiguousarray(np.where(whole, points, 255).astype(np.uint8).T)
        return self._whole_points

    def states_importance(self):
        """Whether any response stated the importance of any item (kept once known)."""
        cached = getattr(self, "_states_importance", None)
        if cached is not None and cached[0] == self.size:
            return cached[1]
        stated = bool(self.importance.size) and not np.isnan(self.importance).all()
        self._states_importance = (self.size, stated)
        return stated

    def latest_of_each_voice(self):
        """True for each voice's latest completed answer (and every anonymous one), False for
        the earlier answers of a voice that answered again (kept once made). A voice is the
        customer (VoiceRule "customer"), or the contact person the invitation named (rule
        "contact": several people of one company each count; an answer naming no contact is
        the customer's own voice).

        Seed 000 counts customers: "此次调查的4份有效问卷中,4家客户满意度≥70分,为满意客户". A
        customer who answered by the link and again on a return visit is one customer."""
        key = (self.size, self.voice)
        cached = getattr(self, "_latest", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        latest = np.ones(self.size, bool)
        named = np.flatnonzero(self.customer >= 0)
        if named.size:
            people = self.contact if self.voice == "contact" else np.full(self.size, -1, np.int64)
            # Sorted by voice (customer, contact), then completion time, then id: the last row
            # of each voice's run is its latest answer.
            order = named[
                np.lexsort((self.ids[named], self.completed[named], people[named], self.customer[named]))
            ]
            same_customer = self.customer[order][:-1] == self.customer[order][1:]
            same_person = people[order][:-1] == people[order][1:]
            latest[order[:-1][same_customer & same_person]] = False
        self._latest = (key, latest)
        return latest

    def unasked_mask(self, rows, columns):
        """Boolean (len(rows), len(columns)) matrix: which of `columns` (item columns) each of
        `rows` (row positions, in order) was not asked."""
        mask = np.zeros((len(rows), len(columns)), bool)
        if not self.unasked.size or not len(rows):
            return mask
        row_at = np.full(self.size, -1, np.int64)
        row_at[np.asarray(rows, np.int64)] = np.arange(len(rows))
        column_at = np.full(len(self.item_keys), -1, np.int64)
        column_at[np.asarray(columns, np.int64)] = np.arange(len(columns))
        r, c = row_at[self.unasked[:, 0]], column_at[self.unasked[:, 1]]
        hit = (r >= 0) & (c >= 0)
        mask[r[hit], c[hit]] = True
        return mask

    def imputed_rows(self, scheme):
        """{column: row positions} of the answers the validity rule fills in: under seed 000's
        rule "回收的调查表中评价遗漏一项的按'一般'记3分,遗漏2项以上评分的调查表按无效卷不予统计",
        a valid questionnaire with exactly one scored item unanswered counts that item as the
        item's neutral answer (一般) in every figure, as its index already does. Other rules
        fill nothing in. Sparse (a few rows), kept once made."""
        key = (self.size, scheme.validity_rule)
        cached = getattr(self, "_imputed", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        found = {}
        if scheme.validity_rule == "one_missing_neutral" and self.size:
            scored = [
                self.item_keys.index(item.key)
                for item in scheme.items
                if item.scored and item.key in self.item_keys
            ]
            # A question hidden by a condition was not asked: not missing, never filled in.
            missing = np.isnan(self.points[:, scored]) & ~self.unasked_mask(np.arange(self.size), scored)
            rows = np.flatnonzero(self.valid & (missing.sum(axis=1) == 1))
            if rows.size:
                columns = np.asarray(scored)[missing[rows].argmax(axis=1)]
                for column in np.unique(columns):
                    found[int(column)] = rows[columns == column]
        self._imputed = (key, found)
        return found

    def item_points(self, scheme, column, keep):
        """The points of item `column` over the rows `keep` (a boolean mask), with the validity
        rule's neutral answers filled in (see imputed_rows); NaN where not answered."""
        values = self.points[keep, column].astype(np.float64)
        rows = self.imputed_rows(scheme).get(column)
        if rows is not None and rows.size:
            neutral = {item.key: item.neutral for item in scheme.items}[self.item_keys[column]]
            position = np.cumsum(keep) - 1  # row -> its place among the kept rows
            chosen = rows[keep[rows]]
            values[position[chosen]] = neutral
        return values

    def group_index(self, scheme, rows):
        """The index of the valid responses `rows` (a boolean mask) as a group, under the
        questionnaire's index method (scoring.item_first_index; see its rule), with one value
        per response whose mean is the index and whose Student-t interval is the index's.

        Respondent first, or item first when every response rated every index item (the two
        are then the same number): the responses' own indices and dimension scores. Otherwise
        the item-first index from the rows' item scores."""
        if scheme.index_method == "respondent_mean" or not self._has_gaps(scheme, rows):
            values = self.index[rows].astype(np.float64)
            values = values[~np.isnan(values)]  # a questionnaire with nothing rated toward it
            dimensions = self.dimensions[rows]
            answered = np.count_nonzero(~np.isnan(dimensions), axis=0)
            totals = np.nansum(dimensions, axis=0, dtype=np.float64)
            return scoring.GroupIndex(
                float(values.mean()) if values.size else float("nan"),
                values,
                {
                    key: float(totals[column] / answered[column])
                    for column, key in enumerate(self.dimension_keys)
                    if answered[column]
                },
            )
        columns = [self.item_keys.index(item.key) for item in scheme.items]
        positions = np.flatnonzero(rows)
        points = self.points[np.ix_(positions, columns)].astype(np.float64)
        unasked = self.unasked_mask(positions, columns)
        return scoring.item_first_index(scheme, scoring.score_matrix(scheme, points, unasked).item_scores)

    def group_values(self, scheme, rows, codes):
        """One value per response of `rows` (in row order), formed within its group (`codes`,
        aligned with the rows): the mean of a group's values is that group's index, as
        group_index gives it for the group alone. For trends and segment comparisons."""
        values = self.index[rows].astype(np.float64)
        if scheme.index_method == "respondent_mean" or not self._has_gaps(scheme, rows):
            return values
        positions = np.flatnonzero(rows)
        for code in np.unique(codes):
            inside = codes == code
            group = np.zeros(self.size, bool)
            group[positions[inside]] = True
            if self._has_gaps(scheme, group):
                values[inside] = self.group_index(scheme, group).values
        return values

    def _has_gaps(self, scheme, rows):
        """Whether a valid response among `rows` left an index item unrated: only possible
        under rules that keep such a response valid without filling the gap in."""
        if scheme.validity_rule not in ("two_thirds", "any_answer") and not self.unasked.size:
            return False
        key = (self.size, scheme)
        cached = getattr(self, "_gaps", None)
        if cached is None or cached[0] != key:
            columns = [
                self.item_keys.index(item.key) for item in scheme.items if item.scored and not item.outcome
            ]
            gaps = np.isnan(self.points[:, columns]).any(axis=1) if columns else np.zeros(self.size, bool)
            if scheme.validity_rule not in ("two_thirds", "any_answer"):
                # Every item a valid response was asked is rated (or filled in with 一般): its
                # gaps are the questions a condition hid from it.
                gaps = np.zeros(self.size, bool)
                gaps[self.unasked[:, 0]] = np.isin(self.unasked[:, 1], columns)
            cached = self._gaps = (key, gaps & self.valid)
        return bool(cached[1][rows].any())

    def months(self):
        """Month of completion as yyyymm integers, in the configured time zone (kept once made)."""
        cached = getattr(self, "_months", None)
        if cached is not None and len(cached) == self.size:
            return cached
        offset = np.timedelta64(_utc_offset_seconds(), "s")
        local = (self.completed + offset).astype("datetime64[M]")
        years = local.astype("datetime64[Y]").astype(int) + 1970
        self._months = years * 100 + (local.astype(int) % 12) + 1
        return self._months


def _utc_offset_seconds():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    offset = datetime.now(ZoneInfo(settings.TIME_ZONE)).utcoffset()
    return int(offset.total_seconds()) if offset else 0


# ------------------------------------------------------------------------------------------
# Reading from the database


def _empty(campaign_id, item_keys, dimension_keys, competitor_keys=()):
    k, d = len(item_keys), len(dimension_keys)
    return CampaignDataset(
        campaign_id=campaign_id,
        item_keys=list(item_keys),
        dimension_keys=list(dimension_keys),
        ids=np.empty(0, np.int64),
        completed=np.empty(0, "datetime64[s]"),
        valid=np.empty(0, bool),
        index=np.empty(0),
        satisfied=np.empty(0, bool),
        nps=np.empty(0),
        customer=np.empty(0, np.int64),
        contact=np.empty(0, np.int64),
        points=np.empty((0, k), WIDE),
        importance=np.empty((0, k), WIDE),
        dimensions=np.empty((0, d), WIDE),
        codes={name: np.empty(0, np.int32) for name in CATEGORIES},
        labels={name: [] for name in CATEGORIES},
        competitor_keys=list(competitor_keys),
        competitor=np.empty((0, len(competitor_keys)), WIDE),
    )


def rated_items(campaign):
    """(key, label, dimension key, [(option label, points)]) for each rated item, in order: the
    dataset's point columns (questions with scored options, and matrix rows)."""
    from manyi.surveys.choices import CHOICE_KINDS, QuestionKind

    layout = campaign.questionnaire.layout()
    items = []
    for question in layout.questions:
        options = [(o.label, o.points) for o in layout.options[question.pk].values() if o.points is not None]
        dimension = question.dimension.code if question.dimension_id else None
        if question.kind == QuestionKind.MATRIX:
            items.extend((row.code, row.text, dimension, options) for row in layout.rows[question.pk])
        elif question.kind in CHOICE_KINDS and question.kind != QuestionKind.MULTIPLE and options:
            items.append((question.code, question.text, dimension, options))
    return items


def importance_items(campaign):
    """Keys of the rated items that also ask how important they are (stated importance)."""
    layout = campaign.questionnaire.layout()
    asked = set()
    for question in layout.questions:
        if question.ask_importance:
            asked.add(question.code)
            asked.update(row.code for row in layout.rows[question.pk])
    return [key for key, *_rest in rated_items(campaign) if key in asked]


def competitor_items(campaign):
    """Keys of the rated items that also ask how the main competitor does."""
    layout = campaign.questionnaire.layout()
    asked = set()
    for question in layout.questions:
        if question.ask_competitor:
            asked.add(question.code)
            asked.update(row.code for row in layout.rows[question.pk])
    return [key for key, *_rest in rated_items(campaign) if key in asked]


def _columns(campaign):
    keys = [key for key, *_rest in rated_items(campaign)]
    dimensions = [dimension.key for dimension in campaign.questionnaire.layout().scheme.dimensions]
    return keys, dimensions, competitor_items(campaign)


# The dataset's one-value-per-response columns and their types.
SCALAR_COLUMNS = {
    "ids": np.int64,
    "completed": "datetime64[s]",
    "valid": bool,
    "index": float,
    "satisfied": bool,
    "nps": float,
    "customer": np.int64,
    "contact": np.int64,
}
# The (responses × columns) arrays: by item, by dimension, by competitor item.
WIDE_COLUMNS = ("points", "importance", "dimensions", "competitor")


def _read(campaign, dataset, after_id, progress=None):
    """Append the completed responses with pk > after_id to `dataset` (in pk order); returns
    how many were appended. Read in bulk, as numbers (results/reading.py)."""
    block = reading.read_block(
        campaign.pk,
        after_id,
        dataset.item_keys,
        dataset.dimension_keys,
        dataset.competitor_keys,
        progress,
        importance_keys=importance_items(campaign),
    )
    return _append(dataset, block)


def _append(dataset, block):
    """Append a reading.Block to the dataset's arrays; category labels new to the dataset get
    the next codes. Returns how many rows there were."""
    if not block.size:
        return 0
    points = block.points
    not_asked = np.isneginf(points)  # stored as null: a question a condition hid
    if not_asked.any():
        rows, columns = np.nonzero(not_asked)
        added = np.column_stack([rows + dataset.size, columns]).astype(np.int64)
        dataset.unasked = np.vstack([dataset.unasked, added])
        points = np.where(not_asked, np.float32("nan"), points)
    codes = reading.category_codes(block, dataset.labels)
    added = {name: getattr(block, name).astype(kind, copy=False) for name, kind in SCALAR_COLUMNS.items()}
    added.update(points=points, importance=block.importance, dimensions=block.dimensions)
    added["competitor"] = block.competitor
    added = {
        name: values.astype(WIDE, copy=False) if name in WIDE_COLUMNS else values
        for name, values in added.items()
    }
    first = not dataset.size  # a cold build: the block's arrays are the dataset's, not copied
    for name, values in added.items():
        setattr(dataset, name, values if first else np.concatenate([getattr(dataset, name), values]))
    for name in CATEGORIES:
        dataset.codes[name] = codes[name] if first else np.concatenate([dataset.codes[name], codes[name]])
    return block.size


def _read_products(dataset):
    """Product id -> rows of responses whose customer bought that product."""
    customers = np.unique(dataset.customer[dataset.customer >= 0])
    bought = {}
    for start in range(0, len(customers), 5000):
        chunk = customers[start : start + 5000].tolist()
        for customer_id, product_id in (
            Purchase.objects.filter(customer_id__in=chunk, product__isnull=False)
            .values_list("customer_id", "product_id")
            .distinct()
        ):
            bought.setdefault(product_id, []).append(customer_id)
    order = np.argsort(dataset.customer, kind="stable")
    sorted_customers = dataset.customer[order]
    products = {}
    for product_id, buyers in bought.items():
        buyers = np.asarray(sorted(buyers), np.int64)
        left = np.searchsorted(sorted_customers, buyers, "left")
        right = np.searchsorted(sorted_customers, buyers, "right")
        rows = [order[a:b] for a, b in zip(left, right, strict=True) if b > a]
        products[product_id] = np.sort(np.concatenate(rows)) if rows else np.empty(0, np.int64)
    dataset.products = products


# ------------------------------------------------------------------------------------------
# Keeping it: per process, on the server's disk, and shared between app servers
#
# DESIGN. The database is the truth; a dataset is a cache of it kept at three levels:
# 1. in the process's memory (the MEMORY_CAMPAIGNS last used);
# 2. in a file under var/analysis/ on the server's disk, which its processes share (web
#    workers, the task worker, the periodic job), written after every change;
# 3. with several app servers, a copy in the shared file storage (STORAGES["analysis"] when
#    configured, else the default storage when it is not the local disk, i.e. the
#    S3-compatible bucket), written after a large read only (at least
#    ANALYSIS_BACKGROUND_ROWS responses: a cold build). A server without a file of its own
#    fetches that copy and reads from the database only the responses newer than it, so a
#    campaign is built cold once for all servers; small appends are each server's own (cheaper
#    than uploading the whole file again).
# The file's name is the version key: the campaign, its questionnaire's family (a random
# UUID), version and change time, and the layout FORMAT; a copy that does not fit the
# questionnaire is never read. Whether a copy is current is asked of the database on every use
# (the completed responses' count and newest id): a stale copy is appended to, or rebuilt.


_cache: dict[int, CampaignDataset] = {}
_locks: dict[int, threading.Lock] = {}
_guard = threading.Lock()
MEMORY_CAMPAIGNS = 4
SHARED_FOLDER = "analysis"
SHARED_MAX_BYTES = 16 * 1024**3  # a copy larger than this is not fetched (built here instead)


def _folder():
    return Path(settings.VAR_DIR) / "analysis"


def _path(campaign):
    # The questionnaire's family (a random UUID) and change time make the name unique to this
    # database's campaign: a restored or recreated database never finds another's file.
    questionnaire = campaign.questionnaire
    stamp = questionnaire.updated_at.strftime("%Y%m%d%H%M%S%f")
    return _folder() / (
        f"campaign-{campaign.pk}-{questionnaire.family.hex}-v{questionnaire.version}-{stamp}-f{FORMAT}.npz"
    )


def _save(dataset, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "format": FORMAT,
        "campaign_id": dataset.campaign_id,
        "item_keys": dataset.item_keys,
        "dimension_keys": dataset.dimension_keys,
        "competitor_keys": dataset.competitor_keys,
        "labels": dataset.labels,
        "products": sorted(dataset.products),
        "size": dataset.size,
        "last_id": dataset.last_id,
    }
    arrays = {name: getattr(dataset, name) for name in (*SCALAR_COLUMNS, *WIDE_COLUMNS)}
    arrays.update({f"code_{name}": dataset.codes[name] for name in CATEGORIES})
    arrays["unasked"] = dataset.unasked
    arrays.update({f"product_{pk}": rows for pk, rows in dataset.products.items()})
    temporary = path.with_suffix(f".{os.getpid()}.tmp.npz")
    with open(temporary, "wb") as out:
        np.savez(out, meta=np.frombuffer(json.dumps(meta).encode(), np.uint8), **arrays)
    os.replace(temporary, path)  # readers see the old file or the new one, never half of one
    for old in path.parent.glob(f"campaign-{dataset.campaign_id}-*.npz"):
        if old != path:
            old.unlink(missing_ok=True)


def _meta(path, keys, dimension_keys, competitor_keys):
    """The saved file's description (its `meta` member only), or None when it does not fit."""
    try:
        with np.load(path) as saved:
            meta = json.loads(bytes(saved["meta"]).decode())
    except (OSError, ValueError, KeyError):
        return None
    fits = (
        meta.get("format") == FORMAT
        and meta["item_keys"] == keys
        and meta["dimension_keys"] == dimension_keys
        and meta["competitor_keys"] == competitor_keys
    )
    return meta if fits else None


def _load(path, keys, dimension_keys, competitor_keys):
    meta = _meta(path, keys, dimension_keys, competitor_keys)
    if meta is None:
        return None
    try:
        with np.load(path) as saved:
            dataset = CampaignDataset(
                campaign_id=meta["campaign_id"],
                item_keys=meta["item_keys"],
                dimension_keys=meta["dimension_keys"],
                **{name: saved[name] for name in (*SCALAR_COLUMNS, *WIDE_COLUMNS) if name != "competitor"},
                codes={name: saved[f"code_{name}"] for name in CATEGORIES},
                labels=meta["labels"],
                products={pk: saved[f"product_{pk}"] for pk in meta["products"]},
                competitor_keys=meta["competitor_keys"],
                competitor=saved["competitor"],
                unasked=saved["unasked"],
            )
    except (OSError, ValueError, KeyError):
        return None
    return dataset


def _shared_storage():
    """The storage every app server sees, or None on one machine (the local disk's var/ is
    then shared already): STORAGES["analysis"] when configured, else the default storage
    unless it is the local disk."""
    from django.core.files.storage import FileSystemStorage, storages

    if "analysis" in settings.STORAGES:
        return storages["analysis"]
    storage = storages["default"]
    return None if isinstance(storage, FileSystemStorage) else storage


def _publish(path, campaign_id):
    """Copy the saved file to the shared storage (replacing the campaign's older copies)."""
    from django.core.files import File

    storage = _shared_storage()
    if storage is None:
        return
    name = f"{SHARED_FOLDER}/{path.name}"
    if storage.exists(name):
        storage.delete(name)
    with open(path, "rb") as source:
        stored = storage.save(name, File(source))
    for other in storage.listdir(SHARED_FOLDER)[1]:
        if other.startswith(f"campaign-{campaign_id}-") and f"{SHARED_FOLDER}/{other}" != stored:
            storage.delete(f"{SHARED_FOLDER}/{other}")


def _fetch_shared(path):
    """Copy the shared storage's file of this name to `path`, if there is one; whether it came."""
    storage = _shared_storage()
    name = f"{SHARED_FOLDER}/{path.name}"
    if storage is None:
        return False
    try:
        if not storage.exists(name) or storage.size(name) > SHARED_MAX_BYTES:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.fetch.npz")
        with storage.open(name, "rb") as source, open(temporary, "wb") as out:
            for chunk in iter(lambda: source.read(8 * 1024 * 1024), b""):
                out.write(chunk)
        os.replace(temporary, path)
    except OSError:
        return False  # another server replaced it meanwhile: built from the database instead
    return True


def _state(campaign):
    """(completed responses, newest id) of the campaign: one index-only aggregate."""
    state = (
        Response.objects.completed().filter(campaign_id=campaign.pk).aggregate(n=Count("pk"), last=Max("pk"))
    )
    return state["n"], state["last"] or 0


def _fits(dataset, columns):
    return (
        dataset is not None
        and (dataset.item_keys, dataset.dimension_keys, dataset.competitor_keys) == columns
    )


def _kept(campaign, path, columns, n, last):
    """The campaign's most complete dataset kept: in memory when current, else the fuller of
    the memory's and this server's file (fetched from the shared storage when this server has
    none); None when nowhere."""
    memory = _cache.get(campaign.pk)
    memory = memory if _fits(memory, columns) else None
    if memory is not None and memory.size == n and memory.last_id == last:
        return memory
    meta = _meta(path, *columns) if path.exists() or _fetch_shared(path) else None
    if meta is not None and (memory is None or meta["size"] > memory.size):
        return _load(path, *columns) or memory
    return memory


def campaign_dataset(campaign, progress=None):
    """The campaign's dataset, up to date with the database. `progress(rows read, rows to
    read)` is called while responses are read (the background build's progress)."""
    columns = _columns(campaign)
    with _guard:
        lock = _locks.setdefault(campaign.pk, threading.Lock())
    with lock:
        n, last = _state(campaign)
        path = _path(campaign)
        dataset = _kept(campaign, path, columns, n, last)
        read = 0
        if dataset is None or dataset.size != n or dataset.last_id != last:
            if dataset is not None and dataset.size < n:
                read += _read(campaign, dataset, dataset.last_id, _reporting(progress, n - dataset.size))
            if dataset is None or dataset.size != n or dataset.last_id != last:
                dataset = _empty(campaign.pk, *columns)
                read += _read(campaign, dataset, 0, _reporting(progress, n))
            _read_products(dataset)
            _save(dataset, path)
            if read >= settings.ANALYSIS_BACKGROUND_ROWS:
                _publish(path, campaign.pk)
        dataset.rows_read = read  # how many responses this call read from the database
        _remember(campaign.pk, dataset)
        dataset.voice = campaign.voice
        return dataset


def _reporting(progress, total):
    return None if progress is None else (lambda done: progress(done, total))


def pending_rows(campaign):
    """How many responses campaign_dataset(campaign) would read from the database now, without
    reading them: 0 when the dataset kept (in memory or in this server's file) is current, or
    when the shared storage has a copy (fetching it is a file copy); the responses newer than
    the kept dataset when it is a prefix of the campaign's; else all of them (a rebuild)."""
    columns = _columns(campaign)
    n, last = _state(campaign)
    path = _path(campaign)
    kept = []
    memory = _cache.get(campaign.pk)
    if _fits(memory, columns):
        kept.append((memory.size, memory.last_id))
    meta = _meta(path, *columns) if path.exists() else None
    if meta is not None:
        kept.append((meta["size"], meta["last_id"]))
    if not kept:
        storage = _shared_storage()
        return 0 if storage is not None and storage.exists(f"{SHARED_FOLDER}/{path.name}") else n
    size, kept_last = max(kept)
    if size == n and kept_last == last:
        return 0
    if size < n:
        before = Response.objects.completed().filter(campaign_id=campaign.pk, pk__lte=kept_last).count()
        if before == size:
            return n - size
    return n


def _remember(campaign_id, dataset):
    if campaign_id not in _cache and len(_cache) >= MEMORY_CAMPAIGNS:
        _cache.pop(next(iter(_cache)))
    _cache[campaign_id] = dataset


def forget(campaign_id=None):
    """Drop datasets kept in memory (tests; a campaign whose responses were rewritten)."""
    if campaign_id is None:
        _cache.clear()
    else:
        _cache.pop(campaign_id, None)


def refresh_recent(days=7, now=None):
    """Bring the saved datasets of running campaigns, and of those closed in the last `days`,
    up to date, so that the first dashboard view of a large campaign finds them ready.
    Run by `manage.py periodic`; returns how many campaigns were looked at."""
    from datetime import timedelta

    from django.db.models import Q
    from django.utils import timezone

    from manyi.campaigns.choices import CampaignState
    from manyi.campaigns.models import Campaign

    now = now or timezone.now()
    recent = Q(state=CampaignState.RUNNING) | Q(
        state=CampaignState.CLOSED, deadline__gte=now - timedelta(days=days)
    )
    campaigns = Campaign.objects.filter(recent).select_related("questionnaire")
    for campaign in campaigns:
        campaign_dataset(campaign)
        forget(campaign.pk)  # the saved file is what counts; a worker need not keep it in memory
    return len(campaigns)
