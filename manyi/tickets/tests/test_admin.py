"""Administrators configure categories, calendars and SLA policies; bad settings are refused."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from manyi.tickets.choices import Clock
from manyi.tickets.models import Category, SlaPolicy, WorkingCalendar

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["category", "workingcalendar", "slapolicy"])
def test_administrators_open_the_settings_and_others_do_not(people, client_as, model):
    url = reverse(f"admin:tickets_{model}_changelist")
    assert client_as(people.alice).get(url).status_code == 200
    assert client_as(people.sam).get(url).status_code == 302  # not staff: the admin login page


def test_a_calendar_with_bad_hours_is_refused():
    for hours in ({"0": ["8-12"]}, {"7": ["08:00-12:00"]}, {"0": "08:00-12:00"}, ["08:00-12:00"]):
        with pytest.raises(ValidationError):
            WorkingCalendar(name="x", hours=hours).full_clean()
    WorkingCalendar(name="x", hours={"0": ["08:00-12:00", "13:00-17:00"]}).full_clean()


def test_a_policy_needs_positive_durations_and_a_calendar_for_working_hours():
    policy = SlaPolicy(
        name="x",
        first_response=timedelta(0),
        first_solution=timedelta(hours=1),
        resolution=timedelta(hours=2),
        clock=Clock.WORKING,
    )
    with pytest.raises(ValidationError) as error:
        policy.full_clean()
    assert {"first_response", "calendar"} <= set(error.value.message_dict)


def test_a_category_cannot_be_inside_itself():
    root = Category.objects.get(code="property")
    child = Category.objects.get(code="property_building")
    root.parent = child
    with pytest.raises(ValidationError):
        root.full_clean()
