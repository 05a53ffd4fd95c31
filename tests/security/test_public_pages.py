"""Public pages store nothing for a visitor who only looks, and the feedback form relays no mail.

Issue 13, finding 8: every anonymous GET of /feedback/ stored a session row (the view opened a
session for the check code before any submit), so anyone could fill the session table without
a rate limit; and the form e-mailed an acknowledgement carrying the sender-chosen name to any
address, 20 per 10 minutes per client address: a spam and phishing relay in our name.
"""

import pytest
from django.contrib.sessions.models import Session

from manyi.accounts.models import RateCounter
from manyi.tickets.models import Category, Ticket

from .conftest import routes

pytestmark = pytest.mark.django_db

# Public pages a visitor reaches without logging in; the crawl below must find each of them.
EXPECTED_PUBLIC = {
    "feedback:form",
    "feedback:status",
    "feedback:thanks",
    "ticket_callback:answer",
    "public:answer",
    "public:anonymous",
    "public:thanks",
    "public:anonymous_thanks",
}


def test_anonymous_gets_of_every_public_page_store_no_session(client, world):
    world.campaign.channels = [*world.campaign.channels, "anonymous"]  # its public link too
    world.campaign.save(update_fields=["channels"])
    public = []
    for route in routes(world):
        before = Session.objects.count()
        responses = [client.get(route.path) for _ in range(5)]
        if responses[0].status_code != 200:
            continue  # a login redirect, a 404 or 405: not a page shown to visitors
        public.append(route.name)
        assert Session.objects.count() == before, f"{route.label} stored a session"
        assert all("sessionid" not in r.cookies for r in responses), route.label
    assert set(public) >= EXPECTED_PUBLIC, sorted(EXPECTED_PUBLIC - set(public))


# --------------------------------------------------------------------------- the acknowledgement

LURE_NAME = "恭喜中奖！领取 http://evil.example/prize"
LURE_TEXT = "您的账户已冻结，请登录 http://evil.example/login 解冻"


def feedback(client, address, number, **changes):
    import uuid

    data = {
        "contact_name": LURE_NAME,
        "contact_phone": "",
        "contact_email": address,
        "customer_code": "",
        "category": str(Category.objects.get(code="logistics").pk),
        "description": LURE_TEXT,
        "demand": "replacement",
        "order": "http://evil.example/order",
        "submission_id": str(uuid.uuid4()),
        "website": "",
        **changes,
    }
    # A new client address each time: the per-address limit holds whatever the sender's IP.
    return client.post("/feedback/", data, REMOTE_ADDR=f"203.0.113.{number}")


def test_the_acknowledgement_carries_only_the_number_the_code_and_fixed_text(client, smtp_server):
    response = feedback(client, "victim@example.com", 1)

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert len(smtp_server.messages) == 1
    _sender, recipients, message = smtp_server.messages[0]
    assert recipients == ["victim@example.com"]
    parts = [
        message["Subject"],
        message.get_body(preferencelist=("plain",)).get_content(),
        message.get_body(preferencelist=("html",)).get_content(),
    ]
    for part in parts:
        assert "evil.example" not in part and "中奖" not in part and "冻结" not in part
    assert all(ticket.reference in part for part in parts)
    # The sender's text is kept on the ticket, for staff.
    assert ticket.contact_name == LURE_NAME and LURE_TEXT in ticket.description


def test_an_address_gets_at_most_three_acknowledgements_a_day_counted_in_the_database(
    client, smtp_server, settings
):
    assert settings.FEEDBACK_ACKNOWLEDGEMENT_RATE == "3/86400"
    for number in range(1, 6):
        address = "Victim@Example.com" if number % 2 else "victim@example.com "
        assert feedback(client, address.strip(), number).status_code == 302
    feedback(client, "someone.else@example.com", 9)

    assert Ticket.objects.count() == 6  # every feedback is recorded
    recipients = [r for _s, rs, _m in smtp_server.messages for r in rs]
    assert sorted(r.lower() for r in recipients) == ["someone.else@example.com"] + ["victim@example.com"] * 3
    # Counted in the shared database, under a hash: no address in the counters.
    counters = list(RateCounter.objects.filter(key__startswith="feedback-ack:"))
    assert sorted(c.count for c in counters) == [1, 5]
    assert not any("example" in c.key for c in counters)


def test_over_the_limit_the_sender_still_sees_the_number_and_the_code(client, smtp_server, settings):
    settings.FEEDBACK_ACKNOWLEDGEMENT_RATE = "1/86400"
    feedback(client, "victim@example.com", 1)
    response = feedback(client, "victim@example.com", 2)

    page = client.get(response["Location"]).content.decode()
    second = Ticket.objects.order_by("pk").last()
    assert second.reference in page and 'id="check-code"' in page
    assert len(smtp_server.messages) == 1


def test_a_double_submit_whose_first_answer_was_lost_still_shows_the_code(client, settings):
    """A double click: the browser drops the first answer (and the session cookie it set); the
    second submit of the same form leads to the same ticket and shows its code."""
    from django.test import Client

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    data_id = "0b0e6f1e-2a3b-4c5d-8e9f-0123456789ab"
    lost = feedback(Client(), "", 1, submission_id=data_id, contact_phone="13812345678")
    assert lost.status_code == 302  # its session cookie never reaches the browser
    response = feedback(client, "", 1, submission_id=data_id, contact_phone="13812345678")

    ticket = Ticket.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert ticket.reference in page and 'id="check-code"' in page
