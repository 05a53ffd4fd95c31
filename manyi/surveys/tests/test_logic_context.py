"""The customer's and invitation's fields a condition may read (issue 21): customer.type,
customer.region, customer.tags, invitation.channel, … — the whitelist of surveys/logic/context.py,
the same for the server at submit, the validity rule, the page's script and the logic check."""

import pytest
from django.utils import translation

from manyi.campaigns.answering import AnswerForm, build_answers
from manyi.campaigns.choices import Channel
from manyi.campaigns.models import Response
from manyi.customers.choices import CustomerKind, CustomerType, Lifecycle
from manyi.customers.models import Tag
from manyi.surveys.choices import QuestionKind
from manyi.surveys.logic.check import check_condition
from manyi.surveys.logic.context import (
    FIELDS,
    condition_context,
    referenced_fields,
    response_context,
)
from manyi.surveys.logic.parser import parse
from manyi.surveys.logic.report import logic_findings
from manyi.surveys.logic.visibility import (
    hidden_items,
    outline,
    page_logic,
    respondent_context,
    visible_for_answers,
)
from manyi.testing import make_campaign, make_customer, make_invitation, make_question, make_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_the_whitelisted_values_are_the_customers_and_invitations_choices():
    assert FIELDS["customer.type"].values == tuple(CustomerType.values)
    assert FIELDS["customer.kind"].values == tuple(CustomerKind.values)
    assert FIELDS["customer.lifecycle"].values == tuple(Lifecycle.values)
    assert FIELDS["invitation.channel"].values == tuple(Channel.values)


def test_no_personal_data_is_readable():
    readable = " ".join(FIELDS)
    for personal in ("name", "phone", "email", "address", "contact", "code", "token", "notes"):
        assert f".{personal}" not in readable


def test_the_context_of_an_invitation_reads_its_customer():
    customer = make_customer(
        name="王先生", phone="13800001111", customer_type=CustomerType.VIP, region="华东", city="杭州"
    )
    customer.tags.add(Tag.objects.create(name="老客户"), Tag.objects.create(name="A级"))
    invitation = make_invitation(make_campaign(make_questionnaire()), customer=customer, channel=Channel.SMS)
    values = condition_context(invitation)
    assert values == {
        "customer.type": "vip",
        "customer.kind": "company",
        "customer.lifecycle": "new",
        "customer.region": "华东",
        "customer.province": "",
        "customer.city": "杭州",
        "customer.industry": "",
        "customer.tags": ["A级", "老客户"],
        "customer.purchases": 0,
        "invitation.channel": "sms",
    }
    assert "王先生" not in str(values) and "13800001111" not in str(values)
    assert condition_context(invitation, fields=["customer.type", "customer.name"]) == {
        "customer.type": "vip"
    }


def test_without_a_customer_every_field_reads_null_and_the_channel_is_the_one_given():
    values = condition_context(channel="anonymous")
    assert values["invitation.channel"] == "anonymous"
    assert {key: value for key, value in values.items() if key != "invitation.channel"} == dict.fromkeys(
        [key for key in FIELDS if key != "invitation.channel"]
    )


def test_a_response_without_an_invitation_reads_its_customer_and_channel():
    customer = make_customer(customer_type=CustomerType.KEY_ACCOUNT)
    campaign = make_campaign(make_questionnaire())
    response = Response(
        campaign=campaign, questionnaire=campaign.questionnaire, customer=customer, channel="visit"
    )
    assert response_context(response, ["customer.type", "invitation.channel"]) == {
        "customer.type": "key",
        "invitation.channel": "visit",
    }


def test_the_fields_a_questionnaires_conditions_name_are_found_in_table_order():
    trees = [parse('invitation.channel == "sms" and customer.type == "vip"'), parse('Q1 == "A1"'), None]
    assert referenced_fields(trees) == ("customer.type", "invitation.channel")


# --------------------------------------------------------------------------- the check


