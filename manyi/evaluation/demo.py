"""The demo company's published evaluation (issue 19 point 7): a yearly scheme over the twelve
months before today (the demo's surveys, tickets, visits and inspections all fall in them), with
seed 003's indicators, published, and rewards and penalties (表彰, 奖金, 通报批评) on the best
and the weakest project."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from manyi.campaigns.models import Campaign
from manyi.organisation.choices import UnitKind

from . import publishing
from .choices import RewardKind
from .models import EvaluationResult, EvaluationScheme, Indicator

# (kind, weight, target, direction, unit kinds)
INDICATORS = [
    ("survey_index", 25, 85, "higher", []),
    ("satisfied_rate", 10, 90, "higher", []),
    ("response_rate", 5, 80, "higher", []),
    ("complaint_rate", 15, 2, "lower", []),
    ("sla_compliance", 15, 90, "higher", []),
    ("callback_satisfaction", 10, 90, "higher", []),
    ("inspection_score", 10, 95, "higher", [UnitKind.PROJECT]),
    ("mystery_visit_score", 10, 95, "higher", [UnitKind.PROJECT]),
]


def load_demo_evaluation(users, today=None):
    """Create, compute and publish the scheme; returns it (None without an administrator)."""
    approver = users.get("admin") or next(iter(users.values()), None)
    if approver is None:
        return None
    today = today or timezone.localdate()
    end = today - datetime.timedelta(days=1)
    start = end.replace(year=end.year - 1) + datetime.timedelta(days=1)
    scheme = EvaluationScheme.objects.create(
        name=f"年度满意度管理考评方案（{start:%Y-%m} 至 {end:%Y-%m}）",
        period_start=start,
        period_end=end,
        created_by=approver,
    )
    surveys = list(
        Campaign.objects.annotate(answers=Count("responses", filter=Q(responses__status="completed")))
        .filter(answers__gt=0)
        .order_by("-answers")[:2]
    )
    for position, (kind, weight, target, direction, kinds) in enumerate(INDICATORS):
        if kind in ("survey_index", "satisfied_rate", "response_rate") and not surveys:
            continue
        indicator = Indicator.objects.create(
            scheme=scheme,
            kind=kind,
            weight=weight,
            target=target,
            direction=direction,
            unit_kinds=list(kinds),
            position=position,
        )
        if kind in ("survey_index", "satisfied_rate", "response_rate"):
            indicator.campaigns.set(surveys)
    publishing.publish(scheme, approver)
    _rewards(scheme, users, approver, today)
    return scheme


def _rewards(scheme, users, approver, today):
    projects = list(
        EvaluationResult.objects.filter(scheme=scheme, unit__kind=UnitKind.PROJECT, total__isnull=False)
        .select_related("unit")
        .order_by("rank")
    )
    if len(projects) < 2:
        return
    best, weakest = projects[0], projects[-1]
    person = users.get("huangwei")
    best.rewards.create(
        kind=RewardKind.COMMENDATION,
        title="年度客户满意度优秀项目",
        reason="考评总分同类项目第一。",
        approver=approver,
        approved_on=today,
        created_by=approver,
    )
    best.rewards.create(
        kind=RewardKind.BONUS,
        amount=20000,
        reason="年度满意度考评第一名项目团队奖金。",
        approver=approver,
        approved_on=today,
        created_by=approver,
    )
    weakest.rewards.create(
        kind=RewardKind.CRITICISM,
        person=person,
        reason="考评总分同类项目末位，投诉处理及时率未达标，限期整改。",
        approver=approver,
        approved_on=today,
        created_by=approver,
    )
