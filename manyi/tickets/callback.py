"""The satisfaction callback after closing (闭单回访, issue 5 point 6).

When a ticket is closed after verification (``workflow.close``) its callback becomes *due*.
A customer who was erased, withdrew consent or opted out of surveys gets no callback.
The background task (tasks.send_callback) then either e-mails the customer a personal
one-time link to a one-question page (very satisfied … very dissatisfied, and a comment), or,
without an e-mail address or when the mail server refuses the message, leaves it to an agent
to call the customer and record the answer on the ticket page.

    due ──send──→ sent ──answer by link──→ answered
     └──no e-mail / refused──→ phone ──answer recorded by an agent──→ answered
    (an agent may also record a phone answer while due or sent)

Each step is a conditional change under the ticket's row lock, so a second sending finds
nothing due and a second submit of the answer finds it answered: the answer counts once.
Reopening an unanswered ticket kills the link; closing again starts a new callback.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from manyi.accounts import permissions as perms
from manyi.customers.masking import mask_email
from manyi.customers.models import Customer

from . import mail
from .choices import CallbackRating, CallbackStatus, EventKind, ReplyMethod, TicketState
from .models import Ticket, TicketError

MAX_COMMENT = 2000


def valid_days():
    return int(getattr(settings, "TICKET_CALLBACK_VALID_DAYS", 14))


def new_token():
    return secrets.token_urlsafe(24)  # 32 characters, 192 bits


def _rating(value):
    try:
        return CallbackRating(int(value))
    except (TypeError, ValueError):
        raise TicketError(_("Choose how satisfied the customer is.")) from None


def _comment(text):
    text = (text or "").strip()
    if len(text) > MAX_COMMENT:
        raise TicketError(_("Keep the comment under %(count)s characters.") % {"count": MAX_COMMENT})
    return text


def _answer_note(rating, comment, how):
    return " — ".join(filter(None, (f"{how}: {rating.label}", comment)))


# --------------------------------------------------------------------------- sending


def may_survey(ticket):
    """False when the ticket's customer was erased, withdrew consent or opted out of surveys."""
    if ticket.customer_id is None:
        return True
    return Customer.objects.filter(
        pk=ticket.customer_id, erased_at__isnull=True, consent_to_contact=True, survey_opt_out__isnull=True
    ).exists()


