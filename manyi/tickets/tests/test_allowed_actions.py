"""What the ticket page offers is what the workflow accepts, decided once (workflow.allowed_actions).

Every role and every state: the page shows a form exactly when its verb, called with good
input, changes the ticket; the API, inbound mail and the pages add the customer's words
through one verb, ``workflow.add_customer_message``, which decides on the locked row.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from manyi.tickets import callback, inbound, workflow
from manyi.tickets.attachments import Source, check_file
from manyi.tickets.choices import ActionStatus, Channel, EventKind, Severity, TicketState
from manyi.tickets.models import CorrectiveAction, Ticket, TicketError
from manyi.tickets.tests.sample_files import image_bytes, use_attachment_root
from manyi.tickets.tests.test_inbound import multipart_mail, reply_mail

ROLES = ("alice", "sam", "amy", "hank", "ana")


@pytest.fixture(autouse=True)
def attachment_root(settings, tmp_path):
    return use_attachment_root(settings, tmp_path)


def ticket_in(state, department):
    ticket = workflow.open_ticket(
        by=None, channel=Channel.PHONE, subject="包装破损", description="两件开裂。"
    )
    Ticket.objects.filter(pk=ticket.pk).update(state=state, department=department)
    ticket.refresh_from_db()
    return ticket


def accepted(verb):
    """Whether ``verb()`` goes through (its changes rolled back), or the workflow refuses."""
    try:
        with transaction.atomic():
            verb()
            transaction.set_rollback(True)
    except TicketError:
        return False
    return True


# The page's form for each change (its id on the ticket page) and the verb behind it.
CHANGES = {
    "classify": ('id="classification"', lambda t, u, p: workflow.classify(t, u, severity=Severity.MAJOR)),
    "edit_contact": (
        'id="contact-details"',
        lambda t, u, p: workflow.update_contact(t, u, customer=None, contact_name="钱经理"),
    ),
    "add_note": ('id="note-form"', lambda t, u, p: workflow.add_note(t, u, "客户来电，说明天在家。")),
    "raise_priority": ('id="raise-priority"', lambda t, u, p: workflow.raise_priority(t, u)),
    "add_action": (
        'id="add-action"',
        lambda t, u, p: workflow.add_action(
            t, u, description="更换包装", owner=p.hank, deadline=timezone.localdate() + timedelta(days=7)
        ),
    ),
    "attach": (
        'id="attachment-form"',
        lambda t, u, p: workflow.attach(t, u, [check_file("门.png", image_bytes())], source=Source.STAFF),
    ),
    "record_callback": ('id="callback-record"', lambda t, u, p: callback.record_by_phone(t, u, 5)),
}


def test_the_page_offers_a_change_exactly_when_its_verb_accepts_it(people, client_as):
    tickets = {state: ticket_in(state, people.quality) for state in TicketState}
    mismatches = []
    for name in ROLES:
        user = getattr(people, name)
        client = client_as(user)
        for state, ticket in tickets.items():
            page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
            allowed = workflow.allowed_actions(ticket, user)
            for change, (marker, verb) in CHANGES.items():
                # A fresh instance each time: a verb updates the caller's ticket in memory.
                fresh = Ticket.objects.get(pk=ticket.pk)
                shown, done = marker in page, accepted(lambda v=verb, t=fresh, u=user: v(t, u, people))
                if not shown == done == (change in allowed):
                    mismatches.append((name, state, change, shown, done))
    assert mismatches == []
    # The matrix is not empty on either side: each change is offered to someone somewhere …
    offered = {
        change
        for name in ROLES
        for ticket in tickets.values()
        for change in CHANGES
        if change in workflow.allowed_actions(ticket, getattr(people, name))
    }
    assert offered == set(CHANGES)
    # … and refused somewhere: ana reads only.
    assert not any(
        change in workflow.allowed_actions(ticket, people.ana)
        for ticket in tickets.values()
        for change in CHANGES
    )


STEPS = {
    "complete": ("tickets:action_complete", lambda a, u: workflow.complete_action(a, u, "已更换包装。")),
    "verify": ("tickets:action_verify", lambda a, u: workflow.verify_action(a, u, True)),
    "cancel": ("tickets:action_cancel", lambda a, u: workflow.cancel_action(a, u, "不再需要。")),
}


@pytest.mark.parametrize("state", [TicketState.ACTION, TicketState.CLOSED])
def test_the_page_offers_an_action_step_exactly_when_the_workflow_takes_it(people, client_as, state):
    ticket = ticket_in(state, people.quality)
    actions = [
        CorrectiveAction.objects.create(
            ticket=ticket,
            description=f"措施 {status}",
            owner=people.hank,
            deadline=timezone.localdate(),
            status=status,
        )
        for status in ActionStatus
    ]
    mismatches = []
    for name in ROLES:
        user = getattr(people, name)
        page = client_as(user).get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
        for action in actions:
            for step, (route, verb) in STEPS.items():
                shown = reverse(route, args=[ticket.pk, action.pk]) in page
                fresh = CorrectiveAction.objects.get(pk=action.pk)
                done = accepted(lambda v=verb, a=fresh, u=user: v(a, u))
                if not shown == done == (step in workflow.allowed_steps(action, user)):
                    mismatches.append((name, action.status, step, shown, done))
    assert mismatches == []
    taken = {(a.status, s) for a in actions for s in workflow.allowed_steps(a, people.sam)}
    if state == TicketState.CLOSED:
        assert taken == set()
    else:
        assert taken == {
            (ActionStatus.PLANNED, "complete"),
            (ActionStatus.INEFFECTIVE, "complete"),
            (ActionStatus.DONE, "verify"),
            *(
                (status, "cancel")
                for status in (ActionStatus.PLANNED, ActionStatus.DONE, ActionStatus.INEFFECTIVE)
            ),
        }


# --------------------------------------------------------------------------- the customer's words


def test_the_customers_message_is_refused_on_a_closed_ticket_with_the_same_words_everywhere(people):
    ticket = ticket_in(TicketState.CLOSED, people.quality)
    refusals = set()
    for by in (None, people.amy):
        with pytest.raises(TicketError) as refused:
            workflow.add_customer_message(ticket, by, "还是坏的。")
        refusals.add(str(refused.value))
    assert refusals == {"Reopen the ticket before changing it."}
    assert not ticket.events.filter(kind=EventKind.MESSAGE).exists()


def test_only_who_records_feedback_or_the_system_adds_a_customers_message(people):
    ticket = ticket_in(TicketState.ASSIGNED, people.quality)
    for user in (people.hank, people.ana):
        with pytest.raises(TicketError):
            workflow.add_customer_message(ticket, user, "还是坏的。")
    with pytest.raises(TicketError, match=r"Write the customer's message\."):
        workflow.add_customer_message(ticket, people.amy, "  ")
    by_agent = workflow.add_customer_message(ticket, people.amy, "客户又来电催促。")
    by_mail = workflow.add_customer_message(ticket, None, "门还是关不严。", heading="E-mail from li.na")
    assert [(e.kind, e.by, e.note) for e in (by_agent, by_mail)] == [
        (EventKind.MESSAGE, people.amy, "客户又来电催促。"),
        (EventKind.MESSAGE, None, "E-mail from li.na\n\n门还是关不严。"),
    ]
    assert (by_agent.from_state, by_agent.to_state) == (TicketState.ASSIGNED, TicketState.ASSIGNED)


def test_an_empty_reply_by_mail_still_reaches_the_timeline(people):
    ticket = inbound.process(multipart_mail()).ticket
    raw = (
        b"From: li.na@example.com\r\nSubject: Re: "
        + ticket.reference.encode()
        + b"\r\nMessage-ID: <empty@x>\r\nContent-Type: text/plain\r\n\r\n"
    )
    assert inbound.process(raw).action == "appended"
    assert ticket.events.order_by("-pk").first().note.endswith("(The e-mail has no text.)")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need a server database")
def test_mail_read_while_the_ticket_is_being_closed_opens_a_follow_up(people):
    """Inbound mail used to decide 'open, so add to it' on a row it had not locked: a ticket
    closed at that moment took the message, and nobody was left to read it. The verb now
    decides on the locked row, after the close."""
    ticket = inbound.process(multipart_mail()).ticket
    Ticket.objects.filter(pk=ticket.pk).update(state=TicketState.VERIFIED)
    locked, errors, outcomes = threading.Event(), [], []

    def close_slowly():
        try:
            with transaction.atomic():
                Ticket.objects.select_for_update().get(pk=ticket.pk)
                locked.set()
                time.sleep(1)  # the mail is read meanwhile
                Ticket.objects.filter(pk=ticket.pk).update(state=TicketState.CLOSED)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    def read_mail():
        try:
            locked.wait(5)
            outcomes.append(inbound.process(reply_mail(ticket.reference)))
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=close_slowly), threading.Thread(target=read_mail)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [outcome.action for outcome in outcomes] == ["opened"]
    assert not ticket.events.filter(kind=EventKind.MESSAGE, note__contains="门还是关不严").exists()
    assert outcomes[0].ticket.pk != ticket.pk
