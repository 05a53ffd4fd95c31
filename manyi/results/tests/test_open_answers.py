"""The open answers' keywords, sentiment groups and word cloud (dashboard and report) read the
rows every figure reads, and carry no personal data.

Seed 000: "遗漏2项以上评分的调查表按无效卷不予统计": an invalid questionnaire's open text is no
keyword, nor listed in the report; a valid one's is. Seed 004: "记录时用‘*客户’‘A公司’代替真实名称，
保护隐私": the keywords, which every reader of the analysis sees (the analyst may not see
personal data), never hold a customer's or contact's name, nor a name the respondent wrote as
their own.
"""

import re

import pytest
from django.urls import reverse

from manyi.accounts import permissions
from manyi.analytics import text
from manyi.campaigns.choices import CampaignState, Channel
from manyi.customers.choices import CustomerKind
from manyi.customers.masking import NameMask, company_names
from manyi.reports import figures
from manyi.results import dataset as dataset_module
from manyi.results import open_answers
from manyi.results.filters import Selection
from manyi.surveys.choices import QuestionKind, ValidityRule
from manyi.testing import (
    answer,
    make_campaign,
    make_contact,
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


@pytest.fixture
def survey():
    """Three rated items under seed 000's 2018 rule and an open question."""
    questionnaire = make_questionnaire(
        title="2018年顾客满意度调查", validity_rule=ValidityRule.ONE_MISSING_NEUTRAL
    )
    items = [
        make_question(questionnaire, f"Q{n}", text=title, options=LIKERT, required=False)
        for n, title in enumerate(("产品质量", "交货期", "服务态度"), start=1)
    ]
    remark = make_question(
        questionnaire, "OPEN", text="意见和建议", kind=QuestionKind.TEXT, options=(), required=False
    )
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.PAPER])
    campaign.items, campaign.remark = items, remark
    return campaign


def respond(campaign, points, remark, customer=None, contact=None):
    customer = customer or make_customer()
    data = {
        f"q-{question.pk}": str(question.options.get(points=p).pk)
        for question, p in zip(campaign.items, points, strict=True)
        if p is not None
    }
    data[f"q-{campaign.remark.pk}"] = remark
    invitation = make_invitation(campaign, customer, contact=contact)
    return answer(campaign, data, channel=Channel.PAPER, invitation=invitation)


def keywords(campaign):
    dataset_module.forget()
    dataset = dataset_module.campaign_dataset(campaign)
    panel = open_answers.keyword_panel(dataset, Selection())
    words = {k.word for k in panel["all"].keywords}
    for group in panel["by_sentiment"].values():
        words |= {k.word for k in group.keywords}
    return words


def test_an_invalid_questionnaires_open_text_is_no_keyword_and_a_valid_ones_is(survey):
    respond(survey, (5, 4, 4), "包装破损")  # valid
    respond(survey, (5, None, 4), "交货期太长")  # one missing: valid, 一般 filled in
    respond(survey, (1, None, None), "安装师傅迟到")  # two missing: invalid, not counted
    words = keywords(survey)
    assert {"包装破损", "交货期"} <= words
    assert not {"安装", "师傅", "迟到", "安装师傅"} & words


def test_the_word_cloud_is_drawn_from_the_valid_questionnaires_only(survey, monkeypatch):
    respond(survey, (5, 4, 4), "包装破损")
    respond(survey, (1, None, None), "安装师傅迟到")
    drawn = []
    # The drawing is the edge: what it is asked to draw is what the image shows.
    monkeypatch.setattr(text, "word_cloud_png", lambda words, **size: drawn.append(words) or b"png")
    dataset = dataset_module.campaign_dataset(survey)
    assert open_answers.word_cloud(dataset, Selection()) == b"png"
    words = {k.word for k in drawn[0]}
    assert "包装破损" in words and not {"安装", "师傅", "迟到", "安装师傅"} & words


def test_an_earlier_answer_of_a_customer_who_answered_again_is_no_keyword(survey):
    customer = make_customer()
    respond(survey, (5, 4, 4), "包装破损", customer=customer)
    survey.refresh_from_db()
    # The same customer again (a second invitation is refused: a paper form typed in twice).
    data = {f"q-{q.pk}": str(q.options.get(points=4).pk) for q in survey.items}
    data[f"q-{survey.remark.pk}"] = "物流很快"
    answer(survey, data, channel=Channel.PAPER, customer=customer)
    words = keywords(survey)
    assert "物流" in words and "包装破损" not in words


def test_the_reports_open_answers_leave_out_the_invalid_questionnaires(survey):
    respond(survey, (5, 4, 4), "包装破损")
    respond(survey, (1, None, None), "安装师傅迟到")
    survey.refresh_from_db()
    dataset = dataset_module.campaign_dataset(survey)
    found = figures._open_answers(survey, dataset)
    (listed,) = found["questions"]
    assert (listed["count"], listed["answers"]) == (1, ["包装破损"])
    words = {word for word, _count in found["keywords"]}
    assert "包装破损" in words and not {"安装", "师傅", "迟到"} & words


