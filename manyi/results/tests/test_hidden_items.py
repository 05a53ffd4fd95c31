"""Questions a condition hid are not asked: the campaign's figures neither count them missing
nor fill them in with 一般 (issue 21, point 1: "The validity rule does not count a question
hidden by a condition as missing"), as each response's own score already does not.

Seed 000's 2018 rule: "回收的调查表中评价遗漏一项的按'一般'记3分,遗漏2项以上评分的调查表按无效卷
不予统计". Q3 is asked only of customers who rated Q1 不满意 or worse (Q1.points <= 2).
"""

import numpy as np
import pytest

from manyi.campaigns.choices import CampaignState, Channel
from manyi.campaigns.models import Response
from manyi.results import dataset as dataset_module
from manyi.results import structure
from manyi.results.filters import Selection
from manyi.results.summary import dashboard_summary
from manyi.surveys.choices import ScaleMethod, ValidityRule
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
HIDDEN = "hidden"
# (Q1, Q2, Q3); None = shown and left blank, HIDDEN = not asked.
ANSWERS = [
    (5, 4, HIDDEN),  # A: complete as asked
    (5, None, HIDDEN),  # B: one missing (Q2 → 一般); Q3 was never asked
    (1, 2, None),  # C: Q3 asked and left blank → 一般
    (2, None, None),  # D: two asked and left blank: invalid
    (5, 5, HIDDEN),  # E
]


def score(points):
    return (points - 1) * 100 / 4  # Likert 1-5 on 0-100 (range)


@pytest.fixture
def survey():
    questionnaire = make_questionnaire(
        title="2018年顾客满意度调查",
        validity_rule=ValidityRule.ONE_MISSING_NEUTRAL,
        scale_method=ScaleMethod.RANGE,
    )
    items = [
        make_question(questionnaire, f"Q{n}", text=text, options=LIKERT, required=False)
        for n, text in enumerate(("产品质量", "交货期", "不满意的原因是否已解决"), start=1)
    ]
    items[2].condition = "Q1.points <= 2"
    items[2].save()
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.PAPER])
    for points in ANSWERS:
        data = {
            f"q-{question.pk}": str(question.options.get(points=p).pk)
            for question, p in zip(items, points, strict=True)
            if p not in (None, HIDDEN)
        }
        answer(campaign, data, channel=Channel.PAPER, invitation=make_invitation(campaign, make_customer()))
    return campaign


def test_each_response_is_scored_without_its_hidden_question(survey):
    stored = list(Response.objects.filter(campaign=survey).order_by("pk"))
    assert [r.valid for r in stored] == [True, True, True, False, True]
    assert stored[0].points == {"Q1": 5, "Q2": 4, "Q3": None}  # null: not asked
    assert stored[0].index == pytest.approx((score(5) + score(4)) / 2)
    assert stored[1].index == pytest.approx((score(5) + score(3)) / 2)
    assert stored[2].index == pytest.approx((score(1) + score(2) + score(3)) / 3)


def test_the_items_fill_in_only_what_was_asked_and_left_blank(survey):
    items = {row["key"]: row for row in dashboard_summary(survey, Selection())["items"]}
    # Valid: A, B, C, E. Q2: 4, 一般 (B), 2, 5. Q3: asked of C only, left blank → 一般.
    assert items["Q1"]["summary"].n == 4 and items["Q1"]["score"] == pytest.approx(score((5 + 5 + 1 + 5) / 4))
    assert items["Q2"]["summary"].n == 4 and items["Q2"]["imputed"] == 1
    assert items["Q2"]["score"] == pytest.approx(score((4 + 3 + 2 + 5) / 4))
    assert items["Q3"]["summary"].n == 1 and items["Q3"]["imputed"] == 1
    assert items["Q3"]["score"] == pytest.approx(score(3))


def test_the_item_first_index_reads_the_items_as_asked(survey):
    """Seed 000 (彩管): 综合满意度 = Σ(各评估小项满意度 × 权重) / Σ 权重, each item's mean over the
    questionnaires that were asked it; equal weights, no dimensions."""
    headline = dashboard_summary(survey, Selection())["headline"]
    q1 = score((5 + 5 + 1 + 5) / 4)
    q2 = score((4 + 3 + 2 + 5) / 4)
    q3 = score(3)
    assert headline["valid"] == 4
    assert headline["index"] == pytest.approx((q1 + q2 + q3) / 3)


def test_the_dataset_keeps_what_was_not_asked_across_a_save_and_a_load(survey, settings, tmp_path):
    settings.MANYI_VAR_DIR = tmp_path
    dataset = dataset_module.campaign_dataset(survey)
    q3 = dataset.item_keys.index("Q3")
    assert sorted(map(tuple, dataset.unasked.tolist())) == [(0, q3), (1, q3), (4, q3)]
    mask = dataset.unasked_mask(np.arange(dataset.size), [q3])
    assert mask[:, 0].tolist() == [True, True, False, False, True]


def test_the_structure_analysis_never_fills_in_a_hidden_question(survey):
    dataset = dataset_module.campaign_dataset(survey)
    matrix = structure.item_matrix(survey, dataset, Selection())
    # Only C was asked every item (its blank Q3 filled in as 一般): the others' rows are
    # incomplete, not completed with an invented 一般.
    q3 = matrix.keys.index("Q3")
    assert matrix.scores.shape[0] == 1
    assert matrix.scores[0, q3] == pytest.approx(score(3))
