"""Market position (seed 000, 市场地位调查): respondents rate us and the main competitor on the
same items; the dashboard compares the two with a paired test, checked against scipy here."""

import pytest
import scipy.stats as sps
from django.urls import reverse

from manyi.campaigns.answering import AnswerForm, initial_from_response, save_response
from manyi.campaigns.choices import CampaignState, Channel
from manyi.campaigns.models import Answer, Response
from manyi.results.filters import Selection
from manyi.results.summary import dashboard_summary
from manyi.surveys.choices import QuestionKind
from manyi.testing import make_campaign, make_customer, make_invitation, make_question, make_questionnaire

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_datasets")]

LABEL = {10: "很满意", 8: "满意", 6: "可以接受", 4: "不满意", 2: "很不满意"}
# Per respondent: (our points, the competitor's points) for Q1 (quality) and for the matrix
# row M1 (delivery). Q2 does not ask about the competitor.
PAIRS = [
    ((10, 6), (8, 8)),
    ((8, 6), (8, 10)),
    ((10, 8), (6, 10)),
    ((8, 4), (6, 8)),
    ((6, 6), (8, 10)),
    ((10, 4), (4, 8)),
    ((8, 8), (6, 6)),
    ((10, 6), (6, 10)),
]


@pytest.fixture
def market():
    questionnaire = make_questionnaire(title="市场地位调查", competitor_name="您合作的其他主要供应商")
    quality = make_question(questionnaire, "Q1", text="产品质量", ask_competitor=True, position=1)
    price = make_question(questionnaire, "Q2", text="价格", position=2)
    matrix = make_question(
        questionnaire,
        "M",
        text="服务",
        kind=QuestionKind.MATRIX,
        rows=[("M1", "交货及时")],
        ask_competitor=True,
        position=3,
    )
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    return questionnaire, campaign, quality, price, matrix


def option(question, points):
    return str(question.options.get(label=LABEL[points]).pk)


def answer(market, n, q1, m1):
    questionnaire, campaign, quality, price, matrix = market
    row = matrix.rows.get()
    data = {
        f"q-{quality.pk}": option(quality, q1[0]),
        f"q-{quality.pk}-competitor": option(quality, q1[1]),
        f"q-{price.pk}": option(price, 8),
        f"q-{matrix.pk}-{row.pk}": option(matrix, m1[0]),
        f"q-{matrix.pk}-{row.pk}-competitor": option(matrix, m1[1]),
    }
    form = AnswerForm(questionnaire, data=data)
    assert form.is_valid(), form.errors
    response, _created = save_response(
        campaign=campaign,
        questionnaire=questionnaire,
        cleaned_data=form.cleaned_data,
        channel=Channel.EMAIL,
        invitation=make_invitation(campaign, make_customer(code=f"M{n}", name=f"客户{n}")),
    )
    return response


def test_the_competitor_ratings_are_stored_and_come_back_in_a_draft(market):
    _questionnaire, _campaign, quality, _price, matrix = market
    response = answer(market, 0, (10, 6), (8, 4))

    assert Response.objects.get(pk=response.pk).competitor == {"Q1": 6.0, "M1": 4.0}
    stored = Answer.objects.get(response=response, question=quality)
    assert stored.option.points == 10 and stored.competitor_option.points == 6
    initial = initial_from_response(response)
    row = matrix.rows.get()
    assert initial[f"q-{quality.pk}-competitor"] == option(quality, 6)
    assert initial[f"q-{matrix.pk}-{row.pk}-competitor"] == option(matrix, 4)


def test_a_competitor_answer_must_be_one_of_the_item_s_options(market):
    questionnaire, _campaign, quality, price, _matrix = market
    data = {f"q-{quality.pk}": option(quality, 8), f"q-{quality.pk}-competitor": option(price, 8)}
    form = AnswerForm(questionnaire, data=data, complete=False)
    assert not form.is_valid()
    assert not Response.objects.exists()
    # Q2 does not ask about the competitor: a posted value is ignored, not stored.
    data = {f"q-{price.pk}": option(price, 8), f"q-{price.pk}-competitor": option(price, 2)}
    form = AnswerForm(questionnaire, data=data, complete=False)
    assert form.is_valid() and f"q-{price.pk}-competitor" not in form.cleaned_data


def test_the_comparison_equals_scipy_on_the_same_pairs(market):
    for n, (q1, m1) in enumerate(PAIRS):
        answer(market, n, q1, m1)
    _questionnaire, campaign, *_ = market

    result = dashboard_summary(campaign, Selection())["competitor"]

    assert result["name"] == "您合作的其他主要供应商"
    rows = {row["key"]: row for row in result["rows"]}
    assert set(rows) == {"Q1", "M1"}  # Q2 was not asked about the competitor
    for key, at in (("Q1", 0), ("M1", 1)):
        ours = [pair[at][0] for pair in PAIRS]
        theirs = [pair[at][1] for pair in PAIRS]
        row = rows[key]
        assert row["pairs"] == len(PAIRS)
        # Ratio scale of the test questionnaire: 10 points = 100.
        assert row["ours"] == pytest.approx(sum(ours) / len(ours) * 10)
        assert row["theirs"] == pytest.approx(sum(theirs) / len(theirs) * 10)
        assert row["test"].method == "wilcoxon"
        assert row["test"].p_value == pytest.approx(sps.wilcoxon(ours, theirs).pvalue)
    # Q1: ahead on six pairs, two ties; M1: behind on six pairs, two ties.
    q1_p = sps.wilcoxon([p[0][0] for p in PAIRS], [p[0][1] for p in PAIRS]).pvalue
    m1_p = sps.wilcoxon([p[1][0] for p in PAIRS], [p[1][1] for p in PAIRS]).pvalue
    assert rows["Q1"]["verdict"] == ("ahead" if q1_p < 0.05 else "level")
    assert rows["M1"]["verdict"] == ("behind" if m1_p < 0.05 else "level")
    assert q1_p < 0.05  # the data were chosen so that one verdict is not "level"


def test_the_dashboard_shows_the_comparison(client_as, people, market):
    for n, (q1, m1) in enumerate(PAIRS):
        answer(market, n, q1, m1)
    _questionnaire, campaign, *_ = market
    html = client_as(people.ana).get(reverse("dashboards:campaign", args=[campaign.pk])).content.decode()
    assert 'id="competitor"' in html
    assert 'data-item="Q1" data-verdict="ahead"' in html
    assert "您合作的其他主要供应商" in html


def test_the_answer_page_asks_about_the_competitor(client, market):
    _questionnaire, campaign, quality, price, _matrix = market
    invitation = make_invitation(campaign, make_customer(code="P1", name="页面客户"))
    html = client.get(reverse("public:answer", args=[invitation.token])).content.decode()
    assert f'name="q-{quality.pk}-competitor"' in html
    assert f'name="q-{price.pk}-competitor"' not in html
    assert "您合作的其他主要供应商" in html
