"""The SLA sweep: breaches recorded once, priority raised once, events, e-mail to the supervisors."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from manyi.accounts.choices import Role
from manyi.testing import make_user
from manyi.tickets import escalation, workflow
from manyi.tickets.choices import Channel, EventKind, Priority, Severity, TicketState
from manyi.tickets.escalation import escalate_breaches
from manyi.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
RECEIVED = datetime(2026, 9, 21, 9, 0, tzinfo=SHANGHAI)  # a Monday
NOW = RECEIVED + timedelta(hours=10)


def ticket(department=None, state=TicketState.ASSIGNED, severity=Severity.GENERAL, **fields):
    """A ticket received at RECEIVED with deadlines 1 h / 8 h / 48 h unless given."""
    t = workflow.open_ticket(
        by=None,
        channel=Channel.PHONE,
        subject=fields.pop("subject", "快递慢"),
        description="下单一周仍未收到货。",
        received_at=RECEIVED,
        severity=severity,
        now=RECEIVED,
    )
    values = {
        "state": state,
        "department": department,
        "response_due": RECEIVED + timedelta(hours=1),
        "solution_due": RECEIVED + timedelta(hours=8),
        "resolution_due": RECEIVED + timedelta(hours=48),
        "forwarding_due": None,  # these tests are about the three above
        **fields,
    }
    Ticket.objects.filter(pk=t.pk).update(**values)
    t.refresh_from_db()
    return t


@pytest.fixture
def supervisors(people):
    """sam supervises customer service, alice administers, quin supervises quality (no mail)."""
    for user, address in ((people.sam, "sam@example.com"), (people.alice, "alice@example.com")):
        user.email = address
        user.save()
    make_user("quin", Role.SUPERVISOR, department=people.quality)  # no address: not mailed
    return people


def test_a_missed_deadline_is_recorded_escalated_and_logged_once(people):
    late = ticket(people.service)  # response and solution missed; resolution not yet due
    assert late.priority == Priority.NORMAL
    result = escalate_breaches(NOW)
    late.refresh_from_db()
    assert late.response_breached_at == NOW
    assert late.solution_breached_at == NOW
    assert late.resolution_breached_at is None
    assert late.priority == Priority.HIGH  # one step, though two deadlines were missed
    events = list(TicketEvent.objects.filter(ticket=late, kind=EventKind.ESCALATION))
    assert len(events) == 1
    assert events[0].at == NOW and events[0].by is None
    assert events[0].from_state == events[0].to_state == TicketState.ASSIGNED
    assert result["tickets"] == 1 and result["response"] == 1 and result["solution"] == 1
    assert result["resolution"] == 0 and result["raised"] == 1

    # Twice in a row, even with the same instant, and later on: nothing is escalated again.
    for when in (NOW, NOW + timedelta(hours=1)):
        again = escalate_breaches(when)
        assert again["tickets"] == 0
    late.refresh_from_db()
    assert late.priority == Priority.HIGH
    assert late.response_breached_at == NOW
    assert TicketEvent.objects.filter(ticket=late, kind=EventKind.ESCALATION).count() == 1


def test_the_next_missed_deadline_escalates_again(people):
    late = ticket(people.service)
    escalate_breaches(NOW)
    later = RECEIVED + timedelta(hours=49)
    result = escalate_breaches(later)
    late.refresh_from_db()
    assert result["tickets"] == 1 and result["resolution"] == 1
    assert late.resolution_breached_at == later
    assert late.priority == Priority.URGENT
    assert TicketEvent.objects.filter(ticket=late, kind=EventKind.ESCALATION).count() == 2


def test_tickets_met_in_time_not_yet_due_or_closed_are_untouched(people):
    met = ticket(
        people.service,
        first_response_at=RECEIVED + timedelta(minutes=30),
        first_solution_at=RECEIVED + timedelta(hours=2),
    )
    met_late = ticket(  # done after the deadline, but before the sweep saw it: no breach to record
        people.service,
        first_response_at=RECEIVED + timedelta(hours=3),
        first_solution_at=RECEIVED + timedelta(hours=9),
    )
    not_due = ticket(
        people.service,
        response_due=NOW + timedelta(hours=1),
        solution_due=NOW + timedelta(hours=2),
        resolution_due=NOW + timedelta(hours=3),
    )
    closed = ticket(people.service, state=TicketState.CLOSED)
    no_policy = ticket(people.service, response_due=None, solution_due=None, resolution_due=None)
    untouched = [met, met_late, not_due, closed, no_policy]
    before = {t.pk: (t.priority, t.response_breached_at, t.solution_breached_at) for t in untouched}
    result = escalate_breaches(NOW)
    assert result["tickets"] == 0
    for t in untouched:
        t.refresh_from_db()
        assert (t.priority, t.response_breached_at, t.solution_breached_at) == before[t.pk]
    assert not TicketEvent.objects.filter(kind=EventKind.ESCALATION).exists()


def test_an_urgent_ticket_stays_urgent_but_the_breach_is_recorded(people):
    urgent = ticket(people.service, severity=Severity.SERIOUS)
    assert urgent.priority == Priority.URGENT
    result = escalate_breaches(NOW)
    urgent.refresh_from_db()
    assert urgent.priority == Priority.URGENT
    assert urgent.response_breached_at == NOW
    assert result["raised"] == 0
    assert TicketEvent.objects.filter(ticket=urgent, kind=EventKind.ESCALATION).count() == 1


def test_a_reopened_ticket_that_misses_its_new_resolution_deadline_escalates_again(people):
    late = ticket(people.service, first_response_at=RECEIVED, first_solution_at=RECEIVED)
    escalate_breaches(RECEIVED + timedelta(hours=49))
    late.refresh_from_db()
    assert late.resolution_breached_at is not None and late.priority == Priority.HIGH
    # What workflow.reopen does to the breach: clears it, with a new deadline.
    Ticket.objects.filter(pk=late.pk).update(
        resolution_breached_at=None, resolution_due=RECEIVED + timedelta(hours=60)
    )
    assert escalate_breaches(RECEIVED + timedelta(hours=61))["resolution"] == 1
    late.refresh_from_db()
    assert late.priority == Priority.URGENT


def test_supervisors_get_one_message_listing_their_breached_tickets(supervisors, smtp_server, settings):
    people = supervisors
    settings.SITE_URL = "https://manyi.example.com"
    service_ticket = ticket(people.service, subject="客服态度差")
    orphan = ticket(None, state=TicketState.ACKNOWLEDGED, subject="无部门")
    quality_ticket = ticket(people.quality, subject="产品异物")  # quin has no address: everyone
    on_time = ticket(people.service, response_due=NOW + timedelta(hours=1), solution_due=None)
    result = escalate_breaches(NOW)
    assert result["tickets"] == 3
    assert result["emails"] == 2 and result["failed"] == 0
    received = {tuple(rcpt): message for _sender, rcpt, message in smtp_server.messages}
    assert set(received) == {("sam@example.com",), ("alice@example.com",)}
    for message in received.values():
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["Subject"]  # Chinese by default (zh-hans), whatever the test language
        body = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        for t in (service_ticket, orphan, quality_ticket):
            assert t.reference in body
            assert f"https://manyi.example.com/tickets/{t.pk}/" in body
            assert f'href="https://manyi.example.com/tickets/{t.pk}/"' in html
        assert on_time.reference not in body
        assert "https://manyi.example.com/tickets/?queue=overdue" in body

    # The second sweep escalates nothing and sends nothing.
    assert escalate_breaches(NOW + timedelta(minutes=5))["emails"] == 0
    assert len(smtp_server.messages) == 2


def test_a_departments_supervisor_gets_only_the_departments_tickets(supervisors, smtp_server):
    people = supervisors
    people.alice.department = None  # alice oversees everything; sam only customer service
    people.alice.save()
    service_ticket = ticket(people.service)
    orphan = ticket(None)
    escalate_breaches(NOW)
    received = {tuple(rcpt): message for _sender, rcpt, message in smtp_server.messages}
    sam = received[("sam@example.com",)].get_body(preferencelist=("plain",)).get_content()
    alice = received[("alice@example.com",)].get_body(preferencelist=("plain",)).get_content()
    assert service_ticket.reference in sam and orphan.reference in sam
    assert service_ticket.reference not in alice and orphan.reference in alice


def test_an_unreachable_mail_server_does_not_undo_the_escalation(supervisors, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    late = ticket(supervisors.service)
    result = escalate_breaches(NOW)
    assert result["tickets"] == 1 and result["emails"] == 0 and result["failed"] == 2
    late.refresh_from_db()
    assert late.response_breached_at == NOW


def sweep_outcome(escalated):
    """What a sweep leaves behind: its escalated items, ticket priorities and breaches, events."""
    tickets = list(
        Ticket.objects.order_by("pk").values_list(
            "pk", "priority", "response_breached_at", "solution_breached_at", "resolution_breached_at"
        )
    )
    events = list(
        TicketEvent.objects.filter(kind=EventKind.ESCALATION)
        .order_by("ticket_id")
        .values_list("ticket_id", "at", "by_id", "from_state", "to_state", "note")
    )
    return escalated, tickets, events


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement sweep is PostgreSQL's")
def test_the_postgresql_statement_does_what_the_orm_path_does(people):
    """Every combination of missed deadlines at every priority, a breach recorded earlier, tickets
    with and without a department, done, closed: the same outcome as the ORM path."""
    met, missed, ahead = NOW - timedelta(hours=2), NOW - timedelta(hours=1), NOW + timedelta(hours=1)
    created = []
    for bits in range(8):
        for priority in Priority.values:
            dues = {
                f"{name}_due": missed if bits & (1 << index) else ahead
                for index, name in enumerate(("response", "solution", "resolution"))
            }
            department = people.service if priority % 2 else None
            created.append(ticket(department, priority=priority, **dues))
    earlier = ticket(people.quality, response_breached_at=RECEIVED + timedelta(hours=2))
    done = ticket(people.quality, first_response_at=met, first_solution_at=met)
    closed = ticket(people.quality, state=TicketState.CLOSED)
    low = ticket(people.quality, state=TicketState.INVESTIGATING, priority=Priority.LOW)

    outcomes = []
    for path in (escalation._escalate_with_the_orm, escalation._escalate_in_one_statement):
        with transaction.atomic():
            outcomes.append(sweep_outcome(path(NOW)))
            transaction.set_rollback(True)
    assert outcomes[1] == outcomes[0]

    result = escalate_breaches(NOW, notify=False)
    _items, tickets, events = sweep_outcome(None)
    assert (tickets, events) == outcomes[0][1:]
    expected = {t.pk for t in created if missed in (t.response_due, t.solution_due, t.resolution_due)}
    expected |= {earlier.pk, low.pk}
    assert result["tickets"] == len(expected) == len(events) == 7 * 4 + 2
    assert {event[0] for event in events} == expected
    assert done.pk not in expected and closed.pk not in expected
    assert result["response"] == 4 * 4 + 1 and result["solution"] == 4 * 4 + 2
    assert result["resolution"] == 4 * 4 and result["raised"] == 7 * 3 + 2
    by_pk = {row[0]: row for row in tickets}
    assert by_pk[earlier.pk][1:4] == (Priority.HIGH, RECEIVED + timedelta(hours=2), NOW)
    assert by_pk[low.pk][1] == Priority.NORMAL
    notes = {event[0]: event[5] for event in events}
    assert notes[low.pk] != notes[earlier.pk]  # low → normal, normal → high
    assert all(event[1] == NOW and event[2] is None and event[3] == event[4] for event in events)
