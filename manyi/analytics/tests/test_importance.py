"""Importance tests. References: the published rwa (R) example on mtcars (Johnson's relative
weights), statsmodels OLS on standardised data, brute force over all orderings for Shapley,
Johnson's construction redone from the data's SVD, and hand-worked quadrants."""

import math
from itertools import permutations

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from manyi.analytics.importance import (
    QUADRANT_NAMES_ZH,
    QUADRANTS,
    correlations,
    derived_importance,
    key_drivers,
    quadrants,
    relative_weights,
    shapley_r2,
    stated_importance,
    subset_r2_table,
)

# R's mtcars (Motor Trend 1974): mpg, cyl, disp, hp, gear for the 32 cars.
MTCARS = np.array(
    [
        [21.0, 6, 160.0, 110, 4],
        [21.0, 6, 160.0, 110, 4],
        [22.8, 4, 108.0, 93, 4],
        [21.4, 6, 258.0, 110, 3],
        [18.7, 8, 360.0, 175, 3],
        [18.1, 6, 225.0, 105, 3],
        [14.3, 8, 360.0, 245, 3],
        [24.4, 4, 146.7, 62, 4],
        [22.8, 4, 140.8, 95, 4],
        [19.2, 6, 167.6, 123, 4],
        [17.8, 6, 167.6, 123, 4],
        [16.4, 8, 275.8, 180, 3],
        [17.3, 8, 275.8, 180, 3],
        [15.2, 8, 275.8, 180, 3],
        [10.4, 8, 472.0, 205, 3],
        [10.4, 8, 460.0, 215, 3],
        [14.7, 8, 440.0, 230, 3],
        [32.4, 4, 78.7, 66, 4],
        [30.4, 4, 75.7, 52, 4],
        [33.9, 4, 71.1, 65, 4],
        [21.5, 4, 120.1, 97, 3],
        [15.5, 8, 318.0, 150, 3],
        [15.2, 8, 304.0, 150, 3],
        [13.3, 8, 350.0, 245, 3],
        [19.2, 8, 400.0, 175, 3],
        [27.3, 4, 79.0, 66, 4],
        [26.0, 4, 120.3, 91, 5],
        [30.4, 4, 95.1, 113, 5],
        [15.8, 8, 351.0, 264, 5],
        [19.7, 6, 145.0, 175, 5],
        [15.0, 8, 301.0, 335, 5],
        [21.4, 4, 121.0, 109, 4],
    ]
)


def zscore(a):
    return (a - a.mean(axis=0)) / a.std(axis=0, ddof=1)


def ols_r2(x, y, cols):
    """R² of y on the columns cols of x (with intercept), straight from the data."""
    if not cols:
        return 0.0
    return float(sm.OLS(y, sm.add_constant(x[:, list(cols)])).fit().rsquared)


def brute_force_shapley(x, y):
    """Average marginal R² over all k! orders, each subset's R² fitted by statsmodels."""
    k = x.shape[1]
    cache = {}

    def r2(cols):
        key = frozenset(cols)
        if key not in cache:
            cache[key] = ols_r2(x, y, sorted(key))
        return cache[key]

    total = np.zeros(k)
    orders = list(permutations(range(k)))
    for order in orders:
        for pos, j in enumerate(order):
            total[j] += r2(order[: pos + 1]) - r2(order[:pos])
    return total / len(orders)


def johnson_from_svd(x, y):
    """Johnson (2000) as published: X = P Δ Q' (standardised data), Z = P Q' rescaled to sd 1
    (the orthogonal counterpart of X closest to it), regress y on Z (β) and X on Z (Λ), ε_j = Σ_k Λ_kj² β_k²."""
    zx, zy = zscore(x), zscore(y[:, None])[:, 0]
    p, _, qt = np.linalg.svd(zx, full_matrices=False)
    z = p @ qt * math.sqrt(len(y) - 1)  # standardised like X: sd 1
    beta = np.linalg.lstsq(z, zy, rcond=None)[0]
    lam = np.linalg.lstsq(z, zx, rcond=None)[0]  # lam[k, j]: X_j on Z_k
    return (lam**2 * (beta**2)[:, None]).sum(axis=0)


def correlated_data(n=400, k=5, seed=0):
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(n, 1))
    x = common * rng.uniform(0.3, 1.0, k) + rng.normal(size=(n, k))
    y = x @ rng.uniform(0.1, 1.0, k) + rng.normal(size=n) * 1.5
    return x, y


