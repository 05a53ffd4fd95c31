"""The plan table 《客户回访计划表》 shows what is planned (issue 16, why 6): every visit of the
month in the team, whatever made it (a rule, a row of the table, anything else), and what the
rules will still plan in the month beyond the planner's window."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from manyi.accounts.models import User
from manyi.customers.choices import Lifecycle
from manyi.customers.models import Customer
from manyi.testing import make_customer, make_purchase
from manyi.visits.choices import Method, RuleKind, TaskStatus
from manyi.visits.manage_views import PLAN_PAGE
from manyi.visits.models import VisitPlan, VisitRule, VisitTask
from manyi.visits.planner import LEAD_DAYS, MERGE_DAYS, add_months, forecast, plan_by_hand
from tests.test_demo_story import demo  # noqa: F401 -- one load of the demo, as the story test loads it

from .factories import make_task

pytestmark = pytest.mark.django_db


def plans_url(day):
    return reverse("visits:plans") + f"?month={day:%Y-%m}"


@pytest.fixture
def month_of_visits(team):
    """Today's visits of the service team made by a rule, by a row of the table and otherwise,
    and two the team's plan does not hold: the no-team pool's and the after-sales team's."""
    today = timezone.localdate()
    rule = VisitRule.objects.create(
        name="交付后一个月回访", kind=RuleKind.AFTER_DELIVERY, days=30, purpose="交付满一个月"
    )
    ruled = make_task(make_customer(name="规则客户"), agent=team.amy, rule=rule, purpose="交付满一个月")
    hand = plan_by_hand(
        VisitPlan.objects.create(
            customer=make_customer(name="计划表客户"),
            method=Method.ON_SITE_KEY,
            purpose="了解需求",
            topic="新产品介绍",
            planned_on=today,
            agent=team.bob,
        )
    )
    other = make_task(make_customer(name="其他客户"), agent=team.bob, status=TaskStatus.DONE)
    pool = make_task(make_customer(name="无人负责的客户"))
    elsewhere = make_task(make_customer(name="售后部客户"), agent=team.otto)
    return rule, ruled, hand, other, pool, elsewhere


def test_the_table_lists_the_teams_visits_whatever_made_them(team, client_as, month_of_visits):
    rule, ruled, hand, other, _pool, _elsewhere = month_of_visits
    page = client_as(team.sam).get(plans_url(timezone.localdate()))
    assert page.status_code == 200
    assert page.context["rows"] == [ruled, hand, other]
    html = page.content.decode()
    assert "无人负责的客户" not in html and "售后部客户" not in html
    shown = {task.pk: task for task in page.context["rows"]}
    # The row written in the table shows its purpose and topic apart, and its buttons.
    assert shown[hand.pk].shown_purpose == "了解需求" and shown[hand.pk].may_edit_plan
    assert f'id="edit-plan-{hand.plan_id}"' in html
    assert not shown[ruled.pk].may_edit_plan and not shown[other.pk].may_edit_plan
    # Where each came from, and the month's counts.
    assert dict(page.context["sources"]) == {rule.name: 1, "计划表": 1, "其他": 1}
    assert dict(page.context["statuses"]) == {"待回访": 2, "已完成": 1}
    assert page.context["total"] == 3
    assert "本月没有回访计划" not in html
    # The administrator's table holds every team's visits and the pool's.
    assert len(client_as(team.alice).get(plans_url(timezone.localdate())).context["rows"]) == 5


def test_the_printed_table_and_the_export_hold_the_same_visits(team, client_as, month_of_visits):
    rule = month_of_visits[0]
    client = client_as(team.sam)
    printed = client.get(plans_url(timezone.localdate()) + "&print=1").content.decode()
    assert all(name in printed for name in ("规则客户", "计划表客户", "其他客户"))
    assert "edit-plan-" not in printed
    export = client.get(reverse("visits:plan_export") + f"?month={timezone.localdate():%Y-%m}")
    rows = list(load_workbook(BytesIO(b"".join(export.streaming_content))).active.iter_rows(values_only=True))
    assert [(row[2], row[4], row[5], row[9]) for row in rows[1:]] == [
        ("规则客户", "交付满一个月", None, rule.name),
        ("计划表客户", "了解需求", "新产品介绍", "计划表"),
        ("其他客户", "交付后一个月回访", None, "其他"),
    ]


def test_a_long_month_is_shown_page_by_page(team, client_as):
    customer = make_customer()
    for _ in range(PLAN_PAGE + 5):
        make_task(customer, agent=team.amy)
    client = client_as(team.sam)
    first = client.get(plans_url(timezone.localdate()))
    second = client.get(plans_url(timezone.localdate()) + "&page=2")
    assert len(first.context["rows"]) == PLAN_PAGE and len(second.context["rows"]) == 5
    assert f"<td>{PLAN_PAGE + 1}</td>" in second.content.decode()  # numbered on from page 1


def coming(client, day):
    """[(rule name, visits, joined, first day)] the page's part below the table says are to come."""
    page = client.get(reverse("visits:plans_coming") + f"?month={day:%Y-%m}")
    assert page.status_code == 200
    return page.context["coming"]


