"""Invitation and reminder e-mails for survey campaigns (the e-mail channel, channels/email.py).

Sending is at most once per invitation: a batch is first claimed with a conditional UPDATE
(issued → sent; reminders_sent k-1 → k; channels/__init__.py, the same for every channel), then
sent over one SMTP connection; a message the server refuses is marked failed with the reason,
one it takes is marked accepted (no receipt follows an e-mail), each as the server answers.
Two workers can never send the same invitation twice; a worker killed mid-batch leaves its
claims to recovery.py (after a lease, at most one message per kill may go twice: see there). Customers who opted out, withdrew consent or were erased are never sent to.
"""

import logging
import math
import re

from django.conf import settings
from django.urls import reverse

from manyi.emails import build_email, send_each
from manyi.links import absolute_url

from . import channels
from .channels import OPEN_STATUSES, reminder_due_number  # noqa: F401 (their old home)
from .choices import Channel, DeliveryStatus, InvitationStatus
from .models import Invitation

logger = logging.getLogger(__name__)


def reachable(invitations):
    """E-mail invitations whose customer may still be contacted."""
    return channels.contactable(invitations.filter(channel=Channel.EMAIL)).exclude(email="")


STATED_MINUTES = re.compile(r"约(?:需)?\s*(\d+)(?:\s*[–—~-]\s*(\d+))?\s*分钟")


def answering_minutes(questionnaire, question_count):
    """How long answering takes, as the invitation says it: what the questionnaire's own
    introduction promises ("约需 5 分钟", "约需 8–10 分钟": the longer), so the invitation and
    the answer page never disagree; else about 15 seconds a question, in whole minutes."""
    found = STATED_MINUTES.search(questionnaire.intro or "")
    if found:
        return int(found.group(2) or found.group(1))
    return max(1, math.ceil(question_count * 15 / 60))


def invitation_email(invitation, *, reminder=False, question_count=None):
    campaign = invitation.campaign
    if question_count is None:
        question_count = campaign.questionnaire.questions.count()
    contact = invitation.contact
    context = {
        "campaign": campaign,
        "customer_name": contact.name if contact else invitation.customer.name,
        "reminder": reminder,
        "question_count": question_count,
        "minutes": answering_minutes(campaign.questionnaire, question_count),
        "deadline": campaign.deadline,
        "answer_url": absolute_url(reverse("public:answer", args=[invitation.token])),
        "optout_url": absolute_url(reverse("public:optout", args=[invitation.token])),
        "company": getattr(settings, "COMPANY_NAME", ""),
    }
    optout = context["optout_url"]
    return build_email(
        "campaign_invitation",
        context,
        to=[invitation.email],
        headers={"List-Unsubscribe": f"<{optout}>", "Auto-Submitted": "auto-generated"},
    )


def _outcome_writers(batch, refused, *, reminder):
    """send_each's callbacks: each message's outcome is written as soon as the server answers,
    its claim cleared with it, so that a worker killed mid-batch leaves claimed (recovery.py)
    only the messages the server had not taken yet, and at most one it took but whose outcome
    was not written."""

    def on_sent(index):
        Invitation.objects.filter(pk=batch[index].pk).update(
            delivery_status=DeliveryStatus.ACCEPTED, claimed_at=None
        )

    def on_refused(index, error):
        refused[index] = error
        refusal = {"delivery_status": DeliveryStatus.FAILED, "error": str(error)[:300], "claimed_at": None}
        if not reminder:  # a refused reminder: the invitation itself was accepted before
            refusal["status"] = InvitationStatus.FAILED
        Invitation.objects.filter(pk=batch[index].pk).update(**refusal)

    return on_sent, on_refused


def send_claimed(invitations, *, reminder):
    """Send already-claimed invitations in batches, one SMTP connection each; return (sent, failed)."""
    sent = failed = 0
    batch_size = settings.EMAIL_BATCH_SIZE
    counts = {}
    for start in range(0, len(invitations), batch_size):
        batch = invitations[start : start + batch_size]
        messages = []
        for invitation in batch:
            questionnaire_id = invitation.campaign.questionnaire_id
            if questionnaire_id not in counts:
                counts[questionnaire_id] = invitation.campaign.questionnaire.questions.count()
            messages.append(
                invitation_email(invitation, reminder=reminder, question_count=counts[questionnaire_id])
            )
        refused = {}  # index in the batch → the server's reason
        on_sent, on_refused = _outcome_writers(batch, refused, reminder=reminder)
        batch_sent, _failed = send_each(messages, on_sent=on_sent, on_refused=on_refused)
        sent += batch_sent
        failed += len(refused)
        if batch_sent + len(refused) < len(batch):
            # The connection failed or broke: what was not sent goes back for a later run (the
            # batch's invitations already sent stay sent: nobody is invited twice).
            # send_each stops at the break, so the unsent ones are the batch's tail.
            ids = [i.pk for i in invitations[start + batch_sent + len(refused) :]]
            channels.release(ids, reminder=reminder)
            logger.warning("mail server unreachable, %s invitations left for later", len(ids))
            break
    return sent, failed


def send_invitations(campaign, now=None, limit=None):
    """Send the campaign's unsent e-mail invitations; returns (sent, failed)."""
    return channels.send_invitations(campaign, now, limit, only=[Channel.EMAIL])


def send_reminders(campaign, now=None):
    """Remind e-mail non-responders on the campaign's reminder days (each reminder at most once)."""
    return channels.send_reminders(campaign, now, only=[Channel.EMAIL])


def due_work(campaign, now):
    """(invitations to send, reminders to send), through any channel, for the periodic job."""
    return channels.due_work(campaign, now)
