"""The demo has last year's report published (frozen) and this year's as a draft."""

from io import StringIO

import pytest
from django.core.management import call_command

from manyi.reports.models import Report
from manyi.results import dataset as dataset_module
from manyi.results.filters import Selection
from manyi.results.summary import dashboard_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    dataset_module.forget()
    call_command("load_demo", "--customers", "60", stdout=StringIO())
    yield
    dataset_module.forget()


def test_the_demo_has_a_published_report_of_last_year_and_a_draft_of_this_year(demo):
    published, draft = Report.objects.order_by("campaign__created_at", "pk")
    assert published.is_published and published.version == 1 and published.conclusions
    assert published.questionnaire_id == published.campaign.questionnaire_id
    headline = dashboard_summary(published.campaign, Selection())["headline"]
    assert published.snapshot["overall"]["index"] == pytest.approx(headline["index"], abs=0.05)
    assert not draft.is_published and draft.campaign != published.campaign


def test_loading_the_demo_again_adds_no_reports(demo):
    call_command("load_demo", stdout=StringIO())
    assert Report.objects.count() == 2
