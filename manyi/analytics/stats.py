"""Survey statistics: item summaries, indices, NPS, rates, trends, tests and segments.

Pure functions over numpy arrays returning frozen dataclasses; no Django. Missing answers are
NaN. Everything is vectorised (np.bincount, np.unique, reductions): a 1,000,000 × 20 item matrix
is summarised without a Python loop over rows. Percentages are on 0-100, shares/rates on 0..1
only where a name says ``rate``/``share``. Nothing is rounded (see ``scoring.round_half_up``).

Rules (seed documents in brackets)
----------------------------------
Item summary (REQUIREMENTS §6 "per item: mean, distribution, % satisfied (top boxes)"):

- The item's option points (the scale: 10/8/6/4/2 in seed 000, 1..5 Likert in the 2018
  report, 50/30/20/0/−10 in seed 003) are the only admissible answers; any other finite value
  is an error. **Higher points are better** on every scale in the seeds.
- The raw-matrix path counts answers per option (np.bincount) and derives every number from
  those counts, exactly as :func:`summarize_counts` does from an SQL ``GROUP BY`` frequency
  table, so the two paths give bit-identical numbers.
- n = answered (non-NaN); mean = Σ count × points / n; sd with n − 1 (NaN below 2 answers).
- Top-k box = % of answered in the k highest options (top-2: 很满意 + 满意); bottom-k box = %
  in the k lowest.

Index (seed 000 评分准则 / 2018 report): 综合满意度 = Σ(item satisfaction × weight) / Σ weight
(:func:`weighted_mean`); a satisfied customer has index ≥ 70 ("满意客户的认定标准为≥70");
grades by bands, lower bound inclusive (很满意 ≥ 90, 满意 ≥ 75, 一般 ≥ 60, 不满意 ≥ 40,
很不满意 ≥ 0). Threshold and band comparisons forgive float noise up to
``scoring.EDGE_TOLERANCE``, exactly as the scoring engine does, so a response is counted as
satisfied here iff scoring marked it satisfied.

Confidence intervals: means use Student's t with n − 1 df; proportions use Wilson's score
interval; NPS uses the normal approximation with var = (p_P + p_D − (p_P − p_D)²) / n
(or a seeded multinomial bootstrap).

Rates (seed 000: "共发放了15份调查表,回收15份,回收率为100%"; 彩管 report: "共发放问卷45份,
实际收回28份,反馈率为62%,有效率为100%"): response rate = returned / issued, valid rate =
valid / returned.

Tests: every test returns a :class:`TestResult` (statistic, p, effect size, ``significant`` =
p < alpha, method name). ``method="auto"`` picks the rank test (Mann-Whitney U for two groups,
Kruskal-Wallis for k groups) when any group has fewer than ``SMALL_SAMPLE`` (30) values or the
pooled data has at most ``ORDINAL_MAX_LEVELS`` (7) distinct values (a single 5-point or
10/8/6/4/2 item is ordinal), else Welch's t / one-way ANOVA (an index on 0-100 with n ≥ 30).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from manyi.analytics.scoring import DEFAULT_BANDS, EDGE_TOLERANCE, Band

SMALL_SAMPLE = 30
ORDINAL_MAX_LEVELS = 7
NPS_PROMOTER_MIN = 9  # 9-10
NPS_DETRACTOR_MAX = 6  # 0-6; passives 7-8

# --------------------------------------------------------------------------- helpers


def _as_float(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def _t_interval(mean: float, sd: float, n: int, confidence: float) -> tuple[float, float]:
    if n < 2 or not math.isfinite(sd):
        return (math.nan, math.nan)
    half = float(sps.t.ppf(0.5 + confidence / 2, n - 1)) * sd / math.sqrt(n)
    return (mean - half, mean + half)


def _z(confidence: float) -> float:
    return float(sps.norm.ppf(0.5 + confidence / 2))


def wilson_interval(count: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for count / n (on 0..1); (nan, nan) when n == 0.

    centre = (p + z²/2n) / (1 + z²/n), half = z √(p(1−p)/n + z²/4n²) / (1 + z²/n).
    """
    if n <= 0:
        return (math.nan, math.nan)
    z = _z(confidence)
    p = count / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


# --------------------------------------------------------------------------- 1. item summary


@dataclass(frozen=True)
class ItemSummary:
    """One item. ``options`` are the scale points, best (highest) first; ``counts`` and
    ``percents`` follow them (percent of answered)."""

    n: int
    mean: float
    sd: float
    options: tuple[float, ...]
    counts: tuple[int, ...]
    percents: tuple[float, ...]
    top2: float  # % in the two best options (NaN when n == 0)
    bottom2: float  # % in the two worst options

    def mean_interval(self, confidence: float = 0.95) -> tuple[float, float]:
        """Student-t interval of the mean points ((nan, nan) below 2 answers)."""
        return _t_interval(self.mean, self.sd, self.n, confidence)

    def top_box(self, k: int = 2) -> float:
        """% of answered in the k best options."""
        return _box(self.counts[:k], self.n)

    def bottom_box(self, k: int = 2) -> float:
        """% of answered in the k worst options."""
        return _box(self.counts[len(self.counts) - k :] if k > 0 else (), self.n)

    @property
    def distribution(self) -> dict[float, tuple[int, float]]:
        """option points → (count, % of answered)."""
        return {o: (c, p) for o, c, p in zip(self.options, self.counts, self.percents, strict=True)}


def _box(counts, n: int) -> float:
    return 100.0 * sum(counts) / n if n else math.nan


