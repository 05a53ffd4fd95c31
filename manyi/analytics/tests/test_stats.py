"""Statistics tests. Every expected number comes from an independent computation: arithmetic
written out here, Python's ``statistics`` module, scipy.stats or statsmodels — never from the
function under test."""

import math
import statistics
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from scipy.stats.contingency import association
from statsmodels.stats.proportion import proportion_confint, proportions_ztest
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from manyi.analytics.scoring import DEFAULT_BANDS, ItemSpec, ScoringScheme, score_matrix
from manyi.analytics.stats import (
    ItemSummary,
    band_counts,
    by_period,
    cohens_d,
    cohens_h,
    compare_groups,
    compare_means,
    compare_paired,
    compare_proportions,
    competitor_comparison,
    crosstab,
    hedges_g,
    mean_ci,
    month_labels,
    nps,
    nps_from_counts,
    nps_from_groups,
    period_change,
    proportion,
    response_rates,
    satisfied_share,
    segment_comparison,
    summarize_counts,
    summarize_item,
    summarize_items,
    weighted_mean,
    wilson_interval,
)

FIVE_LEVEL = [10, 8, 6, 4, 2]  # seed 000: 很满意 10 … 很不满意 2
LIKERT = [1, 2, 3, 4, 5]
Z975 = statistics.NormalDist().inv_cdf(0.975)
nan = math.nan


# --------------------------------------------------------------------------- item summary


def test_item_summary_by_hand():
    # 9 answers on the seed 000 scale, one missing.
    answers = [10, 10, 8, 8, 8, 6, 6, 4, 2, nan]
    s = summarize_item(answers, FIVE_LEVEL)
    assert s.n == 9
    assert s.mean == pytest.approx((10 + 10 + 8 + 8 + 8 + 6 + 6 + 4 + 2) / 9)  # 62/9
    assert s.sd == pytest.approx(statistics.stdev([10, 10, 8, 8, 8, 6, 6, 4, 2]))
    assert s.options == (10, 8, 6, 4, 2)
    assert s.counts == (2, 3, 2, 1, 1)
    assert s.percents == pytest.approx([200 / 9, 300 / 9, 200 / 9, 100 / 9, 100 / 9])
    assert s.top2 == pytest.approx(5 / 9 * 100)  # 很满意 + 满意
    assert s.bottom2 == pytest.approx(2 / 9 * 100)
    assert s.top_box(1) == pytest.approx(2 / 9 * 100)
    assert s.top_box(3) == pytest.approx(7 / 9 * 100)
    assert s.bottom_box(1) == pytest.approx(1 / 9 * 100)
    assert s.bottom_box(0) == 0
    assert s.distribution[8.0] == (3, pytest.approx(300 / 9))


def test_item_summary_options_order_does_not_matter_and_scale_may_be_negative():
    # Seed 003: 50/30/20/0/−10; best first regardless of how the options are listed.
    s = summarize_item([50, 30, 30, -10, 0], [-10, 0, 20, 30, 50])
    assert s.options == (50, 30, 20, 0, -10)
    assert s.counts == (1, 2, 0, 1, 1)
    assert s.mean == pytest.approx((50 + 30 + 30 - 10 + 0) / 5)
    assert s.top2 == pytest.approx(60.0)


def test_item_summary_empty_and_single():
    empty = summarize_item([nan, nan], LIKERT)
    assert empty.n == 0 and math.isnan(empty.mean) and math.isnan(empty.top2)
    one = summarize_item([4], LIKERT)
    assert one.n == 1 and one.mean == 4 and math.isnan(one.sd)


def test_item_summary_rejects_values_off_the_scale():
    with pytest.raises(ValueError, match="not one of the options"):
        summarize_item([10, 7], FIVE_LEVEL)
    with pytest.raises(ValueError, match="not one of the options"):
        summarize_items(np.array([[10.0, 8.0], [7.0, 2.0]]), FIVE_LEVEL)
    with pytest.raises(ValueError):
        summarize_items(np.array([[10.0, np.inf]]), FIVE_LEVEL)


def test_matrix_summary_matches_numpy_and_counts_path_exactly():
    rng = np.random.default_rng(7)
    m = rng.choice(np.array(FIVE_LEVEL, dtype=float), size=(5000, 6), p=[0.3, 0.3, 0.2, 0.1, 0.1])
    m[rng.random(m.shape) < 0.1] = np.nan
    summaries = summarize_items(m, FIVE_LEVEL)
    for j, s in enumerate(summaries):
        col = m[:, j][~np.isnan(m[:, j])]
        assert s.n == col.size
        assert s.mean == pytest.approx(np.mean(col), rel=1e-12)
        assert s.sd == pytest.approx(np.std(col, ddof=1), rel=1e-12)
        assert s.top2 == pytest.approx(100 * np.mean(col >= 8), rel=1e-12)
        assert s.bottom2 == pytest.approx(100 * np.mean(col <= 4), rel=1e-12)
        # A frequency table like SQL's GROUP BY, built independently with Counter.
        table = Counter(col.tolist())
        from_counts = summarize_counts(list(table), list(table.values()))
        assert from_counts == s  # bit-identical
        assert summarize_item(m[:, j], FIVE_LEVEL) == s


