"""Questionnaire scoring: item points → item, dimension and overall scores on 0-100.

Pure functions on frozen dataclasses and numpy arrays; no Django. The same rules serve one
response at submission time (:func:`score_response`, plain Python) and whole campaigns
(:func:`score_matrix`, vectorised); both give bit-identical numbers (they add the same terms
in the same order).

Rules (from the seed documents: seed 000 评分准则 / 2018 report / 彩管 report, seed 003)
-------------------------------------------------------------------------------------------
Item score (0-100), per ``ScoringScheme.scale_method``:

- ``"ratio"``: points × 100 / max_points. Seed 000: 很满意 10分 → 100, 满意 8 → 80,
  可以接受 6 → 60 …, "平均打分为90%". Needs min_points ≥ 0 (a negative option would give a
  negative score), so 50/30/20/0/−10 schemes must use ``"range"``.
- ``"range"``: (points − min_points) × 100 / (max_points − min_points). Likert 1..5 →
  0, 25, 50, 75, 100; seed 003's 50/30/20/0/−10 → 100, 66.67, 50, 16.67, 0.

Validity (``ScoringScheme.validity_rule``); only items with ``scored=True`` count:

- ``"all_required"``: any missing scored item → invalid (``"missing_items"``).
- ``"one_missing_neutral"`` (seed 000, 2018 report: "评价遗漏一项的按‘一般’记3分，遗漏2项以上
  评分的调查表按无效卷不予统计"): exactly one missing scored item is filled with the item's
  neutral points and listed in ``imputed``; two or more missing → invalid (``"missing_items"``).
- ``"two_thirds"`` (seed 000, 彩管 report: "有效答题数≧总题数的2/3"): valid when
  3 × answered ≥ 2 × scored items (integer arithmetic: 6 of 9 is valid, 5 of 9 is not;
  ``"too_few_answers"``); missing items are left out of every average.
- ``"any_answer"``: valid with at least one answered scored item.
- Under every rule a response with no answered scored item is invalid (``"no_answers"``):
  an empty form is never valid, not even under ``one_missing_neutral`` with one scored item.

Aggregation (no rounding anywhere; see :func:`round_half_up` for display):

- Dimension score = Σ(item weight × item score) / Σ(item weight) over the dimension's answered
  or imputed scored items. A dimension with no such item is left out and the dimension weights
  are renormalised over the remaining dimensions.
- Overall index (综合满意度 = Σ(item satisfaction × weight) / Σ weight, seed 000):
  with dimensions, Σ(dim weight × dim score) / Σ(dim weight) over the dimensions present;
  without dimensions, the weighted mean of the answered/imputed scored item scores.
  When a scheme declares dimensions, scored items whose ``dimension`` is None count for
  validity and get an item score but do **not** enter the index (e.g. an "overall
  satisfaction" question kept as the dependent variable of a driver analysis).
  If such a valid response has no answered item in any dimension, it is invalid
  (``"no_index_answers"``): there is nothing to compute an index from.
- With seed 000's weights (质量水平 30 = 产品实物质量 20 + 包装运输 10, 交货信誉 30, 价格 20,
  服务 10, 技术开发 10) give each item its share as item weight; since the item weights of a
  dimension are only relative inside it, 20/10 and 2/1 give the same result.
- Items with ``scored=False`` are ignored for validity and index (their answers are still
  range-checked).
- An ``outcome`` item (the question a key-driver analysis explains: 整体满意度, the
  willingness to recommend) never enters the index, with or without dimensions; when scored
  it counts for validity and gets an item score like any other.
- The index of a group of responses (a campaign, a region, a month), per
  ``ScoringScheme.index_method`` (see :func:`item_first_index`):
  ``"item_first"`` (default), seed 000's 彩管 report: "各评估小项满意度=100%* 评估小项加权平均得分/
  100; 综合满意度=100%*∑(各评估小项满意度*权重)/ ∑(权重)": each item's mean score over the
  valid responses that rated it (imputed 一般 included), then the same weighted means as for
  one response, over those item means. ``"respondent_mean"``: the mean of the valid
  responses' own indices. Both are the same number when every valid response rated every
  index item (always under all_required and one_missing_neutral).
- Item scores and the index are clamped to [0, 100] against float noise only.
- Grade: the first band (bands are in descending ``min_score``) with index ≥ min_score;
  satisfied: index ≥ ``satisfied_threshold`` (seed 000: "满意客户的认定标准为≥70"). Both
  comparisons are inclusive and forgive float noise up to ``EDGE_TOLERANCE`` (1e-9), so a
  weighted mean that is 90 by hand but 89.99999999999999 in floats is still 很满意, while
  89.999 is 满意.
- Invalid responses: ``index``, ``grade``, ``satisfied`` are None, ``dimension_scores`` is
  empty, nothing is imputed; ``item_scores`` still holds the answered items (for display).

Neutral points: ``ItemSpec.neutral_points``; when None, the midpoint (min + max) / 2, which
is "一般" on every scale in the seeds (6 on 10/8/6/4/2, 3 on 1..5, 20 on 50/30/20/0/−10).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import numpy as np

SCALE_METHODS = ("ratio", "range")
INDEX_METHODS = ("item_first", "respondent_mean")
VALIDITY_RULES = ("all_required", "one_missing_neutral", "two_thirds", "any_answer")

# Invalid reasons (ResponseScore.invalid_reason).
MISSING_ITEMS = "missing_items"
TOO_FEW_ANSWERS = "too_few_answers"
NO_ANSWERS = "no_answers"
NO_INDEX_ANSWERS = "no_index_answers"

EDGE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class ItemSpec:
    """One rated item: a rating question, a scored single choice, or one row of a matrix."""

    key: str
    dimension: str | None = None
    _: KW_ONLY
    min_points: float
    max_points: float
    weight: float = 1.0
    neutral_points: float | None = None
    scored: bool = True
    # The dependent variable of a key-driver analysis (overall satisfaction, recommendation):
    # it counts for validity when scored and gets an item score, never a share of the index.
    outcome: bool = False

    @property
    def neutral(self) -> float:
        """The points an imputed answer gets: neutral_points, else the scale's midpoint."""
        if self.neutral_points is not None:
            return float(self.neutral_points)
        return (float(self.min_points) + float(self.max_points)) / 2