def _sorted_options(options) -> np.ndarray:
    opts = np.unique(_as_float(options))  # ascending, deduplicated
    if opts.size == 0 or not np.isfinite(opts).all():
        raise ValueError(f"Options must be finite numbers, got {options!r}.")
    return opts


def summarize_counts(options: Sequence[float], counts: Sequence[int]) -> ItemSummary:
    """Item summary from a frequency table: counts[i] answers gave options[i] points (the
    order of options does not matter; each option once)."""
    opts = _as_float(options)
    cnt = np.asarray(counts, dtype=np.int64)
    if opts.shape != cnt.shape or opts.ndim != 1:
        raise ValueError("options and counts must be 1-D and of the same length.")
    if np.unique(opts).size != opts.size:
        raise ValueError(f"Duplicate option points in {options!r}.")
    if (cnt < 0).any():
        raise ValueError("Counts must be ≥ 0.")
    order = np.argsort(opts)
    return _summary(opts[order], cnt[order])


def _summary(asc_options: np.ndarray, asc_counts: np.ndarray) -> ItemSummary:
    """The one place numbers are computed; options ascending."""
    opts = asc_options[::-1]
    cnt = asc_counts[::-1]
    n = int(cnt.sum())
    if n:
        mean = float(np.dot(cnt, opts) / n)
        sd = float(math.sqrt(np.dot(cnt, (opts - mean) ** 2) / (n - 1))) if n > 1 else math.nan
        percents = tuple(float(x) for x in cnt * 100.0 / n)
    else:
        mean = sd = math.nan
        percents = tuple(math.nan for _ in cnt)
    counts = tuple(int(c) for c in cnt)
    return ItemSummary(
        n=n,
        mean=mean,
        sd=sd,
        options=tuple(float(o) for o in opts),
        counts=counts,
        percents=percents,
        top2=_box(counts[:2], n),
        bottom2=_box(counts[-2:], n),
    )


def _option_index(values: np.ndarray, asc: np.ndarray, label: str) -> np.ndarray:
    """Index into asc of each value; -1 for NaN; ValueError for a value not among the options."""
    idx = np.searchsorted(asc, values)
    present = ~np.isnan(values)
    idx_c = np.minimum(idx, asc.size - 1)
    bad = present & (asc[idx_c] != values)
    if bad.any():
        first = values[bad].flat[0]
        raise ValueError(f"{label}: {first:g} is not one of the options {asc.tolist()}.")
    return np.where(present, idx_c, -1)


def summarize_item(values, options: Sequence[float]) -> ItemSummary:
    """Summary of one item's answers (1-D, NaN = missing) on the given option points."""
    v = _as_float(values).ravel()
    asc = _sorted_options(options)
    idx = _option_index(v, asc, "Item")
    counts = np.bincount(idx[idx >= 0], minlength=asc.size)
    return _summary(asc, counts)


def summarize_items(matrix, options) -> list[ItemSummary]:
    """Summaries for every column of an n × k matrix (NaN = missing). ``options``: one scale
    for all items, or a sequence of k scales (one per column)."""
    m = _as_float(matrix)
    if m.ndim != 2:
        raise ValueError(f"Expected a 2-D matrix, got shape {m.shape}.")
    k = m.shape[1]
    per_item = len(options) > 0 and isinstance(options[0], (Sequence, np.ndarray))
    if per_item:
        if len(options) != k:
            raise ValueError(f"Expected {k} option lists, got {len(options)}.")
        return [summarize_item(m[:, j], options[j]) for j in range(k)]
    asc = _sorted_options(options)
    # One pass per option over the whole matrix (a handful of options, never a loop over rows).
    counts = np.empty((k, asc.size), dtype=np.int64)
    for o, point in enumerate(asc):
        counts[:, o] = np.count_nonzero(m == point, axis=0)
    answered = m.shape[0] - np.count_nonzero(np.isnan(m), axis=0)
    if (counts.sum(axis=1) != answered).any():
        _option_index(m, asc, "Matrix")  # raises, naming the first stray value
    return [_summary(asc, counts[j]) for j in range(k)]


# --------------------------------------------------------------------------- 2. indices


@dataclass(frozen=True)
class MeanCI:
    n: int
    mean: float
    sd: float
    low: float  # t interval, NaN below 2 values
    high: float
    confidence: float = 0.95


def mean_ci(values, confidence: float = 0.95) -> MeanCI:
    """Mean of the non-NaN values with its Student-t confidence interval."""
    v = _as_float(values).ravel()
    v = v[~np.isnan(v)]
    n = int(v.size)
    if n == 0:
        return MeanCI(0, math.nan, math.nan, math.nan, math.nan, confidence)
    mean = float(v.mean())
    sd = float(v.std(ddof=1)) if n > 1 else math.nan
    low, high = _t_interval(mean, sd, n, confidence)
    return MeanCI(n, mean, sd, low, high, confidence)


def weighted_mean(values, weights, axis: int = -1):
    """Σ(value × weight) / Σ weight along ``axis``, skipping NaN values and renormalising the
    weights over the values present (seed 000: 综合满意度 = Σ(各评估小项满意度 × 权重) / Σ(权重)).
    NaN where no value is present. Weights must be ≥ 0 and are broadcast against values."""
    v = _as_float(values)
    w = np.broadcast_to(_as_float(weights), v.shape)
    if (w < 0).any():
        raise ValueError("Weights must be ≥ 0.")
    has = ~np.isnan(v)
    num = np.where(has, w * np.where(has, v, 0.0), 0.0).sum(axis=axis)
    den = np.where(has, w, 0.0).sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return float(out) if np.ndim(out) == 0 else out


