"""Improvements by organisation unit: a region's improvement is its region's, measured on its
region's answers; another region's campaigns and units are not there to choose. Scores checked
by hand (seed 000: item score = points × 10) on the dashboard tests' survey."""

import datetime
import statistics

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.campaigns.choices import CampaignState
from manyi.dashboards.tests.test_dashboard import ANSWERS, survey  # noqa: F401
from manyi.improvements import workflow
from manyi.improvements.choices import Source
from manyi.results.tests.conftest import fresh_datasets  # noqa: F401
from manyi.testing import make_campaign

from .test_unit_figures import units_survey  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_datasets")]


def q3_score(region=None):
    """The item Q3 (服务态度) over the region's answers (all answers: None), by hand."""
    return statistics.mean(points[2] * 10 for where, points, _nps in ANSWERS if region in (None, where))


def raise_from_q3(by, campaign, people, **kwargs):
    return workflow.raise_improvement(
        by=by,
        title="服务态度",
        problem="服务态度得分低。",
        measures="培训。",
        owner=people.hank,
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        source=Source.SURVEY_ITEM,
        campaign=campaign,
        item_key="Q3",
        **kwargs,
    )


def test_a_regions_improvement_is_its_regions_and_starts_from_its_regions_score(units_survey, tree, people):  # noqa: F811
    assert q3_score("华东") != q3_score()  # the two readings differ, so the test tells them apart
    improvement = raise_from_q3(tree.eva, units_survey, people)
    assert improvement.unit == tree.east
    assert improvement.baseline_score == pytest.approx(q3_score("华东"))


def test_the_group_measures_the_whole_campaign_unless_it_names_a_unit(units_survey, tree, people):  # noqa: F811
    whole = raise_from_q3(tree.gus, units_survey, people)
    assert whole.unit is None and whole.baseline_score == pytest.approx(q3_score())
    south = raise_from_q3(tree.gus, units_survey, people, unit=tree.south)
    assert south.unit == tree.south and south.baseline_score == pytest.approx(q3_score("华北"))


def test_a_region_cannot_name_another_region_or_its_campaign(units_survey, tree, people):  # noqa: F811
    with pytest.raises(workflow.ImprovementError):
        raise_from_q3(tree.eva, units_survey, people, unit=tree.south)
    south_campaign = make_campaign(units_survey.questionnaire, unit=tree.south, state=CampaignState.RUNNING)
    with pytest.raises(workflow.ImprovementError):
        raise_from_q3(tree.eva, south_campaign, people)


def test_the_raise_page_offers_only_the_regions_own_units_and_campaigns(units_survey, tree, client_as):  # noqa: F811
    south_campaign = make_campaign(
        units_survey.questionnaire, name="华南专项调查", unit=tree.south, state=CampaignState.RUNNING
    )
    client = client_as(tree.eva)
    url = reverse("improvements:create")
    html = client.get(url).content.decode()
    assert "华南专项调查" not in html and "华南区域公司" not in html
    assert "华东区域公司" in html
    # Asking for the other region's campaign's items shows nothing of it.
    html = client.get(url, {"campaign": south_campaign.pk}).content.decode()
    assert 'id="survey-items"' not in html and "华南专项调查" not in html
    # The group campaign's items, scored over the region's own answers.
    html = client.get(url, {"campaign": units_survey.pk}).content.decode()
    assert f"{q3_score('华东'):.1f}" in html