# --------------------------------------------------------------------------- published


def test_relative_weights_reproduce_published_mtcars_example():
    # rwa (R) README: rwa(mtcars, outcome = "mpg", predictors = c("cyl","disp","hp","gear"))
    # → rsquare 0.7791896; Raw.RelWeight cyl 0.2284797, disp 0.2221469, hp 0.2321744,
    # gear 0.0963886.
    d = derived_importance(MTCARS[:, 1:], MTCARS[:, 0])
    assert d.r2 == pytest.approx(0.7791896, abs=5e-8)
    assert d.relative_weights == pytest.approx([0.2284797, 0.2221469, 0.2321744, 0.0963886], abs=5e-8)
    # Rescaled.RelWeight (% of R²): 29.32274, 28.50999, 29.79691, 12.37037.
    assert d.percent_of_r2() == pytest.approx([29.32274, 28.50999, 29.79691, 12.37037], abs=5e-6)
    assert d.n == 32


def test_betas_and_r2_against_statsmodels_ols_on_z_scores():
    x, y = correlated_data()
    d = derived_importance(x, y)
    fit = sm.OLS(zscore(y[:, None])[:, 0], zscore(x)).fit()
    assert d.betas == pytest.approx(fit.params, rel=1e-9)
    assert d.r2 == pytest.approx(fit.rsquared, rel=1e-9)
    assert d.correlations == pytest.approx([sps.pearsonr(x[:, j], y).statistic for j in range(x.shape[1])])
    assert d.condition_number == pytest.approx(np.linalg.cond(np.corrcoef(x.T)))


def test_relative_weights_match_johnsons_svd_construction():
    for seed in range(3):
        x, y = correlated_data(seed=seed)
        d = derived_importance(x, y)
        assert d.relative_weights == pytest.approx(johnson_from_svd(x, y), rel=1e-9, abs=1e-12)
    assert derived_importance(MTCARS[:, 1:], MTCARS[:, 0]).relative_weights == pytest.approx(
        johnson_from_svd(MTCARS[:, 1:], MTCARS[:, 0]), rel=1e-9
    )


def test_shapley_matches_brute_force_over_all_orderings():
    for x, y in [correlated_data(n=150, k=4, seed=1), (MTCARS[:, 1:], MTCARS[:, 0])]:
        d = derived_importance(x, y)
        assert d.shapley_method == "exact"
        assert d.shapley == pytest.approx(brute_force_shapley(x, y), rel=1e-8, abs=1e-12)


def test_subset_r2_table_against_ols_per_subset():
    x, y = correlated_data(n=120, k=4, seed=3)
    rxx, rxy, _ = correlations(x, y)
    table = subset_r2_table(rxx, rxy)
    for mask in range(16):
        cols = [j for j in range(4) if mask >> j & 1]
        assert table[mask] == pytest.approx(ols_r2(x, y, cols), rel=1e-9, abs=1e-12)


# --------------------------------------------------------------------------- properties


def test_both_decompositions_sum_to_r2():
    for seed in range(4):
        x, y = correlated_data(k=6, seed=seed)
        d = derived_importance(x, y)
        assert d.relative_weights.sum() == pytest.approx(d.r2, rel=1e-10)
        assert d.shapley.sum() == pytest.approx(d.r2, rel=1e-10)
        assert d.percent_of_r2("shapley").sum() == pytest.approx(100)
        assert (d.relative_weights >= 0).all() and (d.shapley >= -1e-12).all()


def test_uncorrelated_items_give_squared_correlations_everywhere():
    # Exactly orthogonal, centred columns: every measure collapses to r² (and beta to r).
    rng = np.random.default_rng(6)
    a = rng.normal(size=(200, 4))
    x, _ = np.linalg.qr(a - a.mean(axis=0))  # columns: combinations of centred columns → centred
    assert np.allclose(np.corrcoef(x.T), np.eye(4), atol=1e-9)
    y = x @ np.array([3.0, 2.0, 1.0, 0.5]) + rng.normal(size=200) * 0.02
    d = derived_importance(x, y)
    r = np.array([sps.pearsonr(x[:, j], y).statistic for j in range(4)])
    assert d.relative_weights == pytest.approx(r**2, abs=1e-8)
    assert d.shapley == pytest.approx(r**2, abs=1e-8)
    assert d.betas == pytest.approx(r, abs=1e-8)