@dataclass(frozen=True)
class Proportion:
    count: int
    n: int
    rate: float  # count / n on 0..1, NaN when n == 0
    low: float  # Wilson interval on 0..1
    high: float

    @property
    def percent(self) -> float:
        return 100.0 * self.rate


def proportion(count: int, n: int, confidence: float = 0.95) -> Proportion:
    if n < 0 or count < 0 or count > n:
        raise ValueError(f"Need 0 ≤ count ≤ n, got count={count}, n={n}.")
    rate = count / n if n else math.nan
    low, high = wilson_interval(count, n, confidence)
    return Proportion(int(count), int(n), rate, low, high)


def satisfied_share(index, threshold: float = 70.0, confidence: float = 0.95) -> Proportion:
    """Satisfied-customer rate (seed 000: 满意客户 index ≥ 70): share of the valid (non-NaN)
    indices ≥ threshold (inclusive, forgiving float noise like scoring), Wilson interval."""
    v = _as_float(index).ravel()
    v = v[~np.isnan(v)]
    return proportion(int((v >= threshold - EDGE_TOLERANCE).sum()), int(v.size), confidence)


@dataclass(frozen=True)
class BandCount:
    key: str  # the band's code, or its label when it has none
    label: str
    min_score: float
    count: int
    percent: float  # of the valid indices


def _bands(bands) -> list[Band]:
    out = [b if isinstance(b, Band) else Band(float(b[0]), str(b[1])) for b in bands]
    out.sort(key=lambda b: -b.min_score)
    return out


def band_counts(index, bands=DEFAULT_BANDS) -> tuple[BandCount, ...]:
    """Counts per grade band, highest band first. ``bands``: ``scoring.Band`` objects or
    (min_score, label) pairs, lower bound inclusive (with float-noise tolerance). NaN indices
    are ignored; indices below every band are left out of every band (but counted in the %)."""
    b = _bands(bands)
    v = _as_float(index).ravel()
    v = v[~np.isnan(v)]
    n = v.size
    mins = np.asarray([x.min_score for x in b])[::-1] - EDGE_TOLERANCE  # ascending
    pos = np.searchsorted(mins, v, side="right") - 1  # −1 = below every band
    counts = np.bincount(pos[pos >= 0], minlength=len(b))[::-1]
    return tuple(
        BandCount(x.code or x.label, x.label, x.min_score, int(c), 100.0 * int(c) / n if n else math.nan)
        for x, c in zip(b, counts, strict=True)
    )


# --------------------------------------------------------------------------- 3. NPS


@dataclass(frozen=True)
class NPSResult:
    n: int
    promoters: int
    passives: int
    detractors: int
    nps: float  # %P − %D on −100..100
    se: float  # standard error on the same −100..100 scale
    low: float
    high: float
    method: str  # "normal" or "bootstrap"
    confidence: float = 0.95

    @property
    def promoter_pct(self) -> float:
        return 100.0 * self.promoters / self.n if self.n else math.nan

    @property
    def passive_pct(self) -> float:
        return 100.0 * self.passives / self.n if self.n else math.nan

    @property
    def detractor_pct(self) -> float:
        return 100.0 * self.detractors / self.n if self.n else math.nan


def nps_from_groups(
    promoters: int,
    passives: int,
    detractors: int,
    *,
    confidence: float = 0.95,
    method: str = "normal",
    n_boot: int = 10_000,
    seed: int = 0,
) -> NPSResult:
    """NPS from group counts (9-10 promoters, 7-8 passives, 0-6 detractors).

    ``method="normal"``: NPS ± z·SE, var = (p_P + p_D − (p_P − p_D)²)/n (the trinomial variance
    of the difference of two proportions of the same sample), clipped to [−100, 100].
    ``method="bootstrap"``: percentile interval of ``n_boot`` seeded multinomial resamples.
    """
    counts = (int(promoters), int(passives), int(detractors))
    if min(counts) < 0:
        raise ValueError("Counts must be ≥ 0.")
    n = sum(counts)
    if n == 0:
        return NPSResult(0, 0, 0, 0, math.nan, math.nan, math.nan, math.nan, method, confidence)
    p_p, p_d = counts[0] / n, counts[2] / n
    score = (counts[0] - counts[2]) / n
    se = math.sqrt(max(0.0, p_p + p_d - score * score) / n)
    if method == "normal":
        z = _z(confidence)
        low, high = max(-1.0, score - z * se), min(1.0, score + z * se)
    elif method == "bootstrap":
        rng = np.random.default_rng(seed)
        draws = rng.multinomial(n, np.asarray(counts) / n, size=n_boot)
        boot = (draws[:, 0] - draws[:, 2]) / n
        alpha = 1 - confidence
        low, high = (float(x) for x in np.quantile(boot, [alpha / 2, 1 - alpha / 2]))
    else:
        raise ValueError(f"Unknown NPS interval method {method!r}; expected 'normal' or 'bootstrap'.")
    return NPSResult(
        n,
        *counts,
        100.0 * (counts[0] - counts[2]) / n,
        100.0 * se,
        100.0 * low,
        100.0 * high,
        method,
        confidence,
    )


