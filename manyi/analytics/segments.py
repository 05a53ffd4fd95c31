"""Customer segments (聚类分析) by their item scores: k-means and Ward's hierarchical clustering,
with the number of clusters suggested by the silhouette.

Seed 001: "可以利用SPSS进行因子分析和聚类分析,将客户满意度得分进行归纳和分类,进一步提出客户可能出现
的问题和改善建议等" (cluster analysis to group customers by their satisfaction scores).

- k-means (SPSS's QUICK CLUSTER; scikit-learn's KMeans): k-means++ starting centres (greedy,
  2 + ⌊ln k⌋ candidates per centre, as scikit-learn), Lloyd iterations until no centre moves
  by more than 1e-6 (relative to the data's variance) or 300 iterations, `restarts` runs, the
  one with the smallest within-cluster sum of squares kept. Deterministic for a given seed.
- Ward (SPSS's CLUSTER /METHOD WARD, squared Euclidean distance): scipy's linkage cut into k
  clusters; on at most `HIERARCHY_ROWS` rows (a random sample, seeded) whose clusters'
  centres then take every row by nearest centre.
- Scores are clustered as they are (items share one 0-100 scale; no standardising).
- Large data: clusters are fitted on a random sample of `FIT_ROWS` rows, and every row joins
  its nearest centre; the silhouette is computed on a sample of `SILHOUETTE_ROWS` rows.
- Segments are numbered by size, largest first (ties by centre), so that a number means the
  same segment from one run to the next.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.cluster import hierarchy
from scipy.spatial.distance import cdist

METHODS = ("kmeans", "ward")
CLUSTER_RANGE = range(2, 7)  # k = 2..6
FIT_ROWS = 20_000
HIERARCHY_ROWS = 3_000
SILHOUETTE_ROWS = 3_000


def _squared_distances(x, centres):
    return np.maximum(
        (x**2).sum(axis=1)[:, None] - 2 * x @ centres.T + (centres**2).sum(axis=1)[None, :], 0.0
    )


def _plus_plus(x, k, rng):
    """k-means++ starting centres, greedy (the candidate that lowers the potential most)."""
    n = len(x)
    trials = 2 + int(math.log(k))
    centres = [x[rng.integers(n)]]
    closest = _squared_distances(x, np.asarray(centres))[:, 0]
    for _ in range(1, k):
        total = closest.sum()
        if total <= 0:
            centres.append(x[rng.integers(n)])
            continue
        candidates = np.searchsorted(np.cumsum(closest), rng.random(trials) * total)
        candidates = np.minimum(candidates, n - 1)
        distances = np.minimum(closest[None, :], _squared_distances(x, x[candidates]).T)
        best = int(distances.sum(axis=1).argmin())
        centres.append(x[candidates[best]])
        closest = distances[best]
    return np.asarray(centres)


def _lloyd(x, centres, max_iter, tolerance):
    for _ in range(max_iter):
        labels = _squared_distances(x, centres).argmin(axis=1)
        new = centres.copy()
        for j in range(len(centres)):
            members = labels == j
            if members.any():
                new[j] = x[members].mean(axis=0)
        shift = float(((new - centres) ** 2).sum())
        centres = new
        if shift <= tolerance:
            break
    distances = _squared_distances(x, centres)
    labels = distances.argmin(axis=1)
    return labels, centres, float(distances[np.arange(len(x)), labels].sum())


def kmeans(x, k, *, seed=1, restarts=10, max_iter=300):
    """(labels, centres, within-cluster sum of squares) of the best of `restarts` k-means runs."""
    x = np.asarray(x, dtype=float)
    rng = np.random.default_rng(seed)
    tolerance = 1e-6 * float(x.var(axis=0).mean())
    best = None
    for _ in range(restarts):
        found = _lloyd(x, _plus_plus(x, k, rng), max_iter, tolerance)
        if best is None or found[2] < best[2]:
            best = found
    return best


def ward(x, k):
    """(labels, centres) of Ward's hierarchical clustering cut into `k` clusters."""
    x = np.asarray(x, dtype=float)
    labels = hierarchy.fcluster(hierarchy.linkage(x, method="ward"), k, criterion="maxclust") - 1
    centres = np.asarray([x[labels == j].mean(axis=0) for j in range(labels.max() + 1)])
    return labels, centres


