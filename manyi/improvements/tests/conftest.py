import datetime

import pytest
from django.utils import timezone


@pytest.fixture(autouse=True)
def english_messages():
    """These tests read the messages in English (the msgids); pages show them translated."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def make_ticket(people):
    """make_ticket(customer=None, **fields): a ticket recorded by amy the agent."""
    from manyi.tickets import workflow as ticket_workflow

    def make(customer=None, **kwargs):
        kwargs.setdefault("channel", "phone")
        kwargs.setdefault("subject", "售后响应太慢")
        kwargs.setdefault("description", "报修后三天没有人联系我们。")
        return ticket_workflow.open_ticket(by=people.amy, customer=customer, **kwargs)

    return make


@pytest.fixture
def raise_one(people):
    """raise_one(**fields): an improvement raised by sam the supervisor, owned by hank."""
    from manyi.improvements import workflow

    def make(**kwargs):
        kwargs.setdefault("title", "缩短售后响应时间")
        kwargs.setdefault("problem", "客户反映售后响应慢。")
        kwargs.setdefault("measures", "增设客服专线，承诺2小时内首次响应。")
        kwargs.setdefault("owner", people.hank)
        kwargs.setdefault("deadline", timezone.localdate() + datetime.timedelta(days=30))
        return workflow.raise_improvement(by=kwargs.pop("by", people.sam), **kwargs)

    return make


def in_english(client):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
