"""The responses behind a bar of an item's distribution are the ones the bar counts: valid
questionnaires only, and under seed 000's rule ("遗漏一项的按'一般'记3分,遗漏2项以上评分的调查表按无效卷不予
统计") the questionnaires that left the item out, counted as its neutral answer."""

import re

import pytest
from django.urls import reverse

from manyi.campaigns.choices import CampaignState, Channel
from manyi.results.dataset import campaign_dataset
from manyi.results.filters import Selection, rows_behind
from manyi.results.summary import dashboard_summary
from manyi.testing import answer, make_campaign, make_customer, make_question, make_questionnaire

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_datasets")]
LABEL = {10: "很满意", 8: "满意", 6: "可以接受", 4: "不满意", 2: "很不满意"}

# Q1, Q2, Q3 points per respondent (None: left out).
ANSWERS = [
    (10, 6, 8),  # Q2 可以接受
    (8, 6, 8),  # Q2 可以接受
    (8, None, 8),  # Q2 left out: counts as 可以接受
    (6, None, None),  # two left out: invalid, counted nowhere
    (10, 10, 10),
]


@pytest.fixture
def survey():
    questionnaire = make_questionnaire(title="售后服务满意度", validity_rule="one_missing_neutral")
    questions = [make_question(questionnaire, f"Q{n}", text=f"题{n}", required=False) for n in (1, 2, 3)]
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.PAPER])
    for row in ANSWERS:
        data = {
            f"q-{q.pk}": str(q.options.get(label=LABEL[p]).pk)
            for q, p in zip(questions, row, strict=True)
            if p is not None
        }
        answer(campaign, data, channel=Channel.PAPER, customer=make_customer())
    return campaign


def test_the_rows_behind_the_neutral_bar_include_the_imputed_answer(survey):
    dataset = campaign_dataset(survey)
    scheme = survey.questionnaire.layout().scheme
    rows, imputed, _described = rows_behind(dataset, Selection(), scheme, "region", item="Q2", points=6.0)
    assert (int(rows.sum()), int(imputed.sum())) == (3, 1)
    item = next(row for row in dashboard_summary(survey, Selection())["items"] if row["key"] == "Q2")
    bar = next(bar for bar in item["distribution"] if bar["points"] == 6)
    assert bar["count"] == 3  # the bar and the list behind it agree
    rows, imputed, _described = rows_behind(dataset, Selection(), scheme, "region", item="Q1", points=6.0)
    assert (int(rows.sum()), int(imputed.sum())) == (0, 0)  # the invalid questionnaire's 6 is not counted


def test_the_drill_down_page_lists_them_and_marks_the_imputed_one(client_as, people, survey):
    url = reverse("dashboards:drill_down", args=[survey.pk])
    html = client_as(people.ana).get(url, {"item": "Q2", "points": "6"}).content.decode()
    assert len(re.findall(r"<tr data-customer-code=", html)) == 3
    assert len(re.findall(r'class="imputed ', html)) == 1