@dataclass(frozen=True)
class DimensionSpec:
    key: str
    weight: float


@dataclass(frozen=True)
class Band:
    """A grade band: index ≥ min_score (down to the next band's min_score)."""

    min_score: float
    label: str
    code: str = ""


# Seed 000 评分准则: 很满意≥90, 满意 75-90, 一般 60-75, 不满意 40-60; below 40 很不满意.
DEFAULT_BANDS: tuple[Band, ...] = (
    Band(90.0, "很满意", "very_satisfied"),
    Band(75.0, "满意", "satisfied"),
    Band(60.0, "一般", "neutral"),
    Band(40.0, "不满意", "dissatisfied"),
    Band(0.0, "很不满意", "very_dissatisfied"),
)


@dataclass(frozen=True)
class ScoringScheme:
    items: tuple[ItemSpec, ...]
    dimensions: tuple[DimensionSpec, ...] = ()
    _: KW_ONLY
    validity_rule: str
    scale_method: str = "ratio"
    # How a group's index is formed (group_index); a response's own index is always its own.
    index_method: str = "item_first"
    satisfied_threshold: float = 70.0
    bands: tuple[Band, ...] = DEFAULT_BANDS

    def __post_init__(self):
        # Lists are accepted and stored as tuples, so a scheme stays hashable.
        for name in ("items", "dimensions", "bands"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))


@dataclass(frozen=True)
class ResponseScore:
    valid: bool
    invalid_reason: str
    answered: int
    missing: int
    imputed: tuple[str, ...]
    item_scores: dict[str, float]
    dimension_scores: dict[str, float]
    index: float | None
    grade: str | None
    satisfied: bool | None
    grade_code: str | None = None


