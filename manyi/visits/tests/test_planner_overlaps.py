"""Rules that overlap give a customer one visit, not two in a few days (issue 16, why 6): the
reasons meet in one task, the most specific leading, within a run and across runs."""

import random
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from manyi.customers.choices import CustomerType, Lifecycle
from manyi.customers.models import Customer
from manyi.testing import make_customer, make_product, make_purchase
from manyi.visits.choices import Priority, RuleKind, TaskStatus
from manyi.visits.demo import RULES
from manyi.visits.models import MergedReason, VisitRule, VisitTask
from manyi.visits.planner import MERGE_DAYS, Candidate, Visit, merge, plan_visits

TODAY = date(2026, 11, 23)  # a Monday
SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


@pytest.fixture
def rules():
    """The demo's seven rules (seeds 000 and 003), by kind."""
    made = {}
    for name, kind, days, purpose, method, priority, _script in RULES:
        made[kind, days] = VisitRule.objects.create(
            name=name, kind=kind, days=days, purpose=purpose, method=method, priority=priority
        )
    return made


def done(task, day):
    VisitTask.objects.filter(pk=task.pk).update(
        status=TaskStatus.DONE, closed_at=datetime.combine(day, time(10), tzinfo=SHANGHAI)
    )


def test_warranty_end_and_the_last_half_yearly_visit_on_one_day_are_one_visit(people, rules):
    """The demo's case: a one-year warranty ends six months after the half-yearly visit, on
    the day of the second one (保修期满 and 保修期内定期回访 on the same day)."""
    customer = make_customer(owner=people.amy)
    purchase = make_purchase(
        customer,
        purchased_on=date(2025, 11, 20),
        delivered_on=date(2025, 11, 25),
        warranty_end=date(2026, 11, 25),
    )
    warranty, half_yearly = rules[RuleKind.WARRANTY_END, 0], rules[RuleKind.HALF_YEARLY, 0]
    created = plan_visits(TODAY, [warranty, half_yearly])
    task = VisitTask.objects.get()
    assert created[warranty] == 1 and sum(created.values()) == 1
    # The more specific reason leads: its rule, method and priority (high over normal).
    assert (task.rule, task.method, task.priority) == (warranty, warranty.method, Priority.HIGH)
    assert task.purpose == "保修期满：确认设备状况，介绍维保服务；保修期内定期回访"
    assert (task.due_on, task.purchase, task.customer) == (date(2026, 11, 25), purchase, customer)
    assert list(MergedReason.objects.values_list("key", "task", "rule")) == [
        (f"r{half_yearly.pk}:p{purchase.pk}:h2", task.pk, half_yearly.pk)
    ]
    # Planned again, on this day and the following ones: nothing new, nothing added twice.
    for days in range(4):
        assert sum(plan_visits(TODAY + timedelta(days=days), [warranty, half_yearly]).values()) == 0
    task.refresh_from_db()
    assert task.purpose == "保修期满：确认设备状况，介绍维保服务；保修期内定期回访"
    assert MergedReason.objects.count() == 1


def test_a_reason_falling_due_later_joins_the_visit_planned_before(people, rules):
    """Across runs: the monthly routine visit is planned first; a delivery recorded later falls
    due a day before it, and the customer still gets one call, on the earlier day."""
    customer = make_customer(owner=people.amy)
    Customer.objects.filter(pk=customer.pk).update(lifecycle=Lifecycle.ACTIVE)
    monthly = rules[RuleKind.MONTHLY, 0]
    routine_day = date(2026, 12, 1) + timedelta(days=customer.pk % 28)
    first_day = routine_day - timedelta(days=7)  # the routine visit enters the planning window
    plan_visits(first_day)
    # (November's routine visit may be planned too, late in its month: due that day.)
    routine = VisitTask.objects.get(source_key=f"r{monthly.pk}:c{customer.pk}:2026-12")
    planned = VisitTask.objects.count()
    assert (routine.rule, routine.due_on, routine.purpose) == (monthly, routine_day, "例行回访")
    # Delivered so that 30 days later is the day before the routine visit.
    purchase = make_purchase(
        customer,
        purchased_on=routine_day - timedelta(days=40),
        delivered_on=routine_day - timedelta(days=31),
        warranty_end=routine_day + timedelta(days=400),
    )
    Customer.objects.filter(pk=customer.pk).update(lifecycle=Lifecycle.ACTIVE)
    assert sum(plan_visits(first_day + timedelta(days=1)).values()) == 0
    routine.refresh_from_db()
    assert VisitTask.objects.count() == planned
    assert routine.purpose == "例行回访；交付满一个月：了解使用情况"
    assert routine.due_on == routine_day - timedelta(days=1)  # untouched: moves to the earlier reason
    assert routine.planned_on == routine_day  # as planned: the report's on-time rate
    assert routine.purchase == purchase and routine.priority == Priority.NORMAL
    # The visit is made; the delivery's reason, still in its window, is not planned again.
    done(routine, routine_day - timedelta(days=1))
    for days in range(2, 10):
        plan_visits(first_day + timedelta(days=days))
    delivery = rules[RuleKind.AFTER_DELIVERY, 30]
    assert not VisitTask.objects.filter(rule=delivery).exists()
    assert MergedReason.objects.get().key == f"r{delivery.pk}:p{purchase.pk}"


