"""Choosing which customers a survey campaign goes to (抽样方案).

Pure functions over customer primary keys: no Django, no database. The campaign code reads the
ids (and, when needed, a stratum label or the business volume of each customer) from the
archive and passes them here; what comes back is the sorted list of ids to invite.

Every function first sorts its population by id, so a sample depends only on the *set* of ids,
the parameters and the seed, never on the order a query happened to return the rows in. The
random numbers come from ``numpy.random.Generator(PCG64(seed))``: the same seed gives the same
sample on every machine with the same numpy. NumPy keeps PCG64's bit stream stable but does not
promise that ``Generator`` methods never change between releases (NEP 19), so a campaign stores
the ids it drew, not just the seed.

Methods (REQUIREMENTS.md §3):

* ``take_all`` — everybody (普查).
* ``simple_random`` — n customers without replacement, each with probability n/N. Samples
  with the same seed are nested: the sample of n is contained in the sample of n + 1, so a
  campaign can be topped up without redrawing.
* ``systematic`` — every k-th customer, k = N/n (fractional, so exactly n are drawn), random
  start in [0, k).
* ``stratified`` — n split over strata (region, customer type …) proportionally or equally,
  optionally at least ``min_per_stratum`` from every stratum; simple random within strata.
  ``stratified_plan`` shows the split before anything is sent.
* ``top_volume`` — "the customers that together make 80% of business volume" (seed 000:
  按业务量由高至低排序，将累计业务量达到总业务量80%以上的客户作为调查对象).

Bad input raises ``ValueError`` with an English message meant to be shown to the user.
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ALLOCATIONS",
    "METHODS",
    "SampleDesign",
    "draw",
    "simple_random",
    "stratified",
    "stratified_plan",
    "systematic",
    "take_all",
    "top_volume",
    "top_volume_summary",
]

METHODS = ("all", "simple", "systematic", "stratified", "top_volume")
ALLOCATIONS = ("proportional", "equal")

# Cumulative volumes are float64 sums; an exact boundary (50 + 30 of 100 at share 0.8) can come out
# one rounding error short. A shortfall of up to one part in a billion of the total counts as reached:
# far above float64 summation error for any realistic population, and only 0.0000001% of the total.
_VOLUME_TOLERANCE = 1e-9


# --------------------------------------------------------------------------- validation helpers


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_count(n, name: str = "n") -> int:
    if not _is_int(n):
        raise ValueError(f"{name} must be a whole number, got {n!r}")
    if n < 0:
        raise ValueError(f"{name} must not be negative, got {n}")
    return int(n)


def _check_seed(seed) -> int:
    if not _is_int(seed) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}")
    return int(seed)


def _check_share(share) -> float:
    if isinstance(share, bool) or not isinstance(share, numbers.Real):
        raise ValueError(f"share must be a number in (0, 1], got {share!r}")
    share = float(share)
    if not (0.0 < share <= 1.0):  # also rejects NaN
        raise ValueError(f"share must be greater than 0 and at most 1 (e.g. 0.8 for 80%), got {share}")
    return share


def _rng(seed: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed))


def _as_ids(ids: Iterable[int]) -> np.ndarray:
    """The ids as a 1-d int64 array, in the order given, checked for type and duplicates."""
    if isinstance(ids, (str, bytes)):
        raise ValueError("ids must be a sequence of integer customer ids, not a string")
    if not isinstance(ids, (np.ndarray, Sequence)):
        ids = list(ids)
    arr = np.asarray(ids)
    if arr.size == 0:
        return np.empty(0, dtype=np.int64)
    if arr.ndim != 1:
        raise ValueError("ids must be a flat sequence of integer customer ids")
    if arr.dtype.kind == "u":
        if arr.max() > np.iinfo(np.int64).max:
            raise ValueError("ids must fit in a 64-bit signed integer")
        arr = arr.astype(np.int64)
    elif arr.dtype.kind != "i":
        raise ValueError(f"ids must be integers, got values of type {arr.dtype}")
    return arr.astype(np.int64, copy=False)


def _sorted_population(ids, *parallel, names=()):
    """Sort ids ascending (and the parallel sequences with them); reject duplicates.

    Returns ``(sorted_ids, order)``; ``order`` is the permutation that sorts the input, to be
    applied to parallel arrays by the caller.
    """
    arr = _as_ids(ids)
    for values, name in zip(parallel, names, strict=True):
        if len(values) != len(arr):
            raise ValueError(f"{name} has {len(values)} values but there are {len(arr)} ids; they must match")
    order = np.argsort(arr, kind="stable")
    sorted_ids = arr[order]
    if sorted_ids.size > 1:
        dup = np.flatnonzero(sorted_ids[1:] == sorted_ids[:-1])
        if dup.size:
            raise ValueError(f"ids must be distinct; {int(sorted_ids[dup[0]])} appears more than once")
    return sorted_ids, order


def _check_sample_size(n, population: int) -> int:
    n = _check_count(n)
    if n > population:
        raise ValueError(f"cannot draw {n} customers without replacement from a population of {population}")
    return n


# --------------------------------------------------------------------------- all, simple, systematic


def take_all(ids: Iterable[int]) -> list[int]:
    """Every customer (普查), as a sorted list."""
    sorted_ids, _ = _sorted_population(ids)
    return sorted_ids.tolist()


def _random_ranks_order(size: int, seed: int) -> np.ndarray:
    """Positions 0..size-1 in the order of an independent uniform key per position."""
    keys = _rng(seed).random(size)
    return np.argsort(keys, kind="stable")


def simple_random(ids: Iterable[int], n: int, seed: int) -> list[int]:
    """n customers drawn without replacement, every subset of size n equally likely.

    Each customer gets a uniform random key from the seed; the n smallest keys win. So the
    sample of n is always contained in the sample of n + 1 with the same seed and population.
    ``n > len(ids)`` is an error (it would silently be a census otherwise).
    """
    sorted_ids, _ = _sorted_population(ids)
    n = _check_sample_size(n, len(sorted_ids))
    seed = _check_seed(seed)
    if n == 0:
        return []
    chosen = _random_ranks_order(len(sorted_ids), seed)[:n]
    return np.sort(sorted_ids[chosen]).tolist()


def systematic(ids: Iterable[int], n: int, seed: int) -> list[int]:
    """Every k-th customer in id order, k = N/n, from a random start in [0, k).

    The interval may be fractional, so exactly n are drawn; positions are
    ``floor(start + i*k)`` and consecutive positions differ by floor(k) or ceil(k). Computed in
    integers (start = r/n with r uniform in 0..N-1 gives exactly the same samples, each with
    the same probability, as a continuous start), so every customer's inclusion probability is
    exactly n/N. ``n > len(ids)`` is an error.
    """
    sorted_ids, _ = _sorted_population(ids)
    size = len(sorted_ids)
    n = _check_sample_size(n, size)
    seed = _check_seed(seed)
    if n == 0:
        return []
    r = int(_rng(seed).integers(0, size))
    positions = (r + np.arange(n, dtype=np.int64) * size) // n
    return sorted_ids[positions].tolist()


# --------------------------------------------------------------------------- stratified


def _normalise_label(label):
    """None and blank strings are one stratum ("not filled in"), keyed None; strings are stripped."""
    if label is None:
        return None
    if isinstance(label, str):
        label = label.strip()
        return label or None
    if not isinstance(label, Hashable):
        raise ValueError(f"stratum labels must be plain values such as text or numbers, got {label!r}")
    return label


def _label_sort_key(label):
    if label is None:
        return (1, "", "")
    return (0, type(label).__name__, label)


def _group_strata(strata: Sequence) -> tuple[list, np.ndarray]:
    """(labels in display order — blank last, code of each element as an index into labels)."""
    if isinstance(strata, (str, bytes)):
        raise ValueError("strata must be a sequence with one label per customer, not a single string")
    index: dict = {}
    codes = np.fromiter(
        (index.setdefault(_normalise_label(s), len(index)) for s in strata), dtype=np.int64, count=len(strata)
    )
    first_seen = list(index)
    try:
        labels = sorted(first_seen, key=_label_sort_key)
    except TypeError:  # labels of one type that cannot be ordered: fall back to their text
        labels = sorted(first_seen, key=lambda lab: (lab is None, type(lab).__name__, str(lab)))
    remap = np.empty(len(first_seen), dtype=np.int64)
    for rank, label in enumerate(labels):
        remap[index[label]] = rank
    return labels, remap[codes] if len(codes) else codes


def _allocate(sizes: np.ndarray, n: int, allocation: str, min_per_stratum: int) -> np.ndarray:
    """Split n over strata of the given sizes (label order), exactly, deterministically.

    The ideal (real-valued) allocation is q_h = clip(λ·w_h, lo_h, N_h) with w_h = N_h
    (proportional) or 1 (equal), lo_h = min(min_per_stratum, N_h), and λ chosen so that the q_h
    add up to n; it is found exactly in integer arithmetic. It is then rounded with the
    largest-remainder (Hamilton) method: every stratum gets floor(q_h), and the units left go to
    the largest fractional parts, ties to the larger stratum, then to the earlier label. Since
    lo_h and N_h are integers, the result stays within [lo_h, N_h].
    """
    sizes = sizes.astype(np.int64)
    weights = sizes.copy() if allocation == "proportional" else np.ones_like(sizes)
    lo = np.minimum(sizes, min_per_stratum)
    hi = sizes
    if n == 0 or len(sizes) == 0:
        return np.zeros_like(sizes)

    def total_at(num: int, den: int) -> int:
        # sum of clip(num/den * w, lo, hi), scaled by den (exact integers)
        return int(np.clip(num * weights, lo * den, hi * den).sum())

    # Breakpoints of the piecewise-linear, nondecreasing total(λ): λ = lo_h/w_h and N_h/w_h, plus 0.
    nums = np.concatenate(([0], lo, hi))
    dens = np.concatenate(([1], weights, weights))
    # Sorting by the float quotient keeps the exact order: with equal allocation every w_h is 1
    # (integer breakpoints); with proportional ones they are 0, 1 and min_per_stratum/N_h, and
    # correctly rounded division is monotone in N_h.
    order = np.argsort(nums / dens, kind="stable")
    nums, dens = nums[order], dens[order]

    # Largest breakpoint index i with total(B_i) <= n (total(0) = sum(lo) <= n is checked by the caller).
    left, right = 0, len(nums) - 1
    while left < right:
        mid = (left + right + 1) // 2
        if total_at(int(nums[mid]), int(dens[mid])) <= n * int(dens[mid]):
            left = mid
        else:
            right = mid - 1
    b_num, b_den = int(nums[left]), int(dens[left])

    if total_at(b_num, b_den) == n * b_den:
        # λ is the breakpoint itself.
        scaled = np.clip(b_num * weights, lo * b_den, hi * b_den)
        floors, rems = scaled // b_den, scaled % b_den
        # All remainders share the denominator b_den, so they compare as integers.
    else:
        # λ lies strictly above B_i and below the next breakpoint: there each stratum is
        # held at lo (its lo/w is above B_i), at N (its N/w is at or below B_i), or free (λ·w_h).
        at_lo = lo * b_den > b_num * weights
        at_hi = ~at_lo & (hi * b_den <= b_num * weights)
        free = ~at_lo & ~at_hi
        fixed = int(lo[at_lo].sum() + hi[at_hi].sum())
        free_weight = int(weights[free].sum())
        scaled = np.where(free, (n - fixed) * weights, np.where(at_lo, lo, hi) * free_weight)
        floors, rems = scaled // free_weight, scaled % free_weight
    left_over = n - int(floors.sum())
    if left_over:
        # Largest remainder first, then larger stratum, then label order (index).
        by = np.lexsort((np.arange(len(sizes)), -sizes, -rems))
        floors[by[:left_over]] += 1
    return floors


def _check_allocation(allocation, min_per_stratum) -> tuple[str, int]:
    if allocation not in ALLOCATIONS:
        raise ValueError(f"allocation must be one of {', '.join(ALLOCATIONS)}; got {allocation!r}")
    return allocation, _check_count(min_per_stratum, "min_per_stratum")


def _plan(labels: list, sizes: np.ndarray, n, allocation, min_per_stratum) -> np.ndarray:
    allocation, min_per_stratum = _check_allocation(allocation, min_per_stratum)
    n = _check_sample_size(n, int(sizes.sum()))
    needed = int(np.minimum(sizes, min_per_stratum).sum())
    if needed > n:
        raise ValueError(
            f"n={n} is too small to take at least {min_per_stratum} from each of the {len(labels)} strata "
            f"(that needs {needed}); raise n or lower the minimum per stratum"
        )
    return _allocate(sizes, n, allocation, min_per_stratum)


def stratified_plan(
    strata: Sequence, n: int, allocation: str = "proportional", min_per_stratum: int = 0
) -> dict:
    """How ``stratified`` splits n over the strata: ``{label: (population, allocated)}``.

    Labels are in sorted order with the blank stratum (None / "" / whitespace, keyed None) last.
    Depends only on the labels and the parameters (no seed), so the page can show it before the
    campaign is sent; ``stratified`` with the same arguments allocates exactly this.
    """
    if not isinstance(strata, (np.ndarray, Sequence, str, bytes)):
        strata = list(strata)
    labels, codes = _group_strata(strata)
    sizes = np.bincount(codes, minlength=len(labels))
    allocated = _plan(labels, sizes, n, allocation, min_per_stratum)
    return {label: (int(size), int(k)) for label, size, k in zip(labels, sizes, allocated, strict=True)}


def stratified(
    ids: Iterable[int],
    strata: Sequence,
    n: int,
    seed: int,
    allocation: str = "proportional",
    min_per_stratum: int = 0,
) -> list[int]:
    """n customers, split over strata as ``stratified_plan`` says, simple random within each.

    ``strata`` is parallel to ``ids`` (one label per customer, e.g. region or customer type);
    None and blank text form one stratum of their own. ``allocation`` is "proportional"
    (Hamilton rounding, total exactly n) or "equal" (n/H each, capped at the stratum's size,
    the rest spread over the larger strata). ``min_per_stratum`` guarantees that many from each
    stratum (all of a smaller one); it is an error if n cannot cover the minimums.
    """
    if isinstance(strata, (str, bytes)):
        raise ValueError("strata must be a sequence with one label per customer, not a single string")
    if not isinstance(strata, (np.ndarray, Sequence)):
        strata = list(strata)
    sorted_ids, order = _sorted_population(ids, strata, names=("strata",))
    seed = _check_seed(seed)
    labels, codes = _group_strata([strata[i] for i in order.tolist()])
    sizes = np.bincount(codes, minlength=len(labels))
    allocated = _plan(labels, sizes, n, allocation, min_per_stratum)
    if int(allocated.sum()) == 0:
        return []
    # One random key per customer; within each stratum the smallest keys win.
    keys = _rng(seed).random(len(sorted_ids))
    grouped = np.lexsort((keys, codes))
    group_codes = codes[grouped]
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    rank_in_group = np.arange(len(grouped)) - starts[group_codes]
    chosen = grouped[rank_in_group < allocated[group_codes]]
    return np.sort(sorted_ids[chosen]).tolist()


# --------------------------------------------------------------------------- top volume


def _as_volumes(volumes) -> np.ndarray:
    if isinstance(volumes, (str, bytes)):
        raise ValueError("volumes must be a sequence of numbers, one per customer")
    if not isinstance(volumes, (np.ndarray, Sequence)):
        volumes = list(volumes)
    arr = np.asarray(volumes)
    if arr.size == 0:
        return np.empty(0, dtype=np.float64)
    if arr.ndim != 1 or arr.dtype.kind not in "iufO":
        raise ValueError("volumes must be a flat sequence of numbers (amounts), one per customer")
    try:
        arr = arr.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError("volumes must be numbers (int, float or Decimal), one per customer") from exc
    if not np.isfinite(arr).all():
        raise ValueError("volumes must be finite numbers; use 0 for a customer without business")
    negative = np.flatnonzero(arr < 0)
    if negative.size:
        raise ValueError(f"volumes must not be negative (found {arr[negative[0]]:g})")
    return arr


def _top_volume(ids, volumes, share) -> tuple[np.ndarray, float, float]:
    share = _check_share(share)
    if not isinstance(volumes, (np.ndarray, Sequence)) or isinstance(volumes, (str, bytes)):
        volumes = _as_volumes(volumes)  # materialise iterators before the length check
    sorted_ids, order = _sorted_population(ids, volumes, names=("volumes",))
    vol = _as_volumes(volumes)[order]
    if vol.size == 0:
        return sorted_ids[:0], 0.0, 0.0
    # Largest volume first; ids are already ascending, so a stable sort breaks ties by smaller id.
    by_volume = np.argsort(-vol, kind="stable")
    cumulative = np.cumsum(vol[by_volume])
    total = float(cumulative[-1])
    if total == 0.0:
        return sorted_ids[:0], 0.0, 0.0
    threshold = share * total - _VOLUME_TOLERANCE * total
    count = int(np.searchsorted(cumulative, threshold, side="left")) + 1
    count = min(count, int(np.count_nonzero(vol)))  # zero-volume customers are never needed
    return sorted_ids[by_volume[:count]], float(cumulative[count - 1]), total


def top_volume(ids: Iterable[int], volumes: Sequence, share: float = 0.8) -> list[int]:
    """The fewest customers, largest business volume first, that together reach ``share`` of it.

    Seed 000: sort by business volume (业务量) high to low and survey the customers whose
    cumulative volume reaches 80% of the total. Equal volumes are taken in id order; customers
    with zero volume are never included; if the total is 0 the result is empty. ``share`` is in
    (0, 1]; 1 means every customer with business. Volumes may be int, float or Decimal
    (compared in float64, an exact boundary such as 80 of 100 counts as reached).
    """
    chosen, _, _ = _top_volume(ids, volumes, share)
    return np.sort(chosen).tolist()


def top_volume_summary(ids: Iterable[int], volumes: Sequence, share: float = 0.8) -> tuple[int, float, float]:
    """``(count, covered_volume, total_volume)`` for the ``top_volume`` selection, for display."""
    chosen, covered, total = _top_volume(ids, volumes, share)
    return len(chosen), covered, total


# --------------------------------------------------------------------------- design + dispatch


@dataclass(frozen=True)
class SampleDesign:
    """A campaign's sampling choice, as stored with the campaign and shown in its report.

    ``n`` is required for "simple", "systematic" and "stratified" and ignored by "all" and
    "top_volume"; ``stratify_by`` names the customer field the caller reads the strata from
    (required for "stratified"); ``share`` is used by "top_volume" only; ``allocation`` and
    ``min_per_stratum`` by "stratified" only.
    """

    method: str
    n: int | None = None
    seed: int = 0
    stratify_by: str | None = None
    allocation: str = "proportional"
    share: float = 0.8
    min_per_stratum: int = 0

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f"sampling method must be one of {', '.join(METHODS)}; got {self.method!r}")
        _check_seed(self.seed)
        _check_allocation(self.allocation, self.min_per_stratum)
        if self.method == "top_volume":
            _check_share(self.share)
        if self.method in ("simple", "systematic", "stratified"):
            if self.n is None:
                raise ValueError(f"the {self.method!r} method needs a sample size n")
            _check_count(self.n)
        if self.method == "stratified" and not self.stratify_by:
            raise ValueError("the 'stratified' method needs stratify_by (the field that defines the strata)")


def draw(
    design: SampleDesign,
    ids: Iterable[int],
    strata: Sequence | None = None,
    volumes: Sequence | None = None,
) -> list[int]:
    """The sorted ids the design selects from ``ids``.

    ``strata`` (labels of ``design.stratify_by``, parallel to ids) is required for
    "stratified"; ``volumes`` (business volume, parallel to ids) for "top_volume".
    """
    if not isinstance(design, SampleDesign):
        raise ValueError(f"design must be a SampleDesign, got {type(design).__name__}")
    method = design.method
    if method == "all":
        return take_all(ids)
    if method == "simple":
        return simple_random(ids, design.n, design.seed)
    if method == "systematic":
        return systematic(ids, design.n, design.seed)
    if method == "stratified":
        if strata is None:
            raise ValueError(f"stratified sampling needs the {design.stratify_by!r} value of every customer")
        return stratified(ids, strata, design.n, design.seed, design.allocation, design.min_per_stratum)
    if volumes is None:
        raise ValueError("top-volume sampling needs the business volume of every customer")
    return top_volume(ids, volumes, design.share)