def nps_from_counts(counts: Sequence[int], **kwargs) -> NPSResult:
    """NPS from 11 counts, counts[s] = answers with score s (0..10)."""
    c = np.asarray(counts, dtype=np.int64)
    if c.shape != (11,):
        raise ValueError(f"Expected 11 counts (scores 0..10), got {c.shape}.")
    return nps_from_groups(
        int(c[NPS_PROMOTER_MIN:].sum()),
        int(c[NPS_DETRACTOR_MAX + 1 : NPS_PROMOTER_MIN].sum()),
        int(c[: NPS_DETRACTOR_MAX + 1].sum()),
        **kwargs,
    )


def nps(scores, **kwargs) -> NPSResult:
    """NPS from raw 0-10 answers (NaN = missing); other values are an error."""
    v = _as_float(scores).ravel()
    v = v[~np.isnan(v)]
    if ((v < 0) | (v > 10) | (v != np.round(v))).any():
        raise ValueError("NPS answers must be whole numbers 0..10.")
    return nps_from_counts(np.bincount(v.astype(np.int64), minlength=11), **kwargs)


# --------------------------------------------------------------------------- 4. rates


@dataclass(frozen=True)
class ResponseRates:
    issued: int
    returned: int
    valid: int
    response_rate: Proportion  # returned / issued (回收率)
    valid_rate: Proportion  # valid / returned (有效率)
    valid_of_issued: Proportion  # valid / issued


def response_rates(issued: int, returned: int, valid: int, confidence: float = 0.95) -> ResponseRates:
    """回收率 = returned / issued and 有效率 = valid / returned (彩管 report: 45 issued, 28
    returned → 62%, all valid → 100%), with Wilson intervals."""
    if not 0 <= valid <= returned <= issued:
        raise ValueError(f"Need 0 ≤ valid ≤ returned ≤ issued, got {valid}, {returned}, {issued}.")
    return ResponseRates(
        issued,
        returned,
        valid,
        proportion(returned, issued, confidence),
        proportion(valid, returned, confidence),
        proportion(valid, issued, confidence),
    )


# --------------------------------------------------------------------------- 6. tests


@dataclass(frozen=True)
class TestResult:
    """One significance test. ``difference`` is a − b (means, or proportions on 0..1) where
    meaningful; ``ci_low``/``ci_high`` its confidence interval (NaN when not given)."""

    __test__ = False  # not a pytest class

    method: str  # welch_t, mann_whitney_u, two_proportion_z, chi2, chi2_yates, anova, kruskal, fisher_exact
    statistic: float
    p_value: float
    effect_size: float
    effect_name: str  # hedges_g, rank_biserial, cohen_h, eta_squared, epsilon_squared, cramers_v, odds_ratio
    significant: bool
    alpha: float
    df: float = math.nan
    difference: float = math.nan
    ci_low: float = math.nan
    ci_high: float = math.nan


def _clean(values) -> np.ndarray:
    v = _as_float(values).ravel()
    return v[~np.isnan(v)]


def _sig(p: float, alpha: float) -> bool:
    return bool(math.isfinite(p) and p < alpha)


def _distinct_at_most(values: np.ndarray, limit: int) -> bool:
    """Whether ``values`` hold at most ``limit`` distinct values; a first slice with more
    answers without sorting a million values."""
    head = values[:10_000]
    if np.unique(head).size > limit:
        return False
    return np.unique(values).size <= limit


def _rank_test_wanted(groups: Sequence[np.ndarray]) -> bool:
    if min(g.size for g in groups) < SMALL_SAMPLE:
        return True
    return _distinct_at_most(np.concatenate(groups), ORDINAL_MAX_LEVELS)


def cohens_d(a, b) -> float:
    """(mean a − mean b) / pooled SD, pooled var = ((n1−1)s1² + (n2−1)s2²)/(n1+n2−2)."""
    x, y = _clean(a), _clean(b)
    n1, n2 = x.size, y.size
    if n1 < 2 or n2 < 2:
        return math.nan
    return _pooled_d(float(x.mean() - y.mean()), n1, x.var(ddof=1), n2, y.var(ddof=1))


def _pooled_d(diff: float, n1: int, var1: float, n2: int, var2: float) -> float:
    pooled = ((n1 - 1) * var1 + (n2 - 1) * var2) / (n1 + n2 - 2)
    if pooled == 0:
        return 0.0 if diff == 0 else math.copysign(math.inf, diff)
    return diff / math.sqrt(pooled)


def hedges_g(a, b) -> float:
    """Cohen's d × J, J = 1 − 3 / (4(n1 + n2) − 9) (small-sample bias correction)."""
    n = _clean(a).size + _clean(b).size
    return cohens_d(a, b) * (1 - 3 / (4 * n - 9)) if n > 3 else math.nan


