"""The target list and the sample: who may be asked, and the same seed gives the same customers."""

from decimal import Decimal

import pytest
from django.utils import timezone

from manyi.campaigns.choices import Channel, SamplingMethod
from manyi.campaigns.models import Customer, OptOut
from manyi.campaigns.targeting import TargetingError, draw_sample, sample_preview, target_customers
from manyi.testing import make_campaign, make_customer, make_question, make_questionnaire


@pytest.fixture(autouse=True)
def english_messages():
    """These tests read the messages in English (the msgids); pages show them translated."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def questionnaire(db):
    questionnaire = make_questionnaire(title="客户满意度调查")
    make_question(questionnaire)
    return questionnaire


def campaign_for(questionnaire, **kwargs):
    kwargs.setdefault("channels", [Channel.EMAIL, Channel.WEB])
    return make_campaign(questionnaire, **kwargs)


def test_the_target_list_leaves_out_customers_without_consent_erased_or_opted_out(db):
    willing = make_customer(name="愿意")
    make_customer(name="不同意", consent_to_contact=False)
    make_customer(name="已删除", erased_at=timezone.now())
    OptOut.objects.create(customer=make_customer(name="退订"))
    assert list(target_customers({})) == [willing]


def test_the_target_list_applies_the_customer_list_filters(db):
    business = make_customer(customer_type="key", region="华东")
    make_customer(customer_type="normal", region="华东")
    make_customer(customer_type="key", region="华北")
    assert list(target_customers({"customer_type": "key", "region": "华东"})) == [business]


def test_asking_for_customers_who_do_not_consent_still_gives_nobody(db):
    make_customer(consent_to_contact=False)
    assert list(target_customers({"consent": "no"})) == []


def test_an_unknown_filter_value_is_refused_with_a_message(db):
    with pytest.raises(TargetingError, match="not valid"):
        target_customers({"kind": "martian"})


def test_the_same_seed_draws_the_same_customers_and_another_seed_others(questionnaire):
    for _ in range(60):
        make_customer()
    first = campaign_for(
        questionnaire, sampling_method=SamplingMethod.SIMPLE, sample_size=10, sampling_seed=7
    )
    again = campaign_for(
        questionnaire, sampling_method=SamplingMethod.SIMPLE, sample_size=10, sampling_seed=7
    )
    other = campaign_for(
        questionnaire, sampling_method=SamplingMethod.SIMPLE, sample_size=10, sampling_seed=8
    )
    assert len(draw_sample(first)) == 10
    assert draw_sample(first) == draw_sample(again)
    assert draw_sample(first) != draw_sample(other)


def test_a_stratified_sample_follows_the_plan_shown_in_the_preview(questionnaire):
    for _ in range(30):
        make_customer(customer_type="key")
    for _ in range(10):
        make_customer(customer_type="normal")
    campaign = campaign_for(
        questionnaire, sampling_method=SamplingMethod.STRATIFIED, sample_size=8, stratify_by="customer_type"
    )
    preview = sample_preview(campaign)
    assert preview["population"] == 40
    assert preview["sample_size"] == 8
    plan = {label: (size, allocated) for label, size, allocated in preview["plan"]}
    assert sorted(plan.values()) == [(10, 2), (30, 6)]
    types = Customer.objects.filter(pk__in=draw_sample(campaign)).values_list("customer_type", flat=True)
    assert sorted(types) == ["key"] * 6 + ["normal"] * 2


def test_top_volume_takes_the_largest_customers_up_to_the_share(questionnaire):
    big = make_customer(purchase_total=Decimal("800"))
    make_customer(purchase_total=Decimal("150"))
    make_customer(purchase_total=Decimal("50"))
    campaign = campaign_for(questionnaire, sampling_method=SamplingMethod.TOP_VOLUME, volume_share=0.8)
    assert draw_sample(campaign) == [big.pk]
    assert sample_preview(campaign)["volume"] == (1, 800.0, 1000.0)


def test_a_sample_larger_than_the_target_list_is_refused_with_a_message(questionnaire):
    make_customer()
    campaign = campaign_for(questionnaire, sampling_method=SamplingMethod.SIMPLE, sample_size=5)
    with pytest.raises(TargetingError, match="larger than the target list"):
        draw_sample(campaign)
    assert "larger than the target list" in sample_preview(campaign)["error"]


@pytest.mark.django_db
def test_every_sampling_design_draws_from_a_large_archive(questionnaire):
    """Each design on 20,000 customers: sorted ids, the size asked for. How fast (100,000
    customers in 2 s at most) is measured by `make bench-surveys` (surveys.sample_s)."""
    now = timezone.now()
    Customer.objects.bulk_create(
        [
            Customer(
                code=f"B{n:06d}",
                name=f"客户{n}",
                customer_type=("key", "normal")[n % 2],
                purchase_total=Decimal(n % 997),
                created_at=now,
            )
            for n in range(20_000)
        ],
        batch_size=5000,
    )
    designs = {
        "all": {},
        "simple": {"sample_size": 2000},
        "systematic": {"sample_size": 2000},
        "stratified": {"sample_size": 2000, "stratify_by": "customer_type"},
        "top_volume": {"volume_share": 0.8},
    }
    for method, settings in designs.items():
        campaign = campaign_for(questionnaire, sampling_method=method, **settings)
        ids = draw_sample(campaign)
        assert ids == sorted(ids)
        assert len(set(ids)) == len(ids)
        assert len(ids) == {"all": 20_000, "top_volume": len(ids)}.get(method, 2000)
