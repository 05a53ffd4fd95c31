"""Reply by e-mail and the satisfaction callback: real SMTP (aiosmtpd), the public one-time page."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from manyi.tickets import callback, workflow
from manyi.tickets.callback import LinkState
from manyi.tickets.choices import (
    CallbackRating,
    CallbackStatus,
    Channel,
    EventKind,
    ReplyMethod,
    TicketState,
)
from manyi.tickets.models import Ticket, TicketEvent
from manyi.tickets.statistics import callback_satisfaction

from .conftest import in_english

pytestmark = pytest.mark.django_db

S = TicketState


def make_ticket(department, state, email="zhang@example.com", **kwargs):
    ticket = workflow.open_ticket(
        by=None,
        channel=Channel.PHONE,
        subject="包装破损",
        description="两件产品开裂。",
        contact_name="张先生",
        contact_email=email,
        **kwargs,
    )
    Ticket.objects.filter(pk=ticket.pk).update(department=department, state=state)
    ticket.refresh_from_db()
    return ticket


def closed(people, email="zhang@example.com"):
    """A ticket closed by the supervisor after verification: its callback is due."""
    ticket = make_ticket(people.quality, S.VERIFIED, email=email)
    return workflow.close(ticket, people.sam, "客户确认已解决")


def said(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def snapshot():
    return list(Ticket.objects.order_by("pk").values()), TicketEvent.objects.count()


# --------------------------------------------------------------------------- reply by e-mail


def test_a_reply_by_email_reaches_the_customer_through_a_real_server(
    people, client_as, smtp_server, settings
):
    settings.SITE_URL = "https://manyi.example.com"
    ticket = make_ticket(people.quality, S.ACTION)
    response = in_english(client_as(people.amy)).post(
        reverse("tickets:transition", args=[ticket.pk, "reply"]),
        {"method": "email", "note": "已为您补发两件，预计明天送达。"},
    )
    assert response.status_code == 302
    [(sender, recipients, message)] = smtp_server.messages
    assert recipients == ["zhang@example.com"]
    assert sender == settings.DEFAULT_FROM_EMAIL
    assert ticket.reference in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "已为您补发两件，预计明天送达。" in text and "已为您补发两件，预计明天送达。" in html
    assert "https://manyi.example.com/feedback/status/" in text
    assert 'href="https://manyi.example.com/feedback/status/"' in html
    ticket.refresh_from_db()
    assert (ticket.state, ticket.reply_method) == (S.REPLIED, ReplyMethod.EMAIL)
    assert ticket.events.last().note == "By e-mail to z***@example.com: 已为您补发两件，预计明天送达。"


def test_a_reply_the_mail_server_refuses_changes_nothing(people, client_as, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2  # nothing listens
    ticket = make_ticket(people.quality, S.ACTION)
    before = snapshot()
    response = in_english(client_as(people.amy)).post(
        reverse("tickets:transition", args=[ticket.pk, "reply"]), {"method": "email", "note": "已补发"}
    )
    [message] = said(response)
    assert message.startswith("The e-mail could not be sent (") and message.endswith("Nothing was changed.")
    assert snapshot() == before


# --------------------------------------------------------------------------- sending the callback


def test_closing_makes_the_callback_due_and_queues_the_task(people, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        ticket = closed(people)
    assert ticket.callback_status == CallbackStatus.DUE
    [job] = DBTaskResult.objects.all()
    assert job.task_path == "manyi.tickets.tasks.send_callback"
    assert job.args_kwargs["args"] == [ticket.pk]


def test_the_callback_is_emailed_once_with_a_personal_absolute_link(people, smtp_server, settings):
    settings.SITE_URL = "https://manyi.example.com/"
    ticket = closed(people)
    now = timezone.now()
    assert callback.send_callback(ticket.pk, now) == "sent"
    assert callback.send_callback(ticket.pk, now) == "skipped"  # a second run sends nothing
    assert callback.send_due_callbacks(now) == {"sent": 0, "phone": 0}
    [(_sender, recipients, message)] = smtp_server.messages
    ticket.refresh_from_db()
    assert recipients == ["zhang@example.com"]
    assert ticket.callback_status == CallbackStatus.SENT
    assert ticket.callback_expires_at == now + timedelta(days=14)
    link = f"https://manyi.example.com/feedback/callback/{ticket.callback_token}/"
    assert link in message.get_body(("plain",)).get_content()
    assert f'href="{link}"' in message.get_body(("html",)).get_content()
    assert (
        ticket.events.filter(kind=EventKind.CALLBACK).get().note
        == "Satisfaction survey e-mailed to z***@example.com."
    )


def test_the_periodic_job_sends_a_callback_the_task_queue_never_ran(people, smtp_server):
    from io import StringIO

    from django.core.management import call_command

    ticket = closed(people)  # the on-commit task was never run: the callback waits as due
    assert ticket.callback_status == CallbackStatus.DUE
    call_command("periodic", stdout=StringIO())
    call_command("periodic", stdout=StringIO())  # a second run sends nothing more
    [(_sender, recipients, _message)] = smtp_server.messages
    assert recipients == ["zhang@example.com"]
    ticket.refresh_from_db()
    assert ticket.callback_status == CallbackStatus.SENT


def test_without_an_address_the_callback_is_left_to_a_phone_call(people, smtp_server):
    ticket = closed(people, email="")
    assert callback.send_callback(ticket.pk) == "phone"
    ticket.refresh_from_db()
    assert ticket.callback_status == CallbackStatus.PHONE
    assert ticket.callback_token is None
    assert smtp_server.messages == []


def test_a_refused_callback_mail_falls_back_to_the_phone(people, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    ticket = closed(people)
    assert callback.send_callback(ticket.pk) == "phone"
    ticket.refresh_from_db()
    assert (ticket.callback_status, ticket.callback_token) == (CallbackStatus.PHONE, None)
    assert "call the customer" in ticket.events.filter(kind=EventKind.CALLBACK).get().note


def test_only_tickets_closed_after_verification_get_a_callback(people):
    invalid = workflow.close_invalid(make_ticket(people.quality, S.ASSIGNED), people.sam, "保存不当")
    assert invalid.callback_status == CallbackStatus.NONE
    assert callback.send_callback(invalid.pk) == "skipped"


# --------------------------------------------------------------------------- the public page


@pytest.fixture
def sent(people, smtp_server):
    ticket = closed(people)
    callback.send_callback(ticket.pk)
    ticket.refresh_from_db()
    return ticket


def url(ticket_or_token):
    token = getattr(ticket_or_token, "callback_token", ticket_or_token)
    return reverse("ticket_callback:answer", args=[token])


def test_the_customer_answers_once_and_a_second_submit_changes_nothing(client, sent):
    client = in_english(client)
    page = client.get(url(sent))
    assert page.status_code == 200
    assert sent.reference in page.content.decode()
    assert b"Very dissatisfied" in page.content
    response = client.post(url(sent), {"rating": "2", "comment": "处理太慢"})
    assert response.status_code == 200
    assert b'data-page="thanks"' in response.content
    sent.refresh_from_db()
    assert (sent.callback_status, sent.callback_rating, sent.callback_comment, sent.callback_method) == (
        CallbackStatus.ANSWERED,
        CallbackRating.DISSATISFIED,
        "处理太慢",
        ReplyMethod.EMAIL,
    )
    answers = sent.events.filter(kind=EventKind.CALLBACK, note__startswith="Answered")
    assert [e.note for e in answers] == ["Answered through the e-mailed link: Dissatisfied — 处理太慢"]
    again = client.post(url(sent), {"rating": "5", "comment": "改主意了"})
    assert b'data-page="used"' in again.content
    sent.refresh_from_db()
    assert sent.callback_rating == CallbackRating.DISSATISFIED
    assert answers.count() == 1
    assert b'data-page="used"' in client.get(url(sent)).content


@pytest.mark.parametrize(
    "data", [{}, {"rating": "9"}, {"rating": "abc"}, {"rating": "4", "comment": "长" * 2001}]
)
def test_bad_answers_are_explained_and_record_nothing(client, sent, data):
    before = snapshot()
    response = in_english(client).post(url(sent), data)
    assert response.status_code == 400
    assert b'id="error-summary"' in response.content
    assert snapshot() == before


def test_an_expired_link_says_so(client, sent):
    Ticket.objects.filter(pk=sent.pk).update(callback_expires_at=timezone.now() - timedelta(minutes=1))
    before = snapshot()
    for response in (in_english(client).get(url(sent)), client.post(url(sent), {"rating": "5"})):
        assert response.status_code == 410
        assert b'data-page="expired"' in response.content
        assert b"This link has expired" in response.content
    assert snapshot() == before


def test_an_unknown_link_says_so(client, sent):
    response = in_english(client).get(url("x" * 32))
    assert response.status_code == 404
    assert b'data-page="unknown"' in response.content


def test_reopening_kills_an_unanswered_link(people, client, sent):
    workflow.reopen(sent, people.sam, "客户反映问题仍在")
    sent.refresh_from_db()
    assert (sent.callback_status, sent.callback_token) == (CallbackStatus.NONE, None)
    token = Ticket.objects.get(pk=sent.pk).callback_token
    assert token is None


def test_the_old_link_is_dead_after_reopening(people, client, sent):
    old = sent.callback_token
    workflow.reopen(sent, people.sam, "客户反映问题仍在")
    response = in_english(client).post(url(old), {"rating": "5"})
    assert response.status_code == 404
    assert Ticket.objects.get(pk=sent.pk).callback_rating is None


def test_answers_are_rate_limited_in_their_own_bucket(client, sent, settings):
    settings.PUBLIC_SUBMIT_RATE = "2/600"
    client = in_english(client)
    assert client.post(url(sent), {"rating": "9"}).status_code == 400
    assert client.post(url(sent), {"rating": "9"}).status_code == 400
    response = client.post(url(sent), {"rating": "5"})
    assert response.status_code == 429
    assert Ticket.objects.get(pk=sent.pk).callback_rating is None
    # Another bucket (the feedback form's) is not used up by these.
    from manyi.accounts.ratelimit import rate_limited

    request = response.wsgi_request
    assert rate_limited(request, "public-feedback") is False


def test_the_page_is_in_chinese_by_default_and_fits_a_phone(client, sent):
    page = client.get(url(sent)).content.decode()
    assert "非常满意" in page or "很满意" in page
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page


# --------------------------------------------------------------------------- the answer from a phone call


def test_an_agent_records_the_phone_answer_and_it_shows_on_the_ticket(people, client_as):
    ticket = closed(people, email="")
    callback.send_callback(ticket.pk)
    client = in_english(client_as(people.amy))
    assert b'id="callback-record"' in client.get(ticket.get_absolute_url()).content
    response = client.post(
        reverse("tickets:callback_record", args=[ticket.pk]), {"rating": "5", "comment": "很满意"}
    )
    assert said(response) == ["The customer's answer to the callback has been recorded."]
    ticket.refresh_from_db()
    assert (ticket.callback_status, ticket.callback_rating, ticket.callback_method) == (
        CallbackStatus.ANSWERED,
        CallbackRating.VERY_SATISFIED,
        ReplyMethod.PHONE,
    )
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert 'id="callback-rating">Very satisfied<' in page
    assert "Answered on the phone: Very satisfied — 很满意" in page  # the timeline
    assert 'id="callback-record"' not in page
    again = client.post(reverse("tickets:callback_record", args=[ticket.pk]), {"rating": "1"})
    assert said(again)[-1] == "The customer has already answered the callback."
    assert Ticket.objects.get(pk=ticket.pk).callback_rating == CallbackRating.VERY_SATISFIED


@pytest.mark.parametrize("who", ["hank", "ana"])
def test_roles_without_customer_contact_cannot_record_the_callback(people, client_as, who):
    ticket = closed(people, email="")
    before = snapshot()
    response = client_as(getattr(people, who)).post(
        reverse("tickets:callback_record", args=[ticket.pk]), {"rating": "5"}
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_a_bad_phone_answer_or_an_open_ticket_changes_nothing(people, client_as):
    ticket = closed(people, email="")
    open_one = make_ticket(people.quality, S.ACTION)
    before = snapshot()
    client = in_english(client_as(people.amy))
    response = client.post(reverse("tickets:callback_record", args=[ticket.pk]), {"rating": "7"})
    assert "Select a valid choice" in said(response)[-1]
    response = client.post(reverse("tickets:callback_record", args=[open_one.pk]), {"rating": "5"})
    assert said(response)[-1] == "The callback is made once the ticket is closed after verification."
    assert snapshot() == before


def test_answer_by_link_refuses_a_bad_rating_in_the_domain_too(sent):
    with pytest.raises(workflow.TicketError):
        callback.answer_by_link(sent.callback_token, 0)
    assert callback.answer_by_link("nope" * 8, 5) == LinkState.UNKNOWN


# --------------------------------------------------------------------------- statistics


def test_callback_satisfaction_counts_answers_and_the_satisfied_share(people):
    ratings = [5, 4, 4, 2, 1, 3, 5]
    for rating in ratings:
        ticket = closed(people, email="")
        callback.record_by_phone(ticket, people.amy, rating)
    waiting = closed(people, email="")  # closed, callback not answered yet
    assert waiting.callback_status == CallbackStatus.DUE
    make_ticket(people.quality, S.ACTION)  # open: no callback at all
    result = callback_satisfaction(Ticket.objects.all())
    satisfied = sum(1 for r in ratings if r >= 4)
    assert (result["answered"], result["satisfied"], result["waiting"]) == (len(ratings), satisfied, 1)
    assert result["percent"] == pytest.approx(100 * satisfied / len(ratings))
    assert {row["rating"]: row["count"] for row in result["ratings"]} == {
        r: ratings.count(r) for r in range(1, 6)
    }


def test_the_statistics_page_shows_callback_satisfaction(people, client_as):
    for rating in (5, 1):
        callback.record_by_phone(closed(people, email=""), people.amy, rating)
    page = in_english(client_as(people.ana)).get(reverse("ticket_stats:page")).content.decode()
    match = re.search(r'id="callback-summary">([^<]*)<', page)
    assert match.group(1).strip() == "2 answered, 1 satisfied (50.0 %)."


@pytest.mark.parametrize("how", ["erased", "no consent", "opted out"])
def test_a_customer_who_wants_no_surveys_gets_no_callback(people, smtp_server, how):
    from manyi.campaigns.models import OptOut
    from manyi.customers.models import Customer
    from manyi.testing import make_customer

    customer = make_customer(email="zhang@example.com")
    if how == "erased":
        Customer.objects.filter(pk=customer.pk).update(erased_at=timezone.now())
    elif how == "no consent":
        Customer.objects.filter(pk=customer.pk).update(consent_to_contact=False)
    else:
        OptOut.objects.create(customer=customer)
    ticket = make_ticket(people.quality, S.VERIFIED, customer=customer)
    workflow.close(ticket, people.sam)
    assert callback.send_callback(ticket.pk) == "skipped"
    ticket.refresh_from_db()
    assert (ticket.callback_status, ticket.callback_token) == (CallbackStatus.NONE, None)
    assert smtp_server.messages == []
    assert ticket.events.filter(kind=EventKind.CALLBACK).get().note.startswith("The customer does not want")


def test_an_answered_callback_survives_reopening_and_the_next_close_asks_again(people, sent):
    callback.answer_by_link(sent.callback_token, CallbackRating.VERY_DISSATISFIED, "还是坏的")
    reopened = workflow.reopen(Ticket.objects.get(pk=sent.pk), people.sam, "客户回访不满意")
    assert (reopened.callback_status, reopened.callback_rating) == (
        CallbackStatus.ANSWERED,
        CallbackRating.VERY_DISSATISFIED,
    )
    Ticket.objects.filter(pk=sent.pk).update(state=S.VERIFIED)
    again = workflow.close(Ticket.objects.get(pk=sent.pk), people.sam)
    assert (again.callback_status, again.callback_rating, again.callback_token, again.callback_comment) == (
        CallbackStatus.DUE,
        None,
        None,
        "",
    )
    # The first answer stays on the timeline.
    assert again.events.filter(note__contains="还是坏的").count() == 1
