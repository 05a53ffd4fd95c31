"""The e-mail channel: invitations and reminders as e-mails (templates and SMTP: mailing.py)."""

from .. import mailing
from ..choices import Channel


class EmailChannel:
    channel = Channel.EMAIL

    def reachable(self, invitations):
        return mailing.reachable(invitations)

    def send(self, invitations, *, reminder):
        return mailing.send_claimed(invitations, reminder=reminder)
