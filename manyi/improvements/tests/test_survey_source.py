"""Raising from a survey item or dimension: the score before, and the score in the next wave."""

import datetime
import statistics

import pytest
from django.utils import timezone

from manyi.campaigns.answering import AnswerForm, save_response
from manyi.campaigns.choices import CampaignState, Channel
from manyi.improvements import workflow
from manyi.improvements.choices import EventKind, Source
from manyi.improvements.workflow import ImprovementError
from manyi.results import dataset as dataset_module
from manyi.surveys.models import Dimension
from manyi.surveys.naming import field_name
from manyi.testing import make_campaign, make_customer, make_invitation, make_question, make_questionnaire

pytestmark = pytest.mark.django_db

LABEL = {10: "很满意", 8: "满意", 6: "可以接受", 4: "不满意", 2: "很不满意"}
# Points for Q1 (产品性能), Q2 (服务态度) per respondent, in two waves.
WAVE_2025 = [(10, 4), (8, 6), (8, 4), (6, 2), (10, 6)]
WAVE_2026 = [(10, 8), (8, 8), (8, 6), (6, 6), (10, 10), (8, 8)]


@pytest.fixture(autouse=True)
def fresh_datasets(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    dataset_module.forget()
    yield
    dataset_module.forget()


@pytest.fixture
def waves():
    questionnaire = make_questionnaire(title="年度顾客满意度调查")
    quality = Dimension.objects.create(questionnaire=questionnaire, code="D1", title="产品", position=1)
    service = Dimension.objects.create(questionnaire=questionnaire, code="D2", title="服务", position=2)
    q1 = make_question(questionnaire, "Q1", text="产品性能", dimension=quality, position=1)
    q2 = make_question(questionnaire, "Q2", text="服务态度", dimension=service, position=2)
    now = timezone.now()
    campaigns = []
    for n, (wave, answers, started) in enumerate(
        (("2025", WAVE_2025, now - datetime.timedelta(days=365)), ("2026", WAVE_2026, now))
    ):
        campaign = make_campaign(
            questionnaire,
            name=f"年度调查{wave}",
            state=CampaignState.RUNNING,
            channels=[Channel.EMAIL],
            series="年度调查",
            invite_at=started,
        )
        for i, points in enumerate(answers):
            invitation = make_invitation(campaign, make_customer(code=f"C{n}{i}"))
            data = {
                field_name(q): str(q.options.get(label=LABEL[p]).pk)
                for q, p in zip((q1, q2), points, strict=True)
            }
            form = AnswerForm(questionnaire, data=data)
            assert form.is_valid(), form.errors
            save_response(
                campaign=campaign,
                questionnaire=questionnaire,
                cleaned_data=form.cleaned_data,
                channel=Channel.EMAIL,
                invitation=invitation,
            )
        campaigns.append(campaign)
    return campaigns


def item_score(answers, column):
    # Ratio scale (the default): points ÷ 10 × 100.
    return statistics.mean(points[column] for points in answers) * 10


def test_raising_from_a_survey_item_keeps_its_score_as_the_score_before(people, raise_one, waves):
    before, _after = waves
    improvement = raise_one(source=Source.SURVEY_ITEM, campaign=before, item_key="Q2")
    assert improvement.item_label == "服务态度"
    assert improvement.baseline_score == pytest.approx(item_score(WAVE_2025, 1))  # 44.0


def test_raising_from_a_dimension_keeps_the_dimensions_mean(people, raise_one, waves):
    before, _after = waves
    improvement = raise_one(source=Source.SURVEY_DIMENSION, campaign=before, item_key="D2")
    assert improvement.item_label == "服务"
    # The dimension has one item, so its score is that item's.
    assert improvement.baseline_score == pytest.approx(item_score(WAVE_2025, 1))


def test_an_unknown_item_is_refused_with_the_codes_there_are(people, raise_one, waves):
    with pytest.raises(ImprovementError, match="Q1, Q2"):
        raise_one(source=Source.SURVEY_ITEM, campaign=waves[0], item_key="Q9")
    with pytest.raises(ImprovementError, match="D1, D2"):
        raise_one(source=Source.SURVEY_DIMENSION, campaign=waves[0], item_key="Q1")


def test_the_effect_is_the_same_items_score_in_the_next_wave(people, raise_one, waves):
    before, after = waves
    improvement = raise_one(source=Source.SURVEY_ITEM, campaign=before, item_key="Q2")
    assert workflow.suggested_waves(improvement) == [after]
    with pytest.raises(ImprovementError, match="once the improvement is done"):
        workflow.record_effect(improvement, people.sam, campaign=after)
    workflow.apply(improvement, people.hank, "start")
    workflow.apply(improvement, people.hank, "complete", "服务培训完成")
    with pytest.raises(ImprovementError, match="later wave"):
        workflow.record_effect(improvement, people.sam, campaign=before)
    with pytest.raises(ImprovementError, match="Your role"):
        workflow.record_effect(improvement, people.hank, campaign=after)
    workflow.record_effect(improvement, people.sam, campaign=after, note="服务态度明显改善")
    improvement.refresh_from_db()
    assert improvement.measured_campaign == after
    assert improvement.measured_score == pytest.approx(item_score(WAVE_2026, 1))  # 76.7
    assert improvement.score_change == pytest.approx(item_score(WAVE_2026, 1) - item_score(WAVE_2025, 1))
    event = improvement.events.get(kind=EventKind.MEASURED)
    assert "年度调查2026" in event.note and "服务态度明显改善" in event.note


def test_an_improvement_from_complaints_records_its_effect_as_text(people, raise_one, waves):
    improvement = raise_one()
    workflow.apply(improvement, people.hank, "start")
    workflow.apply(improvement, people.hank, "complete", "完成")
    with pytest.raises(ImprovementError, match="Only an improvement raised from a survey"):
        workflow.record_effect(improvement, people.sam, campaign=waves[1])
    with pytest.raises(ImprovementError, match="describe the effect"):
        workflow.record_effect(improvement, people.sam, note=" ")
    workflow.record_effect(improvement, people.sam, note="同类投诉从每月12起降到3起")
    improvement.refresh_from_db()
    assert improvement.measured_effect == "同类投诉从每月12起降到3起"
    assert improvement.measured_score is None


def test_the_raise_form_lists_a_campaigns_items_with_scores_to_pick_from(people, client_as, waves):
    from django.urls import reverse

    before, _after = waves
    client = client_as(people.sam)
    page = client.get(reverse("improvements:create") + f"?campaign={before.pk}").content.decode()
    assert 'id="survey-items"' in page
    assert (
        f"{item_score(WAVE_2025, 0):.1f}" in page and f"{item_score(WAVE_2025, 1):.1f}" in page
    )  # 84.0, 44.0
    pick = f"?campaign={before.pk}&amp;item=Q2&amp;source=survey_item"
    assert pick in page
    form = client.get(reverse("improvements:create") + pick.replace("&amp;", "&")).content.decode()
    assert 'value="Q2"' in form and "服务态度" in form
    assert '<option value="survey_item" selected>' in form
