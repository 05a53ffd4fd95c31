"""The API's tickets carry their topic (issue 18): suggested from the description when none is
given, the sender's when given (kept as a choice), refused when unknown or retired."""

import pytest

from manyi.results.models import Topic
from manyi.tickets.models import Ticket

from .test_api import call, ticket_body  # noqa: F401 (the call fixture)

pytestmark = pytest.mark.django_db


def test_a_ticket_without_a_topic_gets_the_suggested_one(call, people):  # noqa: F811
    status, data = call(
        "post", "/tickets", people.amy, body=ticket_body(description="快递太慢，等了十天才到")
    )
    assert status == 201
    assert (data["topic"], data["topic_suggested"], data["topic_confirmed"]) == (
        "delivery",
        "delivery",
        False,
    )
    status, listed = call("get", "/tickets", people.amy)
    assert listed["results"][0]["topic"] == "delivery"


def test_a_topic_given_is_kept_as_the_senders_choice(call, people):  # noqa: F811
    status, data = call(
        "post", "/tickets", people.amy, body=ticket_body(description="快递太慢", topic="price")
    )
    assert status == 201
    assert (data["topic"], data["topic_suggested"], data["topic_confirmed"]) == ("price", "delivery", True)
    assert Ticket.objects.get().topic_chosen_by == people.amy


@pytest.mark.parametrize("code", ["no-such", "has space", "retired"])
def test_an_unknown_or_retired_topic_is_refused_and_nothing_is_created(call, people, code):  # noqa: F811
    Topic.objects.create(code="retired", name_zh="旧主题", is_active=False)
    status, data = call("post", "/tickets", people.amy, body=ticket_body(topic=code))
    assert status == 422
    assert any(problem["loc"][-1] == "topic" for problem in data["detail"]), data
    assert Ticket.objects.count() == 0