def test_a_called_back_visit_keeps_its_agreed_day_and_takes_the_reason(people, rules):
    customer = make_customer(owner=people.amy)
    routine = VisitTask.objects.create(
        customer=customer,
        source_key="by-hand-1",
        purpose="了解需求",
        planned_on=TODAY - timedelta(days=2),
        due_on=TODAY + timedelta(days=2),
        status=TaskStatus.CALLBACK,
        attempts=1,
        agent=people.amy,
    )
    make_purchase(
        customer,
        purchased_on=TODAY - timedelta(days=40),
        delivered_on=TODAY - timedelta(days=30),
        warranty_end=TODAY + timedelta(days=335),
    )
    delivery = rules[RuleKind.AFTER_DELIVERY, 30]
    assert plan_visits(TODAY, [delivery]) == {delivery: 0}
    routine.refresh_from_db()
    assert routine.purpose == "了解需求；交付满一个月：了解使用情况"
    assert routine.due_on == TODAY + timedelta(days=2)  # the day agreed with the customer


@pytest.mark.parametrize(
    "weekday",
    [
        # A Monday's run plans next Monday's visit already (the window reaches 7 days ahead),
        # before the hand-made visit exists, and a visit planned is not withdrawn when another
        # visit comes close to it later: a known gap, strict so that its fix is noticed.
        pytest.param(0, marks=pytest.mark.xfail(strict=True, reason="planned visits are not withdrawn")),
        1,
        2,
        3,
        4,
    ],
)
def test_a_routine_visit_is_covered_by_a_visit_just_made_but_a_closed_complaint_is_not(
    people, rules, weekday
):
    from manyi.tickets.choices import Channel, TicketState
    from manyi.tickets.workflow import open_ticket

    customer = make_customer(owner=people.amy, customer_type=CustomerType.KEY_ACCOUNT)
    while customer.pk % 5 != weekday:  # the weekly visit's day is the customer's id modulo 5
        customer.delete()
        customer = make_customer(owner=people.amy, customer_type=CustomerType.KEY_ACCOUNT)
    weekly = rules[RuleKind.WEEKLY_KEY, 0]
    monday = TODAY
    visit_day = monday + timedelta(days=customer.pk % 5)
    plan_visits(monday)
    week_visit = VisitTask.objects.get(rule=weekly, due_on=visit_day)
    done(week_visit, visit_day)
    # The complaint is closed the evening of the visit: its callback is due the next day.
    ticket = open_ticket(
        by=people.amy, channel=Channel.PHONE, subject="异响", description="设备异响", customer=customer
    )
    type(ticket).objects.filter(pk=ticket.pk).update(
        state=TicketState.CLOSED, resolved_at=datetime.combine(visit_day, time(20), tzinfo=SHANGHAI)
    )
    # A hand-made visit made two days before next week's visit day covers that routine visit.
    next_visit_day = visit_day + timedelta(days=7)
    other = VisitTask.objects.create(
        customer=customer, source_key="by-hand-2", purpose="送资料", planned_on=TODAY, due_on=next_visit_day
    )
    done(other, next_visit_day - timedelta(days=2))
    for days in range(1, 14):
        plan_visits(visit_day + timedelta(days=days))
    callback = VisitTask.objects.get(ticket=ticket)
    assert callback.due_on == visit_day + timedelta(days=1)  # a reason of its own: planned
    weeks = VisitTask.objects.filter(rule=weekly).order_by("due_on").values_list("due_on", flat=True)
    assert next_visit_day not in weeks  # covered by the visit made two days before
    assert visit_day + timedelta(days=14) in weeks  # the week after: weekly again
    assert MergedReason.objects.get().task_id == other.pk


