"""Target lists by purchases: bought a product (or one of a category), purchased or delivered in
a period; tested through to the sample and the invitations (REQUIREMENTS §3)."""

from datetime import date

import pytest

from manyi.campaigns import workflow
from manyi.campaigns.choices import Channel, SamplingMethod
from manyi.campaigns.models import Campaign
from manyi.campaigns.targeting import TargetingError, draw_sample, target_customers
from manyi.testing import (
    make_campaign,
    make_customer,
    make_product,
    make_purchase,
    make_question,
    make_questionnaire,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def buyers():
    """Five customers: what each bought, when, and when it was delivered."""
    pump = make_product(code="PUMP", name="水泵", category="泵")
    valve = make_product(code="VALVE", name="阀门", category="阀")
    small_pump = make_product(code="PUMP-S", name="小水泵", category="泵")
    people = {name: make_customer(name=name) for name in ("甲", "乙", "丙", "丁", "戊")}
    make_purchase(people["甲"], pump, purchased_on=date(2026, 3, 10), delivered_on=date(2026, 3, 20))
    make_purchase(people["乙"], valve, purchased_on=date(2026, 3, 12), delivered_on=date(2026, 4, 2))
    make_purchase(people["丙"], small_pump, purchased_on=date(2026, 5, 1))  # not delivered yet
    # 丁 bought the pump long ago and a valve in the period: no one purchase is a pump in March.
    make_purchase(people["丁"], pump, purchased_on=date(2025, 1, 5), delivered_on=date(2025, 1, 9))
    make_purchase(people["丁"], valve, purchased_on=date(2026, 3, 15), delivered_on=date(2026, 3, 31))
    # 戊 bought nothing.
    return people


def names(customers):
    return sorted(c.name for c in customers)


def test_buyers_of_a_product_are_the_target_list(buyers):
    assert names(target_customers({"product": "PUMP"})) == ["丁", "甲"]
    assert names(target_customers({"product_category": "泵"})) == ["丁", "丙", "甲"]


def test_purchased_and_delivered_between_dates_count_the_ends_of_the_period(buyers):
    march = {"purchased_from": "2026-03-10", "purchased_to": "2026-03-15"}
    assert names(target_customers(march)) == ["丁", "乙", "甲"]
    assert names(target_customers({"delivered_from": "2026-03-20", "delivered_to": "2026-03-31"})) == [
        "丁",
        "甲",
    ]
    # A purchase not yet delivered is in no delivery period.
    assert names(target_customers({"delivered_from": "2026-01-01"})) == ["丁", "乙", "甲"]


def test_one_purchase_must_meet_every_purchase_rule(buyers):
    """The seeds survey the buyers of a product in a period: 丁 bought a pump, and something in
    March, but no pump in March."""
    rules = {"product": "PUMP", "purchased_from": "2026-03-01", "purchased_to": "2026-03-31"}
    assert names(target_customers(rules)) == ["甲"]
    assert names(target_customers({**rules, "customer_type": "key"})) == []


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"purchased_from": "2026-13-01"}, "is not a date"),
        ({"delivered_from": "2026-04-01", "delivered_to": "2026-03-01"}, "ends before it starts"),
        ({"product": "NOSUCH"}, "no product with the code NOSUCH"),
        ({"product_category": "电机"}, "No product is in the category"),
    ],
)
def test_a_bad_purchase_rule_is_refused_with_a_message(buyers, rules, message):
    with pytest.raises(TargetingError, match=message):
        target_customers(rules)


def test_customers_outside_the_purchase_rules_are_never_sampled_nor_invited(buyers, people):
    questionnaire = make_questionnaire()
    make_question(questionnaire, code="Q1")
    campaign = make_campaign(
        questionnaire,
        channels=[Channel.PAPER],
        target_filters={"product_category": "泵", "purchased_from": "2026-01-01"},
        sampling_method=SamplingMethod.SIMPLE,
        sample_size=2,
    )
    inside = {buyers["甲"].pk, buyers["丙"].pk}
    assert set(draw_sample(campaign)) == inside
    campaign = workflow.start(campaign, by=people.sam)
    assert set(campaign.invitations.values_list("customer_id", flat=True)) == inside


def form_data(questionnaire, **targets):
    return {
        "name": "水泵用户调查",
        "questionnaire": questionnaire.pk,
        "channels": [Channel.PAPER],
        "sampling_method": SamplingMethod.ALL,
        "sampling_seed": 1,
        "volume_share": 0.8,
        "target_response_rate": 70,
        "reminder_days_text": "3",
        **{f"target_{name}": value for name, value in targets.items()},
    }


def test_the_campaign_form_stores_the_purchase_rules_that_make_the_sample(client_as, people, buyers):
    questionnaire = make_questionnaire()
    make_question(questionnaire, code="Q1")
    client = client_as(people.sam)
    response = client.post(
        "/campaigns/new/",
        form_data(questionnaire, product="PUMP", delivered_from="2026-03-01", delivered_to="2026-03-31"),
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.target_filters == {
        "product": "PUMP",
        "delivered_from": "2026-03-01",
        "delivered_to": "2026-03-31",
    }
    assert draw_sample(campaign) == [buyers["甲"].pk]
    page = client.get(f"/campaigns/{campaign.pk}/edit/").content.decode()
    assert 'value="2026-03-31"' in page and '<option value="PUMP" selected>' in page


@pytest.mark.parametrize(
    ("targets", "field"),
    [
        ({"purchased_from": "2026-04-01", "purchased_to": "2026-03-01"}, "target_purchased_to"),
        ({"delivered_from": "not a date"}, "target_delivered_from"),
        ({"product": "NOSUCH"}, "target_product"),
        ({"product_category": "电机"}, "target_product_category"),
    ],
)
def test_a_bad_purchase_rule_in_the_form_saves_nothing(client_as, people, buyers, targets, field):
    questionnaire = make_questionnaire()
    response = client_as(people.sam).post("/campaigns/new/", form_data(questionnaire, **targets))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not Campaign.objects.exists()
