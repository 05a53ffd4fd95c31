"""Background jobs of survey campaigns (Django Tasks API; DESIGN.md).

Each job is small and idempotent: running it twice sends nothing twice (see channels/).
Invitations and reminders go out through every channel that sends (e-mail, SMS).
"""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks import task

from . import channels, notices
from .choices import CampaignState
from .models import Campaign


@task()
def send_invitations(campaign_id: int) -> dict:
    campaign = Campaign.objects.select_related("questionnaire").get(pk=campaign_id)
    if campaign.state != CampaignState.RUNNING:
        return {"sent": 0, "failed": 0}
    sent, failed = channels.send_invitations(campaign)
    return {"sent": sent, "failed": failed}


@task()
def send_reminders(campaign_id: int) -> dict:
    campaign = Campaign.objects.select_related("questionnaire").get(pk=campaign_id)
    if campaign.state != CampaignState.RUNNING:
        return {"sent": 0, "failed": 0}
    sent, failed = channels.send_reminders(campaign)
    return {"sent": sent, "failed": failed}


def _deadline_note():
    """The history's note of a campaign closed by its deadline, in the site's language (a
    stored text: it reads the same to everyone)."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("The deadline passed.")


def run_due_jobs(now=None):
    """The periodic sweep: close campaigns past their deadline, queue due invitations and
    reminders, send the advance notices due (notices.py), and prepare the next wave of every recurring campaign that closed (a draft for a
    manager to check and start: workflow.make_due_next_waves). Called by `manage.py periodic`
    (cron or a loop). Returns what it did."""
    from .models import CampaignEvent
    from .workflow import make_due_next_waves

    now = now or timezone.now()
    done = {"closed": 0, "invitations": 0, "reminders": 0, "notices": 0}
    for campaign in Campaign.objects.filter(state=CampaignState.RUNNING):
        if campaign.deadline and campaign.deadline <= now:
            changed = Campaign.objects.filter(pk=campaign.pk, state=CampaignState.RUNNING).update(
                state=CampaignState.CLOSED
            )
            if changed:
                CampaignEvent.objects.create(
                    campaign=campaign,
                    from_state=CampaignState.RUNNING,
                    to_state=CampaignState.CLOSED,
                    note=_deadline_note(),
                )
                done["closed"] += 1
            continue
        # The advance notice (seed 004: 提前3-5天...), sent here: a few e-mails, once each.
        done["notices"] += notices.send_notices(campaign, now)[0]
        invite, remind = channels.due_work(campaign, now)
        if invite:
            send_invitations.enqueue(campaign.pk)
            done["invitations"] += 1
        if remind:
            send_reminders.enqueue(campaign.pk)
            done["reminders"] += 1
    done["next_waves"] = make_due_next_waves(now)
    return done
