"""The public feedback pages (/feedback/, issue 5): no login, for customers on their phones.

* ``/feedback/``: the form. Each POST counts against PUBLIC_SUBMIT_RATE per client IP (as the
  anonymous survey link does, in a bucket of its own); a hidden submission id, unique on the
  ticket, makes a second submit of the same form lead to the first ticket; a honeypot field
  turns bots away. Bad input re-shows the form with the messages (400) and records nothing.
  Photos and PDF files go through ``attachments.check_uploads``: one refused file refuses the
  whole submission, and the accepted ones are stored with the ticket in the same transaction.
* ``/feedback/thanks/<reference>/``: the acknowledgement number and the check code. The code
  is derived from the form's random submission id with the SECRET_KEY, shown from the session
  of the browser that sent the feedback (and e-mailed when an address was given); the ticket
  keeps only a keyed hash of it. Showing the form stores nothing on the server (issue 13,
  finding 8: every anonymous GET stored a session row): the session starts with the submit.
* The acknowledgement e-mail goes to whatever address the form was given, so it carries no
  text the sender chose (not the name, nor the description): only the number, the check code
  and fixed words; and an address gets at most FEEDBACK_ACKNOWLEDGEMENT_RATE of them
  ("3/86400": 3 a day), counted in the database. Otherwise the form relays spam or phishing.
* ``/feedback/status/``: the acknowledgement number with the check code, or the phone or
  e-mail given, shows the public state (received, being handled, replied, closed) and the
  reply. Whatever does not match gets the same “not found”, so numbers cannot be probed.
"""

import hmac
import logging
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from manyi.accounts.ratelimit import rate_limited
from manyi.customers.models import Customer
from manyi.customers.validators import normalize_phone
from manyi.links import absolute_url

from . import attachments, workflow
from .choices import CLOSED_STATES, Channel, CustomerMatch, EventKind, TicketState
from .mail import send_acknowledgement
from .models import Ticket
from .public_codes import CODE_ALPHABET, CODE_LENGTH, check_code_matches, format_check_code, hash_check_code
from .public_forms import FeedbackForm, StatusForm

logger = logging.getLogger(__name__)

# How long the thanks page can show the check code to the browser that sent the feedback.
SESSION_KEY = "feedback_codes"
SHOW_CODE_FOR = 60 * 60

# What the customer sees of the ticket's state: never the internal steps.
PUBLIC_STATES = {
    TicketState.NEW: "received",
    TicketState.ACKNOWLEDGED: "handling",
    TicketState.ASSIGNED: "handling",
    TicketState.INVESTIGATING: "handling",
    TicketState.ACTION: "handling",
    TicketState.REPLIED: "replied",
    TicketState.VERIFIED: "replied",
    **dict.fromkeys(CLOSED_STATES, "closed"),
}
PUBLIC_STATE_LABELS = {
    "received": (
        pgettext_lazy("public feedback state", "Received"),
        pgettext_lazy("public feedback state", "We have received your feedback and will look at it soon."),
    ),
    "handling": (
        pgettext_lazy("public feedback state", "Being handled"),
        pgettext_lazy("public feedback state", "The responsible people are working on your feedback."),
    ),
    "replied": (
        pgettext_lazy("public feedback state", "Replied"),
        pgettext_lazy("public feedback state", "We have replied to you. We are checking that it is settled."),
    ),
    "closed": (
        pgettext_lazy("public feedback state", "Closed"),
        pgettext_lazy("public feedback state", "The handling of your feedback is finished."),
    ),
}


# --------------------------------------------------------------------------- helpers


def _same_phone(a, b):
    try:
        return bool(a) and normalize_phone(a) == normalize_phone(b)
    except ValidationError:
        return False


def _named_customer(given):
    """The customer whose code is ``given`` (any case), else the one customer with exactly this
    name; None when nothing or more than one matches."""
    customers = Customer.objects.filter(erased_at__isnull=True).prefetch_related("contacts")
    by_code = customers.filter(code__iexact=given).first()
    if by_code is not None:
        return by_code
    by_name = list(customers.filter(name=given)[:2])
    return by_name[0] if len(by_name) == 1 else None


