"""Importance-performance analysis and key drivers.

Pure functions over numpy arrays; no Django. Seed 001 (CSR, 因素重要性推导模型): importance is
either stated by the customers (a paired "how important is …" answer per item) or derived
from the data by relating each item's score to the overall score (correlation / regression);
crossing importance with performance (the item's satisfaction) sorts the items into four
quadrants:

====================  ==============  =====================================================
key                   seed 001 name   meaning
====================  ==============  =====================================================
``"improve"``         急需改进        important to customers, low satisfaction
``"keep"``            继续保持        important, high satisfaction
``"secondary"``       次要            unimportant, low satisfaction ("不占优先地位")
``"bonus"``           锦上添花        unimportant, high satisfaction
``"undecided"``       待定            important, below the line, but the item's confidence
                                      interval reaches the line: the sample does not show
                                      that it is low (not called urgent on noise)
====================  ==============  =====================================================

Keys, not display text, are returned; the UI translates.

Derived importance (all from the correlation matrix of the complete cases, i.e. rows where
every item and the overall score are present — listwise deletion):

- ``correlations``: Pearson r of each item with the overall score.
- ``betas``: standardised OLS coefficients (regression of z(overall) on z(items)), solved by
  least squares on the predictor correlation matrix so perfectly collinear items give the
  minimum-norm solution instead of an error; ``condition_number`` of that matrix tells how
  far to trust individual betas (above ~30 they are unstable; relative weights and Shapley
  shares stay meaningful).
- ``relative_weights``: Johnson (2000), "A heuristic method for estimating the relative
  weight of predictor variables in multiple regression", Multivariate Behavioral Research
  35:1-19. With R_xx = V Λ V', Λ* = V Λ^½ V' (the correlations between the items and their
  closest orthogonal counterparts Z), β* = Λ*⁻¹ r_xy (regression of y on Z), the weight of
  item j is ε_j = Σ_k Λ*_jk² β*_k². The weights sum to the full-model R².
- ``shapley``: the Shapley value decomposition of R² (Lindeman, Merenda & Gold 1980 "LMG";
  Lipovetsky & Conklin 2001): item j gets the average, over all orders of entering the items,
  of the R² it adds when it enters. Exact for k ≤ ``EXACT_SHAPLEY_MAX`` (15) items: R² of all
  2^k subsets is computed from the correlation matrix (batched by subset size with
  np.linalg.pinv on the submatrices, stored in an array indexed by bitmask), then
  φ_j = Σ_{S ∌ j} |S|! (k − |S| − 1)! / k! · (R²(S ∪ {j}) − R²(S)). Above 15 items a seeded
  Monte-Carlo estimate averages the marginal contributions over random orders (each order
  used together with its reverse, to cut variance); every order's contributions sum to R²,
  so the estimate sums to R² exactly as well.

Quadrant lines split at the mean of the plotted values by default; a point exactly on a
line counts as high (importance ≥ line → important, performance ≥ line → high).

Key drivers ranking (:func:`key_drivers`): quadrant first in the order improve, undecided,
keep, secondary, bonus (what to fix, what to defend, then the rest), then importance descending,
then performance ascending (the bigger the shortfall, the earlier), then the item key.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

EXACT_SHAPLEY_MAX = 15
QUADRANTS = ("improve", "undecided", "keep", "secondary", "bonus")
QUADRANT_NAMES_ZH = {
    "improve": "急需改进",
    "undecided": "待定",
    "keep": "继续保持",
    "secondary": "次要",
    "bonus": "锦上添花",
}
_PINV_RTOL = 1e-12


# --------------------------------------------------------------------------- stated


def stated_importance(matrix) -> np.ndarray:
    """Mean of the paired importance answers per item (columns; NaN = missing). NaN for an
    item nobody rated."""
    m = np.asarray(matrix, dtype=np.float64)
    if m.ndim != 2:
        raise ValueError(f"Expected a 2-D matrix, got shape {m.shape}.")
    n = np.count_nonzero(~np.isnan(m), axis=0)
    s = np.nansum(m, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, s / np.maximum(n, 1), np.nan)


# --------------------------------------------------------------------------- correlation


def correlations(items, overall) -> tuple[np.ndarray, np.ndarray, int]:
    """(R_xx, r_xy, n): correlation matrix of the items and their correlations with the
    overall score over the complete cases. A constant column correlates 0 with everything
    (its diagonal entry is 0 too), so it gets zero importance instead of NaN."""
    x = np.asarray(items, dtype=np.float64)
    y = np.asarray(overall, dtype=np.float64).ravel()
    if x.ndim != 2 or x.shape[0] != y.shape[0]:
        raise ValueError(f"Expected items (n, k) and overall (n,), got {x.shape} and {y.shape}.")
    keep = ~np.isnan(x).any(axis=1) & ~np.isnan(y)
    x, y = x[keep], y[keep]
    n = int(x.shape[0])
    if n < 3:
        raise ValueError(f"Need at least 3 complete responses, got {n}.")
    data = np.column_stack([y, x])
    data = data - data.mean(axis=0)
    sd = np.sqrt((data**2).sum(axis=0))
    z = np.divide(data, sd, out=np.zeros_like(data), where=sd > 0)
    r = z.T @ z
    r = (r + r.T) / 2
    return r[1:, 1:], r[1:, 0], n


def standardized_betas(rxx: np.ndarray, rxy: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(betas, R², condition number) of the standardised regression, by least squares on
    R_xx (minimum-norm under exact collinearity)."""
    beta = np.linalg.lstsq(rxx, rxy, rcond=None)[0]
    cond = float(np.linalg.cond(rxx)) if rxx.size else math.nan
    return beta, float(beta @ rxy), cond


