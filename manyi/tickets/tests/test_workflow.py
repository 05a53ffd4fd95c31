"""The ticket state machine: every transition allowed and refused per role, events, deadlines."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from manyi.accounts.choices import Role
from manyi.testing import make_customer, make_department, make_user
from manyi.tickets import workflow
from manyi.tickets.choices import (
    ActionKind,
    ActionStatus,
    Channel,
    EventKind,
    Priority,
    Severity,
    TicketState,
    Validity,
)
from manyi.tickets.models import Category, SlaPolicy, Ticket, TicketEvent
from manyi.tickets.workflow import TicketError

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = TicketState


def at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


# Friday 25 September 2026, 16:00 in Shanghai.
RECEIVED = at(2026, 9, 25, 16)
NOW = at(2026, 9, 25, 16, 30)


def new_ticket(by=None, **kwargs):
    kwargs.setdefault("channel", Channel.PHONE)
    kwargs.setdefault("subject", "包装破损")
    kwargs.setdefault("description", "收到的货物外包装破损，两件产品开裂。")
    kwargs.setdefault("received_at", RECEIVED)
    return workflow.open_ticket(by=by, now=NOW, **kwargs)


def put_in(ticket, state, department=None):
    """Set the state directly, to test one transition at a time."""
    Ticket.objects.filter(pk=ticket.pk).update(state=state, department=department)
    ticket.refresh_from_db()
    return ticket


# Who may do what, written out from the issue: agents take in and reply, handlers work in
# their own department, supervisors (and administrators) assign, verify and close, analysts read.
MAY = {
    "acknowledge": {"alice", "sam", "amy"},
    "assign": {"alice", "sam"},
    "investigate": {"alice", "sam", "hank"},
    "plan_actions": {"alice", "sam", "hank"},
    "reply": {"alice", "sam", "amy"},
    "verify": {"alice", "sam"},
    "close": {"alice", "sam"},
    "reopen": {"alice", "sam"},
    "close_invalid": {"alice", "sam"},
    "close_duplicate": {"alice", "sam"},
}
FROM = {
    "acknowledge": {S.NEW},
    "assign": {S.ACKNOWLEDGED, S.ASSIGNED, S.INVESTIGATING, S.ACTION},
    "investigate": {S.ASSIGNED},
    "plan_actions": {S.INVESTIGATING},
    "reply": {S.INVESTIGATING, S.ACTION},
    "verify": {S.REPLIED},
    "close": {S.VERIFIED},
    "reopen": {S.REPLIED, S.VERIFIED, S.CLOSED, S.INVALID, S.DUPLICATE},
    "close_invalid": {S.NEW, S.ACKNOWLEDGED, S.ASSIGNED, S.INVESTIGATING, S.ACTION, S.REPLIED, S.VERIFIED},
    "close_duplicate": {S.NEW, S.ACKNOWLEDGED, S.ASSIGNED, S.INVESTIGATING, S.ACTION, S.REPLIED, S.VERIFIED},
}
TO = {
    "acknowledge": S.ACKNOWLEDGED,
    "assign": S.ASSIGNED,
    "investigate": S.INVESTIGATING,
    "plan_actions": S.ACTION,
    "reply": S.REPLIED,
    "verify": S.VERIFIED,
    "close": S.CLOSED,
    "reopen": S.ASSIGNED,  # the ticket has a department
    "close_invalid": S.INVALID,
    "close_duplicate": S.DUPLICATE,
}


def apply(name, ticket, user, people, other=None):
    """Call the verb of transition ``name`` with valid arguments."""
    if name == "acknowledge":
        return workflow.acknowledge(ticket, user, now=NOW)
    if name == "assign":
        return workflow.assign(ticket, user, people.quality, people.hank, now=NOW)
    if name == "investigate":
        return workflow.start_investigation(ticket, user, now=NOW)
    if name == "plan_actions":
        return workflow.record_root_cause(ticket, user, "纸箱强度不足", now=NOW)
    if name == "reply":
        return workflow.reply(ticket, user, "已补发两件，并更换加厚纸箱。", now=NOW)
    if name == "verify":
        return workflow.verify(ticket, user, now=NOW)
    if name == "close":
        return workflow.close(ticket, user, now=NOW)
    if name == "reopen":
        return workflow.reopen(ticket, user, "客户反映补发的产品仍有破损", now=NOW)
    if name == "close_invalid":
        return workflow.close_invalid(ticket, user, "个人保存不当造成", now=NOW)
    if name == "close_duplicate":
        return workflow.close_duplicate(ticket, user, other or new_ticket(), now=NOW)
    raise AssertionError(name)


PEOPLE = ["alice", "sam", "amy", "hank", "ana", "ivan"]


def test_the_table_in_the_test_matches_the_workflow_table():
    assert set(MAY) == set(workflow.TRANSITIONS)
    for name, transition in workflow.TRANSITIONS.items():
        assert set(transition.sources) == FROM[name], name


@pytest.mark.parametrize("name", sorted(MAY))
@pytest.mark.parametrize("person", PEOPLE)
def test_each_role_may_or_may_not_apply_each_transition(people, name, person):
    user = getattr(people, person)
    source = sorted(FROM[name])[0]
    ticket = put_in(new_ticket(), source, department=people.quality)
    other = new_ticket()
    events = TicketEvent.objects.count()
    if person in MAY[name]:
        apply(name, ticket, user, people, other)
        ticket.refresh_from_db()
        assert ticket.state == TO[name]
        event = TicketEvent.objects.filter(ticket=ticket).latest("pk")
        assert (event.by, event.from_state, event.to_state, event.kind) == (
            user,
            source,
            TO[name],
            EventKind.TRANSITION,
        )
    else:
        with pytest.raises(TicketError):
            apply(name, ticket, user, people, other)
        ticket.refresh_from_db()
        assert ticket.state == source
        assert TicketEvent.objects.count() == events


@pytest.mark.parametrize("name", ["investigate", "plan_actions"])
def test_a_handler_of_another_department_may_not_work_on_the_ticket(people, name):
    outsider = make_user("olga", Role.HANDLER, department=make_department(name="技术部", code="TECH"))
    ticket = put_in(new_ticket(), sorted(FROM[name])[0], department=people.quality)
    with pytest.raises(TicketError, match="department"):
        apply(name, ticket, outsider, people)
    assert outsider.can("tickets.work")


def test_a_handler_may_work_on_a_ticket_assigned_to_them_personally(people):
    ticket = put_in(new_ticket(), S.ASSIGNED, department=people.service)
    Ticket.objects.filter(pk=ticket.pk).update(assignee=people.hank)
    ticket.refresh_from_db()
    workflow.start_investigation(ticket, people.hank, now=NOW)
    assert ticket.state == S.INVESTIGATING


@pytest.mark.parametrize(
    "name, state", [(name, state) for name in sorted(MAY) for state in S if state not in FROM[name]]
)
def test_each_transition_is_refused_from_states_it_does_not_leave(people, name, state):
    ticket = put_in(new_ticket(), state, department=people.quality)
    # A new ticket is acknowledged before it is assigned: the refusal says so.
    expected = "Acknowledge the ticket" if (name, state) == ("assign", S.NEW) else "cannot be changed"
    with pytest.raises(TicketError, match=expected):
        apply(name, ticket, people.alice, people)
    ticket.refresh_from_db()
    assert ticket.state == state
    assert ticket.events.count() == 1  # only "new"


def test_allowed_transitions_lists_what_the_user_may_do_now(people):
    ticket = put_in(new_ticket(), S.ASSIGNED, department=people.quality)
    names = {t.name for t in workflow.allowed_transitions(ticket, people.hank)}
    assert names == {"investigate"}
    names = {t.name for t in workflow.allowed_transitions(ticket, people.sam)}
    assert names == {"assign", "investigate", "close_invalid", "close_duplicate"}
    assert workflow.allowed_transitions(ticket, people.ana) == []


# --------------------------------------------------------------------------- intake


def test_a_new_ticket_gets_a_reference_of_its_year_and_a_first_event(people):
    first = new_ticket(people.amy)
    second = new_ticket(people.amy)
    assert first.reference.startswith("FK-2026-")
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1
    assert len(first.reference) == len("FK-2026-000001")
    event = first.events.get()
    assert (event.by, event.from_state, event.to_state) == (people.amy, "", S.NEW)
    assert first.state == S.NEW


def test_the_reference_counts_in_the_local_year_of_receipt(people):
    # 31 December 2026 20:00 UTC is already 2027 in Shanghai.
    ticket = workflow.open_ticket(
        by=people.amy,
        channel=Channel.PHONE,
        subject="x",
        description="y",
        received_at=datetime(2026, 12, 31, 20, tzinfo=ZoneInfo("UTC")),
        now=datetime(2026, 12, 31, 20, 1, tzinfo=ZoneInfo("UTC")),
    )
    assert ticket.reference.startswith("FK-2027-")


def test_the_standard_policy_counts_working_hours(people):
    # Standard policy (seed 002): half a working day (3 h 45 min), a working week (37.5 h),
    # two working weeks (75 h) on Monday-Friday 08:30-12:00, 13:30-17:30.
    # From Friday 16:00: 1.5 h on Friday, then Monday 08:30 + 2 h 15 min = 10:45.
    # First solution: Fri 1.5 + Mon-Thu 30 = 31.5 h; Fri 2 Oct 3.5 h + 2.5 h → 16:00.
    # Resolution: another 37.5 h from there → Friday 9 October 16:00.
    ticket = new_ticket(people.amy)
    assert ticket.sla_policy.name.startswith("标准")
    assert ticket.response_due == at(2026, 9, 28, 10, 45)
    assert ticket.solution_due == at(2026, 10, 2, 16)
    assert ticket.resolution_due == at(2026, 10, 9, 16)


def test_a_negative_survey_answer_must_be_answered_within_an_hour(people):
    ticket = new_ticket(channel=Channel.SURVEY)
    assert ticket.response_due == RECEIVED + timedelta(hours=1)
    assert ticket.solution_due == RECEIVED + timedelta(hours=24)
    assert ticket.resolution_due == RECEIVED + timedelta(days=7)


def test_a_serious_complaint_gets_the_serious_policy_and_top_priority(people):
    ticket = new_ticket(people.amy, severity=Severity.SERIOUS)
    assert ticket.response_due == RECEIVED + timedelta(hours=1)
    assert ticket.priority == Priority.URGENT


def test_the_most_specific_policy_wins(people):
    both = SlaPolicy.objects.create(
        name="严重+电话",
        severity=Severity.SERIOUS,
        channel=Channel.PHONE,
        first_response=timedelta(minutes=30),
        first_solution=timedelta(hours=4),
        resolution=timedelta(days=2),
    )
    ticket = new_ticket(severity=Severity.SERIOUS, channel=Channel.PHONE)
    assert ticket.sla_policy == both
    assert ticket.response_due == RECEIVED + timedelta(minutes=30)


def test_without_any_policy_a_ticket_has_no_deadlines(people):
    SlaPolicy.objects.update(is_active=False)
    ticket = new_ticket()
    assert (ticket.response_due, ticket.solution_due, ticket.resolution_due) == (None, None, None)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"description": "  "}, "Describe"),
        ({"channel": "fax"}, "channel"),
        ({"severity": "fatal"}, "severity"),
        ({"demand": "money"}, "asks for"),
        ({"received_at": datetime(2026, 9, 25, 16)}, "time zone"),
        ({"received_at": NOW + timedelta(hours=1)}, "future"),
    ],
)
def test_bad_intake_is_refused_and_creates_nothing(people, changes, message):
    with pytest.raises(TicketError, match=message):
        new_ticket(people.amy, **changes)
    assert not Ticket.objects.exists()


def test_roles_that_may_not_record_feedback_are_refused(people):
    for user in (people.hank, people.ana, people.ivan):
        with pytest.raises(TicketError):
            new_ticket(user)
    assert not Ticket.objects.exists()


def test_an_inactive_category_is_refused(people):
    category = Category.objects.get(code="price")
    category.is_active = False
    category.save()
    with pytest.raises(TicketError, match="category"):
        new_ticket(people.amy, category=category)


def test_the_seeded_categories_form_a_tree(db):
    building = Category.objects.get(code="property_building")
    assert str(building) == "物业管理 › 房屋管理"
    roots = set(Category.objects.filter(parent=None).values_list("code", flat=True))
    assert {"product_quality", "service_attitude", "price", "logistics", "after_sales", "property"} <= roots


# --------------------------------------------------------------------------- the whole way


def test_a_complaint_from_intake_to_closing(people):
    customer = make_customer()
    ticket = new_ticket(people.amy, customer=customer, category=Category.objects.get(code="packaging"))
    workflow.acknowledge(ticket, people.amy, now=at(2026, 9, 25, 16, 40))
    assert ticket.first_response_at == at(2026, 9, 25, 16, 40)
    workflow.assign(ticket, people.sam, people.quality, people.hank, now=at(2026, 9, 25, 16, 50))
    assert (ticket.department, ticket.assignee) == (people.quality, people.hank)
    workflow.start_investigation(ticket, people.hank, now=at(2026, 9, 28, 9))
    workflow.record_root_cause(ticket, people.hank, "纸箱强度不足", now=at(2026, 9, 28, 10))
    assert ticket.root_cause == "纸箱强度不足"
    action = workflow.add_action(
        ticket,
        people.hank,
        description="更换加厚纸箱",
        owner=people.hank,
        deadline=date(2026, 10, 9),
        kind=ActionKind.PREVENTIVE,
        now=at(2026, 9, 28, 10, 5),
    )
    workflow.reply(ticket, people.amy, "已补发，并更换加厚纸箱。", now=at(2026, 9, 28, 11))
    assert ticket.first_solution_at == at(2026, 9, 28, 11)
    with pytest.raises(TicketError, match="verified"):
        workflow.verify(ticket, people.sam, now=at(2026, 9, 28, 12))
    workflow.complete_action(action, people.hank, "已切换供应商", now=at(2026, 9, 29, 9))
    workflow.verify_action(action, people.sam, effective=True, now=at(2026, 9, 29, 10))
    assert action.status == ActionStatus.VERIFIED
    workflow.verify(ticket, people.sam, now=at(2026, 9, 29, 11))
    workflow.close(ticket, people.sam, now=at(2026, 9, 29, 12))
    ticket.refresh_from_db()
    assert ticket.state == S.CLOSED
    assert ticket.resolved_at == at(2026, 9, 29, 12)
    transitions = list(ticket.events.filter(kind=EventKind.TRANSITION).values_list("to_state", flat=True))
    assert transitions == [
        S.NEW,
        S.ACKNOWLEDGED,
        S.ASSIGNED,
        S.INVESTIGATING,
        S.ACTION,
        S.REPLIED,
        S.VERIFIED,
        S.CLOSED,
    ]
    assert ticket.events.filter(kind=EventKind.ACTION).count() == 3  # planned, done, verified
    assert [row[3] for row in ticket.deadline_status(now=at(2026, 9, 29, 12))] == [False] * 4


def test_a_late_acknowledgement_shows_as_a_breach(people):
    ticket = new_ticket(people.amy, channel=Channel.SURVEY)
    workflow.acknowledge(ticket, people.amy, now=RECEIVED + timedelta(hours=2))
    (name, due, done, breached, left), *_ = ticket.deadline_status(now=RECEIVED + timedelta(hours=3))
    assert (name, due, done, breached, left) == (
        "response",
        RECEIVED + timedelta(hours=1),
        RECEIVED + timedelta(hours=2),
        True,
        None,
    )
    assert Ticket.objects.overdue(RECEIVED + timedelta(hours=3)).count() == 0
    assert Ticket.objects.overdue(RECEIVED + timedelta(hours=25)).get() == ticket


def test_closing_as_invalid_after_acknowledging_keeps_the_first_response_time(people):
    ticket = new_ticket(people.amy)
    workflow.acknowledge(ticket, people.amy, now=at(2026, 9, 25, 16, 35))
    workflow.close_invalid(ticket, people.sam, "重复来电，非投诉", now=at(2026, 9, 25, 16, 36))
    assert ticket.first_response_at == at(2026, 9, 25, 16, 35)
    assert ticket.validity == Validity.INVALID
    assert ticket.resolved_at == at(2026, 9, 25, 16, 36)


def test_closing_as_invalid_straight_away_is_the_first_response(people):
    ticket = new_ticket(people.amy)
    workflow.close_invalid(ticket, people.sam, "非本公司产品", now=at(2026, 9, 25, 16, 36))
    assert ticket.first_response_at == at(2026, 9, 25, 16, 36)


def test_reopening_counts_a_new_resolution_deadline(people):
    ticket = put_in(new_ticket(people.amy), S.CLOSED, department=people.quality)
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=NOW)
    reopened = at(2026, 10, 12, 9)  # Monday
    workflow.reopen(ticket, people.sam, "客户不满意处理结果", now=reopened)
    assert ticket.state == S.ASSIGNED
    assert ticket.resolved_at is None
    assert ticket.reopened_count == 1
    # 75 working hours from Monday 09:00: 10 days of 7.5 h less the first 30 min, so the
    # Monday two weeks later (26 Oct) at 09:00.
    assert ticket.resolution_due == at(2026, 10, 26, 9)
    assert ticket.events.latest("pk").note == "客户不满意处理结果"


def test_reopening_without_a_department_goes_back_to_acknowledged(people):
    ticket = put_in(new_ticket(), S.INVALID)
    workflow.reopen(ticket, people.sam, "判定有误", now=NOW)
    assert ticket.state == S.ACKNOWLEDGED


@pytest.mark.parametrize(
    "state, verb",
    [
        (S.CLOSED, lambda t, u: workflow.reopen(t, u, "  ", now=NOW)),
        (S.NEW, lambda t, u: workflow.close_invalid(t, u, "", now=NOW)),
        (S.INVESTIGATING, lambda t, u: workflow.record_root_cause(t, u, "", now=NOW)),
        (S.INVESTIGATING, lambda t, u: workflow.reply(t, u, " ", now=NOW)),
        (S.INVESTIGATING, lambda t, u: workflow.reply(t, u, "长" * 4001, now=NOW)),
    ],
)
def test_a_missing_or_overlong_text_is_refused(people, state, verb):
    ticket = put_in(new_ticket(), state, department=people.quality)
    with pytest.raises(TicketError):
        verb(ticket, people.sam)
    ticket.refresh_from_db()
    assert ticket.state == state
    assert ticket.events.count() == 1


def test_close_invalid_needs_a_validity_that_means_invalid(people):
    ticket = new_ticket()
    with pytest.raises(TicketError):
        workflow.close_invalid(ticket, people.sam, "理由", validity=Validity.VALID, now=NOW)
    workflow.close_invalid(ticket, people.sam, "索赔超出规定", validity=Validity.ABNORMAL, now=NOW)
    assert ticket.validity == Validity.ABNORMAL


def test_a_duplicate_points_to_the_original_and_not_to_itself(people):
    original, copy = new_ticket(), new_ticket()
    with pytest.raises(TicketError):
        workflow.close_duplicate(copy, people.sam, copy, now=NOW)
    workflow.close_duplicate(copy, people.sam, original, now=NOW)
    assert copy.duplicate_of == original
    assert original.reference in copy.close_reason
    third = new_ticket()
    with pytest.raises(TicketError, match="itself a duplicate"):
        workflow.close_duplicate(third, people.sam, copy, now=NOW)


def test_assigning_checks_the_department_and_the_person(people):
    ticket = put_in(new_ticket(), S.ACKNOWLEDGED)
    with pytest.raises(TicketError):
        workflow.assign(ticket, people.sam, None, now=NOW)
    with pytest.raises(TicketError, match="member"):
        workflow.assign(ticket, people.sam, people.quality, people.amy, now=NOW)  # amy is in 客服部
    with pytest.raises(TicketError, match="member"):
        workflow.assign(ticket, people.sam, people.service, people.ana, now=NOW)  # analysts do not work
    closed = make_department(name="旧部门", code="OLD", is_active=False)
    with pytest.raises(TicketError, match="active department"):
        workflow.assign(ticket, people.sam, closed, now=NOW)
    ticket.refresh_from_db()
    assert ticket.state == S.ACKNOWLEDGED and ticket.department is None
    workflow.assign(ticket, people.sam, people.quality, now=NOW)
    assert ticket.assignee is None and ticket.department == people.quality


# --------------------------------------------------------------------------- classification


def test_a_new_severity_recomputes_the_deadlines_and_raises_the_priority(people):
    ticket = new_ticket(people.amy)
    assert ticket.priority == Priority.NORMAL
    workflow.classify(ticket, people.amy, severity=Severity.SERIOUS, now=NOW)
    ticket.refresh_from_db()
    assert ticket.response_due == RECEIVED + timedelta(hours=1)
    assert ticket.priority == Priority.URGENT
    event = ticket.events.latest("pk")
    assert event.kind == EventKind.CHANGE and event.from_state == event.to_state == S.NEW


def test_a_validity_of_not_valid_needs_a_reason(people):
    ticket = new_ticket(people.amy)
    with pytest.raises(TicketError):
        workflow.classify(ticket, people.amy, validity=Validity.INVALID, now=NOW)
    workflow.classify(ticket, people.amy, validity=Validity.VALID, now=NOW)
    ticket.refresh_from_db()
    assert ticket.validity == Validity.VALID


def test_classifying_is_refused_to_analysts_and_other_departments(people):
    ticket = put_in(new_ticket(), S.INVESTIGATING, department=people.service)
    for user in (people.ana, people.hank):
        with pytest.raises(TicketError):
            workflow.classify(ticket, user, severity=Severity.MAJOR, now=NOW)
    ticket.refresh_from_db()
    assert ticket.severity == Severity.GENERAL


def test_nothing_changed_records_nothing(people):
    ticket = new_ticket(people.amy)
    workflow.classify(ticket, people.amy, severity=Severity.GENERAL, now=NOW)
    assert ticket.events.count() == 1


# --------------------------------------------------------------------------- actions


def test_actions_are_planned_only_by_the_department_while_investigating(people):
    ticket = put_in(new_ticket(), S.INVESTIGATING, department=people.quality)
    args = {"description": "加强来料检验", "owner": people.hank, "deadline": date(2026, 10, 9), "now": NOW}
    with pytest.raises(TicketError):
        workflow.add_action(ticket, people.amy, **args)
    outsider = make_user("olga", Role.HANDLER, department=make_department(name="技术部", code="TECH"))
    with pytest.raises(TicketError):
        workflow.add_action(ticket, outsider, **args)
    with pytest.raises(TicketError, match="deadline"):
        workflow.add_action(ticket, people.hank, **{**args, "deadline": date(2026, 9, 24)})
    with pytest.raises(TicketError):
        workflow.add_action(ticket, people.hank, **{**args, "kind": "other"})
    assert not ticket.actions.exists()
    workflow.add_action(ticket, people.hank, **args)
    put_in(ticket, S.REPLIED, department=people.quality)
    with pytest.raises(TicketError):
        workflow.add_action(ticket, people.hank, **args)
    assert ticket.actions.count() == 1


def test_an_ineffective_action_blocks_verification_until_done_again(people):
    ticket = put_in(new_ticket(), S.INVESTIGATING, department=people.quality)
    action = workflow.add_action(
        ticket, people.hank, description="培训", owner=people.hank, deadline=date(2026, 10, 9), now=NOW
    )
    with pytest.raises(TicketError):
        workflow.verify_action(action, people.sam, effective=True, now=NOW)  # not done yet
    workflow.complete_action(action, people.hank, "已培训", now=NOW)
    with pytest.raises(TicketError):
        workflow.verify_action(action, people.hank, effective=True, now=NOW)  # handlers do not verify
    with pytest.raises(TicketError):
        workflow.verify_action(action, people.sam, effective=False, now=NOW)  # needs a why
    workflow.verify_action(action, people.sam, effective=False, note="再次发生", now=NOW)
    put_in(ticket, S.REPLIED, department=people.quality)
    with pytest.raises(TicketError):
        workflow.verify(ticket, people.sam, now=NOW)
    workflow.cancel_action(action, people.sam, "改为预防措施", now=NOW)
    workflow.verify(ticket, people.sam, now=NOW)
    assert ticket.state == S.VERIFIED
