"""The public feedback pages (/feedback/): the form, the acknowledgement, the status check."""

import re
import uuid

import pytest
from django.core import mail
from django.urls import reverse

from manyi.accounts.models import RateCounter
from manyi.testing import make_contact, make_customer
from manyi.tickets import public_codes, public_views, workflow
from manyi.tickets.choices import Channel, Demand, TicketState
from manyi.tickets.models import Category, Ticket, TicketEvent

from .conftest import in_english

pytestmark = pytest.mark.django_db

FORM_URL = "/feedback/"
STATUS_URL = "/feedback/status/"


@pytest.fixture
def client(client):
    return in_english(client)


@pytest.fixture
def category():
    return Category.objects.get(code="logistics")


def valid_data(topic, **changes):
    data = {
        "contact_name": "张先生",
        "contact_phone": "138 1234 5678",
        "contact_email": "",
        "customer_code": "",
        "category": str(topic.pk),
        "description": "快递一周还没到，客服电话也打不通。",
        "demand": Demand.REPLACEMENT,
        "order": "订单 2026-0815",
        "submission_id": str(uuid.uuid4()),
        "website": "",
    }
    data.update(changes)
    return data


def submit(client, data, **extra):
    return client.post(FORM_URL, data, **extra)


def neutral(page):
    """The page without what differs between any two requests: tokens, numbers, check codes."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return re.sub(r"FK-\d{4}-\d{6}|[A-Z0-9]{5}-[A-Z0-9]{5}", "", page)


def check_code_of(response):
    match = re.search(r'id="check-code">([A-Z0-9-]+)<', response.content.decode())
    return match.group(1) if match else None


# --------------------------------------------------------------------------- the form


def test_the_urls():
    assert reverse("feedback:form") == FORM_URL
    assert reverse("feedback:status") == STATUS_URL
    assert (
        reverse("feedback:thanks", kwargs={"reference": "FK-2026-000001"})
        == "/feedback/thanks/FK-2026-000001/"
    )


def test_the_form_shows_the_active_category_tree_and_the_demands(client):
    Category.objects.filter(code="price").update(is_active=False)
    response = client.get(FORM_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "csrfmiddlewaretoken" in page
    assert 'name="submission_id"' in page and 'name="website"' in page
    assert "物业管理 › 房屋管理" in page
    assert "价格" not in page
    assert "Replacement" in page
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_valid_submission_opens_one_web_ticket_with_the_contact_data(client, category):
    response = submit(client, valid_data(category, contact_email="Zhang@Example.COM"))

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert response["Location"] == f"/feedback/thanks/{ticket.reference}/"
    assert re.fullmatch(r"FK-\d{4}-\d{6}", ticket.reference)
    assert ticket.channel == Channel.WEB
    assert ticket.state == TicketState.NEW
    assert ticket.contact_name == "张先生"
    assert ticket.contact_phone == "13812345678"
    assert ticket.contact_email == "zhang@example.com"
    assert ticket.category == category
    assert ticket.demand == Demand.REPLACEMENT
    assert ticket.customer is None
    assert ticket.created_by is None
    assert ticket.description.startswith("快递一周还没到")
    assert "订单 2026-0815" in ticket.description
    assert ticket.subject == "快递一周还没到，客服电话也打不通。"
    assert ticket.sla_policy is not None and ticket.response_due is not None
    assert TicketEvent.objects.filter(ticket=ticket, to_state=TicketState.NEW).count() == 1


def test_the_thanks_page_shows_the_number_and_a_check_code_kept_only_as_a_hash(client, category):
    response = submit(client, valid_data(category), follow=True)

    ticket = Ticket.objects.get()
    page = response.content.decode()
    assert ticket.reference in page
    code = check_code_of(response)
    assert code and re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", code)
    assert ticket.check_code_hash.startswith("hmac-sha256$")
    assert code not in ticket.check_code_hash and code.replace("-", "") not in ticket.check_code_hash
    assert public_codes.check_code_matches(ticket, code)
    assert public_codes.check_code_matches(ticket, code.lower().replace("-", " "))
    assert not public_codes.check_code_matches(ticket, "ABCDE-FGHJK")


def test_the_thanks_page_of_another_browser_shows_no_code_and_no_data(client, category, django_user_model):
    submit(client, valid_data(category, contact_name="李四"))
    ticket = Ticket.objects.get()
    client.cookies.clear()
    in_english(client)

    for reference in (ticket.reference, "FK-2026-999999"):
        response = client.get(f"/feedback/thanks/{reference}/")
        assert response.status_code == 200
        assert check_code_of(response) is None
        assert "李四" not in response.content.decode()
    assert client.get("/feedback/thanks/<script>/").status_code == 404


def test_a_phone_or_an_email_alone_is_enough(client, category):
    assert (
        submit(client, valid_data(category, contact_phone="", contact_email="a@example.com")).status_code
        == 302
    )
    assert submit(client, valid_data(category, contact_phone="0571-88886666")).status_code == 302
    assert sorted(Ticket.objects.values_list("contact_phone", flat=True)) == ["", "0571-88886666"]


BAD_INPUTS = {
    "no contact": (
        {"contact_phone": "", "contact_email": ""},
        "Give a phone number or an e-mail address",
    ),
    "bad phone": ({"contact_phone": "12345"}, "is not a valid phone number"),
    "bad e-mail": ({"contact_email": "zhang@"}, "Enter a valid email address."),
    "too short description": ({"description": "太慢了"}, "at least 10 characters"),
    "too long description": ({"description": "慢" * 2001}, "at most 2000 characters"),
    "unknown category": ({"category": "999999"}, "Choose one of the listed topics."),
    "no category": ({"category": ""}, "This field is required."),
    "unknown demand": ({"demand": "money"}, "Select a valid choice."),
    "no name": ({"contact_name": "  "}, "This field is required."),
    "honeypot filled": ({"website": "http://spam.example"}, "could not be accepted"),
    "no submission id": ({"submission_id": ""}, "This form is incomplete"),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_input_is_refused_with_a_message_and_records_nothing(client, category, case):
    changes, message = BAD_INPUTS[case]
    response = submit(client, valid_data(category, **changes))

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert message in page
    assert not Ticket.objects.exists()
    assert not TicketEvent.objects.exists()


def test_an_inactive_category_is_refused(client, category):
    Category.objects.filter(pk=category.pk).update(is_active=False)
    response = submit(client, valid_data(category))
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_a_refused_form_keeps_what_was_typed_and_its_submission_id(client, category):
    data = valid_data(category, contact_phone="12345")
    page = submit(client, data).content.decode()
    assert "快递一周还没到" in page
    assert f'value="{data["submission_id"]}"' in page


def test_the_form_needs_the_csrf_token(category):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.get(FORM_URL)
    response = strict.post(FORM_URL, valid_data(category))
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_a_double_submit_records_one_ticket(client, category):
    data = valid_data(category)
    first = submit(client, data)
    second = submit(client, data)

    assert Ticket.objects.count() == 1
    ticket = Ticket.objects.get()
    assert first["Location"] == second["Location"] == f"/feedback/thanks/{ticket.reference}/"
    assert str(ticket.submission_id) == data["submission_id"]
    # The same browser still sees its check code after the second submit.
    assert check_code_of(client.get(second["Location"]))


def test_two_different_forms_are_two_tickets(client, category):
    submit(client, valid_data(category))
    submit(client, valid_data(category))
    assert Ticket.objects.count() == 2


def test_a_submit_racing_the_first_rolls_back_and_leads_to_the_first_ticket(client, category, monkeypatch):
    """The unique submission id refuses the second ticket even when the first check missed it."""
    data = valid_data(category)
    submit(client, data)
    first = Ticket.objects.get()
    real_filter = Ticket.objects.filter
    calls = []

    def blind_first_lookup(*args, **kwargs):
        if "submission_id" in kwargs and not calls:
            calls.append(1)
            return Ticket.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Ticket.objects, "filter", blind_first_lookup)
    response = submit(client, data)
    monkeypatch.undo()

    assert response.status_code == 302
    assert response["Location"] == f"/feedback/thanks/{first.reference}/"
    assert Ticket.objects.count() == 1
    assert TicketEvent.objects.count() == 1


def test_submissions_are_rate_limited_per_client_ip(client, category, settings):
    settings.PUBLIC_SUBMIT_RATE = "2/600"
    codes = [submit(client, valid_data(category)).status_code for _ in range(3)]

    assert codes == [302, 302, 429]
    assert Ticket.objects.count() == 2
    assert submit(client, valid_data(category), REMOTE_ADDR="10.0.0.9").status_code == 302
    # Bad submissions count too: a bot cannot try without end.
    settings.PUBLIC_SUBMIT_RATE = "1/600"
    RateCounter.objects.all().delete()  # a fresh window
    assert submit(client, valid_data(category, website="x")).status_code == 400
    assert submit(client, valid_data(category)).status_code == 429


# --------------------------------------------------------------------------- the customer code


def test_a_customer_code_is_linked_when_the_phone_matches(client, category):
    customer = make_customer(code="C-HZ-001", name="杭州某公司", phone="13812345678")
    submit(client, valid_data(category, customer_code="c-hz-001"))
    assert Ticket.objects.get().customer == customer


def test_a_customer_code_is_linked_when_a_contacts_email_matches(client, category):
    customer = make_customer(code="C-HZ-002", name="杭州某公司")
    make_contact(customer, name="王经理", email="wang@example.com")
    submit(client, valid_data(category, customer_code="C-HZ-002", contact_email="WANG@example.com"))
    assert Ticket.objects.get().customer == customer


def test_a_customer_code_that_does_not_match_the_contact_is_linked_unconfirmed_but_not_revealed(
    client, category
):
    """More in test_customer_given.py (issue 16: the code typed was thrown away)."""
    customer = make_customer(
        code="C-HZ-003", name="杭州某公司", phone="13900000000", email="boss@example.com"
    )
    known = submit(client, valid_data(category, customer_code="C-HZ-003"), follow=True)
    unknown = submit(client, valid_data(category, customer_code="NO-SUCH-CODE"), follow=True)

    assert [(t.customer, t.customer_match, t.customer_given) for t in Ticket.objects.order_by("pk")] == [
        (customer, "typed", "C-HZ-003"),
        (None, "", "NO-SUCH-CODE"),
    ]
    for response in (known, unknown):
        page = response.content.decode()
        assert response.status_code == 200
        assert "杭州某公司" not in page and "C-HZ-003" not in page
    # The same page either way, but for the number and the code.
    assert neutral(known.content.decode()) == neutral(unknown.content.decode())


# --------------------------------------------------------------------------- the e-mail


def test_the_acknowledgement_email_arrives_with_the_number_and_the_code(client, category, smtp_server):
    response = submit(client, valid_data(category, contact_email="zhang@example.com"), follow=True)

    ticket = Ticket.objects.get()
    code = check_code_of(response)
    assert len(smtp_server.messages) == 1
    _sender, recipients, message = smtp_server.messages[0]
    assert recipients == ["zhang@example.com"]
    assert ticket.reference in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert ticket.reference in text and code in text
    assert ticket.reference in html and code in html
    assert "/feedback/status/" in text


def test_no_email_is_sent_without_an_address(client, category, smtp_server):
    submit(client, valid_data(category))
    assert Ticket.objects.count() == 1
    assert smtp_server.messages == []


def test_a_mail_server_down_does_not_lose_the_feedback(client, category, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    response = submit(client, valid_data(category, contact_email="zhang@example.com"), follow=True)
    assert response.status_code == 200
    assert Ticket.objects.count() == 1
    assert check_code_of(response)


def test_the_email_is_in_the_language_of_the_page(client, category, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    submit(client, valid_data(category, contact_email="zhang@example.com"))
    assert "We have received your feedback" in mail.outbox[0].subject


# --------------------------------------------------------------------------- the status page


@pytest.fixture
def sent(client, category):
    """A submitted ticket and its check code (read from the thanks page)."""
    response = submit(client, valid_data(category, contact_email="zhang@example.com"), follow=True)
    return Ticket.objects.get(), check_code_of(response)


def look_up(client, reference, secret, **extra):
    return client.post(STATUS_URL, {"reference": reference, "secret": secret}, **extra)


def test_the_status_page_with_the_right_code_shows_the_state(client, sent):
    ticket, code = sent
    assert client.get(STATUS_URL).status_code == 200
    response = look_up(client, ticket.reference, code)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-state="received"' in page
    assert ticket.reference in page
    assert "Received" in page


@pytest.mark.parametrize(
    "secret",
    ["13812345678", "+86 138-1234-5678", "ZHANG@example.com"],
    ids=["phone", "phone written otherwise", "e-mail"],
)
def test_the_phone_or_email_given_opens_the_status_too(client, sent, secret):
    ticket, _code = sent
    response = look_up(client, ticket.reference.lower(), secret)
    assert response.status_code == 200
    assert 'id="status-result"' in response.content.decode()


@pytest.mark.parametrize(
    "what",
    ["wrong code", "other phone", "other e-mail", "unknown number", "someone else's code"],
)
def test_anything_else_gives_the_same_neutral_not_found(client, sent, category, what):
    ticket, code = sent
    other = workflow.open_ticket(
        by=None, channel=Channel.PHONE, subject="", description="别人的反馈内容", contact_phone="13900000000"
    )
    reference, secret = {
        "wrong code": (ticket.reference, "ABCDE-FGHJK"),
        "other phone": (ticket.reference, "13900000000"),
        "other e-mail": (ticket.reference, "li@example.com"),
        "unknown number": ("FK-2026-999999", code),
        "someone else's code": (other.reference, code),
    }[what]
    response = look_up(client, reference, secret)

    assert response.status_code == 404
    page = response.content.decode()
    assert 'id="status-not-found"' in page
    assert 'id="status-result"' not in page
    assert "别人的反馈内容" not in page and "13900000000" not in page
    assert secret not in page  # what was typed is not echoed back


def test_the_not_found_page_is_the_same_for_a_wrong_code_and_an_unknown_number(client, sent):
    ticket, _code = sent
    wrong = look_up(client, ticket.reference, "ABCDE-FGHJK").content.decode()
    unknown = look_up(client, "FK-2026-999999", "ABCDE-FGHJK").content.decode()
    assert neutral(wrong) == neutral(unknown)


def test_the_status_never_shows_staff_names_or_internal_notes(client, sent, people):
    ticket, code = sent
    workflow.acknowledge(ticket, people.amy, note="内部：客户语气激动")
    workflow.assign(ticket, people.sam, people.quality, people.hank, note="内部：请质量部跟进")
    workflow.start_investigation(ticket, people.hank, note="内部：仓库漏发")
    assert look_up(client, ticket.reference, code).content.decode().count("Being handled") == 1
    workflow.record_root_cause(ticket, people.hank, "内部：仓库拣货员漏扫")
    workflow.reply(ticket, people.amy, "已为您补发，预计明天送达。")

    response = look_up(client, ticket.reference, code)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-state="replied"' in page
    assert "已为您补发，预计明天送达。" in page
    assert "内部" not in page
    for person in (people.amy, people.sam, people.hank):
        assert person.username not in page
        assert person.last_name + person.first_name not in page
        assert person.get_full_name() not in page
    assert "质量部" not in page and "客服部" not in page
    assert "zhang@example.com" not in page and "13812345678" not in page


@pytest.mark.parametrize(
    ("state", "public"),
    [
        (TicketState.NEW, "received"),
        (TicketState.ACKNOWLEDGED, "handling"),
        (TicketState.ACTION, "handling"),
        (TicketState.VERIFIED, "replied"),
        (TicketState.CLOSED, "closed"),
        (TicketState.INVALID, "closed"),
        (TicketState.DUPLICATE, "closed"),
    ],
)
def test_every_state_has_a_public_name(client, sent, state, public):
    ticket, code = sent
    Ticket.objects.filter(pk=ticket.pk).update(state=state)
    assert f'data-state="{public}"' in look_up(client, ticket.reference, code).content.decode()
    assert set(public_views.PUBLIC_STATES) == set(TicketState.values)


def test_a_phone_ticket_can_be_checked_with_its_phone(client):
    ticket = workflow.open_ticket(
        by=None,
        channel=Channel.PHONE,
        subject="",
        description="电话反馈：快递慢",
        contact_phone="13700000000",
    )
    assert look_up(client, ticket.reference, "13700000000").status_code == 200
    assert look_up(client, ticket.reference, "").status_code == 400


def test_status_checks_are_rate_limited(client, sent, settings):
    ticket, code = sent
    settings.PUBLIC_SUBMIT_RATE = "2/600"
    codes = [look_up(client, ticket.reference, "WRONG-CODE1").status_code for _ in range(2)]
    codes.append(look_up(client, ticket.reference, code).status_code)

    assert codes == [404, 404, 429]
    assert look_up(client, ticket.reference, code, REMOTE_ADDR="10.0.0.9").status_code == 200


# --------------------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("typed", "reference"),
    [
        ("FK-2026-000123", "FK-2026-000123"),
        ("fk-2026-123", "FK-2026-000123"),
        (" FK2026000123 ", "FK-2026-000123"),
        ("FK－2026－000123", "FK-2026-000123"),
        ("hello", "HELLO"),
    ],
)
def test_typed_numbers_are_normalised(typed, reference):
    from manyi.tickets.public_forms import normalize_reference

    assert normalize_reference(typed) == reference


def test_check_codes_are_random_and_readable():
    codes = {public_codes.new_check_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == 10 and not set(code) & set("01ILO") for code in codes)