def test_matrix_summary_with_per_item_scales():
    m = np.array([[10, 5], [8, 1], [nan, 3]], dtype=float)
    a, b = summarize_items(m, [FIVE_LEVEL, LIKERT])
    assert (a.n, a.mean) == (2, 9.0)
    assert (b.n, b.mean, b.counts) == (3, 3.0, (1, 0, 1, 0, 1))


def test_summarize_counts_validation():
    with pytest.raises(ValueError):
        summarize_counts([1, 1, 2], [1, 2, 3])
    with pytest.raises(ValueError):
        summarize_counts([1, 2], [1, -2])
    with pytest.raises(ValueError):
        summarize_counts([1, 2], [1])


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 50), min_size=5, max_size=5), st.integers(1, 5))
def test_top_box_properties(counts, k):
    s = summarize_counts(FIVE_LEVEL, counts)
    if s.n == 0:
        assert math.isnan(s.top_box(k))
        return
    assert 0 <= s.top_box(k) <= 100 + 1e-9
    assert s.top_box(k) <= s.top_box(min(k + 1, 5)) + 1e-9
    assert s.top2 + s.bottom2 <= 100 + 1e-9  # five options: the two boxes are disjoint
    assert s.top_box(5) == pytest.approx(100)
    assert min(FIVE_LEVEL) <= s.mean <= max(FIVE_LEVEL)


# --------------------------------------------------------------------------- index


def test_weighted_mean_seed_000_rule():
    # 综合满意度 = Σ(item satisfaction × weight) / Σ weight with seed 000's weights
    # (产品实物质量 20, 包装运输 10, 交货信誉 30, 价格 20, 服务 10, 技术开发 10).
    sat = [85.0, 90.0, 80.0, 70.0, 95.0, 60.0]
    w = [20, 10, 30, 20, 10, 10]
    expected = (85 * 20 + 90 * 10 + 80 * 30 + 70 * 20 + 95 * 10 + 60 * 10) / 100  # = 79.5
    assert weighted_mean(sat, w) == pytest.approx(expected)
    assert expected == pytest.approx(79.5)
    # A missing item drops out and the weights renormalise over the rest.
    sat[1] = nan
    assert weighted_mean(sat, w) == pytest.approx((85 * 20 + 80 * 30 + 70 * 20 + 95 * 10 + 60 * 10) / 90)


def test_weighted_mean_rows():
    m = np.array([[80, 60], [nan, 50], [nan, nan]])
    out = weighted_mean(m, [3, 1])
    assert out[0] == pytest.approx((80 * 3 + 60) / 4)
    assert out[1] == 50
    assert math.isnan(out[2])
    with pytest.raises(ValueError):
        weighted_mean([1, 2], [1, -1])


@settings(max_examples=80)
@given(
    st.lists(st.floats(0, 100), min_size=1, max_size=8).flatmap(
        lambda xs: st.tuples(
            st.just(xs),
            st.lists(st.floats(0.01, 100), min_size=len(xs), max_size=len(xs)),
            st.floats(0.001, 1000),
        )
    )
)
def test_weighted_mean_bounds_and_weight_invariance(args):
    values, weights, factor = args
    index = weighted_mean(values, weights)
    assert min(values) - 1e-9 <= index <= max(values) + 1e-9
    assert 0 - 1e-9 <= index <= 100 + 1e-9
    assert weighted_mean(values, [w * factor for w in weights]) == pytest.approx(index, abs=1e-9)


def test_mean_ci_against_scipy_t_interval():
    x = [78.4, 82.0, 91.5, 66.0, 70.0, 88.8, 59.5]
    r = mean_ci(x)
    lo, hi = sps.t.interval(0.95, len(x) - 1, loc=statistics.mean(x), scale=sps.sem(x))
    assert (r.n, r.mean, r.sd) == (7, pytest.approx(statistics.mean(x)), pytest.approx(statistics.stdev(x)))
    assert (r.low, r.high) == (pytest.approx(lo), pytest.approx(hi))
    r90 = mean_ci([*x, nan], confidence=0.9)
    lo, hi = DescrStatsW(np.array(x)).tconfint_mean(alpha=0.1)
    assert (r90.n, r90.low, r90.high) == (7, pytest.approx(lo), pytest.approx(hi))
    assert math.isnan(mean_ci([5.0]).low)
    assert mean_ci([]).n == 0