@dataclass(frozen=True)
class MatrixScores:
    """score_matrix's result; row i is response i, columns follow scheme.items / dimensions."""

    valid: np.ndarray  # bool (n,)
    invalid_reason: np.ndarray  # str (n,), "" when valid
    answered: np.ndarray  # int (n,), answered scored items
    missing: np.ndarray  # int (n,), missing scored items
    imputed: np.ndarray  # bool (n, items)
    item_scores: np.ndarray  # float (n, items), NaN = not answered / not scored
    dimension_scores: np.ndarray  # float (n, dimensions), NaN = dropped or invalid
    index: np.ndarray  # float (n,), NaN when invalid
    satisfied: np.ndarray  # bool (n,), False when invalid

    def grades(self, bands: Sequence[Band] = DEFAULT_BANDS) -> list[str | None]:
        return [grade_for(x, bands) for x in self.index.tolist()]


# --------------------------------------------------------------------------- validation


def _finite(x) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def validate_scheme(scheme: ScoringScheme) -> None:
    """Raise ValueError with a clear message when the scheme cannot be scored."""
    _check_methods(scheme)
    if not scheme.items:
        raise ValueError("The scheme has no items.")
    dim_keys = _check_dimensions(scheme.dimensions)
    item_keys: set[str] = set()
    for item in scheme.items:
        if item.key in item_keys:
            raise ValueError(f"Duplicate item key {item.key!r}.")
        item_keys.add(item.key)
        _check_item(item, dim_keys, scheme.scale_method)
    if not any(item.scored for item in scheme.items):
        raise ValueError("The scheme has no scored items.")
    scored_dims = {item.dimension for item in scheme.items if item.scored and item.dimension is not None}
    for dim in scheme.dimensions:
        if dim.key not in scored_dims:
            raise ValueError(f"Dimension {dim.key!r} has no scored items.")
    if not _finite(scheme.satisfied_threshold) or not 0 <= scheme.satisfied_threshold <= 100:
        raise ValueError(f"satisfied_threshold must lie within [0, 100], got {scheme.satisfied_threshold!r}.")
    _validate_bands(scheme.bands)


def _check_methods(scheme: ScoringScheme) -> None:
    for what, value, known in (
        ("scale method", scheme.scale_method, SCALE_METHODS),
        ("index method", scheme.index_method, INDEX_METHODS),
        ("validity rule", scheme.validity_rule, VALIDITY_RULES),
    ):
        if value not in known:
            raise ValueError(f"Unknown {what} {value!r}; expected one of {', '.join(known)}.")


def _check_dimensions(dimensions) -> set[str]:
    """The dimensions' keys, each once, each with a positive weight."""
    dim_keys: set[str] = set()
    for dim in dimensions:
        if dim.key in dim_keys:
            raise ValueError(f"Duplicate dimension key {dim.key!r}.")
        dim_keys.add(dim.key)
        if not _finite(dim.weight) or dim.weight <= 0:
            raise ValueError(f"Dimension {dim.key!r}: weight must be a number > 0, got {dim.weight!r}.")
    return dim_keys


def _check_item(item, dim_keys: set[str], scale_method: str) -> None:
    if item.dimension is not None and item.dimension not in dim_keys:
        raise ValueError(f"Item {item.key!r}: unknown dimension {item.dimension!r}.")
    if not _finite(item.weight) or item.weight <= 0:
        raise ValueError(f"Item {item.key!r}: weight must be a number > 0, got {item.weight!r}.")
    if not (_finite(item.min_points) and _finite(item.max_points)):
        raise ValueError(f"Item {item.key!r}: min_points and max_points must be finite numbers.")
    if item.min_points >= item.max_points:
        raise ValueError(
            f"Item {item.key!r}: min_points ({item.min_points}) must be below max_points ({item.max_points})."
        )
    if item.neutral_points is not None and not (
        _finite(item.neutral_points) and item.min_points <= item.neutral_points <= item.max_points
    ):
        raise ValueError(
            f"Item {item.key!r}: neutral_points ({item.neutral_points}) must lie within "
            f"[{item.min_points}, {item.max_points}]."
        )
    if scale_method == "ratio" and item.scored and item.min_points < 0:
        raise ValueError(
            f"Item {item.key!r}: ratio scaling (points / max × 100) needs min_points ≥ 0, "
            f"got {item.min_points}; use scale_method='range' for negative points."
        )


