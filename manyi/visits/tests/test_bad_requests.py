"""Requests the pages must refuse cleanly: months out of range, a switch without its value,
and plan rows of people outside the supervisor's team."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from manyi.accounts.choices import Role
from manyi.testing import make_customer, make_user
from manyi.visits.choices import Method
from manyi.visits.models import VisitPlan, VisitPreference
from manyi.visits.planner import plan_by_hand

from .factories import make_task

pytestmark = pytest.mark.django_db


def chinese(text):
    with translation.override("zh-hans"):
        return translation.gettext(text)


def test_the_last_month_of_the_calendar_gets_400_not_a_server_error(team, client_as):
    month = "9999-12"  # its end (the first of the next month) is no date
    client = client_as(team.alice)
    for name in ("visits:plans", "visits:report"):
        response = client.get(reverse(name) + f"?month={month}")
        assert response.status_code == 400, name
        assert chinese("Give the month as YYYY-MM.") in response.content.decode()
    # The files fall back to this month (export) or to the report page (PDF), as for "2026-1x".
    assert client.get(reverse("visits:plan_export") + f"?month={month}").status_code == 200
    assert client.get(reverse("visits:report_export") + f"?month={month}").status_code == 200
    assert client.get(reverse("visits:report_pdf") + f"?month={month}").url == reverse("visits:report")


def test_the_switch_on_the_call_screen_without_a_clear_choice_changes_nothing(team, client_as):
    task = make_task(agent=team.amy)
    VisitPreference.objects.create(customer=task.customer, visits_after_warranty=True)
    client = client_as(team.amy)
    url = reverse("visits:after_warranty", args=[task.pk])
    for data in ({}, {"wanted": "yes"}, {"wanted": ""}):
        response = client.post(url, data, follow=True)
        assert chinese("This choice cannot be saved.") in response.content.decode()
        assert VisitPreference.objects.get(customer=task.customer).visits_after_warranty
    client.post(url, {"wanted": "0"})
    assert not VisitPreference.objects.get(customer=task.customer).visits_after_warranty


def test_the_switch_on_the_call_screen_keeps_an_erased_customer_unchanged(team, client_as):
    task = make_task(agent=team.amy)
    task.customer.erase_personal_data()
    response = client_as(team.amy).post(
        reverse("visits:after_warranty", args=[task.pk]), {"wanted": "1"}, follow=True
    )
    assert chinese("This choice cannot be saved.") in response.content.decode()
    assert not VisitPreference.objects.exists()


def test_a_supervisor_without_a_team_sees_no_plan_rows(team, client_as):
    lone = make_user("lone", Role.SUPERVISOR, department=None)
    agent_without_team = make_user("nomad", Role.AGENT, department=None)
    day = date(2026, 12, 3)
    plan_by_hand(
        VisitPlan.objects.create(
            customer=make_customer(name="无部门客户"),
            method=Method.PHONE_FIRST,
            purpose="例行回访",
            planned_on=day,
            agent=agent_without_team,
        )
    )
    client = client_as(lone)
    page = client.get(reverse("visits:plans") + f"?month={day:%Y-%m}").content.decode()
    assert "无部门客户" not in page
    export = client.get(reverse("visits:plan_export") + f"?month={day:%Y-%m}")
    rows = list(load_workbook(BytesIO(b"".join(export.streaming_content))).active.iter_rows(values_only=True))
    assert len(rows) == 1  # the headers only
    # The administrator sees the row (the test can tell a shown row from a hidden one).
    page = client_as(team.alice).get(reverse("visits:plans") + f"?month={day:%Y-%m}").content.decode()
    assert "无部门客户" in page


def test_a_visit_time_in_year_1_gets_a_message_and_the_visit_stays_open(team, client_as):
    from manyi.visits.choices import TaskStatus
    from manyi.visits.models import VisitRecord

    from .test_views import record_post

    task = make_task(agent=team.amy)
    response = client_as(team.amy).post(
        reverse("visits:complete", args=[task.pk]), record_post(**{"rec-visited_at": "0001-01-01T00:00"})
    )
    assert response.status_code == 400
    assert chinese("The visit cannot have taken place before 2000.") in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING and not VisitRecord.objects.exists()