def compare_means(
    a, b, *, method: str = "auto", alpha: float = 0.05, confidence: float | None = None
) -> TestResult:
    """Two independent samples (NaN dropped).

    ``"welch"``: Welch's t (unequal variances), effect size Hedges' g, difference = mean a −
    mean b with the Welch–Satterthwaite CI at ``confidence`` (default 1 − alpha).
    ``"mannwhitney"``: two-sided Mann-Whitney U (scipy's default: exact for small samples
    without ties, else normal with tie correction), U of a as the statistic, effect size the
    rank-biserial r = 2U/(n1 n2) − 1 (> 0 when a tends to be higher).
    ``"auto"``: Mann-Whitney when either n < 30 or the pooled data has ≤ 7 distinct values.
    """
    x, y = _clean(a), _clean(b)
    n1, n2 = x.size, y.size
    if n1 < 2 or n2 < 2:
        raise ValueError(f"Each group needs at least 2 values, got {n1} and {n2}.")
    if method == "auto":
        method = "mannwhitney" if _rank_test_wanted([x, y]) else "welch"
    diff = float(x.mean() - y.mean())
    if method == "welch":
        return welch_from_moments(
            n1,
            float(x.mean()),
            float(x.var(ddof=1)),
            n2,
            float(y.mean()),
            float(y.var(ddof=1)),
            alpha=alpha,
            confidence=confidence,
        )
    if method == "mannwhitney":
        res = sps.mannwhitneyu(x, y, alternative="two-sided")
        u = float(res.statistic)
        p = float(res.pvalue)
        r = 2 * u / (n1 * n2) - 1
        return TestResult("mann_whitney_u", u, p, r, "rank_biserial", _sig(p, alpha), alpha, difference=diff)
    raise ValueError(f"Unknown method {method!r}; expected 'auto', 'welch' or 'mannwhitney'.")


def welch_from_moments(
    n1: int,
    mean1: float,
    var1: float,
    n2: int,
    mean2: float,
    var2: float,
    *,
    alpha: float = 0.05,
    confidence: float | None = None,
) -> TestResult:
    """Welch's t of two samples given by their sizes, means and variances (ddof 1): what
    :func:`compare_means` computes, for callers that have the moments already (a segment
    against the rest of a million values need not copy both sides)."""
    diff = mean1 - mean2
    v1, v2 = var1 / n1, var2 / n2
    se = math.sqrt(v1 + v2)
    if se > 0:
        t = diff / se
        df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
        p = float(2 * sps.t.sf(abs(t), df))
        conf = 1 - alpha if confidence is None else confidence
        half = float(sps.t.ppf(0.5 + conf / 2, df)) * se
    else:  # both samples constant: as scipy's ttest_ind, no test when the means are equal
        t = math.nan if diff == 0 else math.copysign(math.inf, diff)
        p = math.nan if diff == 0 else 0.0
        df, half = math.nan, 0.0
    n = n1 + n2
    g = _pooled_d(diff, n1, var1, n2, var2) * (1 - 3 / (4 * n - 9)) if n > 3 else math.nan
    return TestResult(
        "welch_t", float(t), p, g, "hedges_g", _sig(p, alpha), alpha, df, diff, diff - half, diff + half
    )


def compare_paired(
    a, b, *, method: str = "auto", alpha: float = 0.05, confidence: float | None = None
) -> TestResult:
    """Two ratings by the same respondents (e.g. of us and of a competitor); pairs with a
    missing side are dropped. difference = mean(a − b).

    ``"t"``: paired t (scipy ttest_rel), effect size Cohen's d_z = mean(d) / sd(d), with the
    t interval of the mean difference at ``confidence`` (default 1 − alpha).
    ``"wilcoxon"``: Wilcoxon signed-rank (zero differences dropped, scipy's default method),
    effect size the matched-pairs rank-biserial r = (R+ − R−) / (R+ + R−), > 0 when a is higher.
    ``"auto"``: Wilcoxon when n < 30 or the differences take ≤ 7 distinct values (rating scales).
    """
    x, y = _as_float(a).ravel(), _as_float(b).ravel()
    if x.size != y.size:
        raise ValueError(f"Paired samples need the same length, got {x.size} and {y.size}.")
    both = ~(np.isnan(x) | np.isnan(y))
    d = x[both] - y[both]
    n = d.size
    if n < 2:
        raise ValueError(f"At least 2 complete pairs are needed, got {n}.")
    if method == "auto":
        method = "wilcoxon" if n < SMALL_SAMPLE or np.unique(d).size <= ORDINAL_MAX_LEVELS else "t"
    diff = float(d.mean())
    if method == "t":
        sd = float(d.std(ddof=1))
        conf = 1 - alpha if confidence is None else confidence
        if sd == 0:
            p = 1.0 if diff == 0 else 0.0
            effect = 0.0 if diff == 0 else math.copysign(math.inf, diff)
            return TestResult(
                "paired_t", math.nan, p, effect, "cohens_dz", _sig(p, alpha), alpha, n - 1, diff, diff, diff
            )
        res = sps.ttest_rel(x[both], y[both])
        half = float(sps.t.ppf(0.5 + conf / 2, n - 1)) * sd / math.sqrt(n)
        p = float(res.pvalue)
        return TestResult(
            "paired_t",
            float(res.statistic),
            p,
            diff / sd,
            "cohens_dz",
            _sig(p, alpha),
            alpha,
            n - 1,
            diff,
            diff - half,
            diff + half,
        )
    if method == "wilcoxon":
        nonzero = d[d != 0]
        if nonzero.size == 0:
            return TestResult("wilcoxon", 0.0, 1.0, 0.0, "rank_biserial", False, alpha, difference=diff)
        ranks = sps.rankdata(np.abs(nonzero))
        plus, minus = float(ranks[nonzero > 0].sum()), float(ranks[nonzero < 0].sum())
        res = sps.wilcoxon(x[both], y[both])
        p = float(res.pvalue)
        r = (plus - minus) / (plus + minus)
        return TestResult(
            "wilcoxon", float(res.statistic), p, r, "rank_biserial", _sig(p, alpha), alpha, difference=diff
        )
    raise ValueError(f"Unknown method {method!r}; expected 'auto', 't' or 'wilcoxon'.")


