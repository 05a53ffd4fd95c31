"""Deadlines measured where the seeds measure them (issue 22, point 7).

Seed 002: forwarded to the departments within half a working day (接到客户反馈后半个工作日内 …
发送给质量部、技术部等相关部门) — met by the assignment to a department, not by the
acknowledgement. Seed 000: repair within 7 days (7天内派人保修), emergencies at once (紧急抢修 …
立即) — policies chosen by the customer's demand.
"""

import importlib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.urls import reverse

from manyi.tickets import workflow
from manyi.tickets.choices import Channel, Clock, Demand, Severity, TicketState
from manyi.tickets.models import SlaPolicy, Ticket, WorkingCalendar
from manyi.tickets.statistics import Selection, statistics

from .conftest import in_english

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


# Monday 21 September 2026, 09:00. The standard policy (seed 002) counts half a working day
# (3 h 45 min) on Monday-Friday 08:30-12:00, 13:30-17:30: 09:00-12:00 is 3 h, then 45 min from
# 13:30, so the first response and the forwarding are both due on Monday at 14:15.
RECEIVED = at(2026, 9, 21, 9)
HALF_DAY_LATER = at(2026, 9, 21, 14, 15)


def new_ticket(**kwargs):
    kwargs.setdefault("channel", Channel.PHONE)
    kwargs.setdefault("received_at", RECEIVED)
    return workflow.open_ticket(
        by=None, subject="包装破损", description="外包装破损，两件产品开裂。", now=RECEIVED, **kwargs
    )


def acknowledged_at_once_forwarded_a_day_late(people):
    ticket = new_ticket()
    workflow.acknowledge(ticket, people.amy, now=RECEIVED + timedelta(minutes=5))
    workflow.assign(ticket, people.sam, people.quality, people.hank, now=at(2026, 9, 22, 9, 5))
    return ticket


# --------------------------------------------------------------------------- forwarding


def test_the_forwarding_deadline_is_met_by_the_assignment_not_the_acknowledgement(people):
    ticket = acknowledged_at_once_forwarded_a_day_late(people)
    assert ticket.sla_policy.name.startswith("标准")
    assert ticket.response_due == ticket.forwarding_due == HALF_DAY_LATER
    assert ticket.first_response_at == RECEIVED + timedelta(minutes=5)
    assert ticket.forwarded_at == at(2026, 9, 22, 9, 5)
    breached = {
        name: missed for name, _due, _done, missed, _left in ticket.deadline_status(at(2026, 9, 22, 10))
    }
    assert breached["response"] is False
    assert breached["forwarding"] is True


def test_the_ticket_page_shows_the_forwarding_missed(people, client_as):
    ticket = acknowledged_at_once_forwarded_a_day_late(people)
    page = in_english(client_as(people.sam)).get(reverse("tickets:detail", args=[ticket.pk]))
    html = page.content.decode()
    table = html[html.index('id="deadlines"') : html.index("</table>", html.index('id="deadlines"'))]
    rows = {row.split("<td>")[1].split("</td>")[0]: row for row in table.split("<tr")[2:]}
    assert 'class="table-danger"' in rows["Forwarding to the department"]
    assert "2026-09-21 14:15" in rows["Forwarding to the department"]
    assert "2026-09-22 09:05" in rows["Forwarding to the department"]
    assert 'class="table-danger"' not in rows["First response"]


def test_the_statistics_count_the_forwarding_missed_and_the_response_met(people, client_as):
    late = acknowledged_at_once_forwarded_a_day_late(people)
    in_time = new_ticket()
    workflow.acknowledge(in_time, people.amy, now=RECEIVED + timedelta(hours=1))
    workflow.assign(in_time, people.sam, people.quality, now=RECEIVED + timedelta(hours=2))
    now = at(2026, 9, 30, 12)
    stats = statistics(Selection(date(2026, 9, 1), date(2026, 9, 30)), now=now)
    compliance = {row["key"]: row for row in stats["compliance"]}
    assert (compliance["response"]["met"], compliance["response"]["missed"]) == (2, 0)
    assert (compliance["forwarding"]["met"], compliance["forwarding"]["missed"]) == (1, 1)
    assert compliance["forwarding"]["percent"] == pytest.approx(50.0)
    durations = {row["key"]: row for row in stats["durations"]}
    forwarded_hours = [24 + 5 / 60, 2]  # Monday 09:00 → Tuesday 09:05; 2 h
    assert durations["forwarding"]["count"] == 2
    assert durations["forwarding"]["median"] == pytest.approx(sum(forwarded_hours) / 2)

    page = in_english(client_as(people.sam)).get(
        reverse("ticket_stats:page"), {"start": "2026-09-01", "end": "2026-09-30"}
    )
    html = page.content.decode()
    table = html[html.index('id="compliance"') : html.index("</table>", html.index('id="compliance"'))]
    row = table[table.index("Forwarding to the department") :].split("</tr>")[0]
    cells = [cell.split("<")[0] for cell in row.split('class="text-end">')[1:]]
    assert cells == ["1", "1", "0", "50.0"]
    assert late.pk and in_time.pk


