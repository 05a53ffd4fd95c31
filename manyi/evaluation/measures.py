"""The indicators' values per unit, read from the data already in Manyi (nothing is typed in).

Every measure covers the unit and every unit below it (its subtree: a region's figure holds its
projects'), within the scheme's period (first day 00:00 to the day after the last, local time),
and returns a `Measure`: the value and the numbers it came from (`num`, `den`), which the
scorecard prints as the arithmetic. None = no data.

- survey_index (客户满意度综合指数, seed 003 第八条): per chosen campaign, the index of the unit's
  customers' valid answers read through `results.filters.analysed()` (Selection(unit=…): valid
  questionnaires, one voice per customer) and `CampaignDataset.group_index` (the questionnaire's
  index method); over several campaigns the mean weighted by their valid answers:
  Σ(index × n) ÷ Σ n. The chosen campaigns are the period's surveys: their answers count whenever
  they came in.
- satisfied_rate (满意率): satisfied valid answers ÷ valid answers with an index × 100 (seed 000:
  a customer is satisfied when their own index reaches the questionnaire's threshold).
- response_rate (回收率): completed answers ÷ invitations sent × 100, the unit's customers, the
  chosen campaigns.
- complaint_rate (客户投诉率, seed 003 4.2.4 "定量(如房屋故障率、客户投诉率、返修率)"): customer
  tickets received in the period (not judged invalid — 投诉不成立 — and not inspection findings,
  which have no customer) per 100 of the unit's customers: tickets ÷ customers × 100.
- sla_compliance (及时率): of the tickets' SLA deadlines (first response, forwarding, first
  solution, resolution) that fell due in the period and before now, the share met (the step done
  by its due time): met ÷ due × 100. A deadline not yet due is not counted.
- callback_satisfaction (回访满意度, seed 003 第十七条 "呼叫中心及时对系统内显示闭单的客户进行回访"):
  the mean index of the valid answers recorded on return visits in the period: Σ index ÷ n.
- inspection_score / mystery_visit_score (项目品质巡检 / 神秘客户暗访): the mean score of the
  unit's submitted first inspections of that kind inspected in the period (re-inspections not
  counted, as on the inspection results page): Σ score ÷ n.

An employee's own result (EmployeeMeasures) reads the same rules over what is theirs: the survey
answers, invitations and tickets of the customers they manage (Customer.owner, 客户经理; the
figures' Selection(owner=…)), the tickets assigned to them (SLA), the return visits they made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import numpy as np
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from manyi.campaigns.choices import ResponseStatus
from manyi.campaigns.models import Invitation, Response
from manyi.customers.models import Customer
from manyi.inspections.choices import TemplateKind
from manyi.inspections.models import Inspection
from manyi.inspections.unit_scores import scored
from manyi.organisation.models import Unit
from manyi.results.dataset import campaign_dataset
from manyi.results.filters import Selection, analysed
from manyi.tickets.choices import DEADLINES, Validity
from manyi.tickets.models import Category, Ticket
from manyi.visits.models import VisitRecord

from .choices import IndicatorKind

INSPECTION_FINDING = Category.INSPECTION_FINDING


@dataclass(frozen=True)
class Measure:
    value: float | None
    num: float = 0  # what was counted or summed
    den: float = 0  # what it was divided by
    parts: tuple = ()  # per campaign: (campaign name, index, n) for the weighted survey index

    def as_dict(self):
        return {"value": self.value, "num": self.num, "den": self.den, "parts": [list(p) for p in self.parts]}


def period_bounds(scheme):
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(scheme.period_start, time.min), zone)
    end = timezone.make_aware(datetime.combine(scheme.period_end + timedelta(days=1), time.min), zone)
    return start, end


def _rate(num, den):
    return Measure(100.0 * num / den if den else None, num, den)


def _mean(total, n):
    return Measure(total / n if n else None, total or 0, n)


class UnitMeasures:
    """The measures of one scheme, with each campaign's dataset read once for all units.

    The counted rows are read once for all units too: grouped by the field that ties them to a
    unit (GROUPS: a ticket's unit, a return visit's customer's unit …), and a unit's figure adds
    up the groups of its subtree (`members`) — the same rows as filtering each unit's subtree, in
    one query per measure instead of one per unit."""

    GROUPS = {
        "customers": "unit_id",
        "tickets_for_rate": "unit_id",
        "sla_tickets": "unit_id",
        "visit_records": "customer__unit_id",
        "invitations": "customer__unit_id",
        "responses": "invitation__customer__unit_id",
        "inspections": "unit_id",
    }

    def __init__(self, scheme, now=None):
        self.scheme = scheme
        self.start, self.end = period_bounds(scheme)
        self.now = now or timezone.now()
        self._datasets = {}
        self._campaigns = {}  # indicator -> its campaigns, read once for every unit
        self._analysed = {}  # (campaign, selection) -> the analysed rows, shared by the survey kinds
        self._groups = {}  # what was counted -> {group: figures}
        self._members = {}

    def subtree(self, unit):
        return Unit.objects.within(unit)

    def members(self, unit):
        """The groups a unit's figures add up: its subtree's unit ids."""
        if unit.pk not in self._members:
            self._members[unit.pk] = set(self.subtree(unit).values_list("pk", flat=True))
        return self._members[unit.pk]

    def _total(self, name, unit, rows, **aggregates):
        """Σ over the unit's groups of the `aggregates` of `rows()` grouped by GROUPS[name]; the
        grouped figures are read once (`name`: what is counted, with what it depends on)."""
        if name not in self._groups:
            field = self.GROUPS[name[0] if isinstance(name, tuple) else name]
            found = rows().order_by().values(field).annotate(**aggregates)
            self._groups[name] = {row[field]: row for row in found}
        groups = self._groups[name]
        return {
            key: sum(groups[group][key] or 0 for group in self.members(unit) if group in groups)
            for key in aggregates
        }

    def measure(self, indicator, unit):
        kind = indicator.kind
        if kind in (IndicatorKind.SURVEY_INDEX, IndicatorKind.SATISFIED_RATE):
            return self.survey(indicator, unit)
        return getattr(self, kind)(indicator, unit)

    def _dataset(self, campaign):
        if campaign.pk not in self._datasets:
            self._datasets[campaign.pk] = campaign_dataset(campaign)
        return self._datasets[campaign.pk]

    def _selection(self, unit):
        return Selection(unit=unit.pk)

    def _indicator_campaigns(self, indicator):
        if indicator not in self._campaigns:
            self._campaigns[indicator] = list(
                indicator.campaigns.select_related("questionnaire").order_by("pk")
            )
        return self._campaigns[indicator]

    def _valid(self, campaign, unit):
        """filters.analysed() of the unit's selection, once for the index and the satisfied rate."""
        dataset = self._dataset(campaign)
        key = (campaign.pk, self._selection(unit))
        if key not in self._analysed:
            self._analysed = {k: v for k, v in self._analysed.items() if k[1] == key[1]}  # one unit at a time
            self._analysed[key] = analysed(dataset, key[1])
        return dataset, self._analysed[key]

    def survey(self, indicator, unit):
        weighted, n_all, satisfied, rated, parts = 0.0, 0, 0, 0, []
        for campaign in self._indicator_campaigns(indicator):
            dataset, valid = self._valid(campaign, unit)
            n = int(valid.sum())
            if not n:
                continue
            if indicator.kind == IndicatorKind.SATISFIED_RATE:
                rated += int(np.count_nonzero(~np.isnan(dataset.index[valid])))
                satisfied += int(dataset.satisfied[valid].sum())
                continue
            group = dataset.group_index(campaign.questionnaire.layout().scheme, valid)
            if group.values.size and group.index is not None:
                weighted += group.index * n
                n_all += n
                parts.append((campaign.name, round(float(group.index), 2), n))
        if indicator.kind == IndicatorKind.SATISFIED_RATE:
            return _rate(satisfied, rated)
        return Measure(weighted / n_all if n_all else None, weighted, n_all, tuple(parts))

    def response_rate(self, indicator, unit):
        campaigns = [campaign.pk for campaign in self._indicator_campaigns(indicator)]
        sent = self._total(
            ("invitations", tuple(campaigns)),
            unit,
            lambda: Invitation.objects.filter(campaign__in=campaigns, sent_at__isnull=False),
            n=Count("pk"),
        )["n"]
        answered = self._total(
            ("responses", tuple(campaigns)),
            unit,
            lambda: Response.objects.filter(
                invitation__campaign__in=campaigns,
                invitation__sent_at__isnull=False,
                status=ResponseStatus.COMPLETED,
            ),
            n=Count("pk"),
        )["n"]
        return _rate(answered, sent)

    def complaint_rate(self, indicator, unit):
        customers = self._total("customers", unit, Customer.objects.all, n=Count("pk"))["n"]
        tickets = self._total(
            "tickets_for_rate",
            unit,
            lambda: (
                Ticket.objects.filter(
                    customer__isnull=False,
                    received_at__gte=self.start,
                    received_at__lt=self.end,
                )
                .exclude(validity=Validity.INVALID)
                .exclude(category__code=INSPECTION_FINDING)
            ),
            n=Count("pk"),
        )["n"]
        return _rate(tickets, customers)

    def sla_compliance(self, indicator, unit):
        until = min(self.end, self.now)
        counts = {}
        for d in DEADLINES:  # one query for the four deadlines
            window = Q(**{f"{d.due}__gte": self.start, f"{d.due}__lt": until})
            counts[f"due_{d.name}"] = Count("pk", filter=window)
            counts[f"met_{d.name}"] = Count(
                "pk", filter=window & Q(**{f"{d.done}__isnull": False, f"{d.done}__lte": F(d.due)})
            )
        counts = self._total("sla_tickets", unit, Ticket.objects.all, **counts)
        due = sum(counts[f"due_{d.name}"] for d in DEADLINES)
        met = sum(counts[f"met_{d.name}"] for d in DEADLINES)
        return _rate(met, due)

    def callback_satisfaction(self, indicator, unit):
        figures = self._total(
            "visit_records",
            unit,
            lambda: VisitRecord.objects.filter(
                visited_at__gte=self.start,
                visited_at__lt=self.end,
                response__valid=True,
                response__index__isnull=False,
            ),
            total=Sum("response__index"),
            n=Count("pk"),
        )
        return _mean(figures["total"], figures["n"])

    def _inspections(self, unit, kind):
        figures = self._total(
            ("inspections", kind),
            unit,
            lambda: scored(
                Inspection.objects.filter(
                    template__kind=kind,
                    inspected_at__gte=self.start,
                    inspected_at__lt=self.end,
                    score__isnull=False,
                )
            ),
            total=Sum("score"),
            n=Count("pk"),
        )
        return _mean(figures["total"], figures["n"])

    def inspection_score(self, indicator, unit):
        return self._inspections(unit, TemplateKind.SITE_INSPECTION)

    def mystery_visit_score(self, indicator, unit):
        return self._inspections(unit, TemplateKind.MYSTERY_VISIT)


class EmployeeMeasures(UnitMeasures):
    """The same measures over one employee's customers, tickets and visits (docstring above)."""

    GROUPS = {
        "customers": "owner_id",
        "tickets_for_rate": "customer__owner_id",
        "sla_tickets": "assignee_id",
        "visit_records": "agent_id",
        "invitations": "customer__owner_id",
        "responses": "invitation__customer__owner_id",
    }

    def members(self, employee):
        return {employee.pk}

    def _selection(self, employee):
        return Selection(owner=employee.get_username())

    def inspection_score(self, indicator, employee):
        return Measure(None)

    def mystery_visit_score(self, indicator, employee):
        return Measure(None)
