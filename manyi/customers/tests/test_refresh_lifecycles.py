import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from manyi.customers.choices import Lifecycle
from manyi.customers.models import Customer
from manyi.testing import make_customer, make_product, make_purchase


@pytest.fixture(autouse=True)
def thresholds(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.CUSTOMER_LIFECYCLE = {"new_days": 90, "dormant_after_days": 180, "lost_after_days": 365}


def refresh(**options):
    out = StringIO()
    call_command("refresh_lifecycles", stdout=out, **options)
    return out.getvalue()


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def customer_who_bought(*ages, created_days_ago=1000, computed_on=None):
    """A customer recorded `created_days_ago` days ago with purchases `ages` days ago, whose
    lifecycle was last computed on `computed_on` (default: today)."""
    created = timezone.now() - datetime.timedelta(days=created_days_ago)
    customer = make_customer(created_at=created)
    product = make_product()
    for age in ages:
        make_purchase(customer, product, purchased_on=days_ago(age))
    customer.refresh_purchase_summary(today=computed_on)
    customer.refresh_from_db()
    return customer


def test_a_customer_whose_last_purchase_ages_past_the_threshold_turns_dormant(db):
    today = timezone.localdate()
    aging = customer_who_bought(400, 175)
    recent = customer_who_bought(400, 20)
    newcomer = customer_who_bought(created_days_ago=10)
    lost = customer_who_bought(900, 500)
    assert [c.lifecycle for c in (aging, recent, newcomer, lost)] == ["active", "active", "new", "lost"]

    with CaptureQueriesContext(connection) as queries:
        output = refresh(date=today + datetime.timedelta(days=10))

    assert Customer.objects.get(pk=aging.pk).lifecycle == Lifecycle.DORMANT
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1  # only the changed row is written
    assert Customer.objects.get(pk=recent.pk).lifecycle == Lifecycle.ACTIVE
    assert Customer.objects.get(pk=newcomer.pk).lifecycle == Lifecycle.NEW
    assert Customer.objects.get(pk=lost.pk).lifecycle == Lifecycle.LOST
    assert "1 of 4 customers changed" in output
    assert "active→dormant 1" in output


def test_it_corrects_stages_that_went_stale_since_they_were_computed(db):
    # Computed 200 days ago, when the purchase 10 days before that made the customer new.
    then = days_ago(200)
    customer = customer_who_bought(210, created_days_ago=220, computed_on=then)
    assert customer.lifecycle == Lifecycle.NEW

    output = refresh()

    customer.refresh_from_db()
    assert customer.lifecycle == Lifecycle.DORMANT
    assert customer.lifecycle == customer.compute_lifecycle()
    assert "new→dormant 1" in output


def test_a_second_run_changes_nothing(db):
    customer_who_bought(400, 175)
    later = timezone.localdate() + datetime.timedelta(days=10)

    assert "1 of 1 customers changed" in refresh(date=later)
    assert "0 of 1 customers changed" in refresh(date=later)


def test_every_chunk_is_refreshed(db):
    customers = [customer_who_bought(400, age) for age in (10, 175, 176, 177, 178, 350, 600)]
    later = timezone.localdate() + datetime.timedelta(days=30)

    output = refresh(date=later, chunk_size=2)

    for customer in customers:
        customer.refresh_from_db()
        assert customer.lifecycle == customer.compute_lifecycle(later)
    assert "of 7 customers" in output
    assert "active→dormant 4" in output
    assert "dormant→lost 1" in output