def matching_customer(given, phone, email):
    """(customer, CustomerMatch) for what the public form's 公司名称或客户编码 names; (None, "").

    ``given`` is a customer code or a company's exact name. When the phone or e-mail given is
    the customer's or a contact's, the match is CONTACT; otherwise it is TYPED: linked, so that
    the staff see whom the feedback names, but anyone can type another company's code, so the
    ticket says so and the reply waits until the staff confirm (workflow.confirm_customer).
    Whether anything matched is never shown to the sender: the pages, the e-mail and the status
    say the same whatever was typed.
    """
    given = " ".join((given or "").split())
    customer = _named_customer(given) if given else None
    if customer is None:
        return None, ""
    people = [(customer.phone, customer.email)] + [(c.phone, c.email) for c in customer.contacts.all()]
    for known_phone, known_email in people:
        if phone and _same_phone(known_phone, phone):
            return customer, CustomerMatch.CONTACT
        if email and known_email and known_email.strip().lower() == email:
            return customer, CustomerMatch.CONTACT
    return customer, CustomerMatch.TYPED


def _message(request, page, title, text="", status=200):
    context = {"page": page, "title": title, "text": text}
    return render(request, "tickets/public/message.html", context, status=status)


def _too_many(request):
    return _message(
        request,
        "rate-limited",
        _("Too many requests"),
        _("We received too many requests from your network in a short time. Please try again later."),
        status=429,
    )


def _remember_code(request, reference, code):
    now = timezone.now().timestamp()
    codes = {
        ref: entry
        for ref, entry in request.session.get(SESSION_KEY, {}).items()
        if now - entry.get("at", 0) < SHOW_CODE_FOR
    }
    codes[reference] = {"code": code, "at": now}
    request.session[SESSION_KEY] = codes


def _remembered_code(request, reference):
    entry = request.session.get(SESSION_KEY, {}).get(reference)
    if not entry or timezone.now().timestamp() - entry.get("at", 0) >= SHOW_CODE_FOR:
        return None
    return entry.get("code")


def _status_url():
    return absolute_url(reverse("feedback:status"))


def code_for_submission(submission_id):
    """The check code of the ticket a feedback form opens, derived from the form's random
    submission id with the SECRET_KEY: a second submit of the same form (a double click whose
    first answer the browser dropped, with the session cookie it set) shows the same code
    again, without a session kept for every browser that only looks at the form."""
    digest = salted_hmac("manyi.tickets.public_views.submission-code", str(submission_id), algorithm="sha256")
    number = int.from_bytes(digest.digest(), "big")
    letters = []
    for _position in range(CODE_LENGTH):
        number, index = divmod(number, len(CODE_ALPHABET))
        letters.append(CODE_ALPHABET[index])
    return "".join(letters)


# --------------------------------------------------------------------------- the form


def _render_form(request, form, status=200):
    submission_id = None
    if form.is_bound:
        try:
            submission_id = uuid.UUID(str(form.data.get("submission_id", "")))
        except ValueError:
            submission_id = None
    context = {
        "form": form,
        "summary": form.error_summary() if form.is_bound else [],
        "submission_id": submission_id or uuid.uuid4(),
    }
    return render(request, "tickets/public/feedback_form.html", context, status=status)


def _record(form):
    """Open the ticket; (ticket, check code, created). The same submission id gives the first
    one, with its code (None for a ticket whose code was not derived from it)."""
    data = form.cleaned_data
    submission_id = data["submission_id"]
    code = code_for_submission(submission_id)
    existing = Ticket.objects.filter(submission_id=submission_id).first()
    if existing is not None:
        return existing, code if check_code_matches(existing, code) else None, False
    description = data["description"]
    if data["order"]:
        with translation.override(settings.LANGUAGE_CODE):
            line = _("Order / product: %(value)s") % {"value": data["order"]}
        description = f"{description}\n\n{line}"
    customer, match = matching_customer(data["customer_code"], data["contact_phone"], data["contact_email"])
    try:
        with transaction.atomic():
            ticket = workflow.open_ticket(
                by=None,
                channel=Channel.WEB,
                subject="",
                description=description,
                customer=customer,
                customer_given=data["customer_code"],
                customer_match=match,
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                contact_email=data["contact_email"],
                category=data["category"],
                demand=data["demand"],
            )
            ticket.submission_id = submission_id
            ticket.check_code_hash = hash_check_code(ticket.reference, code)
            # The unique submission id refuses the second of two simultaneous submits; its
            # ticket, event and reference number roll back with it.
            Ticket.objects.filter(pk=ticket.pk).update(
                submission_id=submission_id, check_code_hash=ticket.check_code_hash
            )
            workflow.attach(ticket, None, data["attachments"], source=attachments.Source.PUBLIC)
    except IntegrityError:
        existing = Ticket.objects.filter(submission_id=submission_id).first()
        if existing is None:
            raise
        return existing, code if check_code_matches(existing, code) else None, False
    return ticket, code, True