def test_satisfied_share_by_hand_and_wilson():
    # 2018 report: satisfied customer = index ≥ 70 (inclusive).
    index = [78.4, 70.0, 69.99, 90.0, nan, 70 - 1e-12]
    r = satisfied_share(index)
    assert (r.count, r.n) == (4, 5)  # 78.4, 70, 90, and 70 up to float noise
    assert r.rate == pytest.approx(0.8)
    assert r.percent == pytest.approx(80.0)
    lo, hi = proportion_confint(4, 5, alpha=0.05, method="wilson")
    assert (r.low, r.high) == (pytest.approx(lo), pytest.approx(hi))
    assert satisfied_share([60, 80], threshold=85).count == 0


def test_satisfied_share_agrees_with_scoring_engine():
    scheme = ScoringScheme(
        tuple(ItemSpec(f"q{i}", min_points=1, max_points=5) for i in range(3)),
        validity_rule="all_required",
        scale_method="range",
    )
    rng = np.random.default_rng(3)
    m = rng.integers(1, 6, size=(400, 3)).astype(float)
    m[rng.random(m.shape) < 0.05] = np.nan
    scored = score_matrix(scheme, m)
    share = satisfied_share(scored.index)
    assert share.count == int(scored.satisfied.sum())
    assert share.n == int(scored.valid.sum())


def test_band_counts_bounds_inclusive():
    index = [100, 90, 89.999, 75, 74.9, 60, 59.99, 40, 39.9, 0, nan, 90 - 1e-12]
    got = {b.key: b.count for b in band_counts(index)}
    # 很满意 ≥ 90: 100, 90, 90−1e−12 (float noise) → 3; 满意 [75, 90): 89.999, 75 → 2;
    # 一般 [60, 75): 74.9, 60 → 2; 不满意 [40, 60): 59.99, 40 → 2; 很不满意: 39.9, 0 → 2.
    assert got == {
        "very_satisfied": 3,
        "satisfied": 2,
        "neutral": 2,
        "dissatisfied": 2,
        "very_dissatisfied": 2,
    }
    assert [b.label for b in band_counts(index)] == [b.label for b in DEFAULT_BANDS]
    pct = [b.percent for b in band_counts(index)]
    assert pct == pytest.approx([300 / 11, 200 / 11, 200 / 11, 200 / 11, 200 / 11])


def test_band_counts_from_pairs_any_order_and_below_every_band():
    bands = [(60, "及格"), (90, "优")]
    res = band_counts([95, 90, 70, 10, 59.9], bands)
    assert [(b.key, b.label, b.count) for b in res] == [("优", "优", 2), ("及格", "及格", 1)]
    assert res[0].percent == pytest.approx(2 / 5 * 100)  # the two below 60 still count in n


# --------------------------------------------------------------------------- NPS


def test_nps_ten_answers_by_hand():
    answers = [10, 10, 9, 9, 9, 8, 7, 6, 3, 0]
    # promoters 10,10,9,9,9 = 5; passives 8,7 = 2; detractors 6,3,0 = 3.
    r = nps(answers)
    assert (r.n, r.promoters, r.passives, r.detractors) == (10, 5, 2, 3)
    assert r.nps == pytest.approx(50 - 30)
    var = (0.5 + 0.3 - (0.5 - 0.3) ** 2) / 10  # = 0.076
    assert r.se == pytest.approx(100 * math.sqrt(0.076))
    assert var == pytest.approx(0.076)
    assert r.low == pytest.approx(20 - Z975 * 100 * math.sqrt(0.076))
    assert r.high == pytest.approx(20 + Z975 * 100 * math.sqrt(0.076))
    assert (r.promoter_pct, r.passive_pct, r.detractor_pct) == pytest.approx((50, 20, 30))


def test_nps_equals_mean_of_plus_minus_one_coding():
    rng = np.random.default_rng(11)
    scores = rng.integers(0, 11, size=3000).astype(float)
    scores[:50] = np.nan
    coded = np.where(scores >= 9, 1.0, np.where(scores <= 6, -1.0, 0.0))[~np.isnan(scores)]
    r = nps(scores)
    assert r.nps == pytest.approx(100 * coded.mean())
    assert r.se == pytest.approx(100 * coded.std(ddof=0) / math.sqrt(coded.size))
    counts = np.bincount(scores[~np.isnan(scores)].astype(int), minlength=11)
    assert nps_from_counts(counts) == r