def cohens_h(p1: float, p2: float) -> float:
    """h = 2 asin √p1 − 2 asin √p2."""
    return 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))


def compare_proportions(
    count_a: int,
    n_a: int,
    count_b: int,
    n_b: int,
    *,
    method: str = "z",
    correction: bool = True,
    alpha: float = 0.05,
) -> TestResult:
    """Two independent proportions, difference = p_a − p_b, effect size Cohen's h.

    ``"z"``: two-proportion z-test with the pooled proportion in the SE; the CI of the
    difference is the unpooled Wald interval at 1 − alpha.
    ``"chi2"``: Pearson chi-square on the 2 × 2 table, with Yates' continuity correction when
    ``correction`` (method name ``chi2_yates``).
    """
    if n_a <= 0 or n_b <= 0 or not (0 <= count_a <= n_a and 0 <= count_b <= n_b):
        raise ValueError("Need 0 ≤ count ≤ n and n > 0 for both groups.")
    pa, pb = count_a / n_a, count_b / n_b
    diff = pa - pb
    h = cohens_h(pa, pb)
    if method == "z":
        pooled = (count_a + count_b) / (n_a + n_b)
        se0 = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
        if se0 == 0:
            z, p = 0.0, 1.0
        else:
            z = diff / se0
            p = float(2 * sps.norm.sf(abs(z)))
        se1 = math.sqrt(pa * (1 - pa) / n_a + pb * (1 - pb) / n_b)
        half = _z(1 - alpha) * se1
        return TestResult(
            "two_proportion_z",
            z,
            p,
            h,
            "cohen_h",
            _sig(p, alpha),
            alpha,
            difference=diff,
            ci_low=diff - half,
            ci_high=diff + half,
        )
    if method == "chi2":
        table = np.array([[count_a, n_a - count_a], [count_b, n_b - count_b]])
        if (table.sum(axis=0) == 0).any():
            chi2, p = 0.0, 1.0
        else:
            res = sps.chi2_contingency(table, correction=correction)
            chi2, p = float(res.statistic), float(res.pvalue)
        name = "chi2_yates" if correction else "chi2"
        return TestResult(name, chi2, p, h, "cohen_h", _sig(p, alpha), alpha, 1.0, diff)
    raise ValueError(f"Unknown method {method!r}; expected 'z' or 'chi2'.")


def _group_codes(labels, keep: np.ndarray | None = None):
    """(unique labels, codes) with missing labels (None, NaN, '') coded −1."""
    arr = np.asarray(labels)
    if arr.dtype.kind == "f":
        missing = np.isnan(arr)
    elif arr.dtype.kind == "O":
        missing = np.fromiter(
            (x is None or x == "" or (isinstance(x, float) and math.isnan(x)) for x in arr.ravel()),
            dtype=bool,
            count=arr.size,
        )
    elif arr.dtype.kind == "U":
        missing = arr == ""
    elif arr.dtype.kind == "M":
        missing = np.isnat(arr)
    else:
        missing = np.zeros(arr.shape, dtype=bool)
    if keep is not None:
        missing = missing | ~keep
    present = arr[~missing]
    if arr.dtype.kind == "O":
        present = present.astype(str)
    if arr.dtype.kind in "iu" and present.size:
        uniq, inv = _unique_small_ints(present)
    else:
        uniq, inv = np.unique(present, return_inverse=True)
    codes = np.full(arr.shape, -1, dtype=np.int64)
    codes[~missing] = inv
    return uniq, codes


# Integer labels spanning at most this many values are grouped by counting, not sorting.
SMALL_INT_RANGE = 1 << 20


def _unique_small_ints(values: np.ndarray):
    """np.unique(values, return_inverse=True) for integers in a small range, in one counting
    pass instead of a sort (months as yyyymm, category codes: a million labels in a few ms)."""
    low, high = int(values.min()), int(values.max())
    if high - low > SMALL_INT_RANGE:
        return np.unique(values, return_inverse=True)
    offsets = values.astype(np.int64) - low
    seen = np.bincount(offsets, minlength=high - low + 1) > 0
    uniq = (np.flatnonzero(seen) + low).astype(values.dtype)
    position = np.cumsum(seen) - 1
    return uniq, position[offsets]


def compare_groups(values, groups, *, method: str = "auto", alpha: float = 0.05) -> TestResult:
    """k independent groups (labels per value; NaN values and missing labels dropped).

    ``"anova"``: one-way ANOVA F, effect size η² = SS_between / SS_total.
    ``"kruskal"``: Kruskal-Wallis H (tie-corrected), effect size ε² = H / (n − 1)
    (Tomczak & Tomczak 2014: H / ((n² − 1)/(n + 1))).
    ``"auto"``: Kruskal-Wallis when any group has n < 30 or ≤ 7 distinct values overall.
    """
    v = _as_float(values).ravel()
    uniq, codes = _group_codes(groups, ~np.isnan(v))
    keep = codes >= 0
    v, codes = v[keep], codes[keep]
    k = uniq.size
    if k < 2:
        raise ValueError("Need at least 2 groups with values.")
    order = np.argsort(codes, kind="stable")
    sizes = np.bincount(codes, minlength=k)
    parts = np.split(v[order], np.cumsum(sizes)[:-1])
    if method == "auto":
        method = "kruskal" if _rank_test_wanted(parts) else "anova"
    n = v.size
    if method == "anova":
        res = sps.f_oneway(*parts)
        means = np.bincount(codes, weights=v, minlength=k) / sizes
        ss_between = float(np.sum(sizes * (means - v.mean()) ** 2))
        ss_total = float(np.sum((v - v.mean()) ** 2))
        eta2 = ss_between / ss_total if ss_total > 0 else math.nan
        p = float(res.pvalue)
        return TestResult(
            "anova", float(res.statistic), p, eta2, "eta_squared", _sig(p, alpha), alpha, float(k - 1)
        )
    if method == "kruskal":
        res = sps.kruskal(*parts)
        h = float(res.statistic)
        p = float(res.pvalue)
        return TestResult(
            "kruskal", h, p, h / (n - 1), "epsilon_squared", _sig(p, alpha), alpha, float(k - 1)
        )
    raise ValueError(f"Unknown method {method!r}; expected 'auto', 'anova' or 'kruskal'.")