def _validate_bands(bands: Sequence[Band]) -> None:
    if not bands:
        raise ValueError("At least one grade band is needed.")
    labels: set[str] = set()
    previous = math.inf
    for band in bands:
        if not _finite(band.min_score):
            raise ValueError(f"Band {band.label!r}: min_score must be a finite number.")
        if band.min_score == previous:
            raise ValueError(f"Duplicate band edge {band.min_score}.")
        if band.min_score > previous:
            raise ValueError("Bands must be listed from the highest min_score to the lowest.")
        if band.label in labels:
            raise ValueError(f"Duplicate band label {band.label!r}.")
        labels.add(band.label)
        previous = band.min_score


# --------------------------------------------------------------------------- compiled scheme


@dataclass(frozen=True)
class _Compiled:
    scheme: ScoringScheme
    keys: tuple[str, ...]
    position: dict[str, int]
    lo: tuple[float, ...]
    hi: tuple[float, ...]
    scored: tuple[int, ...]  # positions of scored items
    # Groups for the index: (dimension key, dimension weight, item positions) in scheme order;
    # without dimensions, one group (None, 1.0, all scored positions).
    groups: tuple[tuple[str | None, float, tuple[int, ...]], ...]
    n_scored: int = field(default=0)


@lru_cache(maxsize=256)
def _compile(scheme: ScoringScheme) -> _Compiled:
    validate_scheme(scheme)
    items = scheme.items
    scored = tuple(i for i, item in enumerate(items) if item.scored)
    in_index = tuple(i for i in scored if not items[i].outcome)
    if scheme.dimensions:
        groups = tuple(
            (
                dim.key,
                float(dim.weight),
                tuple(i for i in in_index if items[i].dimension == dim.key),
            )
            for dim in scheme.dimensions
        )
    else:
        groups = ((None, 1.0, in_index),)
    return _Compiled(
        scheme=scheme,
        keys=tuple(item.key for item in items),
        position={item.key: i for i, item in enumerate(items)},
        lo=tuple(float(item.min_points) for item in items),
        hi=tuple(float(item.max_points) for item in items),
        scored=scored,
        groups=groups,
        n_scored=len(scored),
    )


def _item_score(method: str, points: float, lo: float, hi: float) -> float:
    # Multiply before dividing: integer points give exact scores (7 × 100 / 10 == 70.0).
    s = points * 100.0 / hi if method == "ratio" else (points - lo) * 100.0 / (hi - lo)
    return min(100.0, max(0.0, s))


def _validity(rule: str, answered: int, missing: int, n_scored: int) -> str:
    """The invalid reason, or "" when valid."""
    if answered == 0:
        return NO_ANSWERS
    if rule == "all_required" and missing > 0:
        return MISSING_ITEMS
    if rule == "one_missing_neutral" and missing > 1:
        return MISSING_ITEMS
    if rule == "two_thirds" and 3 * answered < 2 * n_scored:
        return TOO_FEW_ANSWERS
    return ""


# --------------------------------------------------------------------------- one response


def _points(key: str, value, lo: float, hi: float) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, np.number)):
        raise ValueError(f"Item {key!r}: points must be a number or None, got {value!r}.")
    points = float(value)
    if math.isnan(points):
        return None
    if not lo <= points <= hi:
        raise ValueError(f"Item {key!r}: {points:g} points lie outside [{lo:g}, {hi:g}].")
    return points


def score_response(
    scheme: ScoringScheme, answers: Mapping[str, float | None], not_applicable: Iterable[str] = ()
) -> ResponseScore:
    """Score one response. answers: item key → points, None (or NaN, or absent) = missing.

    not_applicable: items the respondent was not asked (hidden by a questionnaire condition,
    issue 21); unanswered, they are neither missing nor counted among the items asked."""
    return _score_one(_compile(scheme), answers, frozenset(not_applicable))


def score_responses(scheme: ScoringScheme, rows: Iterable[Mapping[str, float | None]]) -> list[ResponseScore]:
    compiled = _compile(scheme)
    return [_score_one(compiled, row) for row in rows]


