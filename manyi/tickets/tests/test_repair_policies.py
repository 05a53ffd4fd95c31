"""Seed 000's repair deadlines shipped as default policies (issue 22, point 7; migration 0015).

Seed 000: “属于保修范围、内容的项目,应在接到保修通知之日起7天内派人保修。” and “发生紧急抢修事故的,
在接到事故通知后,应立即到达现场抢修。” A repair ticket is due within 7 days; an emergency repair
(severity serious) has someone at the site within 4 hours; other tickets keep the standard
policy; a company's own repair policy stands.
"""

import importlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps

from manyi.tickets import workflow
from manyi.tickets.choices import Channel, Demand, Severity
from manyi.tickets.models import SlaPolicy

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("manyi.tickets.migrations.0015_repair_policies_seed_000")
# Friday 25 September 2026, 16:00 in Shanghai: the repair clock runs over the weekend.
RECEIVED = datetime(2026, 9, 25, 16, tzinfo=ZoneInfo("Asia/Shanghai"))


def new_ticket(**kwargs):
    return workflow.open_ticket(
        by=None,
        channel=Channel.PHONE,
        subject="设备漏水",
        description="屋面防水层漏水，请派人维修。",
        received_at=RECEIVED,
        now=RECEIVED,
        **kwargs,
    )


def test_a_repair_is_due_within_seven_days_of_the_notice():
    ticket = new_ticket(demand=Demand.REPAIR)
    assert ticket.sla_policy.name == "维修 (seed 000)"
    assert ticket.resolution_due == datetime(2026, 10, 2, 16, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert ticket.solution_due == RECEIVED + timedelta(days=7)  # 7天内派人保修
    assert ticket.response_due == RECEIVED + timedelta(hours=4)


def test_an_emergency_repair_has_someone_at_the_site_at_once():
    ticket = new_ticket(demand=Demand.REPAIR, severity=Severity.SERIOUS)
    assert ticket.sla_policy.name == "紧急抢修 (seed 000)"
    assert ticket.solution_due == RECEIVED + timedelta(hours=4)  # 立即到达现场抢修, at 20:00 on a Friday
    assert ticket.response_due == RECEIVED + timedelta(hours=1)
    assert ticket.resolution_due == RECEIVED + timedelta(days=7)


def test_other_demands_keep_the_standard_policy():
    for demand in ("", Demand.RETURN, Demand.REPLACEMENT):
        ticket = new_ticket(demand=demand)
        assert ticket.sla_policy.name.startswith("标准"), demand
        assert ticket.resolution_due != RECEIVED + timedelta(days=7)


def test_a_ticket_that_turns_out_to_be_a_repair_gets_the_repair_deadline(people):
    ticket = new_ticket()
    workflow.classify(ticket, people.sam, demand=Demand.REPAIR, now=RECEIVED + timedelta(hours=1))
    ticket.refresh_from_db()
    assert ticket.resolution_due == RECEIVED + timedelta(days=7)


def test_running_it_again_adds_nothing():
    before = sorted(SlaPolicy.objects.values_list("pk", "name", "severity", "demand", "resolution"))
    MIGRATION.add_repair_policies(apps, None)
    assert sorted(SlaPolicy.objects.values_list("pk", "name", "severity", "demand", "resolution")) == before


def test_a_companys_own_repair_policy_stands():
    SlaPolicy.objects.filter(name__in=[p["name"] for p in MIGRATION.POLICIES]).delete()
    own = SlaPolicy.objects.create(
        name="保修 3 天",
        demand=Demand.REPAIR,
        first_response=timedelta(hours=2),
        first_solution=timedelta(days=1),
        resolution=timedelta(days=3),
    )
    MIGRATION.add_repair_policies(apps, None)
    assert list(SlaPolicy.objects.filter(demand=Demand.REPAIR)) == [own]
    ticket = new_ticket(demand=Demand.REPAIR, severity=Severity.SERIOUS)
    assert ticket.sla_policy == SlaPolicy.objects.get(name="严重投诉")  # severity before demand
    ticket = new_ticket(demand=Demand.REPAIR)
    assert (ticket.sla_policy, ticket.resolution_due) == (own, RECEIVED + timedelta(days=3))


def test_without_any_repair_policy_both_are_added_once():
    SlaPolicy.objects.filter(demand=Demand.REPAIR).delete()
    MIGRATION.add_repair_policies(apps, None)
    MIGRATION.add_repair_policies(apps, None)
    shipped = SlaPolicy.objects.filter(demand=Demand.REPAIR).order_by("severity")
    assert [(p.name, p.severity, p.first_solution, p.resolution) for p in shipped] == [
        ("维修 (seed 000)", "", timedelta(days=7), timedelta(days=7)),
        ("紧急抢修 (seed 000)", Severity.SERIOUS, timedelta(hours=4), timedelta(days=7)),
    ]


def test_reversing_keeps_a_policy_a_ticket_uses():
    used = new_ticket(demand=Demand.REPAIR).sla_policy
    MIGRATION.remove_repair_policies(apps, None)
    assert list(SlaPolicy.objects.filter(demand=Demand.REPAIR)) == [used]