def test_next_months_table_says_what_the_rules_will_plan(team, client_as):
    """The planner makes visits LEAD_DAYS ahead, so next month holds few tasks yet: the page
    says how many the rules will add, counted here from the rule's own definition."""
    today = timezone.localdate()
    next_month = add_months(today.replace(day=1), 1)
    ours = [make_customer(owner=team.amy) for _ in range(6)]
    make_customer(owner=team.otto)  # the after-sales team's
    Customer.objects.update(lifecycle=Lifecycle.ACTIVE)
    VisitRule.objects.create(name="月度例行回访", kind=RuleKind.MONTHLY, purpose="例行回访")
    # Each active customer once a month on day 1 + id % 28, planned LEAD_DAYS before.
    horizon = today + timedelta(days=LEAD_DAYS)
    days = sorted(next_month + timedelta(days=c.pk % 28) for c in ours)
    later = [day for day in days if day > horizon]
    client = client_as(team.sam)
    page = client.get(plans_url(next_month)).content.decode()
    assert 'id="plan-coming" hx-get="' in page  # loaded after the page
    expected = [("月度例行回访", len(later), 0, later[0])] if later else []
    assert coming(client, next_month) == expected
    assert coming(client, next_month) == expected  # kept a while: the same answer
    # A month gone by: nothing is still to come, and the page does not ask.
    last_month = add_months(today.replace(day=1), -1)
    assert 'id="plan-coming"' not in client.get(plans_url(last_month)).content.decode()
    assert coming(client, last_month) == []
    # Bad input: a message, nothing counted; the part is for those who manage visits.
    assert client.get(reverse("visits:plans_coming") + "?month=2026-13").status_code == 400
    for person in (team.amy, team.hank, team.ana):
        assert client_as(person).get(reverse("visits:plans_coming")).status_code == 403


def test_the_forecast_counts_reasons_of_one_visit_once(people):
    today = date(2026, 11, 23)
    warranty = VisitRule.objects.create(name="保修期满回访", kind=RuleKind.WARRANTY_END, purpose="保修期满")
    half = VisitRule.objects.create(name="半年回访", kind=RuleKind.HALF_YEARLY, purpose="定期回访")
    customer = make_customer(owner=people.amy)
    # Delivered 2026-01-10, a one-year warranty: the half-yearly visit of 2026-07-10 is past,
    # the second falls on the warranty's end, 2027-01-10: one visit. Another purchase, bought
    # 2026-01-05 (no delivery date) with its warranty ending 2027-01-30: a half-yearly visit
    # on 2027-01-05 (five days before: a visit of its own) and one at the end.
    make_purchase(
        customer,
        purchased_on=date(2026, 1, 5),
        delivered_on=date(2026, 1, 10),
        warranty_end=date(2027, 1, 10),
    )
    make_purchase(customer, purchased_on=date(2026, 1, 5), warranty_end=date(2027, 1, 30))
    tallies = forecast(date(2027, 1, 1), date(2027, 1, 31), today)
    assert {(t.rule, t.visits, t.joined, t.first) for t in tallies} == {
        (warranty, 2, 0, date(2027, 1, 10)),
        (half, 1, 1, date(2027, 1, 5)),
    }
    assert forecast(date(2027, 1, 1), date(2027, 1, 31), today, department_id=people.quality.pk) == []
    # Within the planner's window nothing is forecast: the tasks are there already.
    assert forecast(today, today + timedelta(days=LEAD_DAYS), today) == []


# ------------------------------------------------------------------------------ the demo


@pytest.mark.usefixtures("demo")
def test_the_demo_plan_shows_the_visits_the_rules_planned_and_no_customer_twice(client_as):
    """On the demo (113 upcoming tasks, no row written in the table) the page said 本月没有回访计划."""
    today = timezone.localdate()
    month = today.replace(day=1)
    supervisor = User.objects.get(username="chenjing")
    page = client_as(supervisor).get(plans_url(today))
    assert page.status_code == 200
    expected = VisitTask.objects.filter(
        department=supervisor.department, planned_on__gte=month, planned_on__lt=add_months(month, 1)
    )
    assert page.context["total"] == expected.count() > 0
    assert set(page.context["rows"]) <= set(expected)
    assert len(page.context["rows"]) == min(PLAN_PAGE, expected.count())
    assert "本月没有回访计划" not in page.content.decode()
    # Next month: the rules' visits to come (the routine visits of active customers at least).
    assert (
        sum(visits for _name, visits, _joined, _first in coming(client_as(supervisor), add_months(month, 1)))
        > 0
    )
    # No customer has two open visits less than MERGE_DAYS + 1 days apart (an overdue one is due today).
    days = {}
    for customer_id, due_on in VisitTask.objects.open().values_list("customer_id", "due_on"):
        days.setdefault(customer_id, []).append(max(due_on, today))
    close = {
        customer: sorted(dates)
        for customer, dates in days.items()
        if any(abs((a - b).days) <= MERGE_DAYS for n, a in enumerate(dates) for b in dates[n + 1 :])
    }
    assert not close


def test_the_rules_page_says_how_reasons_close_together_make_one_visit(team, client_as):
    html = client_as(team.sam).get(reverse("visits:rules")).content.decode()
    assert f"同一客户相隔 {MERGE_DAYS} 天以内到期的多个回访原因只安排一次回访" in html