def _score_one(
    c: _Compiled, answers: Mapping[str, float | None], not_applicable=frozenset()
) -> ResponseScore:
    scheme = c.scheme
    items = scheme.items
    points = _read_points(c, answers)
    unasked = sum(1 for i in c.scored if points[i] is None and c.keys[i] in not_applicable)
    missing_pos = [i for i in c.scored if points[i] is None and c.keys[i] not in not_applicable]
    missing = len(missing_pos)
    answered = c.n_scored - unasked - missing
    reason = _validity(scheme.validity_rule, answered, missing, c.n_scored - unasked)

    imputed: tuple[str, ...] = ()
    if not reason and scheme.validity_rule == "one_missing_neutral" and missing == 1:
        i = missing_pos[0]
        points[i] = items[i].neutral
        imputed = (c.keys[i],)

    scores: list[float | None] = [None] * len(items)
    for i in c.scored:
        if points[i] is not None:
            scores[i] = _item_score(scheme.scale_method, points[i], c.lo[i], c.hi[i])
    item_scores = {c.keys[i]: scores[i] for i in c.scored if scores[i] is not None}
    if reason:
        return ResponseScore(False, reason, answered, missing, (), item_scores, {}, None, None, None)

    dimension_scores, index = _weighted_index(c, scores)
    if index is None:
        return ResponseScore(
            False, NO_INDEX_ANSWERS, answered, missing, (), item_scores, {}, None, None, None
        )
    band = band_for(index, scheme.bands)
    return ResponseScore(
        valid=True,
        invalid_reason="",
        answered=answered,
        missing=missing,
        imputed=imputed,
        item_scores=item_scores,
        dimension_scores=dimension_scores,
        index=index,
        grade=band.label if band else None,
        satisfied=index >= float(scheme.satisfied_threshold) - EDGE_TOLERANCE,
        grade_code=band.code if band else None,
    )


def _read_points(c: _Compiled, answers: Mapping[str, float | None]) -> list[float | None]:
    """The answers' points in item order (None = missing), each checked against its item."""
    points: list[float | None] = [None] * len(c.keys)
    for key, value in answers.items():
        i = c.position.get(key)
        if i is None:
            raise ValueError(f"Unknown item key {key!r}.")
        points[i] = _points(key, value, c.lo[i], c.hi[i])
    return points


def _weighted_index(c: _Compiled, scores: list[float | None]) -> tuple[dict[str, float], float | None]:
    """Dimension scores (weighted means of their answered items) and the index (weighted mean
    of the dimensions with an answer); the index is None when no index item was answered."""
    items = c.scheme.items
    dimension_scores: dict[str, float] = {}
    num = 0.0
    den = 0.0
    for dim_key, dim_weight, positions in c.groups:
        answered = [(float(items[i].weight), scores[i]) for i in positions if scores[i] is not None]
        g_den = 0.0
        g_num = 0.0
        for w, s in answered:
            g_num += w * s
            g_den += w
        if g_den > 0:
            g_score = g_num / g_den
            if dim_key is not None:
                dimension_scores[dim_key] = g_score
            num += dim_weight * g_score
            den += dim_weight
    if den == 0:
        return dimension_scores, None
    return dimension_scores, min(100.0, max(0.0, num / den))


# --------------------------------------------------------------------------- many responses


def score_matrix(scheme: ScoringScheme, matrix, not_applicable=None) -> MatrixScores:
    """Score many responses at once: rows = responses, columns = scheme.items in order,
    NaN = missing. Gives exactly the numbers score_response gives, row by row.

    not_applicable: a boolean matrix of the same shape marking the items a respondent was not
    asked (hidden by a questionnaire condition), as score_response's argument: unanswered,
    they are neither missing nor among the items asked (never filled in with 一般)."""
    c = _compile(scheme)
    items = scheme.items
    m = _checked_matrix(c, matrix)
    present = ~np.isnan(m)
    scored = np.zeros(len(items), dtype=bool)
    scored[list(c.scored)] = True
    unasked = (
        np.zeros_like(present) if not_applicable is None else np.asarray(not_applicable, bool) & ~present
    )
    missing_mask = ~present & scored & ~unasked
    missing = missing_mask.sum(axis=1)
    asked = c.n_scored - (unasked & scored).sum(axis=1)
    answered = asked - missing
    reason = _matrix_validity(scheme.validity_rule, answered, missing, asked)
    valid = reason == ""

    imputed = np.zeros_like(present)
    points = m
    if scheme.validity_rule == "one_missing_neutral":
        imputed = missing_mask & (valid & (missing == 1))[:, None]
        if imputed.any():
            neutral = np.asarray([item.neutral for item in items])
            points = np.where(imputed, neutral, m)
    item_scores = _matrix_item_scores(c, points, scored)
    dimension_scores, num, den = _matrix_groups(c, item_scores)

    no_index = valid & (den == 0)
    reason[no_index] = NO_INDEX_ANSWERS
    valid &= ~no_index
    with np.errstate(invalid="ignore", divide="ignore"):
        index = np.where(valid, np.minimum(100.0, np.maximum(0.0, num / np.where(den > 0, den, 1.0))), np.nan)
    dimension_scores[~valid] = np.nan
    imputed &= valid[:, None]
    satisfied = valid & (
        np.where(valid, index, -np.inf) >= float(scheme.satisfied_threshold) - EDGE_TOLERANCE
    )
    return MatrixScores(
        valid=valid,
        invalid_reason=reason,
        answered=answered,
        missing=missing,
        imputed=imputed,
        item_scores=item_scores,
        dimension_scores=dimension_scores,
        index=index,
        satisfied=satisfied,
    )