def test_a_reassignment_does_not_move_the_forwarding(people):
    ticket = new_ticket()
    workflow.acknowledge(ticket, people.amy, now=RECEIVED)
    workflow.assign(ticket, people.sam, people.quality, now=RECEIVED + timedelta(hours=1))
    workflow.assign(ticket, people.sam, people.service, now=at(2026, 9, 23, 9))
    assert ticket.forwarded_at == RECEIVED + timedelta(hours=1)


def test_closing_as_invalid_before_any_assignment_leaves_nothing_to_forward(people):
    ticket = new_ticket()
    workflow.close_invalid(ticket, people.sam, "个人保存不当，受潮结块。", now=RECEIVED + timedelta(hours=1))
    assert ticket.forwarded_at == RECEIVED + timedelta(hours=1)
    assert ticket.state == TicketState.INVALID


def test_an_unforwarded_ticket_is_overdue_and_escalated_for_the_forwarding(people):
    from manyi.tickets.escalation import escalate_breaches

    ticket = new_ticket()
    workflow.acknowledge(ticket, people.amy, now=RECEIVED + timedelta(minutes=5))
    now = HALF_DAY_LATER + timedelta(minutes=1)
    assert list(Ticket.objects.overdue(now)) == [ticket]
    result = escalate_breaches(now, notify=False)
    assert (result["tickets"], result["forwarding"], result["response"]) == (1, 1, 0)
    ticket.refresh_from_db()
    assert ticket.forwarding_breached_at == now


def test_the_migration_restamps_existing_tickets_from_their_events(people):
    restamp = importlib.import_module("manyi.tickets.migrations.0014_restamp_forwarding").restamp
    late = acknowledged_at_once_forwarded_a_day_late(people)
    waiting = new_ticket()
    workflow.acknowledge(waiting, people.amy, now=RECEIVED + timedelta(minutes=5))
    # As before the change: no forwarding time on the policy, nothing stamped on the tickets.
    SlaPolicy.objects.update(forwarding=None)
    Ticket.objects.update(forwarded_at=None, forwarding_due=None, forwarding_breached_at=None)

    restamp(apps, None)

    late.refresh_from_db()
    waiting.refresh_from_db()
    standard = SlaPolicy.objects.get(name="标准 (seed 002)")
    assert standard.forwarding == timedelta(hours=3, minutes=45)
    assert late.forwarded_at == at(2026, 9, 22, 9, 5)  # the assignment event, not the acknowledgement
    assert late.forwarding_due == HALF_DAY_LATER
    assert late.forwarding_breached_at is None  # forwarded (late): nothing to escalate
    assert waiting.forwarded_at is None and waiting.forwarding_due == HALF_DAY_LATER
    assert waiting.forwarding_breached_at is not None  # open and overdue: recorded, not mailed


# --------------------------------------------------------------------------- demand policies


def without_the_shipped_repair_policies():
    """The repair policies 0015 ships give way to the ones a test sets (one active per demand)."""
    SlaPolicy.objects.filter(demand=Demand.REPAIR).update(is_active=False)


@pytest.fixture
def repair_policies(db):
    """Seed 000: 7天内派人保修; 紧急抢修 … 立即 (here: 4 working hours)."""
    without_the_shipped_repair_policies()
    calendar = WorkingCalendar.objects.get(name="标准工作日")
    repair = SlaPolicy.objects.create(
        name="维修 (seed 000)",
        demand=Demand.REPAIR,
        first_response=timedelta(hours=4),
        first_solution=timedelta(days=2),
        resolution=timedelta(days=7),
    )
    emergency = SlaPolicy.objects.create(
        name="紧急维修",
        demand=Demand.REPAIR,
        severity=Severity.SERIOUS,
        first_response=timedelta(minutes=30),
        first_solution=timedelta(hours=2),
        resolution=timedelta(hours=4),
        clock=Clock.WORKING,
        calendar=calendar,
    )
    return repair, emergency


