"""Links that leave the site (e-mails, SMS, posters, QR codes): absolute, built from SITE_URL,
which `make run` sets from HOST and PORT and a production setting must give (manyi/checks.py)."""

from django.conf import settings


def absolute_url(path):
    """The address of `path` (a path from reverse()) as a customer or colleague outside reaches it."""
    return settings.SITE_URL.rstrip("/") + path
