"""The company's topic list (issue 18): administrators add, edit, retire topics and retrain the
rule; what they save is what the rule uses; bad input changes nothing."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from manyi.results import topics as topic_rule
from manyi.results.models import Topic, TopicTraining

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def snapshot():
    return list(Topic.objects.order_by("pk").values()), TopicTraining.objects.count()


@pytest.mark.parametrize(
    ("who", "status"), [("alice", 200), ("sam", 403), ("amy", 403), ("hank", 403), ("ana", 403)]
)
def test_only_who_sets_up_the_company_edits_topics(people, client_as, who, status):
    client = client_as(getattr(people, who))
    before = snapshot()
    assert client.get(reverse("operations:topics")).status_code == status
    assert client.get(reverse("operations:topic_create")).status_code == status
    topic = Topic.objects.get(code="price")
    assert client.get(reverse("operations:topic_edit", args=[topic.pk])).status_code == status
    client.post(
        reverse("operations:topic_edit", args=[topic.pk]), {"name_zh": "改", "code": "price", "position": 1}
    )
    client.post(reverse("operations:topic_retrain"))
    if status != 200:
        assert snapshot() == before


def test_the_list_shows_the_seed_topics(people, client_as):
    page = client_as(people.alice).get(reverse("operations:topics")).content.decode()
    assert page.count('data-code="') == 10
    assert "物流配送" in page and "快递慢" in page


def test_a_new_topic_with_keywords_is_used_by_the_rule(people, client_as):
    client = client_as(people.alice)
    data = {
        "name_zh": "停车管理",
        "name_en": "Parking",
        "code": "parking",
        "keywords": "车位，地库\n停车难",
        "position": 5,
        "is_active": "on",
    }
    response = client.post(reverse("operations:topic_create"), data)
    assert response.status_code == 302
    topic = Topic.objects.get(code="parking")
    assert topic.keyword_list() == ["车位", "地库", "停车难"]
    assert topic_rule.suggest("地库停车难，车位太少").code == "parking"


def test_a_retired_topic_is_no_longer_suggested(people, client_as):
    client = client_as(people.alice)
    topic = Topic.objects.get(code="delivery")
    data = {
        "name_zh": topic.name_zh,
        "name_en": topic.name_en,
        "keywords": topic.keywords,
        "position": topic.position,
    }
    assert client.post(reverse("operations:topic_edit", args=[topic.pk]), data).status_code == 302
    topic.refresh_from_db()
    assert not topic.is_active
    assert topic_rule.suggest("快递太慢").code != "delivery"


def test_the_code_of_a_saved_topic_stays(people, client_as):
    client = client_as(people.alice)
    topic = Topic.objects.get(code="price")
    data = {"name_zh": "价格", "code": "cost", "keywords": "贵", "position": 1, "is_active": "on"}
    client.post(reverse("operations:topic_edit", args=[topic.pk]), data)
    topic.refresh_from_db()
    assert topic.code == "price" and topic.keywords == "贵"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name_zh": "  "}, "name_zh"),
        ({"code": "has space"}, "code"),
        ({"code": "price"}, "code"),  # taken
        ({"keywords": "\n".join(f"词{i}" for i in range(301))}, "keywords"),
        ({"keywords": "这是一个非常非常长的关键词它长得超过了三十个字符的限制所以不行吧对吧"}, "keywords"),
        ({"keywords": "a" * 7000}, "keywords"),
        ({"position": "-1"}, "position"),
        ({"position": "x"}, "position"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_changes(people, client_as, changes, field):
    client = client_as(people.alice)
    before = snapshot()
    data = {
        "name_zh": "新主题",
        "code": "new_topic",
        "keywords": "词",
        "position": 3,
        "is_active": "on",
    } | changes
    response = client.post(reverse("operations:topic_create"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert snapshot() == before


def test_an_unknown_topic_is_not_found(people, client_as):
    assert client_as(people.alice).get(reverse("operations:topic_edit", args=[999999])).status_code == 404


def test_retraining_from_the_page_and_the_command(people, client_as):
    client = client_as(people.alice)
    assert client.post(reverse("operations:topic_retrain")).status_code == 302
    training = TopicTraining.objects.get()
    assert training.trained_by == people.alice
    assert training.confirmed_examples == 0 and training.shipped_examples > 300
    assert (
        "Last retrained on"
        in client.get(reverse("operations:topics"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    call_command("retrain_topics")
    assert TopicTraining.objects.count() == 2
    assert client.get(reverse("operations:topic_retrain")).status_code == 405  # a POST only
