"""The visit call screen reads the questionnaire as the phone-entry form does (issue 21): earlier
answers and the customer's fields piped into later texts (never the customer's name), and a
heading before each page of a questionnaire with pages."""

import re

import pytest
from django.urls import reverse

from manyi.campaigns.choices import CampaignState
from manyi.customers.choices import CustomerType
from manyi.surveys.choices import QuestionKind
from manyi.surveys.models import Page
from manyi.testing import make_campaign, make_customer, make_question, make_questionnaire

from .factories import make_task
from .test_views import record_post

pytestmark = pytest.mark.django_db


def piped_campaign():
    questionnaire = make_questionnaire(title="回访满意度")
    first = Page.objects.create(questionnaire=questionnaire, position=0, title="产品", description="")
    second = Page.objects.create(
        questionnaire=questionnaire, position=1, title="原因", description="请逐项询问"
    )
    q1 = make_question(questionnaire, "Q1", text="维修服务", page=first)
    make_question(
        questionnaire,
        "Q2",
        text="作为{customer.type}，您认为维修“{Q1}”的原因是？",
        kind=QuestionKind.TEXT,
        options=(),
        page=second,
    )
    questionnaire.save()
    return make_campaign(questionnaire, state=CampaignState.RUNNING), q1


def test_the_call_screen_pipes_answers_and_the_customers_fields(team, client_as):
    campaign, q1 = piped_campaign()
    customer = make_customer(customer_type=CustomerType.VIP, name="赵总")
    task = make_task(customer, agent=team.amy, campaign=campaign)
    client = client_as(team.amy)
    page = client.get(reverse("visits:task", args=[task.pk])).content.decode()
    assert "{Q1}" not in page and "{customer.type}" not in page
    assert '您认为维修“<span class="piped" data-pipe="Q1">—</span>”的原因是？' in page
    assert "作为VIP" in page or "作为VIP客户" in page
    assert "js/answer_form.js" in page and "data-answer-form" in page
    # Refused (Q2 is required): the screen comes back with Q1's answer in Q2's text.
    satisfied = str(q1.options.get(label="满意").pk)
    refused = client.post(
        reverse("visits:complete", args=[task.pk]), record_post(**{f"q-{q1.pk}": satisfied})
    )
    assert refused.status_code == 400
    assert '<span class="piped" data-pipe="Q1">满意</span>' in refused.content.decode()


def test_the_call_screen_has_a_heading_before_each_page(team, client_as):
    campaign, _q1 = piped_campaign()
    task = make_task(make_customer(), agent=team.amy, campaign=campaign)
    page = client_as(team.amy).get(reverse("visits:task", args=[task.pk])).content.decode()
    sections = re.findall(r'data-page-section="(\d)">\s*<h3[^>]*>([^<]+)</h3>', page)
    assert [title for _index, title in sections] == ["产品", "原因"]
    assert "请逐项询问" in page
    assert (
        page.index('data-page-section="0"')
        < page.index('data-code="Q1"')
        < page.index('data-page-section="1"')
    )
