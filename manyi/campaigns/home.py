"""Survey campaigns on the home page (issue 16, deliverable 3): the campaigns taking answers
now, for who follows the results (an analyst, the quality department), each with its answers
so far, the response rate, the answers of the last day and the days left to its deadline.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, F, Q
from django.utils import timezone

from manyi.accounts.permissions import MANAGE_CAMPAIGNS, VIEW_ANALYSIS
from manyi.organisation.access import limit_to_units

from .choices import CampaignState
from .models import Campaign, Invitation, Response

CAMPAIGNS_LISTED = 8


@dataclass
class RunningCampaign:
    campaign: Campaign
    invited: int
    completed: int
    last_day: int  # completed in the last 24 hours
    days_left: int | None  # to the deadline (0: it ends today), None without one

    @property
    def response_rate(self):
        """Completed responses per invitation, in percent (None when nobody was invited: an
        anonymous link or phone interviews)."""
        return 100.0 * self.completed / self.invited if self.invited else None


def running_campaigns(user, now=None):
    """[RunningCampaign] for who analyses or runs campaigns (None for anyone else), those
    ending first first."""
    if not (user.can(VIEW_ANALYSIS) or user.can(MANAGE_CAMPAIGNS)):
        return None
    now = now or timezone.now()
    # The campaigns the user sees by organisation unit, counted over their units' customers (a
    # region reads its part of a group campaign; organisation/access.py).
    campaigns = list(
        Campaign.objects.for_user(user)
        .filter(state=CampaignState.RUNNING)
        .order_by(F("deadline").asc(nulls_last=True), "-pk")[:CAMPAIGNS_LISTED]
    )
    ids = [c.pk for c in campaigns]
    invited = dict(
        limit_to_units(Invitation.objects.filter(campaign__in=ids), user, "customer__unit")
        .order_by()
        .values_list("campaign")
        .annotate(n=Count("pk"))
    )
    answers = {
        row["campaign"]: row
        for row in limit_to_units(Response.objects.completed(), user, "customer__unit")
        .filter(campaign__in=ids)
        .order_by()
        .values("campaign")
        .annotate(
            completed=Count("pk"), last_day=Count("pk", filter=Q(completed_at__gte=now - timedelta(days=1)))
        )
    }
    today = timezone.localdate(now)
    return [
        RunningCampaign(
            campaign=c,
            invited=invited.get(c.pk, 0),
            completed=answers.get(c.pk, {}).get("completed", 0),
            last_day=answers.get(c.pk, {}).get("last_day", 0),
            days_left=(timezone.localdate(c.deadline) - today).days if c.deadline else None,
        )
        for c in campaigns
    ]
