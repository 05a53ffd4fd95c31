"""Exploratory factor analysis (因子分析) of questionnaire items, as SPSS's FACTOR procedure does it.

Seed 001: "可以利用SPSS进行因子分析和聚类分析,将客户满意度得分进行归纳和分类,进一步提出客户可能出现
的问题和改善建议等" (factor and cluster analysis to sum up and group satisfaction scores).

What is computed, in SPSS's order and with its conventions:
- Adequacy: the Kaiser-Meyer-Olkin measure (overall and per item: the diagonal of SPSS's
  anti-image correlation matrix) and Bartlett's test of sphericity (χ², df, p).
- Eigenvalues of the correlation matrix (SPSS's "Initial Eigenvalues", drawn as the scree
  plot), the number of factors by Kaiser's criterion (eigenvalue > 1, SPSS's default) and by
  Horn's parallel analysis (95th percentile of the eigenvalues of random normal data of the
  same size; the random correlation matrices are drawn through the Bartlett decomposition of
  the Wishart distribution, so the cost does not grow with the number of responses).
- Extraction by principal components (SPSS's default, "pc") or principal axis factoring
  ("paf": squared multiple correlations as initial communalities, iterated until no
  communality changes by 0.001 or more — SPSS's convergence criterion — within `max_iter`
  iterations; converged, it is the minimum-residual (minres/ULS) solution).
- Rotation: varimax with Kaiser normalisation (SPSS's default; rows scaled to unit length
  before rotating, scaled back after) or promax (κ = 4, SPSS's default) from the
  Kaiser-normalised varimax solution, giving the pattern matrix, the structure matrix and the
  factor correlations. Promax follows the textbook Hendrickson-White steps as R's psych and
  factor_analyzer do; SPSS's own promax may differ in the third decimal.
- Each factor's sign is chosen so that its largest loading (in absolute value) is positive;
  items are listed as SPSS's "sorted by size" option lists them (by the factor they load on
  most, then by that loading, largest first). Factors keep the extraction's order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

METHODS = ("pc", "paf")
ROTATIONS = ("varimax", "promax", "none")
SPSS_CONVERGENCE = 0.001  # ECONVERGE(.001): the largest change in a communality


class SingularCorrelation(ValueError):
    """The items' correlation matrix cannot be inverted (an item without variance, or items
    that are exact combinations of others): KMO, Bartlett and PAF are undefined."""


def correlation_matrix(x) -> np.ndarray:
    """Pearson correlations of the columns of `x` (complete rows). Refuses a column without
    variance and a matrix that is singular (smallest eigenvalue ≤ 1e-10)."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[0] < 3 or x.shape[1] < 2:
        raise SingularCorrelation("too few rows or items")
    if not (x.std(axis=0) > 0).all():
        raise SingularCorrelation("an item has no variance")
    r = np.corrcoef(x, rowvar=False)
    if np.linalg.eigvalsh(r)[0] <= 1e-10:
        raise SingularCorrelation("the correlation matrix is singular")
    return r


def kmo(r) -> tuple[float, np.ndarray]:
    """(overall KMO, KMO of each item) from the correlation matrix `r`: Σr² / (Σr² + Σq²) over
    the off-diagonal elements, q the partial (anti-image) correlations from r⁻¹."""
    r = np.asarray(r, dtype=float)
    inverse = np.linalg.inv(r)
    scale = np.sqrt(np.diag(inverse))
    partial = -inverse / np.outer(scale, scale)
    off = ~np.eye(len(r), dtype=bool)
    r2 = np.where(off, r**2, 0.0)
    q2 = np.where(off, partial**2, 0.0)
    per_item = r2.sum(axis=0) / (r2.sum(axis=0) + q2.sum(axis=0))
    overall = r2.sum() / (r2.sum() + q2.sum())
    return float(overall), per_item


def bartlett(r, n) -> tuple[float, int, float]:
    """Bartlett's test of sphericity: χ² = −(n − 1 − (2p + 5) / 6) · ln|R|, df = p(p − 1) / 2;
    returns (χ², df, p-value)."""
    r = np.asarray(r, dtype=float)
    p = len(r)
    _sign, logdet = np.linalg.slogdet(r)
    chi2 = -(n - 1 - (2 * p + 5) / 6) * logdet
    df = p * (p - 1) // 2
    return float(chi2), df, float(stats.chi2.sf(chi2, df))


def eigenvalues(r) -> np.ndarray:
    """Eigenvalues of `r`, largest first (SPSS's "Initial Eigenvalues"; the scree plot)."""
    return np.linalg.eigvalsh(np.asarray(r, dtype=float))[::-1]


def kaiser_count(values) -> int:
    """Kaiser's criterion: how many eigenvalues exceed 1 (at least one factor)."""
    return max(1, int(np.sum(np.asarray(values) > 1)))


