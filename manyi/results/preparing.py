"""A dashboard never waits silently for a cold build of its campaign's dataset.

DESIGN. When campaign_dataset would read at least settings.ANALYSIS_BACKGROUND_ROWS responses
from the database first (dataset.pending_rows: no dataset in memory, on this server's disk or
in the shared storage, or one far behind), the page does not build it in the request: it
enqueues one build task (tasks.build_dataset; one per campaign at a time, by an atomic
cache.add of the campaign's progress key) and answers at once with a "preparing figures (n %)"
page that reloads itself (dashboards/preparing.py). The task worker reports the rows read to
the shared cache, which every app server reads; when it is done the next reload finds the
dataset saved (on this server's disk, or in the shared storage for the others) and shows
the figures. Below the threshold the view builds the dataset itself (under a second for
50,000 responses).

If a build finished a moment ago and this server still finds the dataset far behind (several
servers without a shared storage, or as many new responses meanwhile), the view builds it
itself rather than queueing build after build.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from . import dataset as datasets

BUILD_SECONDS = 15 * 60  # a build not heard of for this long is queued again (a worker died)
RECENT_SECONDS = 10 * 60
REPORT_SECONDS = 0.5
QUIET_SECONDS = 60  # queued this long without a row read: the page says the worker may be down


def _key(campaign_id):
    return f"analysis-build:{campaign_id}"


def _built_key(campaign_id):
    return f"analysis-built:{campaign_id}"


@dataclass(frozen=True)
class Progress:
    percent: int  # 0-99 of the responses read
    total: int  # responses to read
    quiet: bool  # queued a while ago and nothing read yet: is a task worker running?


def progress(campaign):
    """None when the campaign's figures can be shown now (the dataset is current or cheap to
    bring up to date in the request); else the background build's Progress, the build being
    queued first if none is."""
    pending = datasets.pending_rows(campaign)
    if pending < settings.ANALYSIS_BACKGROUND_ROWS or cache.get(_built_key(campaign.pk)):
        return None
    key = _key(campaign.pk)
    state = {"done": 0, "total": pending, "queued": time.time()}
    if cache.add(key, state, timeout=BUILD_SECONDS):
        from .tasks import build_dataset

        build_dataset.enqueue(campaign.pk)
        if cache.get(key) is None:  # built already (a backend that runs tasks at once)
            return None
    else:
        state = cache.get(key) or state
    done, total = state["done"], max(state["total"], 1)
    return Progress(
        percent=min(99, 100 * done // total),
        total=state["total"],
        quiet=done == 0 and time.time() - state["queued"] > QUIET_SECONDS,
    )


def build(campaign_id):
    """The task's work: build the dataset, reporting to the cache; returns the rows read."""
    from manyi.campaigns.models import Campaign

    key = _key(campaign_id)
    campaign = Campaign.objects.select_related("questionnaire").filter(pk=campaign_id).first()
    if campaign is None:
        cache.delete(key)
        return 0
    queued = (cache.get(key) or {}).get("queued", time.time())
    reported = [0.0]

    def report(done, total):
        if time.monotonic() - reported[0] >= REPORT_SECONDS or done >= total:
            reported[0] = time.monotonic()
            cache.set(key, {"done": done, "total": total, "queued": queued}, timeout=BUILD_SECONDS)

    try:
        read = datasets.campaign_dataset(campaign, progress=report).rows_read
        cache.set(_built_key(campaign_id), time.time(), timeout=RECENT_SECONDS)
    finally:
        datasets.forget(campaign_id)  # the saved file is what counts; the worker need not keep it
        cache.delete(key)
    return read
