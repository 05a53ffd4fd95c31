"""A small campaign with known answers (the dashboards tests' respondents, plus open answers
and a multiple-choice question), and a second, earlier wave of the same series."""

from datetime import timedelta

import pytest
from django.utils import timezone

from manyi.campaigns.answering import AnswerForm, save_response
from manyi.campaigns.choices import CampaignState, Channel
from manyi.results import dataset as dataset_module
from manyi.surveys.choices import QuestionKind
from manyi.surveys.models import Dimension
from manyi.testing import make_campaign, make_customer, make_invitation, make_question, make_questionnaire

# Each respondent: region, points for Q1 Q2 Q3 (10/8/6/4/2 scale), NPS answer, open answer.
ANSWERS = [
    ("华东", (10, 10, 8), 10, "服务很好，响应及时"),
    ("华东", (8, 8, 8), 9, '=HYPERLINK("http://example.com")'),
    ("华东", (10, 8, 6), 8, "请联系我 13812345678 或 wang@example.com"),
    ("华东", (6, 6, 4), 6, "交货太慢，服务态度一般"),
    ("华北", (4, 6, 4), 3, "价格太高，交货太慢"),
    ("华北", (8, 6, 6), 7, ""),
    ("华北", (6, 4, 2), 5, "售后服务响应慢"),
    ("华北", (10, 10, 10), 10, "非常满意"),
]
EARLIER = [(8, 8, 8), (6, 6, 6), (8, 6, 6), (10, 8, 8)]
LABEL = {10: "很满意", 8: "满意", 6: "可以接受", 4: "不满意", 2: "很不满意"}


@pytest.fixture(autouse=True)
def fresh_datasets(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    # Published reports' PDFs are kept in the file storage by report number: a test's own, not
    # one kept by an earlier run under the same number.
    settings.MEDIA_ROOT = tmp_path / "media"
    dataset_module.forget()
    yield
    dataset_module.forget()


def _questionnaire():
    questionnaire = make_questionnaire(title="年度顾客满意度调查")
    quality = Dimension.objects.create(
        questionnaire=questionnaire, code="D1", title="产品质量", weight=60, position=1
    )
    service = Dimension.objects.create(
        questionnaire=questionnaire, code="D2", title="服务", weight=40, position=2
    )
    make_question(questionnaire, "Q1", text="产品性能", dimension=quality, position=1)
    make_question(questionnaire, "Q2", text="产品外观", dimension=quality, position=2)
    make_question(questionnaire, "Q3", text="服务态度", dimension=service, position=3)
    make_question(
        questionnaire, "NPS", text="推荐意愿", kind=QuestionKind.NPS, options=(), scored=False, position=4
    )
    make_question(
        questionnaire,
        "CH",
        text="您通过哪些渠道了解我们",
        kind=QuestionKind.MULTIPLE,
        options=[("网站", None, False), ("展会", None, False), ("朋友介绍", None, False)],
        scored=False,
        required=False,
        position=5,
    )
    make_question(
        questionnaire,
        "OPEN",
        text="您的意见和建议",
        kind=QuestionKind.TEXT,
        options=(),
        scored=False,
        required=False,
        position=6,
    )
    return questionnaire


def answer(campaign, questionnaire, customer, points, recommend=None, text="", channels=()):
    questions = {q.code: q for q in questionnaire.questions.all()}
    data = {
        f"q-{questions[code].pk}": str(questions[code].options.get(label=LABEL[p]).pk)
        for code, p in zip(("Q1", "Q2", "Q3"), points, strict=True)
    }
    if recommend is not None:
        data[f"q-{questions['NPS'].pk}"] = str(recommend)
    if text:
        data[f"q-{questions['OPEN'].pk}"] = text
    if channels:
        data[f"q-{questions['CH'].pk}"] = [str(questions["CH"].options.get(label=c).pk) for c in channels]
    form = AnswerForm(questionnaire, data=data)
    assert form.is_valid(), form.errors
    return save_response(
        campaign=campaign,
        questionnaire=questionnaire,
        cleaned_data=form.cleaned_data,
        channel=Channel.EMAIL,
        invitation=make_invitation(campaign, customer),
    )


@pytest.fixture
def survey(db):
    questionnaire = _questionnaire()
    now = timezone.now()
    earlier = make_campaign(
        questionnaire,
        name="2025年调查",
        wave="2025年",
        state=CampaignState.CLOSED,
        channels=[Channel.EMAIL],
        series="年度调查",
        invite_at=now - timedelta(days=365),
    )
    for n, points in enumerate(EARLIER):
        answer(
            earlier, questionnaire, make_customer(code=f"E{n}", name=f"老客户{n}", region="华东"), points, 8
        )
    campaign = make_campaign(
        questionnaire,
        name="2026年调查",
        wave="2026年",
        state=CampaignState.RUNNING,
        channels=[Channel.EMAIL],
        series="年度调查",
        target_index=80,
        invite_at=now - timedelta(days=3),
    )
    for n, (region, points, recommend, text) in enumerate(ANSWERS):
        customer = make_customer(
            code=f"C{n}",
            name=f"客户{n}",
            region=region,
            phone=f"1391234{n:04d}",
            email=f"kehu{n}@example.com",
        )
        answer(
            campaign,
            questionnaire,
            customer,
            points,
            recommend,
            text,
            channels=("网站", "展会") if n % 2 else ("朋友介绍",),
        )
    make_invitation(campaign, make_customer(code="NR", name="未回复客户"))  # issued, not returned
    return campaign


@pytest.fixture
def action(survey, people):
    """An improvement action raised from the campaign's Q3 (服务态度, scored 60), due in 30 days."""
    from manyi.improvements import workflow
    from manyi.improvements.choices import Source

    return workflow.raise_improvement(
        source=Source.SURVEY_ITEM,
        by=people.sam,
        title="缩短售后响应时间",
        problem="服务态度得分最低。",
        measures="增设客服专线。",
        owner=people.hank,
        deadline=timezone.localdate() + timedelta(days=30),
        campaign=survey,
        item_key="Q3",
    )


def hand_index(points):
    """Seed 000 rule by hand: item score = points × 10; dimension = mean of its items;
    index = Σ(dimension × weight) / Σ weight (60 / 40)."""
    q1, q2, q3 = (p * 10 for p in points)
    return ((q1 + q2) / 2 * 60 + q3 * 40) / 100