@pytest.mark.parametrize(
    "text",
    [
        'customer.type == "vip"',
        'customer.kind == "person" and customer.lifecycle != "lost"',
        '"老客户" in customer.tags or customer.purchases >= 3',
        'customer.region == "华东" and customer.city == "杭州"',
        'invitation.channel in ["phone", "paper"]',
    ],
)
def test_the_check_accepts_the_whitelisted_fields(text):
    assert check_condition(text, [], "Q1")[1] == []


def test_the_logic_check_warns_about_an_unknown_field_and_an_impossible_value():
    questionnaire = make_questionnaire()
    make_question(questionnaire, code="Q1")
    make_question(questionnaire, code="Q2", condition='customer.phone == "138"')
    make_question(questionnaire, code="Q3", condition='customer.type == "VIP"')
    findings = logic_findings(outline(questionnaire.questions_in_order()))
    messages = {(f.code, f.message) for f in findings}
    assert (
        "Q2",
        "customer.phone: use one of customer.type, customer.kind, customer.lifecycle, customer.region, "
        "customer.province, customer.city, customer.industry, customer.tags, customer.purchases.",
    ) in messages
    assert (
        "Q3",
        "customer.type is never “VIP”: write its code “vip” (saving the condition again does it).",
    ) in messages


# --------------------------------------------------------------------------- applied


@pytest.fixture
def vip_branch():
    """Q1 rated for everyone; Q2 (required) asked only of VIP customers; Q3 only on the phone."""
    questionnaire = make_questionnaire(title="大客户满意度")
    q1 = make_question(questionnaire, code="Q1", text="总体满意度")
    q2 = make_question(
        questionnaire, code="Q2", text="专属客户经理的服务", condition='customer.type == "vip"'
    )
    q3 = make_question(
        questionnaire,
        code="Q3",
        text="电话访问员是否礼貌？",
        kind=QuestionKind.TEXT,
        options=(),
        required=False,
        condition='invitation.channel == "phone"',
    )
    questionnaire.save()
    return make_campaign(questionnaire), q1, q2, q3


def _data(q1, q2=None):
    data = {f"q-{q1.pk}": str(q1.options.get(label="满意").pk)}
    if q2 is not None:
        data[f"q-{q2.pk}"] = str(q2.options.get(label="很满意").pk)
    return data


def test_a_vip_is_asked_the_vip_question_and_must_answer_it(vip_branch):
    campaign, q1, _q2, _q3 = vip_branch
    invitation = make_invitation(campaign, customer=make_customer(customer_type=CustomerType.VIP))
    form = AnswerForm(campaign.questionnaire, data=_data(q1))
    form.condition_context = respondent_context(campaign.questionnaire, invitation)
    assert not form.is_valid()
    assert "Please answer question Q2." in str(form.errors)


def test_a_normal_customers_forged_vip_answer_is_discarded(vip_branch):
    campaign, q1, q2, _q3 = vip_branch
    invitation = make_invitation(campaign, customer=make_customer(customer_type=CustomerType.NORMAL))
    form = AnswerForm(campaign.questionnaire, data=_data(q1, q2))
    form.condition_context = respondent_context(campaign.questionnaire, invitation)
    assert form.is_valid(), form.errors
    assert f"q-{q2.pk}" not in form.cleaned_data


def test_the_validity_rule_reads_the_customer_of_the_response(vip_branch):
    campaign, q1, _q2, _q3 = vip_branch
    normal = make_invitation(campaign, customer=make_customer(customer_type=CustomerType.NORMAL))
    response = Response(
        campaign=campaign,
        questionnaire=campaign.questionnaire,
        invitation=normal,
        customer=normal.customer,
        channel=Channel.EMAIL,
    )
    answers = build_answers(campaign.questionnaire, {f"q-{q1.pk}": str(q1.options.get(label="满意").pk)})
    layout = campaign.questionnaire.layout()
    assert hidden_items(layout, answers, response=response) == {"Q2", "Q3"} & layout.scored_keys
    vip = make_invitation(campaign, customer=make_customer(customer_type=CustomerType.VIP))
    response.invitation, response.customer = vip, vip.customer
    assert hidden_items(layout, answers, response=response) == {"Q3"} & layout.scored_keys


