"""Key drivers explain an outcome the items do not make up: the overall satisfaction question
marked as the outcome, else the recommendation (NPS); never the index, which is the items'
weighted sum (R² = 1, the questionnaire's weights and nothing about customers)."""

import statistics

import pytest
from django.urls import reverse

from manyi.analytics import scoring
from manyi.campaigns.choices import CampaignState, Channel
from manyi.results.filters import Selection
from manyi.results.summary import dashboard_summary
from manyi.surveys.forms import QuestionForm
from manyi.surveys.models import Question
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
# Points for Q1, Q2, Q3 and the overall question.
ANSWERS = [
    (10, 8, 6, 10),
    (8, 8, 6, 8),
    (6, 10, 4, 6),
    (4, 6, 8, 4),
    (8, 4, 10, 8),
    (10, 10, 2, 8),
    (6, 6, 6, 6),
]


def survey(outcome=True):
    questionnaire = make_questionnaire(title="顾客满意度调查")
    items = [make_question(questionnaire, f"Q{n}", text=f"项目{n}") for n in (1, 2, 3)]
    overall = make_question(questionnaire, "ALL", text="总体满意度", scored=True, outcome=outcome)
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    for points in ANSWERS:
        data = {
            f"q-{q.pk}": str(q.options.get(label=LABEL[p]).pk)
            for q, p in zip([*items, overall], points, strict=True)
        }
        answer(campaign, data, invitation=make_invitation(campaign, make_customer()))
    return campaign


def test_the_items_are_compared_with_the_overall_question():
    campaign = survey()
    importance = dashboard_summary(campaign, Selection())["importance"]
    assert importance["source"] == "derived" and importance["outcome"] == "总体满意度"
    overall = [row[3] for row in ANSWERS]
    by_key = {point["key"]: point["importance"] for point in importance["points"]}
    for n, key in enumerate(("Q1", "Q2", "Q3")):
        assert by_key[key] == pytest.approx(statistics.correlation([row[n] for row in ANSWERS], overall))
    assert "ALL" not in by_key  # the outcome is no driver of itself
    assert importance["r2"] < 0.999


def test_the_outcome_never_counts_toward_the_index():
    """Without dimensions every scored item enters the index, except the outcome."""
    campaign = survey()
    headline = dashboard_summary(campaign, Selection())["headline"]
    indices = [(a + b + c) / 3 * 10 for a, b, c, _all in ANSWERS]
    assert headline["index"] == pytest.approx(statistics.mean(indices))


def test_the_scoring_engine_keeps_an_outcome_item_out_of_the_index():
    scheme = scoring.ScoringScheme(
        items=(
            scoring.ItemSpec("Q1", min_points=2, max_points=10),
            scoring.ItemSpec("ALL", min_points=2, max_points=10, outcome=True),
        ),
        validity_rule="all_required",
    )
    score = scoring.score_response(scheme, {"Q1": 8, "ALL": 2})
    assert score.index == pytest.approx(80.0) and score.item_scores["ALL"] == pytest.approx(20.0)
    assert scoring.score_matrix(scheme, [[8, 2]]).index[0] == pytest.approx(80.0)
    assert not scoring.score_response(scheme, {"Q1": 8}).valid  # still counts for validity


def test_without_an_outcome_the_page_says_why_there_is_no_derived_importance(client_as, people):
    campaign = survey(outcome=False)
    summary = dashboard_summary(campaign, Selection())
    assert summary["importance"] is None and summary["importance_missing"] == "outcome"
    html = client_as(people.ana).get(reverse("dashboards:campaign", args=[campaign.pk])).content.decode()
    assert 'id="importance-no-outcome"' in html and 'id="drivers"' not in html


def test_the_builder_stores_the_outcome_and_refuses_a_second_one_or_one_in_a_dimension():
    from manyi.surveys.models import Dimension

    campaign = survey(outcome=False)
    questionnaire = campaign.questionnaire
    overall = questionnaire.questions.get(code="ALL")
    fields = {"kind": "rating", "code": "ALL", "text": "总体满意度", "required": "on", "weight": "1"}
    form = QuestionForm(data={**fields, "outcome": "on"}, instance=overall, questionnaire=questionnaire)
    assert form.is_valid(), form.errors
    form.save()
    assert Question.objects.get(pk=overall.pk).outcome  # what the analysis reads (tests above)

    second = questionnaire.questions.get(code="Q1")
    refused = QuestionForm(
        data={**fields, "code": "Q1", "outcome": "on"}, instance=second, questionnaire=questionnaire
    )
    assert not refused.is_valid() and "outcome" in refused.errors
    section = Dimension.objects.create(questionnaire=questionnaire, code="D1", title="服务")
    in_dimension = QuestionForm(
        data={**fields, "outcome": "on", "dimension": str(section.pk)},
        instance=overall,
        questionnaire=questionnaire,
    )
    assert not in_dimension.is_valid() and "dimension" in in_dimension.errors


@pytest.mark.parametrize("key", ["ecommerce_order_handling", "hotel_guest_gsts"])
def test_the_seed_templates_with_an_overall_question_carry_it_as_the_outcome(key):
    from manyi.surveys.loader import create_from_template

    questionnaire = create_from_template(key)
    outcomes = list(questionnaire.questions.filter(outcome=True).values_list("text", flat=True))
    assert len(outcomes) == 1 and "总体" in outcomes[0]


def test_a_questionnaire_with_nothing_rated_has_no_importance_and_no_error(client_as, people):
    questionnaire = make_questionnaire(title="只有推荐意愿")
    nps = make_question(questionnaire, "NPS", text="推荐意愿", kind="nps", options=(), scored=False)
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    for value in (9, 7, 3, 10, 8, 6):
        answer(campaign, {f"q-{nps.pk}": str(value)}, invitation=make_invitation(campaign, make_customer()))
    summary = dashboard_summary(campaign, Selection())
    assert summary["importance"] is None and summary["importance_missing"] == "items"
    response = client_as(people.ana).get(reverse("dashboards:campaign", args=[campaign.pk]))
    assert response.status_code == 200 and 'id="importance-no-items"' in response.content.decode()