def _checked_matrix(c: _Compiled, matrix) -> np.ndarray:
    """The matrix as floats, one column per item, every present value within its item's points."""
    m = np.asarray(matrix, dtype=np.float64)
    if m.ndim != 2 or m.shape[1] != len(c.keys):
        raise ValueError(
            f"Expected a 2-D array with {len(c.keys)} columns (one per item), got shape {m.shape}."
        )
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(m) & ((m < np.asarray(c.lo)) | (m > np.asarray(c.hi)))
    if bad.any():
        r, j = (int(v) for v in np.argwhere(bad)[0])
        raise ValueError(
            f"Row {r}, item {c.keys[j]!r}: {m[r, j]:g} points lie outside [{c.lo[j]:g}, {c.hi[j]:g}]."
        )
    return m


def _matrix_validity(rule: str, answered: np.ndarray, missing: np.ndarray, n_scored) -> np.ndarray:
    """_validity row by row: the invalid reason of each row, "" when valid (`n_scored`: the
    scored items each row was asked, one number or one per row)."""
    reason = np.full(len(answered), "", dtype="<U20")
    if rule == "all_required":
        reason[missing > 0] = MISSING_ITEMS
    elif rule == "one_missing_neutral":
        reason[missing > 1] = MISSING_ITEMS
    elif rule == "two_thirds":
        reason[3 * answered < 2 * n_scored] = TOO_FEW_ANSWERS
    reason[answered == 0] = NO_ANSWERS
    return reason


def _matrix_item_scores(c: _Compiled, points: np.ndarray, scored: np.ndarray) -> np.ndarray:
    """_item_score on every cell; NaN where missing and in unscored columns."""
    lo = np.asarray(c.lo)
    hi = np.asarray(c.hi)
    with np.errstate(invalid="ignore"):
        raw = points * 100.0 / hi if c.scheme.scale_method == "ratio" else (points - lo) * 100.0 / (hi - lo)
    item_scores = np.minimum(100.0, np.maximum(0.0, raw))
    item_scores[:, ~scored] = np.nan
    return item_scores


