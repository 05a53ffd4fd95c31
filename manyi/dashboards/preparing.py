"""Pages of a campaign's figures never block silently on a cold build of its dataset.

`figures_prepared` wraps the GET views that read a campaign's dataset: when the dataset needs a
cold build (results/preparing.py), it answers at once with a page that shows how far the
background build is ("preparing figures (n %)") and reloads itself every few seconds by the
HTTP Refresh header (no script: the CSP allows none inline), until the figures are ready. An
htmx request (a filter changed) gets HX-Refresh instead, so that the whole page reloads.
"""

from functools import wraps

from django.shortcuts import get_object_or_404, render

from manyi.campaigns.models import Campaign
from manyi.results import preparing

REFRESH_SECONDS = 3


def figures_prepared(view):
    """Put below the capability check of a view(request, pk, …) of campaign `pk`'s figures."""

    @wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            campaigns = Campaign.objects.for_user(request.user).select_related("questionnaire")
            campaign = get_object_or_404(campaigns, pk=pk)
            state = preparing.progress(campaign)
            if state is not None:
                return _preparing_page(request, campaign, state)
        return view(request, pk, *args, **kwargs)

    return wrapper


def _preparing_page(request, campaign, state):
    response = render(
        request,
        "dashboards/preparing.html",
        {"campaign": campaign, "progress": state, "refresh": REFRESH_SECONDS},
    )
    response["Refresh"] = str(REFRESH_SECONDS)
    response["Cache-Control"] = "no-store"
    if getattr(request, "htmx", False):
        response["HX-Refresh"] = "true"
    return response