def test_visits_more_than_merge_days_apart_stay_apart(people, rules):
    customer = make_customer(owner=people.amy)
    # Two purchases delivered MERGE_DAYS + 1 days apart: two one-month visits.
    for days in (30, 30 - MERGE_DAYS - 1):
        make_purchase(
            customer, purchased_on=TODAY - timedelta(days=days + 5), delivered_on=TODAY - timedelta(days=days)
        )
    plan_visits(TODAY, [rules[RuleKind.AFTER_DELIVERY, 30]])
    assert sorted(VisitTask.objects.values_list("due_on", flat=True)) == [
        TODAY,
        TODAY + timedelta(days=MERGE_DAYS + 1),
    ]


def test_months_of_daily_planning_never_give_a_customer_two_visits_within_merge_days(people, rules):
    """Sixty days of the daily planner over customers with purchases, warranties, key accounts
    and routine visits; agents make every visit on its day. No customer ever has two visits
    less than MERGE_DAYS + 1 days apart, and every reason due in the period was planned once."""
    rng = random.Random(16)
    product = make_product()
    for n in range(40):
        customer = make_customer(
            owner=people.amy,
            customer_type=CustomerType.KEY_ACCOUNT if n % 8 == 0 else CustomerType.NORMAL,
        )
        for _ in range(rng.randint(1, 3)):
            delivered = TODAY - timedelta(days=rng.randint(0, 400))
            make_purchase(
                customer,
                product,
                purchased_on=delivered - timedelta(days=rng.randint(1, 10)),
                delivered_on=delivered,
                warranty_end=delivered + timedelta(days=rng.choice((365, 395, 548))),
            )
    Customer.objects.update(lifecycle=Lifecycle.ACTIVE)
    for days in range(60):
        today = TODAY + timedelta(days=days)
        plan_visits(today)
        for task in VisitTask.objects.filter(status=TaskStatus.PENDING, due_on__lte=today):
            done(task, today)
    days_by_customer = {}
    for customer_id, due_on in VisitTask.objects.values_list("customer_id", "due_on"):
        days_by_customer.setdefault(customer_id, []).append(due_on)
    close = {
        customer_id: sorted(days)
        for customer_id, days in days_by_customer.items()
        if any(abs((a - b).days) <= MERGE_DAYS for i, a in enumerate(days) for b in days[i + 1 :])
    }
    assert not close, f"customers with two visits within {MERGE_DAYS} days: {close}"
    assert VisitTask.objects.count() > 40  # the period had visits to plan
    keys = list(VisitTask.objects.values_list("source_key", flat=True)) + list(
        MergedReason.objects.values_list("key", flat=True)
    )
    assert len(keys) == len(set(keys))


