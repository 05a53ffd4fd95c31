"""A dashboard whose campaign dataset needs a cold build does not block without a word: the
page answers at once with "preparing figures (n %)", reloads itself (HTTP Refresh: no script),
and the background task builds the dataset; then the same page shows the figures (issue 17)."""

import re
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from manyi.results import dataset as dataset_module
from manyi.results import preparing

from .test_dashboard import ANSWERS, hand_index, survey  # noqa: F401  (the survey fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_datasets")]


@pytest.fixture
def cold(settings):
    """Eight responses count as a large campaign; tasks queue in the database (a worker runs them)."""
    settings.ANALYSIS_BACKGROUND_ROWS = 5
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    cache.clear()
    yield
    cache.clear()


def page(client, survey, **headers):  # noqa: F811
    headers.setdefault("HTTP_ACCEPT_LANGUAGE", "en")  # the request's language, not the test's
    return client.get(reverse("dashboards:campaign", args=[survey.pk]), **headers)


@pytest.mark.django_db(transaction=True)  # the worker commits, as a real one does
def test_a_cold_dashboard_says_it_is_preparing_then_shows_the_figures(client_as, people, survey, cold):  # noqa: F811
    client = client_as(people.ana)
    first = page(client, survey)
    assert first.status_code == 200 and first["Refresh"] == "3"
    html = first.content.decode()
    assert "Preparing figures (0 %)…" in html and 'id="preparing-progress"' in html
    assert "from its 8 responses" in html
    # No inline script (CSP): every script is a file.
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    page(client, survey)  # a reload while it waits queues nothing more
    assert DBTaskResult.objects.count() == 1
    assert not list((dataset_module._folder()).glob("*.npz"))  # the view built nothing

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)  # the task worker

    shown = page(client, survey)
    assert "Refresh" not in shown and "Preparing figures" not in shown.content.decode()
    headline = shown.context["summary"]["headline"]
    assert headline["responses"] == len(ANSWERS)
    expected = sum(hand_index(points) for _region, points, _nps in ANSWERS) / len(ANSWERS)
    assert headline["index"] == pytest.approx(expected)


def test_the_page_shows_how_far_the_build_is(client_as, people, survey, cold):  # noqa: F811
    cache.set(preparing._key(survey.pk), {"done": 2, "total": 8, "queued": time.time()})
    html = page(client_as(people.ana), survey).content.decode()
    assert "Preparing figures (25 %)…" in html and 'value="25"' in html
    assert 'id="preparing-quiet"' not in html
    assert DBTaskResult.objects.count() == 0  # already under way: not queued again


def test_a_build_nobody_started_says_to_check_the_worker(client_as, people, survey, cold):  # noqa: F811
    cache.set(preparing._key(survey.pk), {"done": 0, "total": 8, "queued": time.time() - 120})
    html = page(client_as(people.ana), survey).content.decode()
    assert 'id="preparing-quiet"' in html and "manage.py worker" in html


def test_a_filter_changed_while_preparing_reloads_the_whole_page(client_as, people, survey, cold):  # noqa: F811
    response = page(client_as(people.ana), survey, HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true"


def test_the_other_figure_pages_wait_the_same_way(client_as, people, survey, cold):  # noqa: F811
    client = client_as(people.ana)
    for name in ("model", "crosstab", "structure"):
        response = client.get(reverse(f"dashboards:{name}", args=[survey.pk]), HTTP_ACCEPT_LANGUAGE="en")
        assert "Preparing figures" in response.content.decode(), name


def test_a_small_campaign_is_shown_at_once(client_as, people, survey, settings):  # noqa: F811
    settings.ANALYSIS_BACKGROUND_ROWS = len(ANSWERS) + 1
    response = page(client_as(people.ana), survey)
    assert "Refresh" not in response and response.context["summary"]["headline"]["responses"] == len(ANSWERS)