def test_saved_answers_find_their_response_for_the_context(vip_branch):
    campaign, q1, q2, q3 = vip_branch
    invitation = make_invitation(
        campaign, customer=make_customer(customer_type=CustomerType.VIP), channel=Channel.PHONE
    )
    from manyi.campaigns.answering import save_response

    response, _created = save_response(
        campaign=campaign,
        questionnaire=campaign.questionnaire,
        cleaned_data=_data(q1, q2),
        channel=Channel.PHONE,
        invitation=invitation,
    )
    answers = list(response.answers.all())
    shown = visible_for_answers(campaign.questionnaire.layout(), answers)
    assert shown.questions == {q1.pk, q2.pk, q3.pk}


def test_the_page_gets_only_the_fields_its_conditions_name(vip_branch):
    campaign, *_questions = vip_branch
    customer = make_customer(
        name="李女士", phone="13900002222", customer_type=CustomerType.VIP, region="华南"
    )
    invitation = make_invitation(campaign, customer=customer, channel=Channel.PHONE)
    logic = page_logic(campaign.questionnaire, context=respondent_context(campaign.questionnaire, invitation))
    assert logic["context"] == {"customer.type": "vip", "invitation.channel": "phone"}
    assert "李女士" not in str(logic) and "华南" not in str(logic)


def test_a_questionnaire_without_field_conditions_reads_nothing_of_the_customer(django_assert_num_queries):
    questionnaire = make_questionnaire()
    make_question(questionnaire, code="Q1")
    make_question(questionnaire, code="Q2", condition='Q1 == "A4"')
    questionnaire.save()
    invitation = make_invitation(make_campaign(questionnaire))
    questionnaire.layout()
    with django_assert_num_queries(0):
        assert respondent_context(questionnaire, invitation) == {}


def test_a_pages_condition_hides_every_question_on_it():
    from manyi.surveys.models import Page

    questionnaire = make_questionnaire()
    q1 = make_question(questionnaire, code="Q1")
    page = Page.objects.create(
        questionnaire=questionnaire, position=1, title="VIP", condition='customer.type == "vip"'
    )
    q2 = make_question(questionnaire, code="Q2", page=page)
    q3 = make_question(questionnaire, code="Q3", page=page, condition='Q2 == "A1"')
    questionnaire.save()
    layout = questionnaire.layout()
    normal = visible_for_answers(layout, [], {"customer.type": "normal"})
    assert normal.questions == {q1.pk}
    vip = visible_for_answers(layout, [], {"customer.type": "vip"})
    assert vip.questions == {q1.pk, q2.pk}  # Q3 also needs Q2 == "A1"
    assert page_logic(questionnaire)["context"] == {"customer.type": None}
    assert q3.pk not in vip.questions


def test_the_logic_check_looks_at_the_pages_conditions():
    from manyi.surveys.logic.builder import logic_check
    from manyi.surveys.models import Page

    questionnaire = make_questionnaire()
    first = Page.objects.create(questionnaire=questionnaire, position=0, title="总体")
    second = Page.objects.create(
        questionnaire=questionnaire, position=1, title="原因", condition='Q3 == "A1"'
    )
    third = Page.objects.create(
        questionnaire=questionnaire, position=2, title="VIP", condition='customer.type == "VIP"'
    )
    fine = Page.objects.create(questionnaire=questionnaire, position=3, title="好", condition='Q1 == "A4"')
    make_question(questionnaire, code="Q1", page=first)
    make_question(questionnaire, code="Q2", page=first)
    make_question(questionnaire, code="Q3", page=second)
    make_question(questionnaire, code="Q4", page=third)
    make_question(questionnaire, code="Q5", page=fine)
    check = logic_check(questionnaire)
    assert check["conditions"] == 3
    assert [(f.code, f.message) for f in check["findings"]] == [
        ("Page “原因”", "Q3 is on this page or a later one: its answer is not known when the page is shown."),
        (
            "Page “VIP”",
            "customer.type is never “VIP”: write its code “vip” (saving the condition again does it).",
        ),
    ]
