"""The company or customer code typed on the public feedback form (issue 16, why 3).

The form asks 公司名称或客户编码. What was typed stays on the ticket; a customer code or a
company's exact name links the customer. When the phone or e-mail given is that customer's, the
match is certain; otherwise anyone could have typed the code: the ticket says so, the reply
waits until the staff confirm, and the sender learns nothing either way.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from manyi.testing import make_contact, make_customer
from manyi.tickets import workflow
from manyi.tickets.choices import CustomerMatch, EventKind, ReplyMethod, TicketState
from manyi.tickets.models import Category, Ticket
from manyi.tickets.public_views import matching_customer
from manyi.tickets.statistics import repeat_complainant_count, repeat_complainants
from manyi.tickets.workflow import TicketError

from .conftest import in_english
from .test_public_feedback import FORM_URL, STATUS_URL, check_code_of, neutral, submit, valid_data

pytestmark = pytest.mark.django_db

KNOWN_PHONE = "13900000000"  # in the archive for 杭州精工机械
STRANGER_PHONE = "138 1234 5678"  # in nobody's archive


@pytest.fixture
def client(client):
    return in_english(client)


@pytest.fixture
def category():
    return Category.objects.get(code="product_quality")


@pytest.fixture
def jinggong():
    customer = make_customer(code="KH2023-0010", name="杭州精工机械有限公司", phone=KNOWN_PHONE)
    make_contact(customer, name="王经理", email="wang@jinggong.example")
    return customer


def sent_with(client, category, given, **changes):
    submit(client, valid_data(category, customer_code=given, **changes))
    return Ticket.objects.latest("pk")


# --------------------------------------------------------------------------- what is linked


def test_a_code_without_a_matching_phone_links_the_customer_unconfirmed_and_keeps_the_code(
    client, category, jinggong
):
    ticket = sent_with(client, category, "KH2023-0010")

    assert ticket.customer == jinggong
    assert ticket.customer_match == CustomerMatch.TYPED
    assert ticket.customer_given == "KH2023-0010"


def test_a_code_with_the_customers_phone_is_a_certain_match(client, category, jinggong):
    ticket = sent_with(client, category, "kh2023-0010", contact_phone="139-0000-0000")

    assert ticket.customer == jinggong and ticket.customer_match == CustomerMatch.CONTACT
    assert ticket.customer_given == "kh2023-0010"


def test_a_contacts_email_is_a_certain_match_too(client, category, jinggong):
    ticket = sent_with(
        client, category, "KH2023-0010", contact_phone="", contact_email="WANG@jinggong.example"
    )

    assert ticket.customer == jinggong and ticket.customer_match == CustomerMatch.CONTACT


def test_the_exact_company_name_links_the_customer(client, category, jinggong):
    ticket = sent_with(client, category, "  杭州精工机械有限公司 ")

    assert ticket.customer == jinggong and ticket.customer_match == CustomerMatch.TYPED
    assert ticket.customer_given == "杭州精工机械有限公司"


@pytest.mark.parametrize("given", ["杭州精工", "精工机械有限公司", "NO-SUCH-CODE", "KH2023-001"])
def test_a_partial_name_or_an_unknown_code_links_nobody_but_is_kept(client, category, jinggong, given):
    ticket = sent_with(client, category, given)

    assert ticket.customer is None and ticket.customer_match == ""
    assert ticket.customer_given == given


def test_a_name_two_customers_share_links_neither(jinggong):
    make_customer(code="KH2024-0100", name="杭州精工机械有限公司")

    assert matching_customer("杭州精工机械有限公司", KNOWN_PHONE, "") == (None, "")
    assert matching_customer("KH2023-0010", KNOWN_PHONE, "") == (jinggong, CustomerMatch.CONTACT)


def test_an_erased_customer_is_never_matched(jinggong):
    jinggong.erase_personal_data()

    assert matching_customer("KH2023-0010", KNOWN_PHONE, "") == (None, "")


def test_nothing_typed_links_nobody_even_with_a_known_phone(client, category, jinggong):
    ticket = sent_with(client, category, "", contact_phone=KNOWN_PHONE)

    assert ticket.customer is None and ticket.customer_given == ""


# --------------------------------------------------------------------------- what the sender learns


def test_the_sender_cannot_tell_a_known_code_from_an_unknown_one(client, category, jinggong, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    pages, mails, statuses = [], [], []
    for given in ("KH2023-0010", "NO-SUCH-CODE"):
        response = submit(
            client, valid_data(category, customer_code=given, contact_email="x@example.com"), follow=True
        )
        ticket = Ticket.objects.latest("pk")
        pages.append(neutral(response.content.decode()))
        status = client.post(STATUS_URL, {"reference": ticket.reference, "secret": check_code_of(response)})
        statuses.append(neutral(status.content.decode()))
        mails.append(neutral(mail.outbox[-1].body))

    assert [t.customer_match for t in Ticket.objects.order_by("pk")] == [CustomerMatch.TYPED, ""]
    assert pages[0] == pages[1] and statuses[0] == statuses[1] and mails[0] == mails[1]
    for text in (*pages, *statuses, *mails):
        assert "杭州精工" not in text and "KH2023-0010" not in text and "王经理" not in text


def test_the_form_asks_for_the_company_name_or_the_code(client):
    page = client.get(FORM_URL).content.decode()

    assert "Company or customer code" in page and "your company&#x27;s name" in page


# --------------------------------------------------------------------------- what the staff see and do


@pytest.fixture
def unconfirmed(client, category, jinggong, people):
    """A ticket naming 精工 by its code only, being handled up to the reply."""
    ticket = sent_with(client, category, "KH2023-0010")
    workflow.acknowledge(ticket, people.amy)
    workflow.assign(ticket, people.sam, people.quality)
    workflow.start_investigation(ticket, people.hank)
    return ticket


def test_the_ticket_page_says_the_customer_is_not_confirmed_and_shows_what_was_typed(
    unconfirmed, people, client_as
):
    body = in_english(client_as(people.amy)).get(unconfirmed.get_absolute_url()).content.decode()

    assert 'id="customer-unconfirmed"' in body and "Customer not confirmed." in body
    assert re.search(r'id="customer-given">Typed by the sender: KH2023-0010<', body)
    assert 'id="confirm-customer"' in body
    # No reply button until confirmed.
    assert 'id="do-reply"' not in body


def test_the_reply_waits_until_the_customer_is_confirmed(unconfirmed, people):
    with pytest.raises(TicketError, match="Confirm the customer first"):
        workflow.reply(unconfirmed, people.amy, "已为您安排更换。", ReplyMethod.PHONE)
    assert Ticket.objects.get(pk=unconfirmed.pk).state == TicketState.INVESTIGATING

    workflow.confirm_customer(unconfirmed, people.amy)
    workflow.reply(unconfirmed, people.amy, "已为您安排更换。", ReplyMethod.PHONE)

    ticket = Ticket.objects.get(pk=unconfirmed.pk)
    assert ticket.state == TicketState.REPLIED and ticket.customer_match == CustomerMatch.CONFIRMED
    event = ticket.events.get(kind=EventKind.CHANGE)
    assert event.by == people.amy and event.note == "Customer confirmed: 杭州精工机械有限公司 (KH2023-0010)"


def test_the_agent_confirms_on_the_page_and_the_reply_button_appears(unconfirmed, people, client_as):
    client = in_english(client_as(people.amy))

    response = client.post(reverse("tickets:customer_confirm", args=[unconfirmed.pk]))

    assert response.status_code == 302
    body = client.get(unconfirmed.get_absolute_url()).content.decode()
    assert 'id="customer-unconfirmed"' not in body and 'id="do-reply"' in body
    assert "Confirmed by the staff" in body


@pytest.mark.parametrize("name", ["hank", "ana"])
def test_who_may_not_edit_the_contact_cannot_confirm(unconfirmed, people, client_as, name):
    response = client_as(getattr(people, name)).post(
        reverse("tickets:customer_confirm", args=[unconfirmed.pk])
    )

    assert response.status_code == 403
    assert Ticket.objects.get(pk=unconfirmed.pk).customer_match == CustomerMatch.TYPED
    assert not unconfirmed.events.filter(kind=EventKind.CHANGE).exists()


def test_a_certain_or_staff_chosen_customer_needs_no_confirmation(client, category, jinggong, people):
    certain = sent_with(client, category, "KH2023-0010", contact_phone=KNOWN_PHONE)
    with pytest.raises(TicketError, match="needs no confirmation"):
        workflow.confirm_customer(certain, people.amy)
    assert Ticket.objects.get(pk=certain.pk).customer_match == CustomerMatch.CONTACT


def test_choosing_another_customer_makes_it_the_staffs_choice(unconfirmed, people):
    other = make_customer(code="KH2025-0001", name="宁波某公司")

    workflow.update_contact(unconfirmed, people.amy, customer=other)

    ticket = Ticket.objects.get(pk=unconfirmed.pk)
    assert ticket.customer == other and ticket.customer_match == ""
    assert ticket.customer_given == "KH2023-0010"  # what the sender typed stays


def test_the_queue_marks_the_unconfirmed_customer_and_finds_the_typed_code(
    client, category, jinggong, people, client_as
):
    unknown = sent_with(client, category, "NO-SUCH-CODE")
    typed = sent_with(client, category, "KH2023-0010")
    staff = in_english(client_as(people.amy))

    body = staff.get(reverse("tickets:list")).content.decode()
    assert "not confirmed" in body and "(typed: NO-SUCH-CODE)" in body

    found = staff.get(reverse("tickets:list"), {"q": "NO-SUCH"}).context["page"].object_list
    assert list(found) == [unknown]
    found = staff.get(reverse("tickets:list"), {"q": "KH2023-0010"}).context["page"].object_list
    assert list(found) == [typed]


def test_unconfirmed_tickets_do_not_make_a_repeat_complainant(client, category, jinggong, people):
    sent_with(client, category, "KH2023-0010")
    sent_with(client, category, "KH2023-0010")
    assert repeat_complainant_count(Ticket.objects.all()) == 0

    workflow.confirm_customer(Ticket.objects.earliest("pk"), people.amy)
    sent_with(client, category, "KH2023-0010", contact_phone=KNOWN_PHONE)

    # The confirmed one and the one with the archive's phone: two; the third is still unconfirmed.
    assert [(row["code"], row["count"]) for row in repeat_complainants(Ticket.objects.all())] == [
        ("KH2023-0010", 2)
    ]


def test_the_customers_timeline_says_the_ticket_is_not_confirmed(client, category, jinggong, people):
    from manyi.tickets.timeline import tickets as timeline

    ticket = sent_with(client, category, "KH2023-0010")

    entries = [entry.title for entry in timeline(jinggong, people.amy)]
    assert entries == [f"Feedback received: {ticket.reference} (Web form) · customer not confirmed"]