def test_nps_bootstrap_and_validation():
    r = nps_from_groups(40, 30, 30, method="bootstrap", n_boot=4000, seed=1)
    assert r.nps == 10
    assert r.low < 10 < r.high
    normal = nps_from_groups(40, 30, 30)
    assert r.low == pytest.approx(normal.low, abs=3) and r.high == pytest.approx(normal.high, abs=3)
    assert nps_from_groups(40, 30, 30, method="bootstrap", n_boot=4000, seed=1) == r
    with pytest.raises(ValueError):
        nps([11])
    with pytest.raises(ValueError):
        nps([7.5])
    with pytest.raises(ValueError):
        nps_from_counts([1, 2, 3])
    with pytest.raises(ValueError):
        nps_from_groups(1, 1, 1, method="magic")
    assert nps([]).n == 0


@settings(max_examples=80)
@given(st.integers(0, 200), st.integers(0, 200), st.integers(0, 200))
def test_nps_bounds(p, a, d):
    r = nps_from_groups(p, a, d)
    if p + a + d == 0:
        assert math.isnan(r.nps)
        return
    assert -100 <= r.nps <= 100
    assert -100 <= r.low <= r.nps <= r.high <= 100


# --------------------------------------------------------------------------- rates


def test_response_rates_caiguan_report():
    # 彩管 report: 共发放问卷45份,实际收回28份,反馈率为62%,有效率为100%.
    r = response_rates(45, 28, 28)
    assert r.response_rate.rate == pytest.approx(28 / 45)
    assert round(100 * r.response_rate.rate) == 62
    assert r.valid_rate.rate == 1.0
    lo, hi = proportion_confint(28, 45, alpha=0.05, method="wilson")
    assert (r.response_rate.low, r.response_rate.high) == (pytest.approx(lo), pytest.approx(hi))
    lo, hi = proportion_confint(28, 28, alpha=0.05, method="wilson")
    assert (r.valid_rate.low, r.valid_rate.high) == (pytest.approx(lo), pytest.approx(hi))
    assert r.valid_of_issued.rate == pytest.approx(28 / 45)
    with pytest.raises(ValueError):
        response_rates(10, 12, 5)


def test_wilson_interval_against_statsmodels():
    for count, n, conf in [(0, 10, 0.95), (3, 17, 0.9), (15, 15, 0.99), (500, 1000, 0.95)]:
        lo, hi = proportion_confint(count, n, alpha=1 - conf, method="wilson")
        assert wilson_interval(count, n, conf) == (pytest.approx(lo), pytest.approx(hi))
    assert all(math.isnan(x) for x in wilson_interval(0, 0))
    assert math.isnan(proportion(0, 0).rate)
    with pytest.raises(ValueError):
        proportion(5, 4)


# --------------------------------------------------------------------------- comparisons


def test_welch_t_against_scipy_and_statsmodels():
    rng = np.random.default_rng(5)
    a = rng.normal(80, 8, 60)
    b = rng.normal(76, 12, 45)
    r = compare_means(a, b, method="welch")
    ref = sps.ttest_ind(a, b, equal_var=False)
    assert r.method == "welch_t"
    assert r.statistic == pytest.approx(ref.statistic)
    assert r.p_value == pytest.approx(ref.pvalue)
    assert r.significant == (ref.pvalue < 0.05)
    assert r.difference == pytest.approx(a.mean() - b.mean())
    lo, hi = CompareMeans.from_data(a, b).tconfint_diff(alpha=0.05, usevar="unequal")
    assert (r.ci_low, r.ci_high) == (pytest.approx(lo), pytest.approx(hi))
    # Hedges' g by hand: pooled SD, then J = 1 − 3/(4·105 − 9).
    pooled = math.sqrt((59 * statistics.variance(a) + 44 * statistics.variance(b)) / 103)
    d = (statistics.mean(a) - statistics.mean(b)) / pooled
    assert cohens_d(a, b) == pytest.approx(d)
    assert r.effect_size == pytest.approx(d * (1 - 3 / (4 * 105 - 9)))
    assert r.effect_name == "hedges_g"
    assert hedges_g(a, b) == pytest.approx(r.effect_size)


def test_mann_whitney_against_scipy_and_pair_counting():
    a = [5, 4, 4, 3, 5, 2, 4, nan]
    b = [3, 2, 3, 1, 4, 2]
    r = compare_means(a, b, method="mannwhitney")
    x = [v for v in a if not math.isnan(v)]
    ref = sps.mannwhitneyu(x, b, alternative="two-sided")
    assert r.method == "mann_whitney_u"
    assert r.statistic == pytest.approx(ref.statistic)
    assert r.p_value == pytest.approx(ref.pvalue)
    # Rank-biserial r = (#pairs a > b − #pairs a < b) / (n1 n2), counted by brute force.
    wins = sum(1 for u in x for v in b if u > v)
    losses = sum(1 for u in x for v in b if u < v)
    assert r.effect_size == pytest.approx((wins - losses) / (len(x) * len(b)))
    assert r.effect_name == "rank_biserial"


