"""One valid-response set for every figure: seed 000's 2018 rules entered through the product.

"回收的调查表中评价遗漏一项的按'一般'记3分,遗漏2项以上评分的调查表按无效卷不予统计" (Likert 5-point,
一般 = 3). The per-item table, NPS, cross tabs and the model read the same rows as the index:
the invalid questionnaire is left out everywhere, the one-missing questionnaire counts 一般.
"""

import pytest

from manyi.campaigns.choices import CampaignState, Channel
from manyi.dashboards import crosstabs
from manyi.results import dataset as dataset_module
from manyi.results.filters import Selection
from manyi.results.summary import dashboard_summary
from manyi.surveys.choices import QuestionKind, ScaleMethod, ValidityRule
from manyi.testing import (
    answer,
    make_campaign,
    make_customer,
    make_invitation,
    make_question,
    make_questionnaire,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_datasets")]

LIKERT = [
    ("非常满意", 5, False),
    ("满意", 4, False),
    ("一般", 3, True),
    ("不满意", 2, False),
    ("非常不满意", 1, False),
]
# Three items and the recommendation (0-10); None = left blank.
ANSWERS = [
    ((5, 4, 4), 9),
    ((5, None, 4), 8),  # one missing: item 2 counts as 一般 (3)
    ((1, None, None), 0),  # two missing: invalid, not counted anywhere
    ((4, 4, 5), 10),
]


@pytest.fixture
def survey():
    questionnaire = make_questionnaire(
        title="2018年顾客满意度调查",
        validity_rule=ValidityRule.ONE_MISSING_NEUTRAL,
        scale_method=ScaleMethod.RANGE,
    )
    items = [
        make_question(questionnaire, f"Q{n}", text=text, options=LIKERT, required=False)
        for n, text in enumerate(("产品质量", "交货期", "服务态度"), start=1)
    ]
    nps = make_question(
        questionnaire, "NPS", text="推荐意愿", kind=QuestionKind.NPS, options=(), scored=False, required=False
    )
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.PAPER])
    for points, recommend in ANSWERS:
        data = {
            f"q-{question.pk}": str(question.options.get(points=p).pk)
            for question, p in zip(items, points, strict=True)
            if p is not None
        }
        data[f"q-{nps.pk}"] = str(recommend)
        answer(campaign, data, channel=Channel.PAPER, invitation=make_invitation(campaign, make_customer()))
    return campaign


def score(points):
    return (points - 1) * 100 / 4  # Likert 1-5 on 0-100 (range)


def test_the_items_count_the_valid_questionnaires_with_the_neutral_answer_filled_in(survey):
    summary = dashboard_summary(survey, Selection())
    items = {row["key"]: row for row in summary["items"]}
    # By hand over the valid questionnaires 1, 2 and 4; questionnaire 2's item 2 is 一般 (3).
    assert items["Q1"]["summary"].n == 3 and items["Q1"]["score"] == pytest.approx(score((5 + 5 + 4) / 3))
    assert items["Q2"]["summary"].n == 3 and items["Q2"]["score"] == pytest.approx(score((4 + 3 + 4) / 3))
    assert items["Q2"]["imputed"] == 1
    assert items["Q3"]["score"] == pytest.approx(score((4 + 4 + 5) / 3))
    # 一般 shows the filled-in answer in the distribution too.
    neutral = next(d for d in items["Q2"]["distribution"] if d["points"] == 3)
    assert neutral["count"] == 1


def test_under_the_rule_the_items_give_back_the_index(survey):
    """With equal weights and no dimensions the index is the mean of the item scores: the
    per-item table and the headline now tell the same story (they did not: 75.8 vs 79.58 in
    the issue's recomputation)."""
    summary = dashboard_summary(survey, Selection())
    item_mean = sum(row["score"] for row in summary["items"]) / 3
    indices = [
        (score(5) + score(4) + score(4)) / 3,
        (score(5) + score(3) + score(4)) / 3,
        (score(4) + score(4) + score(5)) / 3,
    ]
    assert summary["headline"]["index"] == pytest.approx(sum(indices) / 3)
    assert item_mean == pytest.approx(summary["headline"]["index"])
    assert summary["headline"]["valid"] == 3 and summary["headline"]["responses"] == 4


def test_nps_counts_the_valid_questionnaires_only(survey):
    nps = dashboard_summary(survey, Selection())["headline"]["nps"]
    # Valid: 9, 8, 10 -> 2 promoters, 0 detractors of 3 (the invalid one's 0 is not counted).
    assert nps.n == 3
    assert nps.nps == pytest.approx(100 * 2 / 3)


def test_cross_tabs_read_the_same_rows_with_the_neutral_answer(survey):
    dataset = dataset_module.campaign_dataset(survey)
    table = crosstabs.crosstab(survey, dataset, Selection(), "Q2", "Q3")
    assert table["n"] == 3  # questionnaire 3 is invalid; questionnaire 2's Q2 counts as 一般
    assert "一般" in [line["label"] for line in table["lines"]]
