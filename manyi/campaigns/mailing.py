"""Invitation and reminder e-mails for survey campaigns.

Sending is at most once per invitation: a batch is first claimed with a conditional UPDATE
(issued → sent; reminders_sent k-1 → k), then sent over one SMTP connection; a message the
server refuses is marked failed with the reason. Two workers can never send the same
invitation twice. Customers who opted out, withdrew consent or were erased are never sent to.
"""

import logging
import math
import re
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from manyi.emails import build_email, send_each
from manyi.links import absolute_url

from .choices import Channel, InvitationStatus
from .models import Invitation

logger = logging.getLogger(__name__)

# Invitations that can still be answered, and so may be reminded.
OPEN_STATUSES = (InvitationStatus.SENT, InvitationStatus.OPENED, InvitationStatus.STARTED)


def reachable(invitations):
    """E-mail invitations whose customer may still be contacted."""
    return invitations.filter(
        channel=Channel.EMAIL,
        customer__consent_to_contact=True,
        customer__erased_at__isnull=True,
        customer__survey_opt_out__isnull=True,
    ).exclude(email="")


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


def _send(invitations, *, reminder):
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
        batch_sent, _failed = send_each(messages, on_refused=refused.__setitem__)
        for index, error in refused.items():
            Invitation.objects.filter(pk=batch[index].pk).update(
                status=InvitationStatus.FAILED, error=str(error)[:300]
            )
        sent += batch_sent
        failed += len(refused)
        if batch_sent + len(refused) < len(batch):
            # The connection failed or broke: what was not sent goes back for a later run (the
            # batch's invitations already sent stay sent: nobody is invited twice).
            # send_each stops at the break, so the unsent ones are the batch's tail.
            ids = [i.pk for i in invitations[start + batch_sent + len(refused) :]]
            if reminder:
                Invitation.objects.filter(pk__in=ids).update(reminders_sent=F("reminders_sent") - 1)
            else:
                Invitation.objects.filter(pk__in=ids).update(status=InvitationStatus.ISSUED, sent_at=None)
            logger.warning("mail server unreachable, %s invitations left for later", len(ids))
            break
    return sent, failed


def send_invitations(campaign, now=None, limit=None):
    """Send the campaign's unsent e-mail invitations; returns (sent, failed)."""
    now = now or timezone.now()
    due = reachable(campaign.invitations.filter(status=InvitationStatus.ISSUED))
    ids = list(due.values_list("pk", flat=True)[:limit])
    claimed = []
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        Invitation.objects.filter(pk__in=chunk, status=InvitationStatus.ISSUED).update(
            status=InvitationStatus.SENT, sent_at=now
        )
        claimed += chunk
    invitations = list(
        Invitation.objects.filter(pk__in=claimed, sent_at=now)
        .select_related("campaign__questionnaire", "customer", "contact")
        .order_by("pk")
    )
    return _send(invitations, reminder=False)


def reminder_due_number(campaign, invitation_sent_at, now):
    """How many reminders should have gone out by `now` for an invitation sent then."""
    days = sorted(d for d in campaign.reminder_days if d > 0)
    return sum(1 for d in days if now >= invitation_sent_at + timedelta(days=d))


def send_reminders(campaign, now=None):
    """Remind non-responders on the campaign's reminder days (each reminder at most once)."""
    now = now or timezone.now()
    if campaign.deadline and now >= campaign.deadline:
        return 0, 0
    candidates = reachable(campaign.invitations.filter(status__in=OPEN_STATUSES, sent_at__isnull=False))
    claimed = []
    for pk, sent_at, reminders_sent in candidates.values_list("pk", "sent_at", "reminders_sent"):
        due = reminder_due_number(campaign, sent_at, now)
        if due > reminders_sent:
            won = Invitation.objects.filter(pk=pk, reminders_sent=reminders_sent).update(
                reminders_sent=due, last_reminded_at=now
            )
            if won:
                claimed.append(pk)
    invitations = list(
        Invitation.objects.filter(pk__in=claimed).select_related(
            "campaign__questionnaire", "customer", "contact"
        )
    )
    return _send(invitations, reminder=True)


def due_work(campaign, now):
    """(invitations to send, reminders to send) for the periodic job's decision."""
    unsent = reachable(campaign.invitations.filter(status=InvitationStatus.ISSUED))
    invite = (campaign.invite_at is None or campaign.invite_at <= now) and unsent.exists()
    first_day = min((d for d in campaign.reminder_days if d > 0), default=None)
    remind = first_day is not None and (
        reachable(campaign.invitations.filter(status__in=OPEN_STATUSES))
        .filter(Q(sent_at__lte=now - timedelta(days=first_day)))
        .exists()
    )
    return invite, remind