@never_cache
@csrf_protect
def feedback(request):
    if request.method != "POST":
        # Nothing is stored for a browser that only looks (CSRF is a cookie): a double click
        # finds its check code through the submission id (code_for_submission).
        return _render_form(request, FeedbackForm())
    if rate_limited(request, "feedback-submit"):
        return _too_many(request)
    form = FeedbackForm(data=request.POST, files=request.FILES)
    if not form.is_valid():
        return _render_form(request, form, status=400)
    try:
        ticket, code, created = _record(form)
    except workflow.TicketError as error:
        form.add_error(None, str(error))
        return _render_form(request, form, status=400)
    if code:
        _remember_code(request, ticket.reference, code)
    if created and ticket.contact_email:
        send_acknowledgement(ticket, code, _status_url())
    return redirect("feedback:thanks", reference=ticket.reference)


@never_cache
def thanks(request, reference):
    """The number and (for the browser that sent it, for an hour) the check code.

    Anyone can open this address with any number: without the session it shows only the
    number from the address and says nothing about whether such feedback exists.
    """
    reference = reference.upper()
    code = _remembered_code(request, reference)
    context = {
        "reference": reference,
        "check_code": format_check_code(code) if code else None,
    }
    return render(request, "tickets/public/thanks.html", context)


# --------------------------------------------------------------------------- the status


def find_ticket(reference, secret):
    """The ticket with this number if the secret is its check code, phone or e-mail; else None."""
    ticket = Ticket.objects.filter(reference=reference).select_related("category").first()
    if ticket is None:
        hash_check_code(reference, secret)  # the same work as a wrong code
        return None
    if check_code_matches(ticket, secret):
        return ticket
    if "@" in secret:
        given = secret.strip().lower()
        if ticket.contact_email and hmac.compare_digest(ticket.contact_email.strip().lower(), given):
            return ticket
        return None
    if ticket.contact_phone and _same_phone(ticket.contact_phone, secret):
        return ticket
    return None


def public_view(ticket):
    """The little a customer may see: number, dates, topic, public state, the reply."""
    key = PUBLIC_STATES.get(ticket.state, "handling")
    label, explanation = PUBLIC_STATE_LABELS[key]
    # Internal notes are no news for the customer.
    updated = ticket.events.exclude(kind=EventKind.NOTE).order_by("-at").values_list("at", flat=True).first()
    return {
        "reference": ticket.reference,
        "received_at": ticket.received_at,
        "category": ticket.category.name if ticket.category else "",
        "state": key,
        "state_label": label,
        "state_text": explanation,
        "reply": ticket.reply,
        "updated_at": updated or ticket.received_at,
    }


@never_cache
@csrf_protect
def status(request):
    """POST, so that check codes and phone numbers stay out of addresses and logs."""
    if request.method != "POST":
        return render(request, "tickets/public/status.html", {"form": StatusForm()})
    if rate_limited(request, "feedback-status"):
        return _too_many(request)
    form = StatusForm(data=request.POST)
    if not form.is_valid():
        return render(request, "tickets/public/status.html", {"form": form}, status=400)
    ticket = find_ticket(form.cleaned_data["reference"], form.cleaned_data["secret"])
    if ticket is None:
        form = StatusForm(initial={"reference": form.cleaned_data["reference"]})
        context = {"form": form, "not_found": True}
        return render(request, "tickets/public/status.html", context, status=404)
    return render(
        request, "tickets/public/status.html", {"form": StatusForm(), "result": public_view(ticket)}
    )
