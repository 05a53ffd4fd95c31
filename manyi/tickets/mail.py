"""E-mails to the customer of a ticket: the acknowledgement of feedback (受理回执), the reply
(答复) and the satisfaction callback (回访).

Both go to the ticket's contact e-mail through :func:`manyi.emails.build_email`, in the site's
language, with absolute links. Sending is synchronous over one SMTP connection; a failure
raises ``MailError`` with a message for the user, and the caller decides what it undoes.
"""

import logging
import smtplib

from django.conf import settings
from django.core.mail import get_connection
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from manyi.accounts.ratelimit import hit, parse_rate
from manyi.emails import build_email
from manyi.links import absolute_url

from .public_codes import format_check_code

logger = logging.getLogger(__name__)

HEADERS = {"Auto-Submitted": "auto-generated"}


class MailError(Exception):
    """The message could not be handed to the mail server; the text is for the user."""


def _context(ticket):
    return {
        "reference": ticket.reference,
        "subject": ticket.subject,
        "name": ticket.contact_name or (ticket.customer.name if ticket.customer_id else ""),
        "company": getattr(settings, "COMPANY_NAME", ""),
    }


def reply_email(ticket, text):
    context = {**_context(ticket), "text": text, "status_url": absolute_url(reverse("feedback:status"))}
    return build_email("ticket_reply", context, to=[ticket.contact_email], headers=HEADERS)


def callback_email(ticket):
    context = {
        **_context(ticket),
        "answer_url": absolute_url(reverse("ticket_callback:answer", args=[ticket.callback_token])),
        "expires": ticket.callback_expires_at,
    }
    return build_email("ticket_callback", context, to=[ticket.contact_email], headers=HEADERS)


def send(message):
    """Hand one message to the mail server, or raise ``MailError``."""
    connection = get_connection(fail_silently=False)
    try:
        connection.send_messages([message])
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("e-mail to %s not sent: %s", ", ".join(message.to), error)
        raise MailError(
            _("The e-mail could not be sent (%(error)s). Nothing was changed.") % {"error": error}
        ) from error
    finally:
        connection.close()


def acknowledgement_refused(address):
    """Count one acknowledgement to `address`; True when it is over FEEDBACK_ACKNOWLEDGEMENT_RATE.

    Counted in the database (shared by every process and server), under a keyed hash of the
    address, so that the counters hold no e-mail addresses."""
    limit, seconds = parse_rate(getattr(settings, "FEEDBACK_ACKNOWLEDGEMENT_RATE", "3/86400"))
    digest = salted_hmac("manyi.tickets.acknowledgement-rate", address.strip().lower()).hexdigest()
    return hit(f"feedback-ack:{digest}", limit, seconds)


def send_acknowledgement(ticket, code, status_url, in_reply_to=None):
    """The acknowledgement e-mail with the number and the check code (in the page's language).

    Only the number, the code and fixed text: the address is whatever the sender typed, so
    nothing the sender wrote goes out in our name. At most FEEDBACK_ACKNOWLEDGEMENT_RATE per
    address; over it the feedback is kept and nothing is sent (False).
    Marked as automatic (RFC 3834), so that the customer's out-of-office reply does not write
    back; ``in_reply_to``: the Message-ID of the customer's e-mail, so that it is threaded.
    """
    if acknowledgement_refused(ticket.contact_email):
        logger.info("Acknowledgement e-mail for %s not sent: the address had its allowance", ticket.reference)
        return False
    context = {"ticket": ticket, "check_code": format_check_code(code), "status_url": status_url}
    headers = {"Auto-Submitted": "auto-replied" if in_reply_to else "auto-generated"}
    if in_reply_to:
        headers["In-Reply-To"] = headers["References"] = in_reply_to
    message = build_email(
        "feedback_acknowledgement",
        context,
        to=[ticket.contact_email],
        language=translation.get_language(),
        headers=headers,
    )
    try:
        message.send()
    except (smtplib.SMTPException, OSError):
        # The feedback is recorded and the code shown on the page; the mail is a convenience.
        logger.exception("Acknowledgement e-mail for %s not sent", ticket.reference)
        return False
    return True