@dataclass(frozen=True)
class CrossTab:
    rows: tuple  # row labels (sorted)
    cols: tuple
    observed: np.ndarray  # int (r, c)
    expected: np.ndarray  # float (r, c), under independence
    chi2: float  # Pearson chi-square (Yates-corrected for 2 × 2 when correction)
    df: int
    p_value: float
    cramers_v: float  # from the uncorrected chi-square
    low_expected: bool  # some expected count < 5: the chi-square p is unreliable
    fisher_p: float  # Fisher's exact p for a 2 × 2 table with low expected counts, else NaN
    test: TestResult  # the test to report: Fisher's exact when fisher_p is set, else chi-square


def crosstab(a, b, *, alpha: float = 0.05, correction: bool = True) -> CrossTab:
    """Cross tab of two categorical arrays (pairs with a missing label dropped), chi-square
    test of independence, Cramér's V = √(χ² / (n (min(r, c) − 1))).

    When some expected count is below 5 the table is flagged; for a 2 × 2 table Fisher's exact
    test (two-sided) then gives the reported p (effect size: the sample odds ratio).
    """
    ua, ca = _group_codes(a)
    ub, cb = _group_codes(b)
    if ca.shape != cb.shape:
        raise ValueError("Both arrays must have the same length.")
    keep = (ca >= 0) & (cb >= 0)
    r, c = ua.size, ub.size
    observed = np.bincount(ca[keep] * c + cb[keep], minlength=r * c).reshape(r, c)
    n = int(observed.sum())
    rows, cols = tuple(ua.tolist()), tuple(ub.tolist())
    if r < 2 or c < 2:
        expected = observed.astype(float)
        test = TestResult("chi2", math.nan, math.nan, math.nan, "cramers_v", False, alpha)
        return CrossTab(
            rows, cols, observed, expected, math.nan, 0, math.nan, math.nan, False, math.nan, test
        )
    res = sps.chi2_contingency(observed, correction=correction)
    plain = sps.chi2_contingency(observed, correction=False)
    v = math.sqrt(float(plain.statistic) / (n * (min(r, c) - 1)))
    expected = np.asarray(res.expected_freq)
    low = bool((expected < 5).any())
    p = float(res.pvalue)
    yates = correction and r == 2 and c == 2
    test = TestResult(
        "chi2_yates" if yates else "chi2",
        float(res.statistic),
        p,
        v,
        "cramers_v",
        _sig(p, alpha),
        alpha,
        float(res.dof),
    )
    fisher_p = math.nan
    if low and r == 2 and c == 2:
        f = sps.fisher_exact(observed)
        fisher_p = float(f.pvalue)
        test = TestResult(
            "fisher_exact",
            float(f.statistic),
            fisher_p,
            float(f.statistic),
            "odds_ratio",
            _sig(fisher_p, alpha),
            alpha,
        )
    return CrossTab(
        rows, cols, observed, expected, float(res.statistic), int(res.dof), p, v, low, fisher_p, test
    )


# --------------------------------------------------------------------------- 5. trends


def month_labels(dates) -> np.ndarray:
    """'YYYY-MM' for numpy datetime64 values or ISO date/datetime strings; '' for NaT/None."""
    arr = np.asarray(dates)
    if arr.dtype.kind == "O":
        arr = np.asarray([("NaT" if x is None or x == "" else x) for x in arr.ravel()])
    d = arr.astype("datetime64").astype("datetime64[M]")
    out = d.astype(str)
    out[np.isnat(d)] = ""
    return out


@dataclass(frozen=True)
class GroupStat:
    label: object
    n: int
    mean: float
    sd: float
    low: float  # t interval of the mean
    high: float


def _group_moments(v: np.ndarray, codes: np.ndarray, k: int):
    """n, mean and sum of squared deviations per code (vectorised, two passes)."""
    n = np.bincount(codes, minlength=k)
    sums = np.bincount(codes, weights=v, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums / n
    ss = np.bincount(codes, weights=(v - mean[codes]) ** 2, minlength=k)
    return n, mean, ss


def _group_stats(moments, confidence: float):
    """n, mean, sd per code from :func:`_group_moments`, with the t interval of each mean."""
    n, mean, ss = moments
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(ss / (n - 1))
    sd[n < 2] = np.nan
    with np.errstate(invalid="ignore"):
        tq = sps.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1))
        half = np.where(n >= 2, tq * sd / np.sqrt(np.maximum(n, 1)), np.nan)
    return n, mean, sd, mean - half, mean + half


