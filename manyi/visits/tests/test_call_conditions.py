"""Conditions on the visit call screen (issue 21): the screen carries the questionnaire's
conditions and the customer's fields they name for static/js/conditions.js (on the record
form), and saving the visit applies the same rule as the public page: a hidden question's
answer is discarded, a shown required one must be answered."""

import json
import re

import pytest
from django.urls import reverse

from manyi.campaigns.choices import CampaignState
from manyi.campaigns.models import Answer
from manyi.customers.choices import CustomerType
from manyi.surveys.choices import QuestionKind
from manyi.testing import make_campaign, make_customer, make_question, make_questionnaire
from manyi.visits.models import VisitRecord

from .factories import make_task
from .test_views import record_post

pytestmark = pytest.mark.django_db


def make_branching_campaign():
    """Q1 rated; Q2 (why, required) when Q1 is 不满意 or worse; Q3 (required) only for VIPs."""
    questionnaire = make_questionnaire(title="回访满意度")
    q1 = make_question(questionnaire, code="Q1", text="产品质量")
    q2 = make_question(
        questionnaire,
        code="Q2",
        text="不满意的原因是什么？",
        kind=QuestionKind.TEXT,
        options=(),
        condition='Q1 == "A4" or Q1 == "A5"',
    )
    q3 = make_question(
        questionnaire, code="Q3", text="专属客户经理的服务", condition='customer.type == "vip"'
    )
    questionnaire.save()
    return make_campaign(questionnaire, state=CampaignState.RUNNING), q1, q2, q3


def _pick(question, label):
    return str(question.options.get(label=label).pk)


def test_the_call_screen_carries_the_conditions_for_the_record_form(team, client_as):
    campaign, *_questions = make_branching_campaign()
    task = make_task(
        make_customer(customer_type=CustomerType.VIP, name="赵总"), agent=team.amy, campaign=campaign
    )
    page = client_as(team.amy).get(reverse("visits:task", args=[task.pk])).content.decode()
    found = re.search(r'<script id="answer-logic" type="application/json">(.*?)</script>', page, re.S)
    logic = json.loads(found.group(1))
    assert (logic["form"], logic["prefix"]) == ("record-form", "q")
    assert logic["context"] == {"customer.type": "vip"}
    assert "js/conditions.js" in page


def test_a_visit_discards_the_answers_of_hidden_questions(team, client_as):
    campaign, q1, q2, q3 = make_branching_campaign()
    task = make_task(make_customer(customer_type=CustomerType.NORMAL), agent=team.amy, campaign=campaign)
    data = record_post(
        **{f"q-{q1.pk}": _pick(q1, "满意"), f"q-{q2.pk}": "伪造", f"q-{q3.pk}": _pick(q3, "很满意")}
    )
    result = client_as(team.amy).post(reverse("visits:complete", args=[task.pk]), data)
    assert result.status_code == 302
    record = VisitRecord.objects.get()
    assert set(Answer.objects.filter(response=record.response).values_list("question__code", flat=True)) == {
        "Q1"
    }


def test_a_visit_requires_the_questions_shown(team, client_as):
    campaign, q1, q2, q3 = make_branching_campaign()
    task = make_task(make_customer(customer_type=CustomerType.VIP), agent=team.amy, campaign=campaign)
    client = client_as(team.amy)
    url = reverse("visits:complete", args=[task.pk])
    result = client.post(url, record_post(**{f"q-{q1.pk}": _pick(q1, "不满意")}))
    page = result.content.decode()
    assert result.status_code == 400
    assert "请回答第 Q2 题。" in page and "请回答第 Q3 题。" in page
    assert not VisitRecord.objects.exists()
    data = record_post(
        **{f"q-{q1.pk}": _pick(q1, "不满意"), f"q-{q2.pk}": "安装师傅迟到", f"q-{q3.pk}": _pick(q3, "满意")}
    )
    assert client.post(url, data).status_code == 302
    response = VisitRecord.objects.get().response
    assert Answer.objects.get(response=response, question=q2).text == "安装师傅迟到"
    assert Answer.objects.get(response=response, question=q3).option.label == "满意"
