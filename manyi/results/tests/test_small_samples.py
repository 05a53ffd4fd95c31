"""Small samples and the target: a dashboard of 2 answers warns that its figures are indicative
and never says 已达成 on an interval that straddles the target."""

import statistics

import pytest
from django.urls import reverse
from scipy import stats as scipy_stats

from manyi.analytics.stats import MeanCI
from manyi.campaigns.choices import CampaignState, Channel
from manyi.results.filters import Selection
from manyi.results.summary import dashboard_summary, target_status
from manyi.testing import (
    answer,
    make_campaign,
    make_customer,
    make_invitation,
    make_question,
    make_questionnaire,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_datasets")]
LABEL = {10: "很满意", 8: "满意", 6: "可以接受", 4: "不满意", 2: "很不满意"}


def survey(points, target=85):
    questionnaire = make_questionnaire(title="顾客满意度调查")
    question = make_question(questionnaire, "Q1", text="总体评价")
    campaign = make_campaign(
        questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL], target_index=target
    )
    for p in points:
        data = {f"q-{question.pk}": str(question.options.get(label=LABEL[p]).pk)}
        answer(campaign, data, invitation=make_invitation(campaign, make_customer()))
    return campaign


def ci(low, high):
    return MeanCI(10, (low + high) / 2, 1.0, low, high, 0.95)


def test_the_target_is_reached_only_when_the_whole_interval_is():
    assert target_status(90, ci(86, 94), 85) == "reached"
    assert target_status(90, ci(80, 100), 85) == "undecided"
    assert target_status(84, ci(80, 88), 85) == "not_reached"  # seed 000: below the target, 未达到
    assert target_status(90, None, 85) == "undecided"  # one answer: no interval at all
    assert target_status(90, ci(86, 94), None) is None


def test_two_answers_warn_and_do_not_claim_the_target(client_as, people):
    campaign = survey([10, 8])  # index 90 against 85; the interval of two answers is 0-100 wide
    headline = dashboard_summary(campaign, Selection())["headline"]
    values = [100, 80]
    low, _high = scipy_stats.t.interval(
        0.95, 1, loc=statistics.mean(values), scale=statistics.stdev(values) / 2**0.5
    )
    assert headline["index_ci"].low == pytest.approx(low) and low < 85
    assert headline["target_status"] == "undecided" and headline["small_sample"]
    html = client_as(people.ana).get(reverse("dashboards:campaign", args=[campaign.pk])).content.decode()
    assert 'data-reached="undecided"' in html and "已达成" not in html
    assert 'id="small-sample"' in html


def test_the_minimum_sample_is_a_setting(settings):
    campaign = survey([10, 8, 8])
    settings.ANALYSIS_MIN_RESPONSES = 3
    assert not dashboard_summary(campaign, Selection())["headline"]["small_sample"]
    settings.ANALYSIS_MIN_RESPONSES = 4
    assert dashboard_summary(campaign, Selection())["headline"]["small_sample"]


def test_the_report_sentence_does_not_claim_an_undecided_target():
    from manyi.reports.figures import report_figures
    from manyi.reports.rendering import overall_sentence

    campaign = survey([10, 8])
    figures = report_figures(campaign)
    assert figures["overall"]["reached"] is False
    sentence = overall_sentence(figures)
    assert "达到目标 85" not in sentence.replace("尚不能表明已达到目标", "")
    assert "95% 置信区间低于目标" in sentence
