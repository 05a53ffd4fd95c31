"""The demo has improvements in every interesting state."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from manyi.improvements.choices import Source, Status
from manyi.improvements.models import ImprovementAction
from manyi.improvements.summary import improvement_summary
from manyi.results import dataset as dataset_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    dataset_module.forget()
    call_command("load_demo", "--customers", "60", stdout=StringIO())
    yield
    dataset_module.forget()


def test_the_demo_shows_each_kind_of_improvement(demo):
    improvements = {i.source: i for i in ImprovementAction.objects.all()}
    assert ImprovementAction.objects.count() == 4
    survey = improvements[Source.SURVEY_ITEM]
    assert survey.status == Status.EFFECTIVE
    assert survey.baseline_score is not None and survey.measured_score is not None
    assert survey.measured_campaign != survey.campaign
    complaints = improvements[Source.TICKETS]
    assert complaints.status == Status.DONE and complaints.customer_message
    assert complaints.tickets.count() == 3
    assert complaints.tickets.filter(customer__email="").count() == 1  # one to tell by phone
    assert improvements[Source.CATEGORY].is_overdue(timezone.localdate())
    assert improvement_summary()["overdue"] == 1


def test_loading_the_demo_again_adds_no_improvements(demo):
    call_command("load_demo", stdout=StringIO())
    assert ImprovementAction.objects.count() == 4
