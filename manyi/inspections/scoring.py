"""The score of an inspection (巡检得分): plain arithmetic, no Django.

The rule (REQUIREMENTS §10, seed 003: 项目品质巡检 and 神秘客户暗访 "with scored checklists"):

    score = 100 × Σ weight_i × points_i / max_i  ÷  Σ weight_i      over the applicable items

Each item counts as the share of its maximum it got (a pass/fail item: pass = 1, fail = 0),
weighted by its weight. An item answered "not applicable" (不适用: a sales office without a
model flat is not marked down for its model flat) is left out of the numerator *and* the
denominator, so the score is the share of what could be checked. An item not answered yet
is left out the same way (a draft shows its score so far; submitting needs every item).
With no applicable item there is no score (None), not 0 or 100.

An item *fails* (扣分项: it becomes a finding to correct) when it got less than its maximum.

A unit's or an item's score over several inspections is the plain mean of the inspections'
scores (each inspection counts once, whatever its number of items), ``mean_score``.
"""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ItemScore:
    """One item of one inspection: its weight, its maximum, the points given (None: not
    answered) and whether it was marked not applicable."""

    weight: float
    max_points: float
    points: float | None
    not_applicable: bool = False

    @property
    def counts(self):
        return not self.not_applicable and self.points is not None and self.weight > 0 and self.max_points > 0

    @property
    def share(self):
        """The share of the maximum, 0 to 1 (None when the item does not count)."""
        return self.points / self.max_points if self.counts else None

    @property
    def failed(self):
        return self.counts and self.points < self.max_points


def weighted_score(items: Iterable[ItemScore]) -> float | None:
    """The weighted percentage (0-100) over the applicable answered items; None if there are none."""
    numerator = denominator = 0.0
    for item in items:
        if item.counts:
            numerator += item.weight * item.points / item.max_points
            denominator += item.weight
    if denominator == 0:
        return None
    return 100.0 * numerator / denominator


def mean_score(scores: Iterable[float | None]) -> float | None:
    """The plain mean of the scores that exist; None when none does."""
    values = [score for score in scores if score is not None]
    return sum(values) / len(values) if values else None
