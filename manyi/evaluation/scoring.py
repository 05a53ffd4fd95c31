"""The evaluation's arithmetic (pure: no database), shown on the scorecard for every score.

Indicator score (0-100), seed 003 第九条 "企业应设定客户满意度目标": a score says how far the
value reaches its target:

    higher is better:   score = min(value / target, 1) × 100
    lower is better:    score = min(target / value, 1) × 100   (a value of 0 scores 100)

Meeting the target therefore scores 100, and exceeding it earns nothing more, so a unit cannot
buy one indicator's shortfall with another's surplus. A lower-is-better target of 0 scores 100
only at 0, otherwise 0.

Weighted total (满意度考核结果): Σ(weight × score) / Σ weight over the indicators that apply to
the unit's kind AND have data for it. An indicator without data (no survey answer, no ticket
with a deadline, no inspection) is left out and the other weights are re-normalised — the
scorecard says so in that unit's arithmetic. A unit with no data on any indicator has no total
and no rank.

Ranks: among units of the same kind (projects with projects, regions with regions), highest
total first, totals compared to two decimals; equal totals share a rank and the next rank is skipped
(1, 2, 2, 4).
"""

from __future__ import annotations

from dataclasses import dataclass


def indicator_score(value: float | None, target: float, higher_is_better: bool) -> float | None:
    """The 0-100 score of one indicator's value against its target (rule above); None without a value."""
    if value is None:
        return None
    if higher_is_better:
        if target <= 0:
            return 100.0
        return min(value / target, 1.0) * 100.0
    if value <= 0:
        return 100.0
    return min(target / value, 1.0) * 100.0


def target_met(value: float | None, target: float, higher_is_better: bool) -> bool | None:
    if value is None:
        return None
    return value >= target if higher_is_better else value <= target


@dataclass(frozen=True)
class Weighted:
    total: float | None
    weight_used: float  # Σ weight over the indicators with data
    weight_planned: float  # Σ weight over the indicators that apply


def weighted_total(parts) -> Weighted:
    """parts: (weight, score or None) per applicable indicator → the re-normalised weighted mean."""
    parts = list(parts)
    planned = sum(weight for weight, _score in parts)
    scored = [(weight, score) for weight, score in parts if score is not None]
    used = sum(weight for weight, _score in scored)
    if not scored or used <= 0:
        return Weighted(None, used, planned)
    return Weighted(sum(weight * score for weight, score in scored) / used, used, planned)


def competition_ranks(totals: dict) -> dict:
    """{key: total or None} → {key: rank} (1 = highest; ties share; no total → no rank)."""
    ordered = sorted((total, key) for key, total in totals.items() if total is not None)
    ordered.reverse()
    ranks = {}
    for position, (_total, key) in enumerate(ordered, start=1):
        ranks[key] = position
    # equal totals share the best position among them
    best = {}
    for key, rank in ranks.items():
        total = totals[key]
        best[total] = min(best.get(total, rank), rank)
    return {key: best[totals[key]] for key in ranks}
