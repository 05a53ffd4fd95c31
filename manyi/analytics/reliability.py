"""Reliability of a scale (信度分析): Cronbach's α, as SPSS's RELIABILITY procedure reports it.

One place for the rule: the structure page's α per dimension and α if item deleted read it here.
(`pls.Results.cronbach_alpha` gives the standardised α of a PLS block from its correlation
matrix; `standardised_alpha` below is the same formula.)

SPSS conventions followed: α from the item variances and the variance of the sum (sample
variances, n − 1), on complete cases; "Cronbach's Alpha Based on Standardized Items" from the
mean inter-item correlation; "Corrected Item-Total Correlation" is the item's correlation with
the sum of the other items; "Cronbach's Alpha if Item Deleted" is α of the other items.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def cronbach_alpha(x) -> float:
    """Cronbach's α of the columns of `x` (rows = respondents, complete cases):
    α = k / (k − 1) · (1 − Σ var(item) / var(sum)). NaN with fewer than two items, fewer than
    two rows, or a sum with no variance."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] < 2 or x.shape[0] < 2:
        return math.nan
    k = x.shape[1]
    total = x.sum(axis=1).var(ddof=1)
    if not total > 0:
        return math.nan
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total))


def standardised_alpha(r) -> float:
    """α based on standardised items, from the items' correlation matrix `r`:
    k / (k − 1) · (1 − k / Σ r_ij) (equivalently k·r̄ / (1 + (k − 1)·r̄))."""
    r = np.asarray(r, dtype=float)
    k = r.shape[0]
    if k < 2:
        return math.nan
    return float(k / (k - 1) * (1 - k / r.sum()))


@dataclass(frozen=True)
class Reliability:
    """A scale's reliability: α, standardised α, and for each item the corrected item-total
    correlation and α if the item were deleted (NaN where undefined)."""

    n: int
    items: int
    alpha: float
    standardised: float
    item_total: tuple[float, ...]
    alpha_if_deleted: tuple[float, ...]


def reliability(x) -> Reliability:
    """Reliability statistics of the columns of `x` (complete cases), as SPSS reports them."""
    x = np.asarray(x, dtype=float)
    n, k = x.shape
    total = x.sum(axis=1)
    item_total, deleted = [], []
    for column in range(k):
        rest = total - x[:, column]
        item_total.append(_correlation(x[:, column], rest) if k > 1 else math.nan)
        deleted.append(cronbach_alpha(np.delete(x, column, axis=1)) if k > 2 else math.nan)
    standardised = math.nan
    if k > 1 and n > 1 and (x.std(axis=0) > 0).all():
        standardised = standardised_alpha(np.corrcoef(x, rowvar=False))
    return Reliability(n, k, cronbach_alpha(x), standardised, tuple(item_total), tuple(deleted))


def _correlation(a, b) -> float:
    a, b = a - a.mean(), b - b.mean()
    scale = math.sqrt(float(a @ a) * float(b @ b))
    return float(a @ b / scale) if scale > 0 else math.nan