def by_period(
    values, periods, *, order: Sequence | None = None, confidence: float = 0.95
) -> tuple[GroupStat, ...]:
    """n, mean and t interval per period (wave labels, or month labels from
    :func:`month_labels`). NaN values and missing labels are dropped. Periods come sorted by
    label (ISO months and wave numbers sort in time), or in the given ``order`` (periods without
    data then appear with n = 0)."""
    v = _as_float(values).ravel()
    uniq, codes = _group_codes(periods, ~np.isnan(v))
    keep = codes >= 0
    n, mean, sd, low, high = _group_stats(_group_moments(v[keep], codes[keep], uniq.size), confidence)
    stats = {
        u: GroupStat(u, int(n[i]), float(mean[i]), float(sd[i]), float(low[i]), float(high[i]))
        for i, u in enumerate(uniq.tolist())
    }
    if order is None:
        return tuple(stats.values())
    return tuple(stats.get(p, GroupStat(p, 0, math.nan, math.nan, math.nan, math.nan)) for p in order)


def period_change(values, periods, base, current, *, method: str = "auto", alpha: float = 0.05) -> TestResult:
    """Change from period ``base`` to ``current``: :func:`compare_means` of current vs base, so
    ``difference`` = mean(current) − mean(base) (e.g. this year vs last year)."""
    v = _as_float(values).ravel()
    p = np.asarray(periods)
    return compare_means(v[p == current], v[p == base], method=method, alpha=alpha)


# --------------------------------------------------------------------------- 7. segments


@dataclass(frozen=True)
class SegmentStat:
    label: object
    n: int
    mean: float
    sd: float
    low: float
    high: float
    difference: float  # segment mean − overall mean
    test: TestResult | None  # segment vs the rest (None when either side has < 2 values)

    @property
    def significant(self) -> bool:
        return bool(self.test and self.test.significant)


@dataclass(frozen=True)
class SegmentReport:
    overall: MeanCI
    segments: tuple[SegmentStat, ...]


def segment_comparison(
    values,
    segments,
    *,
    method: str = "auto",
    alpha: float = 0.05,
    confidence: float = 0.95,
    sort: str = "mean",
) -> SegmentReport:
    """Per segment (region, customer type, product, staff …): n, mean, t interval, difference
    from the overall mean, and a test of the segment against all other values
    (:func:`compare_means` with ``method``). Sorted by mean descending (``sort="mean"``), by n
    descending (``"n"``) or by label (``"label"``); ties by label."""
    v = _as_float(values).ravel()
    uniq, codes = _group_codes(segments, ~np.isnan(v))
    keep = codes >= 0
    v, codes = v[keep], codes[keep]
    overall = mean_ci(v, confidence)
    moments = _group_moments(v, codes, uniq.size)
    n, mean, sd, low, high = _group_stats(moments, confidence)
    ss = moments[2]
    # Every segment is tested against the rest of the same values, so the pooled data of the
    # "auto" rule is always v: its number of distinct values is counted once.
    ordinal = method == "auto" and _distinct_at_most(v, ORDINAL_MAX_LEVELS)
    out = []
    for i, label in enumerate(uniq.tolist()):
        test = None
        rest = v.size - n[i]
        if n[i] >= 2 and rest >= 2:
            chosen = method
            if method == "auto":
                chosen = "mannwhitney" if ordinal or min(n[i], rest) < SMALL_SAMPLE else "welch"
            if chosen == "welch":
                # The rest's moments from the segments' own (parallel-variance formula): no
                # copy of the other values, no second pass over them.
                others = np.arange(uniq.size) != i
                rest_mean = float(np.sum(n[others] * mean[others]) / rest)
                rest_ss = float(np.sum(ss[others] + n[others] * (mean[others] - rest_mean) ** 2))
                test = welch_from_moments(
                    int(n[i]),
                    float(mean[i]),
                    float(ss[i] / (n[i] - 1)),
                    int(rest),
                    rest_mean,
                    rest_ss / (rest - 1),
                    alpha=alpha,
                )
            else:
                inside = codes == i
                test = compare_means(v[inside], v[~inside], method=chosen, alpha=alpha)
        out.append(
            SegmentStat(
                label,
                int(n[i]),
                float(mean[i]),
                float(sd[i]),
                float(low[i]),
                float(high[i]),
                float(mean[i] - overall.mean),
                test,
            )
        )
    if sort == "mean":
        out.sort(key=lambda s: (-s.mean, str(s.label)))
    elif sort == "n":
        out.sort(key=lambda s: (-s.n, str(s.label)))
    elif sort == "label":
        out.sort(key=lambda s: str(s.label))
    else:
        raise ValueError(f"Unknown sort {sort!r}; expected 'mean', 'n' or 'label'.")
    return SegmentReport(overall, tuple(out))


@dataclass(frozen=True)
class CompetitorStat:
    name: str
    summary: MeanCI
    test: TestResult  # ours vs this competitor: difference = ours − theirs


def competitor_comparison(
    ours, competitors: Mapping[str, object], *, method: str = "auto", alpha: float = 0.05
) -> tuple[MeanCI, tuple[CompetitorStat, ...]]:
    """Seed 000 市场地位调查 / 彩管 report ("综合评价优于对手 / 差于对手 / 与对手相当"): our ratings
    against each competitor's ratings of the same item, :func:`compare_means` each (difference
    = ours − theirs). Competitors sorted by their mean, best first."""
    base = mean_ci(ours)
    out = [
        CompetitorStat(str(name), mean_ci(theirs), compare_means(ours, theirs, method=method, alpha=alpha))
        for name, theirs in competitors.items()
    ]
    out.sort(key=lambda c: (-c.summary.mean, c.name))
    return base, tuple(out)
