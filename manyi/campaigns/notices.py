"""The advance notice: an e-mail some days before the survey link comes.

Seed 004 (实施执行阶段, 客户沟通与邀请): "提前3-5天向客户发送调查邀请,说明目的、预计耗时及保密承诺,
提升配合度。" A campaign's ``notice_days`` (0: none) says how many days before its ``invite_at``
the customers invited by e-mail hear of it: what it is for (``purpose``), how long answering
takes (mailing.answering_minutes, the figure the invitation states too), that their answers stay
confidential, and the day the link will come. The notice carries no answer link (the link comes
with the invitation); it carries the opt-out link, so a customer who does not want to take part
can say so before the survey starts.

Each invitation's notice goes out at most once: a batch is claimed with a conditional UPDATE
(notice_sent_at null → now), then sent over one SMTP connection; a notice the mail server could
not take for a broken connection is given back for a later run.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.urls import reverse

from manyi.emails import build_email, send_each
from manyi.links import absolute_url

from .choices import CampaignState, InvitationStatus
from .mailing import answering_minutes, reachable
from .models import Invitation

logger = logging.getLogger(__name__)


def notice_due(campaign, now):
    """Whether the campaign's advance notices are due: it runs, asks for a notice, and its
    invitations go out later, within ``notice_days`` of now."""
    return bool(
        campaign.state == CampaignState.RUNNING
        and campaign.notice_days
        and campaign.invite_at is not None
        and now < campaign.invite_at <= now + timedelta(days=campaign.notice_days)
    )


def notice_email(invitation, *, question_count):
    campaign = invitation.campaign
    contact = invitation.contact
    optout = absolute_url(reverse("public:optout", args=[invitation.token]))
    context = {
        "campaign": campaign,
        "customer_name": contact.name if contact else invitation.customer.name,
        "minutes": answering_minutes(campaign.questionnaire, question_count),
        "invite_at": campaign.invite_at,
        "deadline": campaign.deadline,
        "optout_url": optout,
        "company": getattr(settings, "COMPANY_NAME", ""),
    }
    return build_email(
        "campaign_notice",
        context,
        to=[invitation.email],
        headers={"List-Unsubscribe": f"<{optout}>", "Auto-Submitted": "auto-generated"},
    )


def send_notices(campaign, now):
    """Send the advance notice of a running campaign to its e-mail invitations not sent yet
    (still issued), whose customer may be contacted, each once; returns (sent, failed).

    Seed 004: "提前3-5天向客户发送调查邀请,说明目的、预计耗时及保密承诺,提升配合度。"
    """
    if not notice_due(campaign, now):
        return 0, 0
    due = reachable(campaign.invitations.filter(status=InvitationStatus.ISSUED, notice_sent_at__isnull=True))
    ids = list(due.values_list("pk", flat=True))
    for start in range(0, len(ids), 900):
        Invitation.objects.filter(pk__in=ids[start : start + 900], notice_sent_at__isnull=True).update(
            notice_sent_at=now
        )
    # Only the ones this run claimed: another worker's claim has another time.
    claimed = list(
        Invitation.objects.filter(campaign=campaign, pk__in=ids, notice_sent_at=now)
        .select_related("campaign__questionnaire", "customer", "contact")
        .order_by("pk")
    )
    question_count = campaign.questionnaire.questions.count()
    sent = failed = 0
    batch_size = settings.EMAIL_BATCH_SIZE
    for start in range(0, len(claimed), batch_size):
        batch = claimed[start : start + batch_size]
        messages = [notice_email(invitation, question_count=question_count) for invitation in batch]
        accepted, refused = [], {}  # indexes in the batch the server took or refused
        batch_sent, _failed = send_each(messages, on_sent=accepted.append, on_refused=refused.__setitem__)
        tried = {*accepted, *refused}
        sent += batch_sent
        failed += len(tried) - batch_sent
        if len(tried) < len(batch):
            # The connection failed or broke: the notices not tried go back for a later run (a
            # refused address keeps its mark: it would refuse again).
            untried = [i.pk for n, i in enumerate(batch) if n not in tried] + [
                i.pk for i in claimed[start + batch_size :]
            ]
            Invitation.objects.filter(pk__in=untried, notice_sent_at=now).update(notice_sent_at=None)
            failed += len(batch) - len(tried)
            logger.warning("mail server unreachable, %s advance notices left for later", len(untried))
            break
    return sent, failed
