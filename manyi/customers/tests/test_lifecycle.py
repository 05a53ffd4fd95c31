from datetime import date, timedelta

import pytest

from manyi.customers.lifecycle import lifecycle_stage

TODAY = date(2026, 11, 23)
THRESHOLDS = {"new_days": 90, "dormant_after_days": 180, "lost_after_days": 365}


def stage(created_days_ago, first_days_ago=None, last_days_ago=None):
    def ago(days):
        return None if days is None else TODAY - timedelta(days=days)

    return lifecycle_stage(
        TODAY, ago(created_days_ago), ago(first_days_ago), ago(last_days_ago), **THRESHOLDS
    )


def test_a_first_purchase_within_90_days_is_new():
    assert stage(400, first_days_ago=90, last_days_ago=10) == "new"


def test_a_first_purchase_older_than_90_days_with_a_recent_one_is_active():
    assert stage(400, first_days_ago=91, last_days_ago=180) == "active"


def test_a_last_purchase_between_181_and_365_days_is_dormant():
    assert stage(800, first_days_ago=700, last_days_ago=181) == "dormant"
    assert stage(800, first_days_ago=700, last_days_ago=365) == "dormant"


def test_a_last_purchase_older_than_365_days_is_lost():
    assert stage(800, first_days_ago=700, last_days_ago=366) == "lost"


def test_a_customer_without_purchases_ages_by_the_record():
    assert stage(30) == "new"
    assert stage(200) == "dormant"
    assert stage(366) == "lost"


def test_thresholds_must_be_ordered():
    with pytest.raises(ValueError):
        lifecycle_stage(TODAY, TODAY, None, None, new_days=90, dormant_after_days=400, lost_after_days=365)