NAMED_ANSWERS = [
    # (customer name, kind, contact, open answer): the customer's and the contact's names, a
    # name written with a form of address and one given as the respondent's own.
    ("杭州华星机械有限公司", CustomerKind.COMPANY, "诸葛明亮", "华星机械的诸葛明亮说：包装破损"),
    ("欧阳娜娜", CustomerKind.PERSON, None, "我是欧阳娜娜，包装破损，电话13812345678"),
    ("测试客户甲", CustomerKind.COMPANY, None, "请宋晓峰先生回电，包装破损"),
    ("测试客户乙", CustomerKind.COMPANY, None, "包装破损。我叫祁同伟"),
]
NAMES = (
    "华星",
    "诸葛明亮",
    "诸葛",
    "明亮",
    "欧阳娜娜",
    "娜娜",
    "宋晓峰",
    "晓峰",
    "祁同伟",
    "同伟",
    "13812345678",
)


@pytest.fixture
def named(survey):
    for name, kind, contact_name, remark in NAMED_ANSWERS:
        customer = make_customer(name=name, kind=kind, province="浙江省", city="杭州市")
        contact = make_contact(customer, name=contact_name) if contact_name else None
        respond(survey, (4, 4, 4), remark, customer=customer, contact=contact)
    return survey


def test_no_name_nor_phone_reaches_the_keywords(named):
    words = keywords(named)
    assert "包装破损" in words  # the texts were read
    assert not [word for word in words if any(name in word or word in name for name in NAMES)]


def test_the_analyst_reads_keywords_and_a_cloud_without_names(client_as, people, named, monkeypatch):
    assert not people.ana.can(permissions.VIEW_PERSONAL_DATA)
    html = client_as(people.ana).get(reverse("dashboards:keywords", args=[named.pk])).content.decode()
    shown = re.findall(r"<td>([^<]+)</td>", html)
    assert "包装破损" in shown
    assert not [name for name in NAMES if name in html]
    drawn = []
    monkeypatch.setattr(text, "word_cloud_png", lambda words, **size: drawn.append(words) or b"png")
    assert client_as(people.ana).get(reverse("dashboards:word_cloud", args=[named.pk])).status_code == 200
    words = {k.word for k in drawn[0]}
    assert "包装破损" in words and not [name for name in NAMES if any(name in w for w in words)]


def test_the_reports_keywords_hold_no_name(named):
    named.refresh_from_db()
    found = figures._open_answers(named, dataset_module.campaign_dataset(named))
    words = [word for word, _count in found["keywords"]]
    assert "包装破损" in words
    assert not [name for name in NAMES if any(name in w for w in words)]


def test_names_written_in_free_text_are_masked_or_stripped_the_seeds_way():
    names = NameMask(
        [(1, "C1", "杭州华星机械有限公司", CustomerKind.COMPANY, "浙江省", "杭州市")], ["诸葛明亮"]
    )
    assert names.text("杭州华星机械有限公司的诸葛明亮说") == "A公司的诸***说"
    # A company as customers write it: without its legal form, without its city.
    assert company_names("浙江省杭州市华星机械有限公司", ["浙江省", "杭州市"]) == [
        "浙江省杭州市华星机械有限公司",
        "浙江省杭州市华星机械",
        "杭州市华星机械",
        "华星机械",
    ]
    assert names.text("杭州华星机械和华星机械是一家") == "A公司和A公司是一家"
    # Names no record holds: with a form of address, or given as one's own.
    assert names.text("请宋晓峰先生回电") == "请宋**先生回电"
    assert names.text("我是欧阳娜娜，电话13812345678") == "我是欧***，电话138****5678"
    assert names.text("姓名：祁同伟") == "姓名：祁**"
    # A surname alone is how the seed writes a person already; words that are no name stay.
    assert names.text("王先生说我姓王") == "王先生说我姓王"
    for words in ("我是江苏的客户", "服务员小姐态度好", "给我先生买的", "前台小姐很热情"):
        assert names.text(words) == words and names.strip(words) == words
    assert "宋" not in names.strip("请宋晓峰先生回电") and "诸葛" not in names.strip("诸葛明亮说")


def test_names_are_found_longest_first_among_many(monkeypatch):
    from manyi.customers import masking

    found = masking.NamesInText(
        ["华星", "华星机械", "杭州华星机械有限公司", "李娜"] + [f"客户{n}" for n in range(5000)]
    )
    marked = found.sub(lambda name: f"<{name}>", "杭州华星机械有限公司的李娜说华星机械和华星及华，客户4999")
    assert marked == "<杭州华星机械有限公司>的<李娜>说<华星机械>和<华星>及华，<客户4999>"
    assert found.sub(str.upper, "没有名字") == "没有名字"


def test_the_names_of_many_customers_are_read_a_few_at_a_time(monkeypatch):
    from manyi.customers import masking

    monkeypatch.setattr(masking, "IN_CHUNK", 2)  # SQLite's limit on parameters, made small
    people = [make_customer(name=f"王{n}{n}", kind=CustomerKind.PERSON) for n in range(5)]
    make_contact(people[4], name="李娜娜")
    names = NameMask.of_customers([p.pk for p in people])
    assert [names.customer(p.pk) for p in people] == ["王**"] * 5
    assert names.text("王33和李娜娜") == "王**和李**"
