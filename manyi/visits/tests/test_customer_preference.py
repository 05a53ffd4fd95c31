"""The "visits after the warranty" switch on the customer's page (seed 000: 工程回访)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from manyi.customers.choices import Lifecycle
from manyi.customers.models import Customer
from manyi.testing import make_customer, make_product, make_purchase
from manyi.visits.choices import RuleKind
from manyi.visits.models import VisitPreference, VisitRule, VisitTask
from manyi.visits.planner import plan_rule

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


def wants(customer):
    return VisitPreference.objects.filter(customer=customer, visits_after_warranty=True).exists()


def test_an_agent_switches_it_on_the_customer_page_and_the_planner_follows(people, client_as):
    customer = make_customer(name="过保客户")
    make_purchase(
        customer,
        make_product(),
        purchased_on=TODAY - timedelta(days=400),
        warranty_end=TODAY - timedelta(days=1),
    )
    Customer.objects.filter(pk=customer.pk).update(lifecycle=Lifecycle.ACTIVE)
    monthly = VisitRule.objects.create(name="monthly", kind=RuleKind.MONTHLY, purpose="例行回访")
    client = client_as(people.amy)
    page = client.get(customer.get_absolute_url()).content.decode()
    assert 'id="customer-after-warranty-form"' in page
    url = reverse("visits:customer_after_warranty", args=[customer.pk])
    assert client.post(url, {"wanted": "1"}).url == customer.get_absolute_url()
    assert wants(customer)
    assert plan_rule(monthly, TODAY) == 1  # the customer asked: visited after the warranty
    page = client.get(customer.get_absolute_url()).content.decode()
    assert 'name="wanted" value="0"' in page
    client_as(people.sam).post(url, {"wanted": "0"})
    assert not wants(customer) and VisitPreference.objects.count() == 1
    VisitTask.objects.all().delete()
    assert plan_rule(monthly, TODAY) == 0


def test_who_may_switch_it_and_bad_input(people, client_as):
    customer = make_customer()
    url = reverse("visits:customer_after_warranty", args=[customer.pk])
    # A handler and an analyst see the customer page but not the button, and cannot post.
    for user in (people.hank, people.ana):
        client = client_as(user)
        page = client.get(customer.get_absolute_url()).content.decode()
        assert 'id="visit-preference"' in page and 'id="customer-after-warranty-form"' not in page
        assert client.post(url, {"wanted": "1"}).status_code == 403
    assert client_as(None).post(url, {"wanted": "1"}).status_code == 302  # to the login page
    client = client_as(people.amy)
    assert client.get(url).status_code == 405
    assert client.post(url, {"wanted": "yes"}).status_code == 302
    assert client.post(url, {}).status_code == 302
    assert not VisitPreference.objects.exists()
    assert (
        client.post(reverse("visits:customer_after_warranty", args=[999999]), {"wanted": "1"}).status_code
        == 404
    )