def test_compare_means_auto_rule():
    rng = np.random.default_rng(2)
    small = compare_means(rng.normal(size=20), rng.normal(size=100))
    assert small.method == "mann_whitney_u"  # n < 30
    ordinal = compare_means(rng.integers(1, 6, 200), rng.integers(1, 6, 200))
    assert ordinal.method == "mann_whitney_u"  # 5 distinct values
    continuous = compare_means(rng.normal(70, 10, 200), rng.normal(72, 10, 200))
    assert continuous.method == "welch_t"
    with pytest.raises(ValueError):
        compare_means([1.0], [1.0, 2.0])
    with pytest.raises(ValueError):
        compare_means([1.0, 2.0], [1.0, 2.0], method="median")


def test_compare_proportions_z_against_statsmodels():
    r = compare_proportions(78, 100, 64, 100)
    z, p = proportions_ztest([78, 64], [100, 100])
    assert r.method == "two_proportion_z"
    assert r.statistic == pytest.approx(z)
    assert r.p_value == pytest.approx(p)
    assert r.significant == (p < 0.05)
    assert r.difference == pytest.approx(0.78 - 0.64)
    se = math.sqrt(0.78 * 0.22 / 100 + 0.64 * 0.36 / 100)
    assert (r.ci_low, r.ci_high) == (pytest.approx(0.14 - Z975 * se), pytest.approx(0.14 + Z975 * se))
    assert r.effect_size == pytest.approx(2 * math.asin(math.sqrt(0.78)) - 2 * math.asin(math.sqrt(0.64)))


def test_compare_proportions_chi2_against_scipy():
    table = np.array([[30, 20], [18, 32]])
    for correction in (True, False):
        r = compare_proportions(30, 50, 18, 50, method="chi2", correction=correction)
        ref = sps.chi2_contingency(table, correction=correction)
        assert r.statistic == pytest.approx(ref.statistic)
        assert r.p_value == pytest.approx(ref.pvalue)
        assert r.method == ("chi2_yates" if correction else "chi2")
    # Without correction the chi-square is the square of the pooled z.
    z = compare_proportions(30, 50, 18, 50).statistic
    assert compare_proportions(30, 50, 18, 50, method="chi2", correction=False).statistic == pytest.approx(
        z * z
    )
    assert compare_proportions(5, 5, 3, 3).p_value == 1.0  # no variance at all


def test_cohens_h_by_hand():
    # 2 asin √0.5 = π/2, 2 asin √0.25 = π/3.
    assert cohens_h(0.5, 0.25) == pytest.approx(math.pi / 2 - math.pi / 3)


def test_anova_against_scipy_with_eta_squared_by_hand():
    rng = np.random.default_rng(9)
    groups = {"华东": rng.normal(80, 10, 40), "华南": rng.normal(75, 10, 35), "西部": rng.normal(70, 10, 50)}
    values = np.concatenate(list(groups.values()))
    labels = np.concatenate([[k] * len(v) for k, v in groups.items()])
    r = compare_groups(values, labels, method="anova")
    ref = sps.f_oneway(*groups.values())
    assert r.statistic == pytest.approx(ref.statistic)
    assert r.p_value == pytest.approx(ref.pvalue)
    grand = statistics.mean(values)
    ss_between = sum(len(v) * (statistics.mean(v) - grand) ** 2 for v in groups.values())
    ss_total = sum((x - grand) ** 2 for x in values)
    assert r.effect_size == pytest.approx(ss_between / ss_total)
    assert r.df == 2
    assert compare_groups(values, labels).method == "anova"  # all n ≥ 30, continuous


def test_kruskal_against_scipy():
    a, b, c = [1, 2, 2, 3, 5], [3, 4, 4, 5, 5, 5], [2, 2, 1, 3]
    values = a + b + c + [nan]
    labels = ["a"] * 5 + ["b"] * 6 + ["c"] * 4 + ["a"]
    r = compare_groups(values, labels)
    ref = sps.kruskal(a, b, c)
    assert r.method == "kruskal"
    assert r.statistic == pytest.approx(ref.statistic)
    assert r.p_value == pytest.approx(ref.pvalue)
    assert r.effect_size == pytest.approx(ref.statistic / (15 - 1))  # ε² = H / (n − 1)
    with pytest.raises(ValueError):
        compare_groups([1, 2, 3], ["a", "a", None])


