"""The topics of a campaign's open answers (issue 18): topics × sentiment, problems (actionable
negative or mixed answers), the trend by wave, examples without personal data, and the
dashboard's panel and drill-down.

Counts are checked against the answers written in each test, counted by hand."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from manyi.campaigns.choices import CampaignState, Channel
from manyi.results import dataset as dataset_module
from manyi.results import topics
from manyi.results.filters import Selection
from manyi.results.models import Topic
from manyi.surveys.choices import QuestionKind, ValidityRule
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

ANSWERS = [
    "快递太慢了，等了一个星期才到",  # delivery, negative, actionable
    "物流很慢，包裹还被压坏了",  # delivery, negative, actionable
    "东西不错，就是物流太慢了",  # mixed: its complaint is about delivery
    "服务态度很好，客服很耐心",  # service, positive
    "挺好",  # other, not actionable
    "价格太贵了",  # price, negative
]


@pytest.fixture
def questionnaire():
    questionnaire = make_questionnaire(title="顾客满意度调查", validity_rule=ValidityRule.ONE_MISSING_NEUTRAL)
    questionnaire.items = [
        make_question(questionnaire, f"Q{n}", text=title, options=LIKERT, required=False)
        for n, title in enumerate(("产品质量", "交货期"), start=1)
    ]
    questionnaire.remark = make_question(
        questionnaire, "OPEN", text="意见和建议", kind=QuestionKind.TEXT, options=(), required=False
    )
    return questionnaire


def wave(questionnaire, name, texts):
    campaign = make_campaign(
        questionnaire, state=CampaignState.RUNNING, channels=[Channel.PAPER], series="年度调查", wave=name
    )
    for text in texts:
        data = {f"q-{q.pk}": str(q.options.get(points=4).pk) for q in questionnaire.items}
        data[f"q-{questionnaire.remark.pk}"] = text
        answer(campaign, data, channel=Channel.PAPER, invitation=make_invitation(campaign, make_customer()))
    return campaign


def rows_of(campaign):
    cache.clear()
    dataset_module.forget()
    return topics.campaign_topics(dataset_module.campaign_dataset(campaign), Selection())


def test_each_answer_gets_sentiment_topic_and_actionable(questionnaire):
    rows = rows_of(wave(questionnaire, "2026", ANSWERS))
    found = {row.text: (row.sentiment, row.topic, row.actionable) for row in rows}
    assert found["快递太慢了，等了一个星期才到"] == ("negative", "delivery", True)
    assert found["东西不错，就是物流太慢了"] == ("mixed", "delivery", True)
    assert found["挺好"][1:] == ("other", False)
    assert found["价格太贵了"][:2] == ("negative", "price")


def test_the_table_counts_topics_by_sentiment_and_problems(questionnaire):
    rows = rows_of(wave(questionnaire, "2026", ANSWERS))
    table = {row["code"]: row for row in topics.topic_table(rows)}
    delivery = table["delivery"]
    assert delivery["answers"] == 3
    assert dict(delivery["by_sentiment"]) == {"negative": 2, "mixed": 1, "neutral": 0, "positive": 0}
    assert delivery["problems"] == 3  # the mixed answer's complaint counts (issue 18)
    assert delivery["share"] == pytest.approx(3 / 6)
    assert sum(row["answers"] for row in table.values()) == len(ANSWERS)
    assert table["other"]["problems"] == 0
    # Main problems: by problems, most first; topics without any are left out.
    problems = topics.main_problems(rows)
    assert problems[0]["code"] == "delivery"
    assert "other" not in [row["code"] for row in problems]
    assert all(len(row["examples"]) <= topics.EXAMPLES_PER_CELL for row in problems)


def test_examples_carry_no_personal_data(questionnaire):
    rows = rows_of(
        wave(
            questionnaire,
            "2026",
            ["快递太慢，请回电13812345678，身份证110101199003071234，邮箱wang@example.com"],
        )
    )
    [row] = rows
    assert row.topic == "delivery"
    for secret in ("13812345678", "110101199003071234", "wang@example.com"):
        assert secret not in row.text
        assert all(secret not in example for r in topics.main_problems(rows) for example in r["examples"])


def test_the_trend_counts_each_wave(questionnaire):
    first = wave(questionnaire, "2025", ["快递太慢", "价格太贵"])
    second = wave(questionnaire, "2026", ["快递太慢", "物流慢", "客服态度差"])
    cache.clear()
    dataset_module.forget()
    trend = topics.wave_trend(second, Selection())
    assert [w["label"] for w in trend] == ["2025", "2026"]
    assert [w["current"] for w in trend] == [False, True]
    assert trend[0]["topics"]["delivery"] == 1 and trend[0]["topics"]["price"] == 1
    assert trend[1]["topics"]["delivery"] == 2 and trend[1]["answers"] == 3
    assert first.pk != second.pk


def test_an_edited_topic_list_is_applied(questionnaire):
    campaign = wave(questionnaire, "2026", ["地库车位太少，停不下"])
    assert rows_of(campaign)[0].topic == "environment"
    Topic.objects.create(code="parking", name_zh="停车", keywords="车位\n地库", position=1)
    assert rows_of(campaign)[0].topic == "parking"
    Topic.objects.filter(code="parking").update(is_active=False)
    assert rows_of(campaign)[0].topic == "environment"


def test_the_dashboard_panel_and_drill_down(questionnaire, people, client_as):
    campaign = wave(questionnaire, "2026", ANSWERS)
    cache.clear()
    client = client_as(people.sam)
    panel = client.get(reverse("dashboards:topics", args=[campaign.pk]))
    assert panel.status_code == 200
    page = panel.content.decode()
    assert 'id="topic-table"' in page and 'data-topic="delivery"' in page
    assert "topic-data" in page
    answers = client.get(
        reverse("dashboards:topic_answers", args=[campaign.pk]), {"topic": "delivery", "problems": "1"}
    )
    assert answers.status_code == 200
    listed = answers.content.decode()
    assert "快递太慢了" in listed and "东西不错，就是物流太慢了" in listed and "价格太贵了" not in listed
    negative = client.get(
        reverse("dashboards:topic_answers", args=[campaign.pk]), {"topic": "delivery", "sentiment": "mixed"}
    )
    assert "东西不错" in negative.content.decode() and "等了一个星期" not in negative.content.decode()


@pytest.mark.parametrize("query", [{"topic": "nope"}, {"topic": "delivery", "sentiment": "angry"}, {}])
def test_a_bad_drill_down_is_not_found(questionnaire, people, client_as, query):
    campaign = wave(questionnaire, "2026", ANSWERS)
    assert (
        client_as(people.sam).get(reverse("dashboards:topic_answers", args=[campaign.pk]), query).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("who", "panel", "drill"),
    [("alice", 200, 200), ("sam", 200, 200), ("ana", 200, 200), ("amy", 403, 403), ("hank", 403, 403)],
)
def test_who_sees_the_panel_and_the_answers(questionnaire, people, client_as, who, panel, drill):
    campaign = wave(questionnaire, "2026", ANSWERS)
    client = client_as(getattr(people, who))
    assert client.get(reverse("dashboards:topics", args=[campaign.pk])).status_code == panel
    assert (
        client.get(reverse("dashboards:topic_answers", args=[campaign.pk]), {"topic": "delivery"}).status_code
        == drill
    )


def test_a_confidential_campaigns_answers_stay_closed_to_whom_may_not_read_them(
    questionnaire, people, client_as
):
    campaign = wave(questionnaire, "2026", ANSWERS)
    campaign.confidential = True
    campaign.save(update_fields=["confidential"])
    client = client_as(people.sam)  # may read answers, but not confidential ones
    panel = client.get(reverse("dashboards:topics", args=[campaign.pk])).content.decode()
    assert "topics/answers/" not in panel  # counts without links
    assert "topic-example" not in panel and "等了一个星期" not in panel  # nor quoted answers
    assert (
        client.get(reverse("dashboards:topic_answers", args=[campaign.pk]), {"topic": "delivery"}).status_code
        == 403
    )


def test_the_keyword_panel_groups_answers_by_what_they_say_not_by_the_score(questionnaire):
    # Every respondent rated 满意 (index 75: "satisfied" by the score); the complaint is still
    # grouped with the negative answers, the praise with the positive ones.
    from manyi.results import open_answers

    campaign = wave(questionnaire, "2026", ["快递太慢了，包装破损", "服务态度很好，客服很耐心"])
    cache.clear()
    dataset_module.forget()
    panel = open_answers.keyword_panel(dataset_module.campaign_dataset(campaign), Selection())
    assert set(panel["by_sentiment"]) == {"negative", "positive"}
    negative = {k.word for k in panel["by_sentiment"]["negative"].keywords}
    positive = {k.word for k in panel["by_sentiment"]["positive"].keywords}
    assert "包装破损" in negative and "包装破损" not in positive
    assert "耐心" in positive