def _matrix_groups(c: _Compiled, item_scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """_weighted_index row by row: dimension scores (NaN when unanswered) and the index's
    weighted numerator and denominator (0 when no index item was answered)."""
    items = c.scheme.items
    n = item_scores.shape[0]
    num = np.zeros(n)
    den = np.zeros(n)
    dimension_scores = np.full((n, len(c.scheme.dimensions)), np.nan)
    for d, (dim_key, dim_weight, positions) in enumerate(c.groups):
        g_num = np.zeros(n)
        g_den = np.zeros(n)
        for i in positions:
            s = item_scores[:, i]
            has = ~np.isnan(s)
            w = float(items[i].weight)
            g_num += np.where(has, w * np.where(has, s, 0.0), 0.0)
            g_den += np.where(has, w, 0.0)
        has_group = g_den > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            g_score = np.where(has_group, g_num / np.where(has_group, g_den, 1.0), np.nan)
        if dim_key is not None:
            dimension_scores[:, d] = g_score
        num += np.where(has_group, dim_weight * np.where(has_group, g_score, 0.0), 0.0)
        den += np.where(has_group, dim_weight, 0.0)
    return dimension_scores, num, den


# --------------------------------------------------------------------------- groups


@dataclass(frozen=True)
class GroupIndex:
    """A group's index with one value per response whose mean it is (see item_first_index)."""

    index: float  # NaN when no response in the group rated an index item
    values: np.ndarray  # float (n,): mean = index; mean_ci(values) is the index's interval
    dimension_scores: dict[str, float]  # dimension key → the group's dimension score


def item_first_index(scheme: ScoringScheme, item_scores) -> GroupIndex:
    """The overall index of a group of valid responses by seed 000's item-first formula.

    ``item_scores``: (n, items) 0-100 item scores of the group's valid responses, columns in
    ``scheme.items`` order, NaN where not answered (the validity rule's imputed 一般 already
    filled in).

    Seed 000's 彩管 report: "各评估小项满意度=100%* 评估小项加权平均得分/100,
    综合满意度=100%*∑(各评估小项满意度*权重)/ ∑(权重)": item means m_j over the responses that
    rated item j (n_j of them), a dimension's score Σ w_j m_j / Σ w_j over its rated items, the
    index Σ W_d S_d / Σ W_d over the dimensions present; that is, index = Σ c_j m_j with
    c_j = (W_d / Σ W) (w_j / Σ_d w).

    ``values`` are the responses' linearised values y_i = index + n Σ_j c_j (x_ij − m_j) / n_j
    (summed over the items response i rated): their mean is exactly the index, and the usual
    Student-t interval of their mean is the Taylor-linearisation interval of the index (the
    standard one for a ratio of survey totals). When every response rated every index item,
    y_i is the response's own index, so item first and respondent first agree, interval too.
    """
    c = _compile(scheme)
    x = np.asarray(item_scores, dtype=np.float64)
    n = x.shape[0]
    present = ~np.isnan(x)
    rated = present.sum(axis=0)
    means = np.where(present, x, 0.0).sum(axis=0) / np.maximum(rated, 1)
    weights = np.zeros(len(scheme.items))
    dimensions: dict[str, float] = {}
    total = 0.0
    for dim_key, dim_weight, positions in c.groups:
        here = [i for i in positions if rated[i] > 0]
        if not here:
            continue
        item_weights = np.asarray([float(scheme.items[i].weight) for i in here])
        share = item_weights / item_weights.sum()
        if dim_key is not None:
            dimensions[dim_key] = float(share @ means[here])
        weights[here] = dim_weight * share
        total += dim_weight
    if total == 0:
        return GroupIndex(math.nan, np.full(n, np.nan), {})
    weights /= total
    used = weights > 0
    index = float(weights[used] @ means[used])
    deviations = np.where(present[:, used], x[:, used] - means[used], 0.0)
    values = index + n * (deviations @ (weights[used] / rated[used]))
    return GroupIndex(min(100.0, max(0.0, index)), values, dimensions)


# --------------------------------------------------------------------------- helpers


def band_for(index: float | None, bands: Sequence[Band] = DEFAULT_BANDS) -> Band | None:
    """The first band whose min_score the index reaches (inclusive), or None."""
    if index is None or math.isnan(index):
        return None
    for band in bands:
        if index >= float(band.min_score) - EDGE_TOLERANCE:
            return band
    return None


def grade_for(index: float | None, bands: Sequence[Band] = DEFAULT_BANDS) -> str | None:
    """The band label for an index (很满意 ≥ 90 …), None for None/NaN or below every band."""
    band = band_for(index, bands)
    return band.label if band else None


def satisfied_rate(results: Iterable[ResponseScore]) -> float | None:
    """Share (0..1) of the valid responses that are satisfied; None when none is valid."""
    valid = 0
    satisfied = 0
    for result in results:
        if result.valid:
            valid += 1
            satisfied += bool(result.satisfied)
    return satisfied / valid if valid else None


def round_half_up(x: float | None, places: int = 1) -> float | None:
    """Round for display the way people do by hand (2.675 → 2.68, 78.45 → 78.5), on the
    number as printed rather than its binary value. None and NaN pass through."""
    if x is None or math.isnan(x) or math.isinf(x):
        return x
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(float(x))).quantize(quantum, rounding=ROUND_HALF_UP))