def test_crosstab_against_scipy_and_counter():
    rng = np.random.default_rng(4)
    region = rng.choice(["华东", "华南", "华北"], size=300).astype(object)
    grade = rng.choice(["很满意", "满意", "一般", "不满意"], size=300, p=[0.3, 0.4, 0.2, 0.1]).astype(object)
    region[:5] = None
    grade[5:8] = ""
    t = crosstab(region, grade)
    pairs = Counter((r, g) for r, g in zip(region, grade, strict=True) if r and g)
    assert t.rows == tuple(sorted({r for r, _ in pairs}))
    assert t.cols == tuple(sorted({g for _, g in pairs}))
    observed = np.array([[pairs[(r, g)] for g in t.cols] for r in t.rows])
    assert (t.observed == observed).all()
    ref = sps.chi2_contingency(observed)
    assert t.chi2 == pytest.approx(ref.statistic)
    assert t.p_value == pytest.approx(ref.pvalue)
    assert t.df == 6
    assert np.allclose(t.expected, ref.expected_freq)
    assert t.cramers_v == pytest.approx(association(observed, method="cramer"))
    assert t.low_expected == bool((ref.expected_freq < 5).any())
    assert t.test.method == "chi2" and t.test.df == 6
    assert math.isnan(t.fisher_p)


def test_crosstab_2x2_small_uses_fisher():
    a = ["男"] * 6 + ["女"] * 6
    b = ["是"] * 5 + ["否"] * 1 + ["是"] * 1 + ["否"] * 5
    t = crosstab(a, b)
    observed = np.array([[5, 1], [1, 5]])  # rows 女 < 男 sorted, cols 否 < 是
    assert (
        t.observed == np.array([[observed[1, 1], observed[1, 0]], [observed[0, 1], observed[0, 0]]])
    ).all()
    assert t.low_expected  # expected 3 per cell
    ref = sps.fisher_exact(t.observed)
    assert t.fisher_p == pytest.approx(ref.pvalue)
    assert t.test.method == "fisher_exact"
    assert t.test.p_value == pytest.approx(ref.pvalue)
    assert t.chi2 == pytest.approx(sps.chi2_contingency(t.observed, correction=True).statistic)
    assert t.cramers_v == pytest.approx(association(t.observed, method="cramer"))
    single = crosstab(["a", "a"], ["x", "y"])
    assert math.isnan(single.p_value) and not single.test.significant


# --------------------------------------------------------------------------- trends


def test_month_labels():
    dates = np.array(["2024-01-31", "2024-02-01T09:30", "2023-12-15"], dtype="datetime64")
    assert month_labels(dates).tolist() == ["2024-01", "2024-02", "2023-12"]
    assert month_labels(["2024-03-05", None, "2024-11-30T23:59:59"]).tolist() == ["2024-03", "", "2024-11"]


def test_by_period_against_per_group_computation():
    values = [80, 90, 70, nan, 60, 65, 100, 75]
    periods = ["2024-01", "2024-01", "2024-01", "2024-01", "2023-12", "2023-12", "2024-02", ""]
    res = by_period(values, periods)
    assert [g.label for g in res] == ["2023-12", "2024-01", "2024-02"]
    dec, jan, feb = res
    assert (jan.n, jan.mean, jan.sd) == (3, pytest.approx(80), pytest.approx(statistics.stdev([80, 90, 70])))
    lo, hi = sps.t.interval(0.95, 2, loc=80, scale=statistics.stdev([80, 90, 70]) / math.sqrt(3))
    assert (jan.low, jan.high) == (pytest.approx(lo), pytest.approx(hi))
    assert (dec.n, dec.mean) == (2, pytest.approx(62.5))
    assert feb.n == 1 and math.isnan(feb.low)
    ordered = by_period(values, periods, order=["2024-02", "2024-03", "2023-12"])
    assert [(g.label, g.n) for g in ordered] == [("2024-02", 1), ("2024-03", 0), ("2023-12", 2)]


def test_by_period_with_dates_and_waves():
    dates = np.array(["2024-01-03", "2024-01-20", "2024-02-02"], dtype="datetime64[D]")
    res = by_period([70, 80, 90], month_labels(dates))
    assert [(g.label, g.n, g.mean) for g in res] == [("2024-01", 2, 75), ("2024-02", 1, 90)]
    waves = by_period([1, 2, 3, 4], [2, 1, 2, 1])
    assert [(g.label, g.mean) for g in waves] == [(1, 3), (2, 2)]


