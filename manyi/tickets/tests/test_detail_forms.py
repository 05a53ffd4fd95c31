"""The detail page's forms: actions, classification, priority, reply method; bulk assign on the queue."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from manyi.testing import make_user
from manyi.tickets import workflow
from manyi.tickets.choices import ActionStatus, Channel, EventKind, Priority, ReplyMethod, TicketState
from manyi.tickets.models import Category, CorrectiveAction, Ticket, TicketEvent

from .conftest import in_english

pytestmark = pytest.mark.django_db

S = TicketState


def make_ticket(department=None, state=S.INVESTIGATING, **kwargs):
    kwargs.setdefault("channel", Channel.PHONE)
    kwargs.setdefault("subject", "包装破损")
    kwargs.setdefault("description", "两件产品开裂。")
    ticket = workflow.open_ticket(by=None, **kwargs)
    Ticket.objects.filter(pk=ticket.pk).update(department=department, state=state)
    ticket.refresh_from_db()
    return ticket


def said(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def tomorrow():
    return (timezone.localdate() + timedelta(days=1)).isoformat()


def snapshot():
    """Everything these forms may change, to prove a refusal changed nothing."""
    return (
        list(Ticket.objects.order_by("pk").values()),
        list(CorrectiveAction.objects.order_by("pk").values()),
        TicketEvent.objects.count(),
    )


@pytest.fixture
def ticket(people):
    return make_ticket(people.quality)


def add_url(ticket):
    return reverse("tickets:action_add", args=[ticket.pk])


def action_data(people, **changes):
    data = {
        "kind": "corrective",
        "description": "更换加厚纸箱",
        "owner": people.hank.pk,
        "deadline": tomorrow(),
    }
    data.update(changes)
    return data


# --------------------------------------------------------------------------- add an action


def test_the_handler_adds_an_action_from_the_page(people, client_as, ticket):
    client = in_english(client_as(people.hank))
    page = client.get(ticket.get_absolute_url())
    assert b'id="action-form"' in page.content
    response = client.post(add_url(ticket), action_data(people))
    assert response.status_code == 302
    action = CorrectiveAction.objects.get()
    assert (action.owner, action.description, action.status, action.created_by) == (
        people.hank,
        "更换加厚纸箱",
        ActionStatus.PLANNED,
        people.hank,
    )
    assert said(response) == ["The action has been added."]
    assert ticket.events.filter(kind=EventKind.ACTION).count() == 1


@pytest.mark.parametrize("who", ["amy", "ana"])
def test_roles_that_do_not_work_on_tickets_cannot_add_actions(people, client_as, ticket, who):
    before = snapshot()
    page = client_as(getattr(people, who)).get(ticket.get_absolute_url())
    assert b'id="action-form"' not in page.content
    response = client_as(getattr(people, who)).post(add_url(ticket), action_data(people))
    assert response.status_code == 403
    assert snapshot() == before


def test_a_handler_of_another_department_cannot_find_the_ticket(people, client_as):
    other = make_ticket(people.service)
    before = snapshot()
    assert client_as(people.hank).post(add_url(other), action_data(people)).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"description": ""}, "Action details: This field is required."),
        ({"deadline": "2020-01-01"}, "The deadline must be today or later."),
        ({"deadline": "next week"}, "Enter a valid date."),
        ({"owner": "999999"}, "Select a valid choice."),
        ({"kind": "magic"}, "Select a valid choice."),
    ],
)
def test_bad_action_input_is_explained_and_changes_nothing(people, client_as, ticket, changes, message):
    before = snapshot()
    response = in_english(client_as(people.hank)).post(add_url(ticket), action_data(people, **changes))
    assert response.status_code == 400
    assert any(message in text for text in said(response))
    assert snapshot() == before


def test_a_refused_action_comes_back_with_what_was_typed(people, client_as, ticket):
    """Issue 16: the form came back empty (owner and deadline to choose again)."""
    tech = make_user("wulei", people.hank.role, department=people.service, last_name="吴", first_name="磊")
    data = action_data(
        people, owner=tech.pk, deadline="2020-01-01", kind="preventive", description="改进注塑工艺"
    )

    response = in_english(client_as(people.hank)).post(add_url(ticket), data)

    assert response.status_code == 400
    form = response.context["action_form"]
    assert form["owner"].value() == str(tech.pk) and form["deadline"].value() == "2020-01-01"
    page = response.content.decode()
    assert f'<option value="{tech.pk}" selected>' in page
    assert 'name="deadline" value="2020-01-01"' in page
    assert '<option value="preventive" selected>' in page
    assert ">\n改进注塑工艺</textarea>" in page
    assert 'id="action-form-error">The deadline must be today or later.<' in page
    assert 'id="add-action" open' in page


def test_no_action_is_planned_before_the_investigation(people, client_as):
    early = make_ticket(people.quality, S.ASSIGNED)
    before = snapshot()
    response = in_english(client_as(people.sam)).post(add_url(early), action_data(people))
    assert said(response) == ["Actions are planned while the ticket is investigated or in action."]
    assert snapshot() == before


# --------------------------------------------------------------------------- complete, verify, cancel


@pytest.fixture
def action(people, ticket):
    return workflow.add_action(
        ticket, people.hank, description="更换加厚纸箱", owner=people.hank, deadline=timezone.localdate()
    )


def op_url(name, action):
    return reverse(f"tickets:{name}", args=[action.ticket_id, action.pk])


def test_the_owner_reports_done_and_the_supervisor_verifies(people, client_as, action):
    response = in_english(client_as(people.hank)).post(
        op_url("action_complete", action), {"result": "已更换"}
    )
    assert said(response) == ["The action is reported done."]
    action.refresh_from_db()
    assert (action.status, action.result) == (ActionStatus.DONE, "已更换")
    response = in_english(client_as(people.sam)).post(
        op_url("action_verify", action), {"effective": "yes", "note": "抽查十箱无破损"}
    )
    assert said(response) == ["The verification of the action has been recorded."]
    action.refresh_from_db()
    assert (action.status, action.verified_by, action.verification) == (
        ActionStatus.VERIFIED,
        people.sam,
        "抽查十箱无破损",
    )


def test_two_requests_racing_on_one_action_record_it_once(people, action):
    # Two requests that both loaded the action before either saved: the second must not report
    # it done (or verify, cancel it) a second time, with a second timeline entry.
    from manyi.tickets.models import CorrectiveAction, TicketEvent
    from manyi.tickets.workflow import TicketError

    def copy():
        return CorrectiveAction.objects.select_related("ticket").get(pk=action.pk)

    for verb in (
        lambda a: workflow.complete_action(a, people.hank, "已更换"),
        lambda a: workflow.verify_action(a, people.sam, True, "抽查无破损"),
    ):
        first, second = copy(), copy()
        events = TicketEvent.objects.count()
        verb(first)
        with pytest.raises(TicketError):
            verb(second)
        assert TicketEvent.objects.count() == events + 1
    cancelled = workflow.add_action(
        action.ticket, people.hank, description="再培训", owner=people.hank, deadline=timezone.localdate()
    )
    first = CorrectiveAction.objects.select_related("ticket").get(pk=cancelled.pk)
    second = CorrectiveAction.objects.select_related("ticket").get(pk=cancelled.pk)
    events = TicketEvent.objects.count()
    workflow.cancel_action(first, people.sam, "不需要")
    with pytest.raises(TicketError):
        workflow.cancel_action(second, people.sam, "不需要")
    assert TicketEvent.objects.count() == events + 1


def test_an_ineffective_verification_needs_a_reason(people, client_as, action):
    workflow.complete_action(action, people.hank, "已更换")
    before = snapshot()
    response = in_english(client_as(people.sam)).post(op_url("action_verify", action), {"effective": "no"})
    assert said(response) == ["Say why the action did not work."]
    assert snapshot() == before
    client_as(people.sam).post(op_url("action_verify", action), {"effective": "no", "note": "仍有破损"})
    action.refresh_from_db()
    assert action.status == ActionStatus.INEFFECTIVE


def test_an_empty_result_is_refused(people, client_as, action):
    before = snapshot()
    response = in_english(client_as(people.hank)).post(op_url("action_complete", action), {"result": " "})
    assert said(response) == ["What was done: This field is required."]
    assert snapshot() == before


@pytest.mark.parametrize(
    "who, name, data",
    [
        ("amy", "action_complete", {"result": "已更换"}),  # not the owner, not the department
        ("hank", "action_verify", {"effective": "yes"}),  # handlers do not verify
        ("amy", "action_verify", {"effective": "yes"}),
        ("hank", "action_cancel", {"reason": "不需要"}),  # only ticket managers cancel
        ("ana", "action_cancel", {"reason": "不需要"}),
    ],
)
def test_roles_refused_for_each_action_step(people, client_as, action, who, name, data):
    if name == "action_verify":
        workflow.complete_action(action, people.hank, "已更换")
    before = snapshot()
    response = in_english(client_as(getattr(people, who))).post(op_url(name, action), data)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert said(response) == ["Only the owner or the responsible department may report this action done."]
    assert snapshot() == before


def test_the_supervisor_cancels_with_a_reason(people, client_as, action):
    before = snapshot()
    response = in_english(client_as(people.sam)).post(op_url("action_cancel", action), {"reason": ""})
    assert said(response) == ["Reason: This field is required."]
    assert snapshot() == before
    client_as(people.sam).post(op_url("action_cancel", action), {"reason": "由预防措施替代"})
    action.refresh_from_db()
    assert (action.status, action.verification) == (ActionStatus.CANCELLED, "由预防措施替代")


def test_an_action_of_another_ticket_is_not_found(people, client_as, action):
    other = make_ticket(people.quality)
    url = reverse("tickets:action_cancel", args=[other.pk, action.pk])
    assert client_as(people.sam).post(url, {"reason": "x"}).status_code == 404


def test_the_page_shows_the_operations_each_role_may_use(people, client_as, action):
    workflow.complete_action(action, people.hank, "已更换")
    hank = client_as(people.hank).get(action.ticket.get_absolute_url()).content
    sam = client_as(people.sam).get(action.ticket.get_absolute_url()).content
    assert f'id="verify-{action.pk}"'.encode() not in hank
    assert f'id="verify-{action.pk}"'.encode() in sam
    assert f'id="cancel-{action.pk}"'.encode() in sam


# --------------------------------------------------------------------------- classification and priority


@pytest.fixture
def category(db):
    return Category.objects.create(code="logistics-x", name="物流配送X")


def classify_data(**changes):
    data = {
        "category": "",
        "severity": "major",
        "validity": "valid",
        "validity_reason": "",
        "demand": "return",
    }
    data.update(changes)
    return data


def test_an_agent_classifies_a_ticket(people, client_as, ticket, category):
    response = in_english(client_as(people.amy)).post(
        reverse("tickets:classify", args=[ticket.pk]), classify_data(category=category.pk)
    )
    assert said(response) == ["The classification has been saved."]
    ticket.refresh_from_db()
    assert (ticket.category, ticket.severity, ticket.validity, ticket.demand, ticket.priority) == (
        category,
        "major",
        "valid",
        "return",
        Priority.HIGH,  # a major complaint starts high
    )
    assert ticket.events.filter(kind=EventKind.CHANGE).count() == 1


def test_an_invalid_judgement_needs_its_reason(people, client_as, ticket):
    before = snapshot()
    response = in_english(client_as(people.sam)).post(
        reverse("tickets:classify", args=[ticket.pk]), classify_data(validity="invalid")
    )
    assert said(response) == ["Give the reason the feedback is not valid."]
    assert snapshot() == before


@pytest.mark.parametrize("changes", [{"severity": "fatal"}, {"validity": "maybe"}, {"category": "999999"}])
def test_bad_classification_changes_nothing(people, client_as, ticket, changes):
    before = snapshot()
    response = in_english(client_as(people.sam)).post(
        reverse("tickets:classify", args=[ticket.pk]), classify_data(**changes)
    )
    assert any("Select a valid choice" in text for text in said(response))
    assert snapshot() == before


def test_an_analyst_may_not_classify(people, client_as, ticket):
    before = snapshot()
    url = reverse("tickets:classify", args=[ticket.pk])
    assert client_as(people.ana).post(url, classify_data()).status_code == 403
    assert b'id="classify-form"' not in client_as(people.ana).get(ticket.get_absolute_url()).content
    assert snapshot() == before


def test_a_supervisor_raises_the_priority_and_an_agent_may_not(people, client_as, ticket):
    url = reverse("tickets:raise_priority", args=[ticket.pk])
    before = snapshot()
    assert client_as(people.amy).post(url, {"note": "客户再次来电"}).status_code == 403
    assert snapshot() == before
    response = in_english(client_as(people.sam)).post(url, {"note": "客户再次来电"})
    assert said(response) == ["The priority has been raised."]
    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH
    event = ticket.events.get(kind=EventKind.ESCALATION)
    assert (event.by, event.note) == (people.sam, "Priority raised from Normal to High. 客户再次来电")


def test_an_urgent_ticket_is_not_raised_further(people, client_as, ticket):
    Ticket.objects.filter(pk=ticket.pk).update(priority=Priority.URGENT)
    before = snapshot()
    response = in_english(client_as(people.sam)).post(reverse("tickets:raise_priority", args=[ticket.pk]))
    assert said(response) == ["The priority is already the highest."]
    assert snapshot() == before


# --------------------------------------------------------------------------- reply by phone (e-mail: test_callback.py)


def test_a_phone_reply_is_logged_with_its_method(people, client_as, ticket):
    response = in_english(client_as(people.amy)).post(
        reverse("tickets:transition", args=[ticket.pk, "reply"]),
        {"method": "phone", "note": "已电话告知补发"},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.state, ticket.reply_method, ticket.reply) == (
        S.REPLIED,
        ReplyMethod.PHONE,
        "已电话告知补发",
    )
    assert ticket.events.last().note == "By phone: 已电话告知补发"
    page = in_english(client_as(people.amy)).get(ticket.get_absolute_url()).content.decode()
    assert "By phone: 已电话告知补发" in page


@pytest.mark.parametrize(
    "data, message",
    [
        ({"method": "fax", "note": "x"}, "Select a valid choice."),
        ({"method": "phone", "note": "  "}, "Write the reply to the customer."),
        ({"method": "email", "note": "已补发"}, "The ticket has no contact e-mail"),
    ],
)
def test_bad_replies_change_nothing(people, client_as, ticket, data, message):
    before = snapshot()
    response = in_english(client_as(people.amy)).post(
        reverse("tickets:transition", args=[ticket.pk, "reply"]), data
    )
    assert any(message in text for text in said(response))
    assert snapshot() == before


# --------------------------------------------------------------------------- bulk assign


def bulk(client, tickets, department, assignee=None, queue="unassigned"):
    return client.post(
        reverse("tickets:bulk_assign"),
        {
            "tickets": [t.pk for t in tickets],
            "department": department.pk if department else "",
            "assignee": assignee.pk if assignee else "",
            "queue": queue,
        },
    )


def test_bulk_assign_goes_through_the_workflow_and_reports_refusals(people, client_as):
    ready = [make_ticket(None, S.ACKNOWLEDGED, subject=f"第{i}单") for i in range(3)]
    new = make_ticket(None, S.NEW, subject="未受理")  # must be acknowledged first
    client = in_english(client_as(people.sam))
    page = client.get(reverse("tickets:list") + "?queue=unassigned")
    assert b'id="bulk-assign"' in page.content
    response = bulk(client, [*ready, new], people.quality, people.hank)
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:list") + "?queue=unassigned"
    for t in ready:
        t.refresh_from_db()
        assert (t.state, t.department, t.assignee) == (S.ASSIGNED, people.quality, people.hank)
        assert t.events.last().by == people.sam
    new.refresh_from_db()
    assert (new.state, new.department) == (S.NEW, None)
    messages = said(response)
    assert messages[0] == "3 tickets assigned: {}.".format(", ".join(t.reference for t in ready))
    assert messages[1] == (
        f"1 ticket not assigned: {new.reference}: Acknowledge the ticket (tell the customer it is being "
        "handled) before assigning it."
    )


def test_bulk_assign_refuses_a_person_outside_the_department(people, client_as):
    t = make_ticket(None, S.ACKNOWLEDGED)
    before = snapshot()
    response = bulk(in_english(client_as(people.sam)), [t], people.service, people.hank)
    assert said(response) == [
        f"1 ticket not assigned: {t.reference}: "
        "The person must be an active member of that department who may work on tickets."
    ]
    assert snapshot() == before


@pytest.mark.parametrize("who", ["amy", "hank", "ana"])
def test_only_ticket_managers_bulk_assign(people, client_as, who):
    t = make_ticket(None, S.ACKNOWLEDGED)
    before = snapshot()
    client = client_as(getattr(people, who))
    assert b'id="bulk-assign"' not in client.get(reverse("tickets:list")).content
    assert bulk(client, [t], people.quality).status_code == 403
    assert snapshot() == before


def test_bulk_assign_without_tickets_or_department_says_so(people, client_as):
    t = make_ticket(None, S.ACKNOWLEDGED)
    before = snapshot()
    client = in_english(client_as(people.sam))
    assert said(bulk(client, [], people.quality)) == ["Select the tickets to assign."]
    assert said(bulk(client, [t], None))[-1] == "Choose a department."
    response = client.post(
        reverse("tickets:bulk_assign"), {"tickets": ["abc"], "department": people.quality.pk}
    )
    assert said(response)[-1] == "Select a valid choice. abc is not one of the available choices."
    assert snapshot() == before


def test_bulk_assign_reports_tickets_the_user_cannot_see(people, client_as):
    unseen = 999999
    client = in_english(client_as(people.sam))
    response = client.post(
        reverse("tickets:bulk_assign"), {"tickets": [unseen], "department": people.quality.pk}
    )
    assert said(response) == [f"1 ticket not assigned: ticket {unseen}: not found"]


def test_bulk_assign_of_a_number_too_large_for_the_database_says_so(people, client_as):
    t = make_ticket(None, S.ACKNOWLEDGED)
    before = snapshot()
    huge = "9" * 30  # SQLite could not even compare it (a server error)
    response = in_english(client_as(people.sam)).post(
        reverse("tickets:bulk_assign"), {"tickets": [huge, t.pk], "department": people.quality.pk}
    )
    assert said(response)[-1] == f"Select a valid choice. {huge} is not one of the available choices."
    assert snapshot() == before


def test_a_disabled_worker_cannot_be_bulk_assigned(people, client_as):
    t = make_ticket(None, S.ACKNOWLEDGED)
    gone = make_user("gone", people.hank.role, department=people.quality, is_active=False)
    before = snapshot()
    response = bulk(in_english(client_as(people.sam)), [t], people.quality, gone)
    assert any("Select a valid choice" in text for text in said(response))
    assert snapshot() == before


def test_saving_the_same_classification_says_nothing_changed(people, client_as, ticket):
    data = classify_data(severity=ticket.severity, validity="", demand="")
    before = snapshot()
    response = in_english(client_as(people.sam)).post(reverse("tickets:classify", args=[ticket.pk]), data)
    assert said(response) == ["Nothing was changed."]
    assert snapshot() == before
