"""The customer and contact of a ticket can be corrected after intake, by whoever sees them."""

import pytest
from django.urls import reverse

from manyi.testing import make_customer
from manyi.tickets.choices import EventKind, TicketState
from manyi.tickets.models import Ticket

from .conftest import in_english
from .test_detail_forms import make_ticket, said, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(people):
    return make_ticket(
        people.quality, TicketState.ASSIGNED, contact_name="王先生", contact_phone="13800000000"
    )


def url(ticket):
    return reverse("tickets:contact", args=[ticket.pk])


def contact_data(**changes):
    data = {
        "customer_code": "",
        "contact_name": "王先生",
        "contact_phone": "13900001111",
        "contact_email": "wang@example.com",
    }
    data.update(changes)
    return data


def test_an_agent_corrects_the_contact_and_links_the_customer(people, client_as, ticket):
    customer = make_customer(code="C-2001", name="华东重工")
    response = in_english(client_as(people.amy)).post(url(ticket), contact_data(customer_code="C-2001"))
    assert said(response) == ["The contact details have been saved."]
    ticket.refresh_from_db()
    assert (ticket.customer, ticket.contact_phone, ticket.contact_email) == (
        customer,
        "13900001111",
        "wang@example.com",
    )
    event = ticket.events.get(kind=EventKind.CHANGE)
    assert event.by == people.amy
    # The timeline is read by roles without the right to contact data: fields, not values.
    assert "13900001111" not in event.note and "wang@example.com" not in event.note
    assert "华东重工" in event.note


def test_the_form_is_on_the_page_filled_in(people, client_as, ticket):
    body = client_as(people.amy).get(ticket.get_absolute_url()).content.decode()
    assert 'id="contact-form"' in body
    assert 'value="13800000000"' in body


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"customer_code": "NOPE"}, "No customer has this code."),
        ({"contact_email": "not-an-address"}, "Enter a valid email address."),
        ({"contact_phone": "1" * 31}, "Ensure this value has at most 30 characters"),
    ],
)
def test_bad_contact_input_is_explained_and_changes_nothing(people, client_as, ticket, changes, message):
    before = snapshot()
    response = in_english(client_as(people.amy)).post(url(ticket), contact_data(**changes))
    assert any(message in text for text in said(response)), said(response)
    assert snapshot() == before


def test_saving_the_same_values_records_nothing(people, client_as, ticket):
    same = contact_data(contact_phone="13800000000", contact_email="")
    before = snapshot()
    response = in_english(client_as(people.amy)).post(url(ticket), same)
    assert said(response) == ["Nothing was changed."]
    assert snapshot() == before


@pytest.mark.parametrize("who", ["hank", "ana"])
def test_roles_that_do_not_see_contact_data_cannot_change_it(people, client_as, ticket, who):
    before = snapshot()
    user = getattr(people, who)
    assert client_as(user).post(url(ticket), contact_data()).status_code == 403
    assert b'id="contact-form"' not in client_as(user).get(ticket.get_absolute_url()).content
    assert snapshot() == before


def test_a_closed_ticket_must_be_reopened_first(people, client_as, ticket):
    Ticket.objects.filter(pk=ticket.pk).update(state=TicketState.CLOSED)
    before = snapshot()
    response = in_english(client_as(people.sam)).post(url(ticket), contact_data())
    assert said(response) == ["Reopen the ticket before changing it."]
    assert snapshot() == before
    assert b'id="contact-form"' not in client_as(people.sam).get(ticket.get_absolute_url()).content


def test_the_phone_is_stored_in_one_spelling_and_nonsense_refused(people, client_as, ticket):
    in_english(client_as(people.amy)).post(url(ticket), contact_data(contact_phone="0571 8888 6666"))
    ticket.refresh_from_db()
    assert ticket.contact_phone == "0571-88886666"
    before = snapshot()
    response = in_english(client_as(people.amy)).post(url(ticket), contact_data(contact_phone="12345"))
    assert any("is not a valid phone number" in text for text in said(response))
    assert snapshot() == before


def test_the_log_names_the_customer_once_in_chinese(people, ticket):
    """Issue 16: the log read “联系信息已修改：客户, 联系人电话 客户：华东重工 (C-2001)”."""
    from django.utils import translation

    from manyi.tickets import workflow

    customer = make_customer(code="C-2001", name="华东重工")
    with translation.override("zh-hans"):
        workflow.update_contact(
            ticket, people.amy, customer=customer, contact_name="王先生", contact_phone="13900001111"
        )
        workflow.update_contact(
            ticket, people.amy, customer=None, contact_name="王先生", contact_phone="13900001111"
        )
        workflow.update_contact(
            ticket, people.amy, customer=None, contact_name="李女士", contact_phone="13900001111"
        )

    notes = list(ticket.events.filter(kind=EventKind.CHANGE).order_by("pk").values_list("note", flat=True))
    assert notes == [
        "客户改为：华东重工 (C-2001); 联系信息已修改：联系人电话",
        "客户改为：—",
        "联系信息已修改：联系人姓名",
    ]


def test_a_customer_message_is_not_prefixed_with_what_its_kind_says(people, client_as, ticket):
    """The timeline read “客户留言 · 客户留言：…”: the kind and the note said it twice."""
    from django.utils import translation

    from manyi.tickets import workflow

    with translation.override("zh-hans"):
        workflow.add_customer_message(ticket, people.amy, "客户来电催促，希望本周内解决。")

    body = client_as(people.amy).get(ticket.get_absolute_url()).content.decode()
    timeline = body[body.index('id="timeline"') :]
    assert timeline.count("客户留言") == 1
    assert "客户来电催促，希望本周内解决。" in timeline