def test_period_change_is_current_minus_base():
    rng = np.random.default_rng(8)
    last = rng.normal(75, 10, 80)
    this = rng.normal(79, 10, 90)
    values = np.concatenate([last, this])
    periods = np.array(["2023"] * 80 + ["2024"] * 90)
    r = period_change(values, periods, "2023", "2024", method="welch")
    assert r.difference == pytest.approx(this.mean() - last.mean())
    assert r.p_value == pytest.approx(sps.ttest_ind(this, last, equal_var=False).pvalue)


@given(
    st.lists(st.integers(-5, 5) | st.integers(-(2**40), 2**40), min_size=1, max_size=60),
    st.sampled_from([np.int8, np.int32, np.int64, np.uint16]),
)
@settings(max_examples=150, deadline=None)
def test_integer_periods_are_grouped_as_by_sorting(labels, dtype):
    """Integer labels (months as yyyymm, category codes) are grouped by counting when their
    range is small: the groups, their order and each value's group are those of np.unique."""
    from manyi.analytics.stats import _group_codes

    info = np.iinfo(dtype)
    array = np.array([x for x in labels if info.min <= x <= info.max] or [0], dtype=dtype)
    uniq, codes = _group_codes(array)
    expected_uniq, expected_codes = np.unique(array, return_inverse=True)
    assert uniq.tolist() == expected_uniq.tolist() and uniq.dtype == expected_uniq.dtype
    assert codes.tolist() == expected_codes.tolist()


def test_by_period_on_yyyymm_integers_against_per_group_computation():
    rng = np.random.default_rng(5)
    months = rng.choice([202511, 202512, 202601, 202602], 400)
    values = rng.normal(75, 10, 400)
    values[::17] = nan
    res = by_period(values, months)
    assert [g.label for g in res] == [202511, 202512, 202601, 202602]
    for g in res:
        own = values[(months == g.label) & ~np.isnan(values)]
        assert (g.n, g.mean, g.sd) == (own.size, pytest.approx(own.mean()), pytest.approx(own.std(ddof=1)))


# --------------------------------------------------------------------------- segments


def test_segment_comparison_against_independent_tests():
    rng = np.random.default_rng(12)
    seg = {"华东": rng.normal(82, 8, 60), "华南": rng.normal(75, 8, 50), "西部": rng.normal(78, 8, 40)}
    values = np.concatenate(list(seg.values()) + [np.array([nan])])
    labels = np.concatenate([[k] * len(v) for k, v in seg.items()] + [np.array(["华东"])])
    rep = segment_comparison(values, labels, method="welch")
    allv = np.concatenate(list(seg.values()))
    assert rep.overall.n == 150 and rep.overall.mean == pytest.approx(allv.mean())
    assert [s.label for s in rep.segments] == sorted(seg, key=lambda k: -seg[k].mean())
    for s in rep.segments:
        own = seg[s.label]
        rest = np.concatenate([v for k, v in seg.items() if k != s.label])
        assert s.n == own.size and s.mean == pytest.approx(own.mean())
        assert s.sd == pytest.approx(own.std(ddof=1))
        lo, hi = sps.t.interval(0.95, own.size - 1, loc=own.mean(), scale=sps.sem(own))
        assert (s.low, s.high) == (pytest.approx(lo), pytest.approx(hi))
        assert s.difference == pytest.approx(own.mean() - allv.mean())
        ref = sps.ttest_ind(own, rest, equal_var=False)
        assert s.test.p_value == pytest.approx(ref.pvalue)
        assert s.significant == (ref.pvalue < 0.05)
    by_n = segment_comparison(values, labels, sort="n")
    assert [s.label for s in by_n.segments] == ["华东", "华南", "西部"]
    lone = segment_comparison([1, 2, 3], ["a", "a", "b"])
    assert next(s for s in lone.segments if s.label == "b").test is None
    with pytest.raises(ValueError):
        segment_comparison([1, 2], ["a", "b"], sort="size")