def test_order_invariance():
    x, y = correlated_data(k=5, seed=9)
    d = derived_importance(x, y)
    perm = [3, 0, 4, 1, 2]
    p = derived_importance(x[:, perm], y)
    for field in ("correlations", "betas", "relative_weights", "shapley"):
        assert getattr(p, field) == pytest.approx(getattr(d, field)[perm], rel=1e-9, abs=1e-12)


def test_monte_carlo_shapley_approximates_exact_and_sums_to_r2():
    x, y = correlated_data(k=6, seed=4)
    rxx, rxy, _ = correlations(x, y)
    exact, how = shapley_r2(rxx, rxy)
    assert how == "exact"
    approx, how = shapley_r2(rxx, rxy, exact_max=0, permutations=4000, seed=1)
    assert how == "monte_carlo"
    r2 = float(np.linalg.solve(rxx, rxy) @ rxy)
    assert approx.sum() == pytest.approx(r2, rel=1e-10)
    assert approx == pytest.approx(exact, abs=0.01 * r2)
    again, _ = shapley_r2(rxx, rxy, exact_max=0, permutations=4000, seed=1)
    assert (again == approx).all()  # seeded


def test_many_items_use_monte_carlo():
    x, y = correlated_data(n=300, k=17, seed=2)
    d = derived_importance(x, y, permutations=200)
    assert d.shapley_method == "monte_carlo"
    assert d.shapley.sum() == pytest.approx(d.r2, rel=1e-9)


def test_collinear_and_constant_items_are_handled():
    x, y = correlated_data(k=3, seed=5)
    dup = np.column_stack([x, x[:, 0]])  # item 4 = item 1
    d = derived_importance(dup, y)
    base = derived_importance(x, y)
    assert d.condition_number > 1e10
    assert d.r2 == pytest.approx(base.r2, rel=1e-8)
    assert d.relative_weights.sum() == pytest.approx(d.r2, rel=1e-8)
    assert d.shapley.sum() == pytest.approx(d.r2, rel=1e-8)
    assert d.shapley[0] == pytest.approx(d.shapley[3], rel=1e-8)  # twins share equally
    assert d.relative_weights[0] == pytest.approx(d.relative_weights[3], rel=1e-8)
    assert d.betas[0] == pytest.approx(d.betas[3], rel=1e-8)  # minimum-norm split
    flat = np.column_stack([x, np.full(len(y), 4.0)])
    f = derived_importance(flat, y)
    assert f.correlations[3] == 0 and f.relative_weights[3] == pytest.approx(0, abs=1e-12)
    assert f.shapley[3] == pytest.approx(0, abs=1e-12)
    assert f.r2 == pytest.approx(base.r2, rel=1e-9)


def test_missing_values_drop_the_whole_response():
    x, y = correlated_data(k=3, seed=7)
    xm, ym = x.copy(), y.copy()
    xm[[1, 5], [0, 2]] = np.nan
    ym[9] = np.nan
    keep = np.ones(len(y), dtype=bool)
    keep[[1, 5, 9]] = False
    d = derived_importance(xm, ym)
    ref = derived_importance(x[keep], y[keep])
    assert d.n == keep.sum()
    assert d.shapley == pytest.approx(ref.shapley)
    with pytest.raises(ValueError):
        derived_importance(x[:2], y[:2])
    with pytest.raises(ValueError):
        derived_importance(x, y[:-1])


def test_relative_weights_function_on_a_correlation_matrix_by_hand():
    # Two uncorrelated items: weights are r².
    assert relative_weights(np.eye(2), np.array([0.6, 0.3])) == pytest.approx([0.36, 0.09])


# --------------------------------------------------------------------------- stated


def test_stated_importance_is_column_mean():
    m = np.array([[5, 4, np.nan], [3, 4, np.nan], [4, np.nan, np.nan]])
    out = stated_importance(m)
    assert out[0] == pytest.approx((5 + 3 + 4) / 3)
    assert out[1] == pytest.approx(4)
    assert math.isnan(out[2])


# --------------------------------------------------------------------------- quadrants


def test_quadrants_by_hand_with_mean_lines():
    # Seed 001 courier example shape: importance means 4.0, performance means 3.5.
    imp = [4.5, 4.6, 3.4, 3.5]
    perf = [3.0, 4.0, 3.2, 3.8]
    q = quadrants(imp, perf)
    assert q.importance_line == pytest.approx((4.5 + 4.6 + 3.4 + 3.5) / 4)
    assert q.performance_line == pytest.approx((3.0 + 4.0 + 3.2 + 3.8) / 4)
    assert q.keys == ("improve", "keep", "secondary", "bonus")
    assert [QUADRANT_NAMES_ZH[k] for k in q.keys] == ["急需改进", "继续保持", "次要", "锦上添花"]


