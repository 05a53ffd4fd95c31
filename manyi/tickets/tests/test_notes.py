"""Internal notes on the timeline: who works on a ticket logs a call or a promise, in any state."""

import pytest
from django.urls import reverse

from manyi.tickets.choices import EventKind, TicketState
from manyi.tickets.public_views import public_view

from .conftest import in_english
from .test_detail_forms import make_ticket, said, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(people):
    return make_ticket(people.quality, TicketState.ASSIGNED)


def url(ticket):
    return reverse("tickets:note_add", args=[ticket.pk])


@pytest.mark.parametrize("who", ["amy", "hank", "sam"])
def test_who_works_on_the_ticket_adds_a_note_shown_on_the_timeline(people, client_as, ticket, who):
    user = getattr(people, who)
    client = in_english(client_as(user))
    assert b'id="note-form"' in client.get(ticket.get_absolute_url()).content
    response = client.post(url(ticket), {"note": "客户来电催问进度，已承诺周五前答复"})
    assert said(response) == ["The note has been added."]
    event = ticket.events.get(kind=EventKind.NOTE)
    assert (event.by, event.note, event.from_state, event.to_state) == (
        user,
        "客户来电催问进度，已承诺周五前答复",
        TicketState.ASSIGNED,
        TicketState.ASSIGNED,
    )
    ticket.refresh_from_db()
    assert ticket.state == TicketState.ASSIGNED
    assert "客户来电催问进度" in client.get(ticket.get_absolute_url()).content.decode()


def test_a_closed_ticket_takes_notes_and_the_customer_sees_no_news(people, client_as, ticket):
    from manyi.tickets.models import Ticket

    Ticket.objects.filter(pk=ticket.pk).update(state=TicketState.CLOSED)
    ticket.refresh_from_db()
    updated = public_view(ticket)["updated_at"]
    client_as(people.amy).post(url(ticket), {"note": "客户表示满意"})
    assert ticket.events.filter(kind=EventKind.NOTE).count() == 1
    assert public_view(ticket)["updated_at"] == updated


@pytest.mark.parametrize(
    "note, message", [("   ", "Write the note."), ("长" * 4001, "at most 4000 characters")]
)
def test_an_empty_or_too_long_note_is_refused_and_changes_nothing(people, client_as, ticket, note, message):
    before = snapshot()
    response = in_english(client_as(people.amy)).post(url(ticket), {"note": note})
    assert any(message in text for text in said(response)), said(response)
    assert snapshot() == before


def test_roles_that_do_not_work_on_the_ticket_cannot_add_notes(people, client_as, ticket):
    from manyi.accounts.choices import Role
    from manyi.testing import make_department, make_user

    before = snapshot()
    assert client_as(people.ana).post(url(ticket), {"note": "x"}).status_code == 403
    other = make_user("olga", Role.HANDLER, department=make_department(name="物流部", code="LOG"))
    assert client_as(other).post(url(ticket), {"note": "x"}).status_code == 404
    assert snapshot() == before