def test_segment_comparison_auto_picks_the_test_of_compare_means_for_each_segment():
    """A segment against the rest: Welch's t from the segments' moments (no copy of a million
    values) when both sides are large and the index is continuous, Mann-Whitney when a side is
    small or the values are ordinal — each checked against scipy on the raw values."""
    rng = np.random.default_rng(31)
    seg = {"华东": rng.normal(82, 8, 300), "华南": rng.normal(75, 12, 200), "西部": rng.normal(78, 8, 12)}
    values = np.concatenate(list(seg.values()))
    labels = np.concatenate([[k] * len(v) for k, v in seg.items()])
    rep = segment_comparison(values, labels)
    for s in rep.segments:
        own = seg[s.label]
        rest = np.concatenate([v for k, v in seg.items() if k != s.label])
        if s.label == "西部":  # 12 values: too few for a t-test
            ref = sps.mannwhitneyu(own, rest, alternative="two-sided")
            assert s.test.method == "mann_whitney_u"
            assert s.test.statistic == pytest.approx(ref.statistic)
        else:
            ref = sps.ttest_ind(own, rest, equal_var=False)
            assert s.test.method == "welch_t"
            assert s.test.statistic == pytest.approx(ref.statistic, rel=1e-9)
            pooled = ((own.size - 1) * own.var(ddof=1) + (rest.size - 1) * rest.var(ddof=1)) / (
                own.size + rest.size - 2
            )
            g = (own.mean() - rest.mean()) / math.sqrt(pooled) * (1 - 3 / (4 * (own.size + rest.size) - 9))
            assert s.test.effect_size == pytest.approx(g, rel=1e-9)
            assert s.test.df == pytest.approx(ref.df, rel=1e-9)
        assert s.test.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    ordinal = rng.integers(1, 6, 600).astype(float)
    groups = rng.choice(["a", "b"], 600)
    for s in segment_comparison(ordinal, groups).segments:
        ref = sps.mannwhitneyu(
            ordinal[groups == s.label], ordinal[groups != s.label], alternative="two-sided"
        )
        assert s.test.method == "mann_whitney_u" and s.test.p_value == pytest.approx(ref.pvalue)


def test_competitor_comparison():
    rng = np.random.default_rng(13)
    ours = rng.normal(80, 8, 50)
    rivals = {"对手A": rng.normal(85, 8, 50), "对手B": rng.normal(70, 8, 45)}
    base, rows = competitor_comparison(ours, rivals, method="welch")
    assert base.mean == pytest.approx(ours.mean())
    assert [r.name for r in rows] == ["对手A", "对手B"]
    for r in rows:
        theirs = rivals[r.name]
        assert r.summary.mean == pytest.approx(theirs.mean())
        assert r.test.difference == pytest.approx(ours.mean() - theirs.mean())
        assert r.test.p_value == pytest.approx(sps.ttest_ind(ours, theirs, equal_var=False).pvalue)


def test_paired_t_by_hand():
    # Five respondents rate us and the competitor on the same item (0-100).
    ours = [80, 75, 90, 60, 70]
    theirs = [70, 75, 80, 65, 60]
    d = [10, 0, 10, -5, 10]  # mean 5, sd = sqrt(((5²)+(5²)+(5²)+(10²)+(5²))/4) = sqrt(50)
    result = compare_paired(ours, theirs, method="t")
    sd = math.sqrt(50)
    assert result.method == "paired_t" and result.df == 4
    assert result.difference == pytest.approx(5.0)
    assert result.statistic == pytest.approx(5 / (sd / math.sqrt(5)))
    assert result.effect_size == pytest.approx(5 / sd)
    half = sps.t.ppf(0.975, 4) * sd / math.sqrt(5)
    assert (result.ci_low, result.ci_high) == pytest.approx((5 - half, 5 + half))
    assert result.p_value == pytest.approx(sps.ttest_rel(ours, theirs).pvalue)
    assert sum(d) / 5 == result.difference


def test_wilcoxon_signed_rank_with_rank_biserial_by_hand():
    ours = [5, 4, 4, 3, 5, 4, 2, 5, nan]
    theirs = [3, 4, 3, 4, 3, 2, 2, 4, 5]  # the last pair is incomplete: dropped
    # differences 2, 0, 1, -1, 2, 2, 0, 1 → zeros dropped: 2, 1, -1, 2, 2, 1
    # |d| ranks: the three 1s share ranks 1-3 → 2; the three 2s share 4-6 → 5
    # R+ = 5 + 2 + 5 + 5 + 2 = 19, R− = 2 → r = (19 − 2) / 21
    result = compare_paired(ours, theirs)
    assert result.method == "wilcoxon"
    assert result.effect_size == pytest.approx(17 / 21)
    assert result.difference == pytest.approx(7 / 8)
    expected = sps.wilcoxon([5, 4, 4, 3, 5, 4, 2, 5], [3, 4, 3, 4, 3, 2, 2, 4])
    assert result.p_value == pytest.approx(expected.pvalue)
    assert result.statistic == pytest.approx(expected.statistic)


def test_paired_comparison_refuses_unpaired_input():
    with pytest.raises(ValueError):
        compare_paired([1, 2, 3], [1, 2])
    with pytest.raises(ValueError):
        compare_paired([1, nan], [2, 3])
    same = compare_paired([3, 4, 5], [3, 4, 5])
    assert same.p_value == 1.0 and not same.significant


def test_item_summary_is_frozen():
    s = summarize_item([10], FIVE_LEVEL)
    assert isinstance(s, ItemSummary)
    with pytest.raises(AttributeError):
        s.n = 3
