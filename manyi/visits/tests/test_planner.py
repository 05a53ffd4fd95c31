"""Rules plan visit tasks: dates, the warranty rule, owners, idempotence."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from manyi.customers.choices import CustomerType, Lifecycle
from manyi.customers.models import Customer
from manyi.testing import make_customer, make_product, make_purchase
from manyi.visits.choices import RuleKind, TaskStatus
from manyi.visits.models import PlannerRun, VisitPreference, VisitRule, VisitTask
from manyi.visits.planner import LEAD_DAYS, MERGE_DAYS, plan_daily, plan_rule, plan_visits

TODAY = date(2026, 11, 23)  # a Monday
pytestmark = pytest.mark.django_db


def rule(kind, days=0, **kwargs):
    kwargs.setdefault("purpose", f"{kind} {days}")
    return VisitRule.objects.create(name=f"{kind} {days}", kind=kind, days=days, **kwargs)


def test_a_visit_is_planned_30_and_90_days_after_delivery(people):
    customer = make_customer(owner=people.amy)
    product = make_product()
    purchase = make_purchase(
        customer, product, purchased_on=TODAY - timedelta(days=40), delivered_on=TODAY - timedelta(days=27)
    )
    month, quarter = rule(RuleKind.AFTER_DELIVERY, 30), rule(RuleKind.AFTER_DELIVERY, 90)
    assert plan_rule(month, TODAY) == 1
    assert plan_rule(quarter, TODAY) == 0  # 90 days after delivery is still far off
    task = VisitTask.objects.get()
    assert task.due_on == task.planned_on == TODAY + timedelta(days=3)
    assert (task.customer, task.purchase, task.rule) == (customer, purchase, month)
    assert (task.agent, task.department) == (people.amy, people.service)
    assert task.status == TaskStatus.PENDING
    VisitTask.objects.filter(pk=task.pk).update(status=TaskStatus.DONE, closed_at=timezone.now())
    # 63 days later the 90-day visit is due within the lead days.
    assert plan_rule(quarter, TODAY + timedelta(days=60)) == 1
    assert VisitTask.objects.get(rule=quarter).due_on == TODAY + timedelta(days=63)


def test_delivery_falls_back_to_the_purchase_date_and_the_window_has_limits(people):
    customer = make_customer()
    make_purchase(customer, purchased_on=TODAY - timedelta(days=30))  # no delivery date
    make_purchase(customer, purchased_on=TODAY - timedelta(days=30 + 15))  # 15 days late: beyond catch-up 14
    make_purchase(customer, purchased_on=TODAY - timedelta(days=30 - LEAD_DAYS - 1))  # beyond the lead days
    assert plan_rule(rule(RuleKind.AFTER_DELIVERY, 30), TODAY) == 1
    assert VisitTask.objects.get().due_on == TODAY
    assert VisitTask.objects.get().agent is None  # no owner: the unassigned pool


def test_a_visit_at_warranty_end_and_half_yearly_visits_under_warranty(people):
    customer = make_customer()
    purchase = make_purchase(
        customer,
        purchased_on=date(2025, 5, 20),
        delivered_on=date(2025, 5, 25),
        warranty_end=TODAY + timedelta(days=7),
    )
    assert plan_rule(rule(RuleKind.WARRANTY_END), TODAY) == 1
    assert VisitTask.objects.get().due_on == TODAY + timedelta(days=7)
    half = rule(RuleKind.HALF_YEARLY)
    # Six months after 2025-05-25: 2025-11-25 (outside the window), then 2026-05-25, 2026-11-25
    # (five days before the warranty-end visit: a visit of its own).
    assert plan_rule(half, TODAY) == 1
    task = VisitTask.objects.get(rule=half)
    assert task.due_on == date(2026, 11, 25)
    assert task.source_key == f"r{half.pk}:p{purchase.pk}:h3"


def test_monthly_visits_for_active_customers_stop_after_the_warranty_unless_asked(people):
    product = make_product()
    active = make_customer(name="在保客户")
    make_purchase(
        active, product, purchased_on=TODAY - timedelta(days=30), warranty_end=TODAY + timedelta(days=300)
    )
    expired = make_customer(name="过保客户")
    make_purchase(
        expired, product, purchased_on=TODAY - timedelta(days=60), warranty_end=TODAY - timedelta(days=1)
    )
    asked = make_customer(name="过保但要求回访")
    make_purchase(
        asked, product, purchased_on=TODAY - timedelta(days=60), warranty_end=TODAY - timedelta(days=1)
    )
    VisitPreference.objects.create(customer=asked, visits_after_warranty=True)
    lost = make_customer(name="流失客户")
    Customer.objects.filter(pk=lost.pk).update(lifecycle=Lifecycle.LOST)
    no_consent = make_customer(name="不愿被联系", consent_to_contact=False)
    Customer.objects.filter(pk__in=[active.pk, expired.pk, asked.pk, no_consent.pk]).update(
        lifecycle=Lifecycle.ACTIVE
    )

    monthly = rule(RuleKind.MONTHLY)
    created = plan_rule(monthly, TODAY)
    planned = set(VisitTask.objects.values_list("customer__name", flat=True))
    assert planned == {"在保客户", "过保但要求回访"}
    assert created == 2
    for task in VisitTask.objects.all():
        # Day 1 + pk % 28 of November, but never before today: planned late, due now.
        expected = max(date(2026, 11, 1) + timedelta(days=task.customer_id % 28), TODAY)
        assert task.due_on == expected
        assert task.source_key == f"r{monthly.pk}:c{task.customer_id}:2026-11"


def test_key_accounts_are_visited_weekly_and_not_also_monthly(people):
    key = make_customer(customer_type=CustomerType.KEY_ACCOUNT)
    normal = make_customer()
    Customer.objects.update(lifecycle=Lifecycle.ACTIVE)
    weekly = rule(RuleKind.WEEKLY_KEY, priority=3)
    monthly = rule(RuleKind.MONTHLY)
    plan_visits(TODAY)
    assert set(VisitTask.objects.filter(rule=monthly).values_list("customer", flat=True)) == {normal.pk}
    weeks = VisitTask.objects.filter(rule=weekly, customer=key).order_by("due_on")
    # This week (from today on) and next week: one visit per ISO week, on a working day.
    # Next week's visit is planned only when its day is within the lead days (Monday 30th).
    expected = [("2026W48", date(2026, 11, 23) + timedelta(days=key.pk % 5))]
    if key.pk % 5 == 0:
        expected.append(("2026W49", date(2026, 11, 30)))
    assert [(t.source_key.rsplit(":", 1)[1], t.due_on) for t in weeks] == expected
    assert all(t.priority == 3 for t in weeks)
    # Weeks already over are not made up for, even within the catch-up days.
    assert not VisitTask.objects.filter(source_key__endswith="W47").exists()


def test_a_visit_follows_a_closed_ticket(people):
    from manyi.tickets.choices import Channel, TicketState
    from manyi.tickets.workflow import open_ticket

    customer = make_customer()
    ticket = open_ticket(
        by=people.amy, channel=Channel.PHONE, subject="漏水", description="屋面漏水", customer=customer
    )
    closed_at = datetime(2026, 11, 21, 22, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    type(ticket).objects.filter(pk=ticket.pk).update(state=TicketState.CLOSED, resolved_at=closed_at)
    after = rule(RuleKind.TICKET_CLOSED, 1)
    assert plan_rule(after, TODAY) == 1
    task = VisitTask.objects.get()
    assert (task.ticket, task.due_on) == (ticket, date(2026, 11, 22))


def test_planning_twice_never_duplicates_a_task(people):
    customer = make_customer()
    Customer.objects.update(lifecycle=Lifecycle.ACTIVE)
    # Due today, in a week, and on the customer's day in November (from today on): a visit each
    # when more than MERGE_DAYS apart, else one (see test_overlapping_rules).
    make_purchase(customer, purchased_on=TODAY - timedelta(days=30), warranty_end=TODAY + timedelta(days=7))
    for kind in (RuleKind.AFTER_PURCHASE, RuleKind.WARRANTY_END, RuleKind.MONTHLY):
        rule(kind, 30 if kind == RuleKind.AFTER_PURCHASE else 0)
    monthly_day = max(date(2026, 11, 1) + timedelta(days=customer.pk % 28), TODAY)
    apart = min(abs((monthly_day - day).days) for day in (TODAY, TODAY + timedelta(days=7)))
    first = sum(plan_visits(TODAY).values())
    assert first == VisitTask.objects.count() == (2 if apart <= MERGE_DAYS else 3)
    assert sum(plan_visits(TODAY).values()) == 0
    planned = set(VisitTask.objects.values_list("source_key", flat=True))
    count = len(planned)
    # The next day's window reaches one day further: it may plan next month's routine visit
    # when the customer's day in the month (by id) falls on that day, never one planned already.
    plan_visits(TODAY + timedelta(days=1))
    later = VisitTask.objects.exclude(source_key__in=planned)
    assert VisitTask.objects.filter(source_key__in=planned).count() == count
    assert all(task.due_on == TODAY + timedelta(days=1 + LEAD_DAYS) for task in later)


def test_inactive_rules_plan_nothing(people):
    make_purchase(make_customer(), purchased_on=TODAY - timedelta(days=30))
    rule(RuleKind.AFTER_PURCHASE, 30, is_active=False)
    assert plan_visits(TODAY) == {}
    assert not VisitTask.objects.exists()


def test_the_periodic_job_plans_once_a_day(people):
    make_purchase(make_customer(), purchased_on=date.today() - timedelta(days=30))
    rule(RuleKind.AFTER_PURCHASE, 30)
    assert plan_daily() == 1
    assert plan_daily() is None
    assert PlannerRun.objects.get().created == 1


def test_the_periodic_command_runs_the_planner(people):
    from io import StringIO

    from django.core.management import call_command

    make_purchase(make_customer(), purchased_on=date.today() - timedelta(days=30))
    rule(RuleKind.AFTER_PURCHASE, 30)
    out = StringIO()
    call_command("periodic", stdout=out)
    assert "1 return visit tasks planned" in out.getvalue()
    assert VisitTask.objects.count() == 1


def test_a_failed_planning_day_is_tried_again(people):
    make_purchase(make_customer(), purchased_on=date.today() - timedelta(days=30))
    rule(RuleKind.AFTER_PURCHASE, 30)
    broken = VisitRule.objects.create(name="坏规则", kind="no_such_kind", purpose="x")  # bypasses the form
    with pytest.raises(ValueError):
        plan_daily()
    assert not PlannerRun.objects.exists()
    broken.delete()
    assert not VisitTask.objects.exists()  # all rules or none: one transaction
    # Tried again once the rule is mended.
    assert plan_daily() == 1
    assert PlannerRun.objects.count() == 1 and VisitTask.objects.count() == 1