def silhouette(x, labels) -> float:
    """Mean silhouette width (Rousseeuw): for each row, (b − a) / max(a, b), a the mean distance
    to its own cluster's other rows, b the smallest mean distance to another cluster; 0 for a
    row alone in its cluster. Euclidean distances; O(n²), so callers pass a sample."""
    x = np.asarray(x, dtype=float)
    labels = np.asarray(labels)
    clusters = np.unique(labels)
    if len(clusters) < 2:
        return math.nan
    d = cdist(x, x)
    means = np.empty((len(x), len(clusters)))
    sizes = np.array([(labels == c).sum() for c in clusters])
    for j, c in enumerate(clusters):
        means[:, j] = d[:, labels == c].sum(axis=1)
    own = np.searchsorted(clusters, labels)
    own_size = sizes[own]
    a = means[np.arange(len(x)), own] / np.maximum(own_size - 1, 1)
    others = means / sizes[None, :]
    others[np.arange(len(x)), own] = np.inf
    b = others.min(axis=1)
    width = np.where(own_size > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-300), 0.0)
    return float(width.mean())


@dataclass(frozen=True)
class Segments:
    """A clustering of the rows: `labels` per row (0 = the largest segment), `centres` per
    segment, `sizes`, the silhouette of each k tried and of the one chosen."""

    method: str
    k: int
    labels: np.ndarray
    centres: np.ndarray
    sizes: np.ndarray
    silhouettes: dict[int, float]
    suggested: int
    fitted_rows: int


def _fit(x, k, method, seed):
    if method == "kmeans":
        labels, centres, _inertia = kmeans(x, k, seed=seed)
        return labels, centres
    return ward(x, k)


def _sample(n, limit, rng):
    return np.sort(rng.choice(n, limit, replace=False)) if n > limit else np.arange(n)


def segment(x, *, k=None, method="kmeans", seed=1, ks=CLUSTER_RANGE) -> Segments:
    """Cluster the rows of `x` (complete rows of item scores). `k` None: the k of `ks` with the
    largest mean silhouette (smallest k on a tie). See the module's docstring."""
    if method not in METHODS:
        raise ValueError(f"unknown clustering method {method!r}")
    x = np.asarray(x, dtype=float)
    n = len(x)
    rng = np.random.default_rng(seed)
    fit_rows = _sample(n, HIERARCHY_ROWS if method == "ward" else FIT_ROWS, rng)
    check_rows = _sample(n, SILHOUETTE_ROWS, rng)
    tried = [j for j in ks if 2 <= j < n] if k is None else [int(k)]
    if not tried or not 2 <= tried[0] < n:
        raise ValueError("too few rows for clusters")
    fitted, silhouettes = {}, {}
    for j in tried:
        _labels, centres = _fit(x[fit_rows], j, method, seed)
        labels = _squared_distances(x, centres).argmin(axis=1)
        fitted[j] = (labels, centres)
        silhouettes[j] = silhouette(x[check_rows], labels[check_rows])
    finite = {j: s for j, s in silhouettes.items() if math.isfinite(s)}
    suggested = max(finite, key=lambda j: (finite[j], -j)) if finite else tried[0]
    chosen = suggested if k is None else tried[0]
    labels, centres = _renumbered(x, *fitted[chosen])
    return Segments(
        method=method,
        k=len(centres),
        labels=labels,
        centres=centres,
        sizes=np.bincount(labels, minlength=len(centres)),
        silhouettes=silhouettes,
        suggested=suggested,
        fitted_rows=len(fit_rows),
    )


def _renumbered(x, labels, centres):
    """Drop empty clusters, number the rest by size (largest first, ties by centre), and
    recompute each centre as its members' mean."""
    sizes = np.bincount(labels, minlength=len(centres))
    kept = [j for j in range(len(centres)) if sizes[j]]
    order = sorted(kept, key=lambda j: (-sizes[j], tuple(centres[j])))
    mapping = np.full(len(centres), -1)
    mapping[order] = np.arange(len(order))
    labels = mapping[labels]
    centres = np.asarray([x[labels == j].mean(axis=0) for j in range(len(order))])
    return labels, centres