def test_points_on_a_line_count_as_high():
    q = quadrants([4, 4, 3, 5], [3.5, 2, 3.5, 3], importance_line=4, performance_line=3.5)
    assert q.keys == ("keep", "improve", "bonus", "improve")
    q = quadrants([1, 2, np.nan], [1, 2, 3])
    assert q.keys[2] is None
    assert q.importance_line == 1.5  # NaN item left out of the means


@settings(max_examples=80)
@given(
    st.lists(st.tuples(st.floats(0, 100), st.floats(0, 100)), min_size=1, max_size=12),
    st.one_of(st.none(), st.floats(0, 100)),
    st.one_of(st.none(), st.floats(0, 100)),
)
def test_quadrants_consistent_with_lines(points, i_line, p_line):
    imp = [p[0] for p in points]
    perf = [p[1] for p in points]
    q = quadrants(imp, perf, importance_line=i_line, performance_line=p_line)
    for i, p, key in zip(imp, perf, q.keys, strict=True):
        assert key in QUADRANTS
        assert (key in ("improve", "keep")) == (i >= q.importance_line)
        assert (key in ("keep", "bonus")) == (p >= q.performance_line)


# --------------------------------------------------------------------------- key drivers


def test_key_drivers_ranking_rule():
    items = ["交货", "价格", "质量", "服务", "外观", "包装"]
    imp = [0.30, 0.10, 0.25, 0.05, 0.20, 0.10]  # mean 1/6
    perf = [70, 90, 60, 50, 85, 80]  # mean 72.5
    drivers = key_drivers(items, imp, perf)
    # improve (imp ≥ 1/6, perf < 72.5): 交货 (0.30), 质量 (0.25) → by importance: 交货, 质量
    # keep (imp ≥ 1/6, perf ≥ 72.5): 外观
    # secondary (imp < 1/6, perf < 72.5): 服务
    # bonus: 价格 (0.10, 90) and 包装 (0.10, 80): equal importance → lower performance first.
    assert [d.item for d in drivers] == ["交货", "质量", "外观", "服务", "包装", "价格"]
    assert [d.quadrant for d in drivers] == ["improve", "improve", "keep", "secondary", "bonus", "bonus"]
    assert [d.priority for d in drivers] == [1, 2, 3, 4, 5, 6]
    first = drivers[0]
    assert first.importance_rank == 1
    assert first.performance_gap == pytest.approx(70 - 72.5)
    assert {d.item: d.importance_rank for d in drivers}["外观"] == 3
    with pytest.raises(ValueError):
        key_drivers(items[:2], imp, perf)


def test_key_drivers_put_items_without_data_last():
    drivers = key_drivers(["a", "b", "c"], [0.5, np.nan, 0.1], [60, 80, 90])
    assert [d.item for d in drivers][-1] == "b"
    assert drivers[-1].quadrant is None


def test_an_important_item_whose_interval_reaches_the_line_is_undecided_not_urgent():
    """Quadrants: below the performance line and important is 急需改进 only when the item's 95%
    interval stays below the line; one that reaches it (0.1 point below the mean, well inside
    its interval) is 待定. Without intervals the quadrants are as before."""
    from manyi.analytics.importance import key_drivers, quadrants

    importance = [0.8, 0.8, 0.2, 0.2]
    performance = [60.0, 74.9, 70.0, 90.0]  # the analyst's line at 75
    high = [66.0, 79.0, 75.0, 95.0]
    assert quadrants(importance, performance, performance_line=75).keys == (
        "improve",
        "improve",
        "secondary",
        "bonus",
    )
    q = quadrants(importance, performance, performance_line=75, performance_high=high)
    assert q.keys == ("improve", "undecided", "secondary", "bonus")
    assert (
        quadrants(importance, performance, performance_line=75, performance_high=[float("nan")] * 4).keys[0]
        == "undecided"
    )
    drivers = key_drivers(
        ["A", "B", "C", "D"], importance, performance, performance_line=75, performance_high=high
    )
    assert [d.item for d in drivers][:2] == ["A", "B"]  # urgent first, then undecided
    assert [d.quadrant for d in drivers][:2] == ["improve", "undecided"]