def parallel_thresholds(n, p, *, draws=100, quantile=0.95, seed=1) -> np.ndarray:
    """The `quantile` of each ordered eigenvalue of the correlation matrix of n independent
    standard normal rows of p items, over `draws` random matrices (Horn's parallel analysis,
    Glorfeld's 95th percentile). The scatter matrix of n normal rows is Wishart(n − 1, I),
    drawn as A·Aᵀ with A lower triangular (A_ii² ~ χ²(n − i), A_ij ~ N(0, 1) below the diagonal)."""
    rng = np.random.default_rng(seed)
    found = np.empty((draws, p))
    below = np.tril_indices(p, -1)
    for draw in range(draws):
        a = np.zeros((p, p))
        a[np.diag_indices(p)] = np.sqrt(rng.chisquare(n - 1 - np.arange(p)))
        a[below] = rng.standard_normal(len(below[0]))
        w = a @ a.T
        scale = np.sqrt(np.diag(w))
        found[draw] = np.linalg.eigvalsh(w / np.outer(scale, scale))[::-1]
    return np.quantile(found, quantile, axis=0)


def parallel_count(values, thresholds) -> int:
    """How many leading eigenvalues exceed their random counterparts (at least one)."""
    above = np.asarray(values) > np.asarray(thresholds)
    count = int(np.argmin(above)) if not above.all() else len(above)
    return max(1, count)


@dataclass(frozen=True)
class Extraction:
    loadings: np.ndarray  # (items, factors), unrotated
    initial: np.ndarray  # initial communalities (1 for pc, SMC for paf)
    communalities: np.ndarray
    iterations: int
    converged: bool


def smc(r) -> np.ndarray:
    """Squared multiple correlations, 1 − 1 / diag(r⁻¹): PAF's initial communalities."""
    return 1 - 1 / np.diag(np.linalg.inv(np.asarray(r, dtype=float)))


def _leading(matrix, m):
    values, vectors = np.linalg.eigh(matrix)
    order = np.argsort(values)[::-1][:m]
    return vectors[:, order] * np.sqrt(np.clip(values[order], 0, None))


def extract(r, n_factors, method="pc", *, tolerance=SPSS_CONVERGENCE, max_iter=100) -> Extraction:
    """Unrotated loadings of `n_factors` factors by principal components ("pc") or
    principal axis factoring ("paf"), see the module's docstring."""
    r = np.asarray(r, dtype=float)
    if method not in METHODS:
        raise ValueError(f"unknown extraction method {method!r}")
    if method == "pc":
        loadings = _leading(r, n_factors)
        return Extraction(loadings, np.ones(len(r)), (loadings**2).sum(axis=1), 0, True)
    initial = smc(r)
    communalities = initial
    converged, iterations = False, 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 (kept: how many were needed)
        reduced = r.copy()
        np.fill_diagonal(reduced, communalities)
        loadings = _leading(reduced, n_factors)
        new = (loadings**2).sum(axis=1)
        change = float(np.abs(new - communalities).max())
        communalities = new
        if change < tolerance:
            converged = True
            break
    return Extraction(loadings, initial, communalities, iterations, converged)


def varimax(loadings, *, normalize=True, tolerance=1e-10, max_iter=1000):
    """(rotated loadings, rotation matrix T) with loadings @ T = rotated: Kaiser's varimax
    criterion maximised by the SVD algorithm, rows normalised to unit length first (Kaiser
    normalisation, SPSS's default) and scaled back after."""
    a = np.asarray(loadings, dtype=float)
    p, m = a.shape
    if m < 2:
        return a.copy(), np.eye(m)
    h = np.sqrt((a**2).sum(axis=1)) if normalize else np.ones(p)
    h = np.where(h > 0, h, 1.0)
    x = a / h[:, None]
    rotation = np.eye(m)
    criterion = 0.0
    for _ in range(max_iter):
        z = x @ rotation
        u, s, vt = np.linalg.svd(x.T @ (z**3 - z @ np.diag((z**2).sum(axis=0)) / p))
        rotation = u @ vt
        previous, criterion = criterion, float(s.sum())
        if previous and criterion < previous * (1 + tolerance):
            break
    return (x @ rotation) * h[:, None], rotation


def promax(loadings, *, kappa=4):
    """(pattern, structure, factor correlations Φ, rotation matrix) of the promax rotation:
    Kaiser-normalised varimax, target P = X·|X|^(κ−1), least-squares transformation scaled so
    that the factors have unit variance, pattern = X·U scaled back by the rows' lengths."""
    a = np.asarray(loadings, dtype=float)
    m = a.shape[1]
    if m < 2:
        return a.copy(), a.copy(), np.eye(m), np.eye(m)
    h = np.sqrt((a**2).sum(axis=1))
    h = np.where(h > 0, h, 1.0)
    x, rotation = varimax(a / h[:, None], normalize=False)
    target = x * np.abs(x) ** (kappa - 1)
    u = np.linalg.solve(x.T @ x, x.T @ target)
    u = u @ np.diag(np.sqrt(np.diag(np.linalg.inv(u.T @ u))))
    pattern = (x @ u) * h[:, None]
    inverse = np.linalg.inv(u)
    phi = inverse @ inverse.T
    return pattern, pattern @ phi, phi, rotation @ u