def send_callback(ticket_id, now=None):
    """Send the due callback of one ticket; returns "sent", "phone" or "skipped" (nothing due)."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        if (
            ticket is None
            or ticket.callback_status != CallbackStatus.DUE
            or ticket.state != TicketState.CLOSED
        ):
            return "skipped"
        if not may_survey(ticket):
            ticket.callback_status = CallbackStatus.NONE
            ticket.save(update_fields=["callback_status"])
            ticket.record_event(
                EventKind.CALLBACK,
                _("The customer does not want to be asked about satisfaction: no callback."),
                at=now,
            )
            return "skipped"
        if not ticket.contact_email:
            ticket.callback_status = CallbackStatus.PHONE
            ticket.save(update_fields=["callback_status"])
            ticket.record_event(
                EventKind.CALLBACK, _("No e-mail address: call the customer and record the answer."), at=now
            )
            return "phone"
        # Claimed before sending: a second worker finds nothing due (at most one message).
        ticket.callback_status, ticket.callback_token = CallbackStatus.SENT, new_token()
        ticket.callback_sent_at, ticket.callback_expires_at = now, now + timedelta(days=valid_days())
        ticket.save(
            update_fields=["callback_status", "callback_token", "callback_sent_at", "callback_expires_at"]
        )
    try:
        mail.send(mail.callback_email(ticket))
    except mail.MailError as error:
        with transaction.atomic():
            changed = Ticket.objects.filter(
                pk=ticket.pk, callback_status=CallbackStatus.SENT, callback_token=ticket.callback_token
            ).update(
                callback_status=CallbackStatus.PHONE,
                callback_token=None,
                callback_sent_at=None,
                callback_expires_at=None,
            )
            if changed:
                ticket.record_event(
                    EventKind.CALLBACK,
                    _("The satisfaction survey could not be e-mailed (%(error)s): call the customer.")
                    % {"error": error.__cause__ or error},
                    at=now,
                )
        return "phone"
    ticket.record_event(
        EventKind.CALLBACK,
        _("Satisfaction survey e-mailed to %(address)s.") % {"address": mask_email(ticket.contact_email)},
        at=now,
    )
    return "sent"


def send_due_callbacks(now=None):
    """Every due callback (a safety net for a lost task); returns {"sent", "phone"}."""
    done = {"sent": 0, "phone": 0}
    ids = Ticket.objects.filter(callback_status=CallbackStatus.DUE, state=TicketState.CLOSED).values_list(
        "pk", flat=True
    )
    for pk in list(ids):
        outcome = send_callback(pk, now)
        if outcome in done:
            done[outcome] += 1
    return done


# --------------------------------------------------------------------------- answers


class LinkState:
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    OPEN = "open"


def link_state(ticket, now=None):
    """What the personal link of ``ticket`` (None: no ticket has it) allows now."""
    now = now or timezone.now()
    if ticket is None:
        return LinkState.UNKNOWN
    if ticket.callback_status == CallbackStatus.ANSWERED:
        return LinkState.USED
    if ticket.callback_status != CallbackStatus.SENT:
        return LinkState.UNKNOWN
    if ticket.callback_expires_at is None or ticket.callback_expires_at <= now:
        return LinkState.EXPIRED
    return LinkState.OPEN


def ticket_for_token(token):
    if not token:
        return None
    return Ticket.objects.filter(callback_token=token).first()


def answer_by_link(token, rating, comment="", now=None):
    """The customer's answer through the link; returns the link state it found.

    Only ``LinkState.OPEN`` records the answer; a second submit finds ``USED`` and changes
    nothing.
    """
    now = now or timezone.now()
    rating, comment = _rating(rating), _comment(comment)
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().filter(callback_token=token).first() if token else None
        state = link_state(ticket, now)
        if state != LinkState.OPEN:
            return state
        ticket.callback_status, ticket.callback_method = CallbackStatus.ANSWERED, ReplyMethod.EMAIL
        ticket.callback_rating, ticket.callback_comment, ticket.callback_answered_at = rating, comment, now
        ticket.save(
            update_fields=[
                "callback_status",
                "callback_method",
                "callback_rating",
                "callback_comment",
                "callback_answered_at",
            ]
        )
        ticket.record_event(
            EventKind.CALLBACK, _answer_note(rating, comment, _("Answered through the e-mailed link")), at=now
        )
    return LinkState.OPEN


def may_record(ticket, user):
    """Whether ``user`` may record the callback answer from a phone call now (None: yes)."""
    if user is None or not user.is_authenticated or not user.can(perms.REPLY_TICKETS):
        return _("Your role does not allow recording the callback.")
    if ticket.state != TicketState.CLOSED:
        return _("The callback is made once the ticket is closed after verification.")
    if ticket.callback_status == CallbackStatus.ANSWERED:
        return _("The customer has already answered the callback.")
    return None


def record_by_phone(ticket, by, rating, comment="", now=None):
    """An agent records the answer the customer gave on the phone (the link, if any, dies)."""
    now = now or timezone.now()
    rating, comment = _rating(rating), _comment(comment)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        reason = may_record(locked, by)
        if reason:
            raise TicketError(reason)
        locked.callback_status, locked.callback_method = CallbackStatus.ANSWERED, ReplyMethod.PHONE
        locked.callback_rating, locked.callback_comment, locked.callback_answered_at = rating, comment, now
        locked.save(
            update_fields=[
                "callback_status",
                "callback_method",
                "callback_rating",
                "callback_comment",
                "callback_answered_at",
            ]
        )
        locked.record_event(
            EventKind.CALLBACK, _answer_note(rating, comment, _("Answered on the phone")), by=by, at=now
        )
    ticket.take_values_of(locked)
    return ticket
