"""The seeds' worked examples, entered as responses through the product.

Seed 000, 顾客满意度分析报告 QR2104: "共发放了15份调查表,回收15份,回收率为100%……每项有五级评价: 1很满意
(10分) 2满意(8分) 3可以接收(6分) 4不满意(4分) 5很不满意(2分) 顾客对各项评价的满意情况平均打分为90%……
价格合理性、服务态度达到了满分100%,服务的及时性达95%,维修质量达93%,产品外观达93%和企业信誉及形象达91%
……产品质量、产品性能为85%". The table of the 15 answers is not in the seed; the answers below are
one set that gives exactly the report's whole-percent figures (15 answers of 10 or 8 points give
item scores in steps of 1/1.5 %: 91% is 136/150 = 90.7%). The two items the report does not
score (按时交付能力, 紧急供货能力) are answered 满意 by everyone (80%).
"""

import pytest
from django.urls import reverse

from manyi.campaigns.choices import CampaignState, Channel
from manyi.campaigns.workflow import campaign_counts
from manyi.dashboards.filters import Selection
from manyi.dashboards.summary import dashboard_summary
from manyi.surveys.loader import create_from_template
from manyi.testing import answer, make_campaign, make_customer, make_invitation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_datasets")]

# Item code (the ISO ten-item template) -> how many of the 15 answered 很满意 (10); the rest 满意 (8).
VERY_SATISFIED = {
    "Q1": 8,
    "Q2": 15,
    "Q3": 4,
    "Q4": 4,
    "Q5": 10,
    "Q6": 11,
    "Q7": 15,
    "Q8": 10,
    "Q9": 0,
    "Q10": 0,
}
REPORTED = {"Q1": 91, "Q2": 100, "Q3": 85, "Q4": 85, "Q5": 93, "Q6": 95, "Q7": 100, "Q8": 93}


@pytest.fixture
def qr2104():
    questionnaire = create_from_template("iso9001_ten_items")
    campaign = make_campaign(questionnaire, state=CampaignState.CLOSED, channels=[Channel.PAPER])
    questions = {q.code: q for q in questionnaire.questions.all()}
    for respondent in range(15):
        data = {
            f"q-{questions[code].pk}": str(
                questions[code].options.get(points=10 if respondent < very else 8).pk
            )
            for code, very in VERY_SATISFIED.items()
        }
        answer(campaign, data, channel=Channel.PAPER, invitation=make_invitation(campaign, make_customer()))
    return campaign


def test_qr2104_issued_15_returned_15_response_rate_100(qr2104):
    counts = campaign_counts(qr2104)
    assert (counts["issued"], counts["returned"], counts["response_rate"]) == (15, 15, 100.0)


def test_qr2104_items_and_the_overall_90_percent(qr2104):
    summary = dashboard_summary(qr2104, Selection())
    scores = {row["key"]: row["score"] for row in summary["items"]}
    for code, percent in REPORTED.items():
        # By hand: (very × 10 + (15 − very) × 8) / 15 × 10 %.
        by_hand = (VERY_SATISFIED[code] * 10 + (15 - VERY_SATISFIED[code]) * 8) / 15 * 10
        assert scores[code] == pytest.approx(by_hand)
        assert round(scores[code]) == percent, code
    # "平均打分为90%": the mean of the ten items, and so of the fifteen indices.
    ten = [scores[f"Q{n}"] for n in range(1, 11)]
    assert summary["headline"]["index"] == pytest.approx(sum(ten) / 10)
    assert round(summary["headline"]["index"]) == 90


def test_qr2104_on_the_dashboard_page(client_as, people, qr2104):
    html = client_as(people.ana).get(reverse("dashboards:campaign", args=[qr2104.pk])).content.decode()
    assert 'id="index">90.3<' in html  # 902.7 / 10, shown to one decimal
    assert 'id="response-rate">100.0%<' in html
