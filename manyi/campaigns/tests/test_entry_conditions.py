"""Conditions on the agents' phone-entry and paper-entry forms (issue 21): the page carries the
conditions and the customer's fields they name for static/js/conditions.js, and the server at
save applies the same rule as the public page — a hidden question's answer is discarded, a
shown required question must be answered."""

import json
import re

import pytest
from django.urls import reverse

from manyi.campaigns.choices import CampaignState, Channel, ResponseStatus
from manyi.campaigns.models import Answer, Response
from manyi.customers.choices import CustomerType
from manyi.surveys.choices import QuestionKind
from manyi.testing import make_campaign, make_customer, make_invitation, make_question, make_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    """Q1 rated by everyone; Q2 (why, required) when Q1 is 不满意 or worse; Q3 (required) only
    for VIP customers; Q4 only on the phone."""
    questionnaire = make_questionnaire(title="大客户回访问卷")
    q1 = make_question(questionnaire, code="Q1", text="总体满意度")
    q2 = make_question(
        questionnaire,
        code="Q2",
        text="不满意的原因",
        kind=QuestionKind.TEXT,
        options=(),
        condition='Q1 in ["A4", "A5"]',
    )
    q3 = make_question(questionnaire, code="Q3", text="专属客户经理", condition='customer.type == "vip"')
    q4 = make_question(
        questionnaire,
        code="Q4",
        text="访问员礼貌吗",
        kind=QuestionKind.YES_NO,
        options=(("是", None, False), ("否", None, False)),
        scored=False,
        condition='invitation.channel == "phone"',
    )
    questionnaire.save()
    campaign = make_campaign(
        questionnaire, state=CampaignState.RUNNING, channels=[Channel.PHONE, Channel.PAPER]
    )
    return campaign, q1, q2, q3, q4


def _pick(question, label):
    return str(question.options.get(label=label).pk)


def _url(invitation, channel="paper"):
    return reverse("entry:enter", args=[invitation.pk, channel])


def _logic(page):
    found = re.search(r'<script id="answer-logic" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def test_the_entry_page_carries_the_conditions_and_only_the_fields_they_name(client_as, people, survey):
    campaign, *_questions = survey
    customer = make_customer(
        name="周经理", phone="13700003333", customer_type=CustomerType.VIP, region="华北"
    )
    invitation = make_invitation(campaign, customer=customer, channel=Channel.PHONE)
    page = client_as(people.amy).get(_url(invitation, "phone")).content.decode()
    logic = _logic(page)
    assert logic["form"] == "answer-form"
    assert logic["context"] == {"customer.type": "vip", "invitation.channel": "phone"}
    assert [q["condition"] is not None for q in logic["questions"]] == [False, True, True, True]
    assert "js/conditions.js" in page
    assert "华北" not in json.dumps(logic, ensure_ascii=False)


def test_a_vip_must_answer_the_vip_question_on_paper_entry(client_as, people, survey):
    campaign, q1, _q2, q3, _q4 = survey
    invitation = make_invitation(campaign, customer=make_customer(customer_type=CustomerType.VIP))
    client = client_as(people.amy)
    result = client.post(_url(invitation), {f"q-{q1.pk}": _pick(q1, "满意"), "action": "submit"})
    assert result.status_code == 400
    assert "请回答第 Q3 题。" in result.content.decode()
    assert not Response.objects.exists()
    result = client.post(
        _url(invitation),
        {f"q-{q1.pk}": _pick(q1, "满意"), f"q-{q3.pk}": _pick(q3, "很满意"), "action": "submit"},
    )
    assert result.status_code == 302
    response = Response.objects.get()
    assert response.status == ResponseStatus.COMPLETED
    assert Answer.objects.get(question=q3).option.label == "很满意"


def test_a_normal_customers_hidden_answers_are_discarded_on_phone_entry(client_as, people, survey):
    campaign, q1, q2, q3, q4 = survey
    invitation = make_invitation(
        campaign, customer=make_customer(customer_type=CustomerType.NORMAL), channel=Channel.EMAIL
    )
    result = client_as(people.amy).post(
        _url(invitation, "phone"),
        {
            f"q-{q1.pk}": _pick(q1, "满意"),
            f"q-{q2.pk}": "伪造的原因",  # hidden: Q1 is 满意
            f"q-{q3.pk}": _pick(q3, "很满意"),  # hidden: not a VIP
            f"q-{q4.pk}": _pick(q4, "是"),  # hidden: the invitation went by e-mail
            "action": "submit",
        },
    )
    assert result.status_code == 302
    assert Response.objects.get().status == ResponseStatus.COMPLETED
    assert set(Answer.objects.values_list("question__code", flat=True)) == {"Q1"}


def test_the_why_question_is_required_when_shown_on_entry(client_as, people, survey):
    campaign, q1, q2, _q3, _q4 = survey
    invitation = make_invitation(campaign, customer=make_customer(customer_type=CustomerType.NORMAL))
    client = client_as(people.amy)
    result = client.post(_url(invitation), {f"q-{q1.pk}": _pick(q1, "很不满意"), "action": "submit"})
    assert result.status_code == 400 and "请回答第 Q2 题。" in result.content.decode()
    result = client.post(
        _url(invitation), {f"q-{q1.pk}": _pick(q1, "很不满意"), f"q-{q2.pk}": "安装延误", "action": "submit"}
    )
    assert result.status_code == 302
    assert Answer.objects.get(question=q2).text == "安装延误"


def test_a_question_hidden_by_the_customers_type_is_stored_as_not_asked(client_as, people, survey):
    """Seed 000's validity rule counts a missing answer, not a question never asked: Q3 (VIP
    only) is null in a normal customer's points, beside Q1's points."""
    campaign, q1, _q2, _q3, _q4 = survey
    invitation = make_invitation(campaign, customer=make_customer(customer_type=CustomerType.NORMAL))
    client_as(people.amy).post(_url(invitation), {f"q-{q1.pk}": _pick(q1, "满意"), "action": "submit"})
    response = Response.objects.get()
    assert response.points["Q1"] == 8
    assert "Q3" in response.points and response.points["Q3"] is None