def relative_weights(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    """Johnson's (2000) raw relative weights ε_j (sum = R²); see the module docstring."""
    evals, evecs = np.linalg.eigh(rxx)
    lam = (evecs * np.sqrt(np.clip(evals, 0.0, None))) @ evecs.T  # Λ* = V Λ^½ V'
    beta_z = np.linalg.pinv(lam, rtol=_PINV_RTOL, hermitian=True) @ rxy
    return (lam**2) @ (beta_z**2)


def _subset_r2(rxx: np.ndarray, rxy: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """R² of many subsets of equal size at once; idx: (m, s) item positions."""
    sub = rxx[idx[:, :, None], idx[:, None, :]]
    r = rxy[idx]
    coef = np.einsum("mij,mj->mi", np.linalg.pinv(sub, rtol=_PINV_RTOL, hermitian=True), r)
    return np.einsum("mi,mi->m", coef, r)


def subset_r2_table(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    """R² of every subset of the k items, indexed by bitmask (bit j = item j); entry 0 = 0."""
    k = rxy.size
    table = np.zeros(1 << k)
    for size in range(1, k + 1):
        idx = np.asarray(list(combinations(range(k), size)), dtype=np.int64)
        masks = (1 << idx).sum(axis=1)
        table[masks] = _subset_r2(rxx, rxy, idx)
    return table


def shapley_r2(
    rxx: np.ndarray,
    rxy: np.ndarray,
    *,
    exact_max: int = EXACT_SHAPLEY_MAX,
    permutations: int = 2000,
    seed: int = 0,
) -> tuple[np.ndarray, str]:
    """(Shapley shares of R², "exact" | "monte_carlo"); see the module docstring."""
    k = rxy.size
    if k == 0:
        return np.zeros(0), "exact"
    if k <= exact_max:
        table = subset_r2_table(rxx, rxy)
        masks = np.arange(1 << k, dtype=np.int64)
        sizes = np.bitwise_count(masks).astype(np.int64)
        fact = np.array([math.factorial(i) for i in range(k + 1)], dtype=np.float64)
        weight = fact[sizes] * fact[np.clip(k - sizes - 1, 0, None)] / fact[k]
        out = np.empty(k)
        for j in range(k):
            bit = 1 << j
            without = masks[(masks & bit) == 0]
            out[j] = np.sum(weight[without] * (table[without | bit] - table[without]))
        return out, "exact"
    rng = np.random.default_rng(seed)
    half = max(1, permutations // 2)
    perms = np.argsort(rng.random((half, k)), axis=1)
    perms = np.concatenate([perms, perms[:, ::-1]])
    total = np.zeros(k)
    previous = np.zeros(perms.shape[0])
    for s in range(1, k + 1):
        current = _subset_r2(rxx, rxy, perms[:, :s])
        total += np.bincount(perms[:, s - 1], weights=current - previous, minlength=k)
        previous = current
    return total / perms.shape[0], "monte_carlo"


@dataclass(frozen=True)
class DerivedImportance:
    n: int  # complete cases used
    r2: float  # full-model R²
    correlations: np.ndarray  # Pearson r with the overall score
    betas: np.ndarray  # standardised regression coefficients
    relative_weights: np.ndarray  # Johnson's ε, sum = r2
    shapley: np.ndarray  # Shapley shares of R², sum = r2
    condition_number: float  # of R_xx
    shapley_method: str  # "exact" or "monte_carlo"

    def percent_of_r2(self, measure: str = "relative_weights") -> np.ndarray:
        """Relative weights or Shapley shares as % of R² (they then sum to 100)."""
        values = getattr(self, measure)
        if measure not in ("relative_weights", "shapley"):
            raise ValueError("measure must be 'relative_weights' or 'shapley'.")
        return values * 100.0 / self.r2 if self.r2 > 0 else np.full_like(values, np.nan)


def derived_importance(
    items,
    overall,
    *,
    exact_max: int = EXACT_SHAPLEY_MAX,
    permutations: int = 2000,
    seed: int = 0,
) -> DerivedImportance:
    """Derived importance of the items (n × k scores, NaN = missing) for the overall score
    (n,): correlations, standardised betas, relative weights and Shapley shares of R²."""
    rxx, rxy, n = correlations(items, overall)
    betas, r2, cond = standardized_betas(rxx, rxy)
    rw = relative_weights(rxx, rxy)
    shap, how = shapley_r2(rxx, rxy, exact_max=exact_max, permutations=permutations, seed=seed)
    return DerivedImportance(n, r2, rxy.copy(), betas, rw, shap, cond, how)


# --------------------------------------------------------------------------- quadrants


@dataclass(frozen=True)
class Quadrants:
    keys: tuple[str | None, ...]  # per item; None when importance or performance is NaN
    importance_line: float
    performance_line: float


def _line(values: np.ndarray, line: float | None) -> float:
    if line is not None:
        return float(line)
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else math.nan


def quadrants(
    importance,
    performance,
    *,
    importance_line: float | None = None,
    performance_line: float | None = None,
    performance_high=None,
) -> Quadrants:
    """Quadrant key per item. Lines default to the mean importance / performance over the
    items with both values; on a line counts as high (≥). `performance_high`: the upper end of
    each item's confidence interval; an important item below the line whose interval reaches
    the line is "undecided" instead of "improve"."""
    imp = np.asarray(importance, dtype=np.float64).ravel()
    perf = np.asarray(performance, dtype=np.float64).ravel()
    if imp.shape != perf.shape:
        raise ValueError("importance and performance must have the same length.")
    high = None if performance_high is None else np.asarray(performance_high, dtype=np.float64).ravel()
    both = np.isfinite(imp) & np.isfinite(perf)
    i_line = _line(imp[both], importance_line)
    p_line = _line(perf[both], performance_line)
    keys: list[str | None] = []
    for i, p, ok in zip(imp.tolist(), perf.tolist(), both.tolist(), strict=True):
        if not ok:
            keys.append(None)
        elif i >= i_line:
            if p >= p_line:
                keys.append("keep")
            elif high is not None and not (high[len(keys)] < p_line):  # NaN (n < 2): cannot tell
                keys.append("undecided")
            else:
                keys.append("improve")
        else:
            keys.append("bonus" if p >= p_line else "secondary")
    return Quadrants(tuple(keys), i_line, p_line)


# --------------------------------------------------------------------------- key drivers


@dataclass(frozen=True)
class Driver:
    item: str
    importance: float
    performance: float
    importance_rank: int  # 1 = most important
    performance_gap: float  # performance − performance line (< 0: below)
    quadrant: str | None
    priority: int  # 1 = first in the list


def key_drivers(
    items: Sequence[str],
    importance,
    performance,
    *,
    importance_line: float | None = None,
    performance_line: float | None = None,
    performance_high=None,
) -> tuple[Driver, ...]:
    """Items ranked for action (see the module docstring for the rule); items without a
    quadrant (NaN importance or performance) come last."""
    imp = np.asarray(importance, dtype=np.float64).ravel()
    perf = np.asarray(performance, dtype=np.float64).ravel()
    if len(items) != imp.size:
        raise ValueError("items, importance and performance must have the same length.")
    q = quadrants(
        imp,
        perf,
        importance_line=importance_line,
        performance_line=performance_line,
        performance_high=performance_high,
    )
    order_imp = sorted(
        range(imp.size), key=lambda j: (-imp[j] if np.isfinite(imp[j]) else math.inf, items[j])
    )
    imp_rank = {j: r + 1 for r, j in enumerate(order_imp)}
    rank_q = {key: r for r, key in enumerate(QUADRANTS)}

    def sort_key(j: int):
        key = q.keys[j]
        return (
            rank_q.get(key, len(QUADRANTS)) if key else len(QUADRANTS),
            -imp[j] if np.isfinite(imp[j]) else math.inf,
            perf[j] if np.isfinite(perf[j]) else math.inf,
            items[j],
        )

    ranked = sorted(range(imp.size), key=sort_key)
    return tuple(
        Driver(
            item=items[j],
            importance=float(imp[j]),
            performance=float(perf[j]),
            importance_rank=imp_rank[j],
            performance_gap=float(perf[j] - q.performance_line),
            quadrant=q.keys[j],
            priority=p + 1,
        )
        for p, j in enumerate(ranked)
    )