def _signs(matrix):
    """+1 or −1 per column: the sign that makes the column's largest |value| positive."""
    biggest = matrix[np.abs(matrix).argmax(axis=0), np.arange(matrix.shape[1])]
    return np.where(biggest < 0, -1.0, 1.0)


def sorted_by_size(loadings) -> list[int]:
    """Item order of SPSS's "sorted by size": grouped by the factor an item loads on most (first
    factor's items first), each group by that |loading|, largest first."""
    a = np.abs(np.asarray(loadings))
    main = a.argmax(axis=1)
    return sorted(range(len(a)), key=lambda i: (main[i], -a[i, main[i]]))


@dataclass(frozen=True)
class FactorResult:
    """An exploratory factor analysis: see the module's docstring for each part."""

    n: int
    method: str
    rotation: str
    kmo: float
    kmo_items: np.ndarray
    bartlett_chi2: float
    bartlett_df: int
    bartlett_p: float
    eigenvalues: np.ndarray
    parallel: np.ndarray  # random eigenvalues' 95th percentiles
    kaiser_factors: int
    parallel_factors: int
    n_factors: int
    initial_communalities: np.ndarray
    communalities: np.ndarray
    unrotated: np.ndarray
    loadings: np.ndarray  # rotated (the pattern matrix for promax)
    structure: np.ndarray | None  # promax only
    phi: np.ndarray | None  # promax only
    extraction_ss: np.ndarray  # sums of squared loadings after extraction
    rotation_ss: np.ndarray  # after rotation (promax: of the structure matrix, as SPSS)
    order: list[int]
    iterations: int
    converged: bool

    @property
    def extraction_percent(self):
        return self.extraction_ss / len(self.eigenvalues) * 100

    @property
    def rotation_percent(self):
        return self.rotation_ss / len(self.eigenvalues) * 100

    @property
    def heywood(self) -> bool:
        """Whether a communality reached 1 (a Heywood case: the solution is improper)."""
        return bool((self.communalities >= 1).any())


def explore(
    x,
    *,
    n_factors=None,
    method="pc",
    rotation="varimax",
    seed=1,
    draws=100,
    tolerance=SPSS_CONVERGENCE,
    max_iter=100,
) -> FactorResult:
    """Factor analysis of the columns of `x` (complete rows). `n_factors` None: Kaiser's
    criterion (SPSS's default). Raises SingularCorrelation when the correlation matrix is
    singular, ValueError for an unknown method or rotation or a number of factors the items
    cannot carry."""
    if rotation not in ROTATIONS:
        raise ValueError(f"unknown rotation {rotation!r}")
    x = np.asarray(x, dtype=float)
    n, p = x.shape
    r = correlation_matrix(x)
    overall, per_item = kmo(r)
    chi2, df, p_value = bartlett(r, n)
    values = eigenvalues(r)
    thresholds = parallel_thresholds(n, p, draws=draws, seed=seed)
    kaiser = kaiser_count(values)
    m = kaiser if n_factors is None else int(n_factors)
    if not 1 <= m < p:
        raise ValueError(f"{m} factors from {p} items")
    found = extract(r, m, method, tolerance=tolerance, max_iter=max_iter)
    rotated, structure, phi = found.loadings, None, None
    if rotation == "varimax":
        rotated, _t = varimax(found.loadings)
    elif rotation == "promax":
        rotated, structure, phi, _t = promax(found.loadings)
    signs = _signs(rotated)
    rotated = rotated * signs
    if structure is not None:
        structure = structure * signs
        phi = phi * np.outer(signs, signs)
    unrotated = found.loadings * _signs(found.loadings)
    shown = structure if structure is not None else rotated
    return FactorResult(
        n=n,
        method=method,
        rotation=rotation,
        kmo=overall,
        kmo_items=per_item,
        bartlett_chi2=chi2,
        bartlett_df=df,
        bartlett_p=p_value,
        eigenvalues=values,
        parallel=thresholds,
        kaiser_factors=kaiser,
        parallel_factors=parallel_count(values, thresholds),
        n_factors=m,
        initial_communalities=found.initial,
        communalities=found.communalities,
        unrotated=unrotated,
        loadings=rotated,
        structure=structure,
        phi=phi,
        extraction_ss=(found.loadings**2).sum(axis=0),
        rotation_ss=(shown**2).sum(axis=0),
        order=sorted_by_size(rotated),
        iterations=found.iterations,
        converged=found.converged,
    )


def kmo_verdict(value) -> str:
    """Kaiser's (1974) words for a KMO value: marvelous ≥ 0.9, meritorious ≥ 0.8, middling ≥ 0.7,
    mediocre ≥ 0.6, miserable ≥ 0.5, unacceptable below."""
    if not math.isfinite(value):
        return "unacceptable"
    for bound, word in ((0.9, "marvelous"), (0.8, "meritorious"), (0.7, "middling"), (0.6, "mediocre")):
        if value >= bound:
            return word
    return "miserable" if value >= 0.5 else "unacceptable"
