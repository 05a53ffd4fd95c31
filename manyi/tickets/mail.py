"""E-mails to the customer of a ticket: the reply (答复) and the satisfaction callback (回访).

Both go to the ticket's contact e-mail through :func:`manyi.emails.build_email`, in the site's
language, with absolute links. Sending is synchronous over one SMTP connection; a failure
raises ``MailError`` with a message for the user, and the caller decides what it undoes.
"""

import logging
import smtplib

from django.conf import settings
from django.core.mail import get_connection
from django.urls import reverse
from django.utils.translation import gettext as _

from manyi.campaigns.mailing import absolute_url
from manyi.emails import build_email

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
