"""Invitations a killed worker had claimed go back to the queue (issue 17, point 2).

A worker claims a batch of invitations before it sends them (channels/__init__.py: issued →
sent, `delivery_status` pending, `claimed_at` stamped, in one conditional UPDATE), and writes
each one's outcome as the mail server or SMS gateway answers it (accepted or failed, the claim
cleared; mailing.py, channels/sms/). When the worker is killed hard in between (SIGKILL, OOM,
power cut), nothing is sent twice, but the invitations it had claimed and not yet sent would
stay "sent / waiting" for good and those customers would never be invited. The periodic job
``send-claims`` (manage.py periodic, under its own lock) calls ``recover_stale_claims``: an
invitation still claimed, still pending and without a gateway message id
SEND_CLAIM_LEASE_MINUTES (default 15) after its claim is returned to "issued", and the next
``campaigns`` job of the same run queues its campaign's sending again.

In normal operation nothing is recovered: a claim lives for one batch (EMAIL_BATCH_SIZE
messages over one connection) and is cleared message by message, so a live worker never
holds one for the lease; the UPDATE is conditional on the claim still being there, so a late
outcome and the recovery never both win. The lease must be longer than the slowest batch.

The trade-off, at least once instead of at most once, for one message per killed worker: the
message the server took in the instant before the kill, whose outcome was not yet written,
is sent again after the lease. SMTP gives no way to ask a server whether it already took a
message, and the alternative (never resend an unconfirmed claim) forgets up to a whole batch
of customers each time a worker dies. One duplicate invitation (same personal link, so the
customer answers once whichever mail they open) is the smaller harm. The same holds for an
SMS in flight.

Reminders are not recovered: a reminder claimed by a killed worker counts as sent (the
customer was invited already; the next reminder day carries the link again).

The task queue's own row of the killed job (django-tasks' database backend) stays RUNNING:
django-tasks-db offers no supported way to expire it (``prune_db_task_results`` removes only
finished results), and it is harmless: the invitations, not the job, carry the state, and the
recovered ones are sent by a new job.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .choices import DeliveryStatus, InvitationStatus
from .models import Invitation


def stale_claims(now=None, lease=None):
    """Invitations claimed for sending longer ago than the lease and given no outcome."""
    now = now or timezone.now()
    if lease is None:
        lease = timedelta(minutes=settings.SEND_CLAIM_LEASE_MINUTES)
    return Invitation.objects.filter(
        status=InvitationStatus.SENT,
        delivery_status=DeliveryStatus.PENDING,
        provider_message_id="",
        claimed_at__lt=now - lease,
    )


def recover_stale_claims(now=None, lease=None):
    """Return stale claims (stale_claims) to the queue; returns how many."""
    return stale_claims(now, lease).update(
        status=InvitationStatus.ISSUED, sent_at=None, delivery_status=DeliveryStatus.NONE, claimed_at=None
    )