@pytest.mark.django_db(transaction=True)
def test_two_planners_at_once_plan_each_visit_once(people, rules):
    """Two planners at the same moment, each with one of two rules falling due on the same days
    (as when a rule is saved and planned while the daily job runs): the second waits for the
    first (a lock) and joins its visits instead of planning a second one each."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises the planners by its IMMEDIATE transactions")
    for n in range(20):
        customer = make_customer(owner=people.amy)
        make_purchase(
            customer,
            purchased_on=date(2025, 11, 20),
            delivered_on=date(2025, 11, 25) + timedelta(days=n % 3),
            warranty_end=date(2026, 11, 25) + timedelta(days=n % 3),
        )
    start, results = threading.Barrier(2), []

    def plan(rule):
        try:
            start.wait()
            results.append(sum(plan_visits(TODAY, [rule]).values()))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=plan, args=(rules[kind, 0],))
        for kind in (RuleKind.WARRANTY_END, RuleKind.HALF_YEARLY)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 20]
    assert VisitTask.objects.count() == 20 and MergedReason.objects.count() == 20
    assert all("；" in purpose for purpose in VisitTask.objects.values_list("purpose", flat=True))


def test_a_row_of_the_table_keeps_the_reasons_joined_to_its_visit_unless_its_customer_changes(team, rules):
    from manyi.visits import planner, workflow
    from manyi.visits.choices import Method
    from manyi.visits.models import VisitPlan

    today = timezone.localdate()
    customer, other = make_customer(owner=team.amy), make_customer(owner=team.amy)
    plan = VisitPlan.objects.create(
        customer=customer, method=Method.ON_SITE_KEY, purpose="了解需求", planned_on=today, agent=team.bob
    )
    task = planner.plan_by_hand(plan)
    make_purchase(customer, purchased_on=today - timedelta(days=35), delivered_on=today - timedelta(days=29))
    delivery = rules[RuleKind.AFTER_DELIVERY, 30]
    plan_visits(today, [delivery])
    task.refresh_from_db()
    assert task.purpose == "了解需求；交付满一个月：了解使用情况"
    plan.topic = "新产品介绍"
    workflow.update_plan(plan, by=team.sam)
    task.refresh_from_db()
    assert task.purpose == "了解需求 · 新产品介绍；交付满一个月：了解使用情况"
    # Another customer: the reason is released and planned again, for its own customer.
    plan.customer = other
    workflow.update_plan(plan, by=team.sam)
    task.refresh_from_db()
    assert task.purpose == "了解需求 · 新产品介绍" and not MergedReason.objects.exists()
    assert plan_visits(today, [delivery]) == {delivery: 1}
    assert VisitTask.objects.get(rule=delivery).customer == customer


def _rule(kind):
    return SimpleNamespace(kind=kind)


@pytest.mark.parametrize("planned_before", [False, True])
def test_a_reason_that_moves_a_visit_earlier_brings_it_into_the_overdue_visit_it_is_now_near(planned_before):
    """The demo's case on PostgreSQL: an overdue visit (made today), a delivery visit due in
    MERGE_DAYS + 1 days and a weekly visit due in MERGE_DAYS days, nearer the delivery visit.
    The weekly reason joins the delivery visit and moves it MERGE_DAYS days from the overdue
    one: the two are one visit, not two calls three days apart."""
    warranty, delivery, weekly = (
        _rule(RuleKind.WARRANTY_END),
        _rule(RuleKind.AFTER_DELIVERY),
        _rule(RuleKind.WEEKLY_KEY),
    )
    overdue = Candidate("r1:p1", 7, None, TODAY - timedelta(days=12))
    later = Candidate("r2:p2", 7, None, TODAY + timedelta(days=MERGE_DAYS + 1))
    week = Candidate("r3:c7:W", 7, None, TODAY + timedelta(days=MERGE_DAYS))
    if planned_before:
        planned, pairs = [Visit(7, TODAY, task_id=99)], [(delivery, later), (weekly, week)]
    else:
        planned, pairs = [], [(warranty, overdue), (delivery, later), (weekly, week)]
    visits = merge(pairs, planned, TODAY)
    assert len(visits) == 1
    (visit,) = visits
    reasons = [visit.lead, *visit.joined] if visit.lead else visit.joined
    assert {candidate.key for _rule, candidate in reasons} == {c.key for _r, c in pairs}
    if planned_before:
        assert visit.task_id == 99 and visit.lead is None  # a visit planned before keeps its lead
    else:
        assert visit.lead == (warranty, overdue)  # the most specific reason leads
    assert visit.on == TODAY


def test_a_called_visit_keeps_its_day_when_an_earlier_reason_joins_it():
    """The demo on its 8 December: a task someone already called (its day is kept, see
    _join_open_tasks) took a reason due earlier, and the planner then counted it as moved: a
    weekly visit three days after its real day became a second visit."""
    half_yearly, weekly = _rule(RuleKind.HALF_YEARLY), _rule(RuleKind.WEEKLY_KEY)
    called = Visit(7, TODAY + timedelta(days=1), task_id=44, movable=False)
    earlier = Candidate("r4:p458:h3", 7, None, TODAY - timedelta(days=5))
    week = Candidate("r6:c7:W50", 7, None, TODAY + timedelta(days=1 + MERGE_DAYS))
    visits = merge([(half_yearly, earlier), (weekly, week)], [called], TODAY)
    assert [visit.task_id for visit in visits] == [44]
    assert {c.key for _r, c in visits[0].joined} == {earlier.key, week.key}
    assert visits[0].on == TODAY + timedelta(days=1)  # its own day, not the earlier reason's
