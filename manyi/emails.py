"""E-mails are three templates each — subject, text, HTML — rendered by one helper, and sent
one by one over a single SMTP connection by another."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation

from manyi.customers.masking import mask_email

logger = logging.getLogger(__name__)


def build_email(name, context, *, to, language=None, headers=None):
    """An EmailMultiAlternatives from emails/<name>_subject.txt, _body.txt and _body.html.

    The HTML part is escaped as every page is; the subject and the text part are plain text, so
    they are rendered without HTML escaping (a customer named O'Brien or a "quoted" complaint
    stays as typed instead of showing &#x27; or &quot;)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(_plain_text(f"emails/{name}_subject.txt", context).split())
        text = _plain_text(f"emails/{name}_body.txt", context)
        html = render_to_string(f"emails/{name}_body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to, headers=headers or {})
    message.attach_alternative(html, "text/html")
    return message


def _plain_text(template_name, context):
    return get_template(template_name).template.render(Context(context, autoescape=False))


def send_each(messages, *, on_sent=None, on_refused=None):
    """Send each of ``messages`` (a list) over one SMTP connection; returns (sent, failed).

    A message the server refuses is logged and counted as failed, ``on_refused(index, error)``
    is told, and the rest still go; ``on_sent(index)`` follows each message the server took.
    When the server cannot be reached or the connection breaks, every message not sent yet
    counts as failed and neither callback hears of it: a caller that gives those back for a
    later run finds them as the indexes that got no call.
    """
    sent = failed = 0
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
        for index, message in enumerate(messages):
            try:
                connection.send_messages([message])
            except smtplib.SMTPServerDisconnected:
                raise  # not a refusal: the connection is gone, so this and the rest are unsent
            except smtplib.SMTPException as error:
                failed += 1
                # Masked: customers' addresses stay out of the logs.
                logger.warning("e-mail to %s not sent: %s", ", ".join(map(mask_email, message.to)), error)
                if on_refused is not None:
                    on_refused(index, error)
                continue
            sent += 1
            if on_sent is not None:
                on_sent(index)
    except OSError as error:
        logger.warning(
            "mail server unreachable, %s e-mails not sent: %s", len(messages) - sent - failed, error
        )
        failed = len(messages) - sent
    finally:
        connection.close()
    return sent, failed
