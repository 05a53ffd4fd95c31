"""Inspection scores per unit, per item and per month, for the results page.

Each figure is :func:`scoring.mean_score` of inspections' scores (``scoring.weighted_score``:
weighted percentage, not-applicable items left out of the denominator). Only submitted and
reviewed first inspections count: a re-inspection (整改复查) asks only the items that failed
and would lift or sink a unit's mean with a partial checklist, so it is shown on its own page.
An item's score in a unit is the mean of its share of the maximum (0-100) over the unit's
inspections where it was answered and applicable.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from .choices import SCORED_STATUSES, Answer
from .models import ItemResult
from .scoring import ItemScore, mean_score


def scored(inspections):
    """The inspections the figures count: submitted or reviewed, not re-inspections."""
    return inspections.filter(status__in=SCORED_STATUSES, follow_up_of__isnull=True)


@dataclass
class UnitRow:
    unit: object
    count: int = 0
    scores: list = field(default_factory=list)
    findings: int = 0
    open_findings: int = 0

    @property
    def mean(self):
        return mean_score(self.scores)

    @property
    def lowest(self):
        return min(self.scores, default=None)


def by_unit(inspections):
    """One row per unit with a scored inspection, lowest mean first (what to look at first)."""
    from .models import Finding

    rows = {}
    for inspection in scored(inspections).select_related("unit"):
        row = rows.setdefault(inspection.unit_id, UnitRow(inspection.unit))
        row.count += 1
        if inspection.score is not None:
            row.scores.append(inspection.score)
    findings = Finding.objects.filter(inspection__in=scored(inspections)).values_list(
        "inspection__unit_id", "status"
    )
    for unit_id, status in findings:
        row = rows[unit_id]
        row.findings += 1
        row.open_findings += status == "open"
    return sorted(rows.values(), key=lambda r: (r.mean is None, r.mean or 0, r.unit.name))


@dataclass
class ItemRow:
    item: object
    by_unit: dict  # unit id -> mean share 0-100 (None: never applicable)

    @property
    def overall(self):
        return mean_score(self.by_unit.values())


def by_item(inspections, template, units):
    """Per item of ``template`` (any version with its code: items matched by section position,
    position and text), the mean share of its maximum (0-100) in each of ``units``."""
    rows = ItemResult.objects.filter(inspection__in=scored(inspections).filter(template__code=template.code))
    shares = defaultdict(lambda: defaultdict(list))
    for unit_id, section, position, text, answer, points, max_points, weight in rows.values_list(
        "inspection__unit_id",
        "item__section__position",
        "item__position",
        "item__text",
        "answer",
        "points",
        "item__max_points",
        "item__weight",
    ):
        share = ItemScore(
            weight=float(weight),
            max_points=float(max_points),
            points=None if points is None else float(points),
            not_applicable=answer == Answer.NOT_APPLICABLE,
        ).share
        if share is not None:
            shares[(section, position, text)][unit_id].append(100 * share)
    found = []
    for item in template.items().select_related("section"):
        per_unit = shares.get((item.section.position, item.position, item.text), {})
        found.append(ItemRow(item, {unit.pk: mean_score(per_unit.get(unit.pk, [])) for unit in units}))
    return found


def by_month(inspections):
    """(year-month, mean score, count) in date order, by the day the inspection was done."""
    months = defaultdict(list)
    for due_on, inspected_at, score in scored(inspections).values_list("due_on", "inspected_at", "score"):
        day = timezone.localdate(inspected_at) if inspected_at else due_on
        months[f"{day:%Y-%m}"].append(score)
    return [(month, mean_score(scores), len(scores)) for month, scores in sorted(months.items())]


def for_year(inspections, year):
    return inspections.filter(due_on__year=year)
