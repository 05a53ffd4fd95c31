"""A condition on the respondent's fields may name a value as survey designers see it (issue 21):
customer.type == "VIP", "大客户" or "Key account" is saved with the code ("vip", "key"), so it
holds for those customers on every channel; a value that is neither a code nor a label is refused
with the allowed values named, and nothing is saved."""

import pytest
from django.urls import reverse
from django.utils import translation

from manyi.campaigns.choices import Channel
from manyi.customers.choices import CustomerKind, CustomerType, Lifecycle
from manyi.surveys.logic.check import with_field_codes
from manyi.surveys.logic.context import FIELDS, condition_context, value_code
from manyi.surveys.logic.evaluate import holds
from manyi.surveys.logic.parser import parse
from manyi.surveys.tests.test_builder_views import question_post, snapshot
from manyi.testing import make_customer, make_question, make_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    questionnaire = make_questionnaire(title="客户满意度调查")
    make_question(questionnaire, "Q1", text="总体满意度")
    return questionnaire


@pytest.mark.parametrize(
    ("written", "saved"),
    [
        ('customer.type == "VIP"', 'customer.type == "vip"'),
        ('customer.type == "VIP客户"', 'customer.type == "vip"'),
        (
            'customer.type == "大客户" or customer.type == " key account "',
            'customer.type == "key" or customer.type == "key"',
        ),
        ('customer.type in ["普通客户", "Normal"]', 'customer.type in ["normal", "normal"]'),
        ('any_of(customer.lifecycle, "流失", "休眠")', 'any_of(customer.lifecycle, "lost", "dormant")'),
        ('customer.kind != "企业"', 'customer.kind != "company"'),
        ('invitation.channel == "电话访问"', 'invitation.channel == "phone"'),
        ('customer.type == "vip" && Q1 == "A1"', 'customer.type == "vip" && Q1 == "A1"'),  # codes: as written
        ('customer.region == "VIP"', 'customer.region == "VIP"'),  # free text: never rewritten
    ],
)
def test_a_question_condition_is_saved_with_the_codes(client_as, people, survey, written, saved):
    response = client_as(people.alice).post(
        reverse("surveys:question_create", args=[survey.pk]), question_post(code="Q2", condition=written)
    )
    assert response.status_code == 302
    assert survey.questions.get(code="Q2").condition == saved


def test_a_value_that_is_neither_code_nor_label_is_refused_naming_the_allowed_ones(client_as, people, survey):
    before = snapshot(survey)
    response = client_as(people.alice).post(
        reverse("surveys:question_create", args=[survey.pk]),
        question_post(code="Q2", condition='customer.type == "金牌"'),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.context["form"].errors["condition"] == [
        "customer.type is never “金牌” (its values: vip (VIP), key (Key account), normal (Normal))."
    ]
    assert snapshot(survey) == before


def test_an_option_condition_and_a_page_condition_are_saved_with_the_codes(client_as, people, survey):
    client = client_as(people.alice)
    post = question_post(code="Q2", **{"options-0-condition": 'customer.type == "VIP"'})
    assert client.post(reverse("surveys:question_create", args=[survey.pk]), post).status_code == 302
    assert survey.questions.get(code="Q2").options.get(position=0).condition == 'customer.type == "vip"'
    response = client.post(
        f"/surveys/{survey.pk}/pages/new/", {"title": "大客户", "condition": 'customer.type == "大客户"'}
    )
    assert response.status_code == 302
    assert survey.pages.get(title="大客户").condition == 'customer.type == "key"'


def test_the_saved_condition_holds_for_the_customers_it_names(client_as, people, survey):
    client_as(people.alice).post(
        reverse("surveys:question_create", args=[survey.pk]),
        question_post(code="Q2", condition='customer.type == "VIP"'),
    )
    tree = parse(survey.questions.get(code="Q2").condition)
    vip = make_customer(customer_type=CustomerType.VIP)
    normal = make_customer(customer_type=CustomerType.NORMAL)
    assert holds(tree, condition_context(customer=vip)) is True
    assert holds(tree, condition_context(customer=normal)) is False


def test_the_labels_are_the_customers_and_campaigns_own_in_both_languages():
    pairs = {
        "customer.type": CustomerType,
        "customer.kind": CustomerKind,
        "customer.lifecycle": Lifecycle,
        "invitation.channel": Channel,
    }
    for key, choices in pairs.items():
        for language in ("zh-hans", "en"):
            with translation.override(language):
                assert [str(label) for label in FIELDS[key].labels] == [
                    str(label) for label in choices.labels
                ]
                assert [value_code(key, str(label)) for label in choices.labels] == list(choices.values)


def test_a_condition_that_does_not_read_is_left_as_it_is():
    assert with_field_codes('customer.type == "VIP') == 'customer.type == "VIP'
    assert value_code("customer.region", "华东") is None
