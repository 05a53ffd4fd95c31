"""Rows of 《客户回访计划表》 changed or removed before the visit is worked; visits cancelled."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from manyi.customers.models import Customer
from manyi.testing import make_customer
from manyi.visits import planner, report, workflow
from manyi.visits.choices import Method, Outcome, TaskStatus
from manyi.visits.models import VisitAttempt, VisitPlan, VisitTask
from manyi.visits.workflow import VisitError

from .factories import make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(team):
    customer = make_customer(code="C-PLAN-1", name="计划客户")
    make_customer(code="C-PLAN-2", name="另一个客户")
    day = timezone.localdate() + timedelta(days=3)
    plan = VisitPlan.objects.create(
        customer=customer,
        method=Method.ON_SITE_KEY,
        purpose="了解需求",
        topic="新产品介绍",
        planned_on=day,
        agent=team.bob,
        created_by=team.sam,
    )
    task = planner.plan_by_hand(plan)
    return plan, task, day


def edit_post(day, **overrides):
    data = {
        "customer_code": "C-PLAN-2",
        "method": Method.PHONE_ROUTINE,
        "purpose": "例行回访",
        "topic": "",
        "planned_on": (day + timedelta(days=2)).isoformat(),
        "priority": "3",
    }
    data.update(overrides)
    return data


def snapshot(plan, task):
    plan.refresh_from_db()
    task.refresh_from_db()
    return (plan.customer_id, plan.purpose, plan.planned_on, plan.agent_id, task.customer_id, task.due_on)


def test_a_supervisor_edits_an_untouched_row_and_its_visit_follows(planned, team, client_as):
    plan, task, day = planned
    client = client_as(team.sam)
    assert client.get(reverse("visits:plan_edit", args=[plan.pk])).status_code == 200
    response = client.post(
        reverse("visits:plan_edit", args=[plan.pk]), edit_post(day, agent=str(team.amy.pk))
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    task.refresh_from_db()
    other = Customer.objects.get(code="C-PLAN-2")
    assert (plan.customer, plan.agent, plan.planned_on) == (other, team.amy, day + timedelta(days=2))
    assert (task.customer, task.agent, task.department, task.purpose, task.method) == (
        other,
        team.amy,
        team.amy.department,
        "例行回访",
        Method.PHONE_ROUTINE,
    )
    assert task.planned_on == task.due_on == day + timedelta(days=2)
    assert VisitTask.objects.count() == 1


def test_bad_input_and_other_people_change_nothing(planned, team, client_as):
    plan, task, day = planned
    before = snapshot(plan, task)
    url = reverse("visits:plan_edit", args=[plan.pk])
    sam = client_as(team.sam)
    for bad in (
        edit_post(day, agent=str(team.amy.pk), customer_code="NOPE"),
        edit_post(day, agent=str(team.otto.pk)),  # another team's agent
        edit_post(day, agent=str(team.amy.pk), planned_on="2020-01-01"),
        edit_post(day, agent=str(team.amy.pk), purpose=""),
    ):
        assert sam.post(url, bad).status_code == 400
    assert snapshot(plan, task) == before
    # An agent may not edit or delete; another team's supervisor does not even see the row.
    amy = client_as(team.amy)
    assert amy.get(url).status_code == 403
    assert amy.post(url, edit_post(day, agent=str(team.amy.pk))).status_code == 403
    assert amy.post(reverse("visits:plan_delete", args=[plan.pk])).status_code == 403
    olga = client_as(team.olga)
    assert olga.post(url, edit_post(day, agent=str(team.otto.pk))).status_code == 404
    assert olga.post(reverse("visits:plan_delete", args=[plan.pk])).status_code == 404
    assert snapshot(plan, task) == before
    # Deleting is a POST.
    assert sam.get(reverse("visits:plan_delete", args=[plan.pk])).status_code == 405
    assert VisitPlan.objects.filter(pk=plan.pk).exists()


def test_a_row_is_removed_with_its_untouched_visit(planned, team, client_as):
    plan, task, _day = planned
    response = client_as(team.sam).post(reverse("visits:plan_delete", args=[plan.pk]))
    assert response.status_code == 302
    assert not VisitPlan.objects.filter(pk=plan.pk).exists()
    assert not VisitTask.objects.filter(pk=task.pk).exists()


def test_a_worked_visit_keeps_its_row(planned, team, client_as):
    plan, task, day = planned
    workflow.record_no_answer(task, by=team.bob)
    before = snapshot(plan, task)
    client = client_as(team.sam)
    page = client.get(reverse("visits:plans") + f"?month={day:%Y-%m}").content.decode()
    assert f'id="edit-plan-{plan.pk}"' not in page and f'id="delete-plan-{plan.pk}"' not in page
    response = client.post(reverse("visits:plan_delete", args=[plan.pk]), follow=True)
    task.refresh_from_db()
    with translation.override(settings.LANGUAGE_CODE):
        said = escape(workflow.plan_locked_reason(task))
    assert said and said in response.content.decode()  # why the row stays, said clearly
    response = client.post(
        reverse("visits:plan_edit", args=[plan.pk]), edit_post(day, agent=str(team.amy.pk))
    )
    assert response.status_code == 302
    assert snapshot(plan, task) == before and VisitPlan.objects.filter(pk=plan.pk).exists()
    with pytest.raises(VisitError):
        workflow.delete_plan(plan, by=team.sam)
    assert VisitTask.objects.filter(pk=task.pk).exists()


def test_an_untouched_row_shows_its_buttons(planned, team, client_as):
    plan, _task, day = planned
    page = client_as(team.sam).get(reverse("visits:plans") + f"?month={day:%Y-%m}").content.decode()
    assert f'id="edit-plan-{plan.pk}"' in page and f'id="delete-plan-{plan.pk}"' in page
    printed = (
        client_as(team.sam).get(reverse("visits:plans") + f"?month={day:%Y-%m}&print=1").content.decode()
    )
    assert "edit-plan-" not in printed


def test_a_supervisor_cancels_with_a_reason_and_it_leaves_the_worklist(team, client_as):
    today = timezone.localdate()
    task = make_task(make_customer(name="取消的客户"), agent=team.amy, due_on=today)
    assert "取消的客户" in client_as(team.amy).get(reverse("visits:list")).content.decode()
    url = reverse("visits:cancel", args=[task.pk])
    # The agent cannot cancel; an empty reason or another team's supervisor changes nothing.
    assert client_as(team.amy).post(url, {"cx-reason": "不需要"}).status_code == 403
    client_as(team.sam).post(url, {"cx-reason": "  "})
    assert client_as(team.olga).post(url, {"cx-reason": "不需要"}).status_code == 404
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING and not VisitAttempt.objects.exists()
    with pytest.raises(VisitError):
        workflow.cancel(task, by=team.amy, reason="不需要")

    assert client_as(team.sam).post(url, {"cx-reason": "客户已搬迁"}).status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED and task.closed_at is not None
    attempt = VisitAttempt.objects.get(task=task)
    assert (attempt.outcome, attempt.by, attempt.note) == (Outcome.CANCELLED, team.sam, "客户已搬迁")
    assert task.attempts == 0  # a cancellation is not a call
    for user in (team.amy, team.sam):
        assert "取消的客户" not in client_as(user).get(reverse("visits:list")).content.decode()
    page = client_as(team.sam).get(reverse("visits:task", args=[task.pk])).content.decode()
    assert "客户已搬迁" in page and 'id="cancel-form"' not in page
    # Once cancelled it cannot be cancelled again nor worked.
    with pytest.raises(VisitError):
        workflow.cancel(task, by=team.sam, reason="again")
    with pytest.raises(VisitError):
        workflow.record_refused(task, by=team.amy, reason="不要")
    # The monthly report counts it as cancelled, not as planned.
    data = report.build(team.sam, today.replace(day=1))
    assert (data.total.planned, data.total.cancelled) == (0, 1)
