"""E-mails are three templates each — subject, text, HTML — rendered by one helper."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def build_email(name, context, *, to, language=None, headers=None):
    """An EmailMultiAlternatives from emails/<name>_subject.txt, _body.txt and _body.html."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
        text = render_to_string(f"emails/{name}_body.txt", context)
        html = render_to_string(f"emails/{name}_body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to, headers=headers or {})
    message.attach_alternative(html, "text/html")
    return message