def test_a_repair_gets_seven_days_and_an_emergency_repair_four_working_hours(people, repair_policies):
    repair, emergency = repair_policies
    ordinary = new_ticket(demand=Demand.REPAIR)
    assert ordinary.sla_policy == repair
    assert ordinary.resolution_due == RECEIVED + timedelta(days=7)
    urgent = new_ticket(demand=Demand.REPAIR, severity=Severity.SERIOUS)
    assert urgent.sla_policy == emergency
    assert urgent.resolution_due == at(2026, 9, 21, 14, 30)  # 09:00-12:00 3 h, 13:30 + 1 h
    other = new_ticket(demand=Demand.RETURN)
    assert other.sla_policy.name.startswith("标准")


def test_the_most_specific_policy_wins_severity_before_demand_before_channel(people, repair_policies):
    repair, emergency = repair_policies
    serious = SlaPolicy.objects.get(name="严重投诉")  # severity only (0002)
    survey = SlaPolicy.objects.get(channel=Channel.SURVEY)  # channel only (0002)
    choose = SlaPolicy.objects.for_ticket
    assert choose(Severity.SERIOUS, Channel.SURVEY, Demand.REPAIR) == emergency  # two conditions
    emergency.is_active = False
    emergency.save()
    assert choose(Severity.SERIOUS, Channel.SURVEY, Demand.REPAIR) == serious  # severity first
    assert choose(Severity.GENERAL, Channel.SURVEY, Demand.REPAIR) == repair  # demand before channel
    assert choose(Severity.GENERAL, Channel.SURVEY, "") == survey


def test_a_new_demand_recomputes_the_deadlines(people, repair_policies):
    repair, _emergency = repair_policies
    ticket = new_ticket()
    workflow.classify(ticket, people.sam, demand=Demand.REPAIR, now=RECEIVED + timedelta(hours=1))
    ticket.refresh_from_db()
    assert ticket.sla_policy == repair
    assert ticket.resolution_due == RECEIVED + timedelta(days=7)


def policy_form(**values):
    calendar = WorkingCalendar.objects.get(name="标准工作日")
    return {
        "name": "维修",
        "severity": "",
        "channel": "",
        "demand": "repair",
        "first_response": "04:00:00",
        "forwarding": "",
        "first_solution": "2 00:00:00",
        "resolution": "7 00:00:00",
        "clock": "calendar",
        "calendar": str(calendar.pk),
        "is_active": "on",
        **values,
    }


def test_an_administrator_sets_the_repair_policies_and_new_tickets_follow_them(people, client_as):
    without_the_shipped_repair_policies()
    client = in_english(client_as(people.alice))
    url = reverse("admin:tickets_slapolicy_add")
    assert client.post(url, policy_form()).status_code == 302
    emergency = policy_form(
        name="紧急维修", severity="serious", first_response="00:30:00", first_solution="02:00:00",
        resolution="04:00:00", clock="working",
    )  # fmt: skip
    assert client.post(url, emergency).status_code == 302

    ordinary = new_ticket(demand=Demand.REPAIR)
    assert ordinary.sla_policy.name == "维修"
    assert ordinary.resolution_due == RECEIVED + timedelta(days=7)
    urgent = new_ticket(demand=Demand.REPAIR, severity=Severity.SERIOUS)
    assert urgent.sla_policy.name == "紧急维修"
    assert urgent.resolution_due == at(2026, 9, 21, 14, 30)
    assert urgent.response_due == RECEIVED + timedelta(minutes=30)


def test_a_second_active_policy_for_the_same_demand_is_refused_and_nothing_changes(people, client_as):
    without_the_shipped_repair_policies()
    client = in_english(client_as(people.alice))
    url = reverse("admin:tickets_slapolicy_add")
    assert client.post(url, policy_form()).status_code == 302
    before = list(SlaPolicy.objects.values_list("pk", "name", "resolution"))
    page = client.post(url, policy_form(name="维修 2", resolution="3 00:00:00"))
    assert page.status_code == 200
    assert "same severity, channel and customer demand" in page.content.decode()
    assert list(SlaPolicy.objects.values_list("pk", "name", "resolution")) == before
