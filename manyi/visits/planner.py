"""The planner: visit tasks from the rules, idempotently (REQUIREMENTS §4).

Date arithmetic is in plain functions (no database); `candidates` turns a rule into candidate
visits with a few set-based queries; `plan_visits` plans every rule at once, one planner at a
time, skipping source keys already planned, so running it twice, or in two processes at once,
never duplicates a task. One customer gets one visit for reasons falling due a few days apart
(`merge`: MERGE_DAYS): the most specific reason leads and the others join its purpose.

Which visits a rule plans on a day: those falling due from `catch_up_days` ago to
`LEAD_DAYS` ahead (agents see the coming week). Routine visits (monthly, weekly, half-yearly)
fall in a period (month, ISO week, half year of warranty) and are spread over the period by
customer so that a team does not get every call on the 1st; a routine visit planned late in
its period is due today rather than overdue. Routine visits stop once every warranty of the
customer has ended, unless the customer asked for them (VisitPreference). Seasonal visits
(`_seasonal_candidates`) fall due on given days of every year, one per customer and season. Customers who
withdrew their consent to be contacted, or were erased, get no planned visits.
"""

import calendar
import datetime
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max
from django.db.models.functions import Coalesce
from django.utils import timezone

from manyi.accounts import permissions as perms
from manyi.accounts.models import User
from manyi.bulk import insert_rows
from manyi.customers.choices import CustomerType, Lifecycle
from manyi.customers.models import Customer, Purchase

from .choices import OPEN_STATUSES, ROUTINE_KINDS, RuleKind, TaskStatus
from .models import MergedReason, PlannerRun, VisitPreference, VisitRule, VisitTask

LEAD_DAYS = 7
# Who counts as a key account for the weekly visit (大客户的特定回访每周至少一次).
KEY_TYPES = (CustomerType.KEY_ACCOUNT, CustomerType.VIP)
ACTIVE_LIFECYCLES = (Lifecycle.NEW, Lifecycle.ACTIVE)
# Visits that reached their end with the customer: made, refused, or given up as unreachable.
CALLED_STATUSES = (TaskStatus.DONE, TaskStatus.REFUSED, TaskStatus.UNREACHABLE)


# ------------------------------------------------------------------------------ dates


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day (31 Aug + 6 months = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def half_yearly_dates(anchor: datetime.date, warranty_end: datetime.date, since=None, until=None):
    """[(n, date)]: every six months after `anchor` while under warranty (n = 1, 2, …), those
    in [since, until] when given (counted from the first that can fall there, not from 1)."""
    n = 1
    if since is not None:
        n = max(1, ((since.year - anchor.year) * 12 + since.month - anchor.month) // 6)
    last = warranty_end if until is None else min(warranty_end, until)
    dates = []
    while (due := add_months(anchor, 6 * n)) <= last:
        if since is None or due >= since:
            dates.append((n, due))
        n += 1
    return dates


def month_starts(start: datetime.date, end: datetime.date):
    """First days of the months that overlap [start, end]."""
    month = start.replace(day=1)
    while month <= end:
        yield month
        month = add_months(month, 1)


def week_starts(start: datetime.date, end: datetime.date):
    """Mondays of the ISO weeks that overlap [start, end]."""
    monday = start - datetime.timedelta(days=start.weekday())
    while monday <= end:
        yield monday
        monday += datetime.timedelta(days=7)


def monthly_date(customer_id: int, month_start: datetime.date) -> datetime.date:
    """The customer's day in the month: spread over days 1-28 by customer."""
    return month_start + datetime.timedelta(days=customer_id % 28)


def weekly_date(customer_id: int, monday: datetime.date) -> datetime.date:
    """The customer's working day in the week (Monday to Friday)."""
    return monday + datetime.timedelta(days=customer_id % 5)


def season_dates(season_days, start: datetime.date, end: datetime.date):
    """The days in [start, end] on which seasonal visits fall due: each {"month", "day"} of
    `season_days` in every year the span touches, in order, each once."""
    dates = set()
    for year in range(start.year, end.year + 1):
        for season in season_days:
            due = datetime.date(year, season["month"], season["day"])
            if start <= due <= end:
                dates.add(due)
    return sorted(dates)


def season_key(due: datetime.date) -> str:
    """The season of a seasonal visit in its source key: the year and the day of the year, so
    that a customer gets one visit per rule, year and season however often the planner runs."""
    return f"s{due:%Y-%m-%d}"


def routine_allowed(latest_warranty_end, asked: bool, today: datetime.date) -> bool:
    """No routine visits after the warranty unless asked; no warranty known: allowed."""
    return latest_warranty_end is None or latest_warranty_end >= today or asked


def window(rule_catch_up: int, today: datetime.date):
    return today - datetime.timedelta(days=rule_catch_up), today + datetime.timedelta(days=LEAD_DAYS)


# ------------------------------------------------------------------------------ planning


@dataclass(frozen=True)
class Candidate:
    key: str
    customer_id: int
    owner_id: int | None
    due_on: datetime.date
    purchase_id: int | None = None
    ticket_id: int | None = None


def _owners():
    """{user id: (user id, department id)} of those who can work visits: a customer's owner gets its visits."""
    owners = {}
    for user in User.objects.filter(is_active=True).only("pk", "role", "department_id", "is_active"):
        if user.can(perms.WORK_VISITS):
            owners[user.pk] = (user.pk, user.department_id)
    return owners


def _contactable():
    return Customer.objects.filter(erased_at__isnull=True, consent_to_contact=True)


def _purchase_candidates(rule, start, end):
    field = {
        RuleKind.AFTER_DELIVERY: Coalesce("delivered_on", "purchased_on"),
        RuleKind.AFTER_PURCHASE: Coalesce("purchased_on", "purchased_on"),
        RuleKind.WARRANTY_END: Coalesce("warranty_end", "warranty_end"),
    }[rule.kind]
    offset = datetime.timedelta(days=rule.days)
    rows = (
        Purchase.objects.filter(customer__in=_contactable())
        .annotate(anchor=field)
        .filter(anchor__gte=start - offset, anchor__lte=end - offset)
        .values_list("pk", "customer_id", "customer__owner_id", "anchor")
    )
    for pk, customer_id, owner_id, anchor in rows:
        yield Candidate(f"r{rule.pk}:p{pk}", customer_id, owner_id, anchor + offset, purchase_id=pk)


def _half_yearly_candidates(rule, start, end, today):
    rows = (
        Purchase.objects.filter(customer__in=_contactable(), warranty_end__gte=start)
        .annotate(anchor=Coalesce("delivered_on", "purchased_on"))
        .values_list("pk", "customer_id", "customer__owner_id", "anchor", "warranty_end")
    )
    for pk, customer_id, owner_id, anchor, warranty_end in rows:
        for n, due in half_yearly_dates(anchor, warranty_end, start, end):
            yield Candidate(f"r{rule.pk}:p{pk}:h{n}", customer_id, owner_id, due, purchase_id=pk)


def _routine_customers(customers, today):
    """[(customer id, owner id)] of `customers` that may get routine visits today (the warranty rule)."""
    latest = dict(
        Purchase.objects.filter(customer__in=customers, warranty_end__isnull=False)
        .values("customer_id")
        .annotate(end=Max("warranty_end"))
        .values_list("customer_id", "end")
        .order_by()
    )
    asked = set(
        VisitPreference.objects.filter(visits_after_warranty=True).values_list("customer_id", flat=True)
    )
    return [
        (pk, owner_id)
        for pk, owner_id in customers.values_list("pk", "owner_id")
        if routine_allowed(latest.get(pk), pk in asked, today)
    ]


def _periodic_candidates(rule, customers, periods, date_for, label, start, end, today):
    for period_start, period_end in periods:
        if period_end < today:
            continue  # a routine visit of a period already over is not made up for
        suffix = label(period_start)
        for customer_id, owner_id in customers:
            due = date_for(customer_id, period_start)
            if due < today <= period_end:
                due = today  # planned late in its period: due now rather than overdue
            if start <= due <= end and due <= period_end:
                yield Candidate(f"r{rule.pk}:c{customer_id}:{suffix}", customer_id, owner_id, due)


def _monthly_candidates(rule, start, end, today):
    customers = _contactable().filter(lifecycle__in=ACTIVE_LIFECYCLES)
    if VisitRule.objects.filter(is_active=True, kind=RuleKind.WEEKLY_KEY).exists():
        customers = customers.exclude(customer_type__in=KEY_TYPES)  # the weekly visits cover them
    periods = [(m, add_months(m, 1) - datetime.timedelta(days=1)) for m in month_starts(start, end)]
    allowed = _routine_customers(customers, today)
    return _periodic_candidates(
        rule, allowed, periods, monthly_date, lambda m: f"{m:%Y-%m}", start, end, today
    )


def _weekly_candidates(rule, start, end, today):
    customers = _contactable().filter(customer_type__in=KEY_TYPES)
    periods = [(m, m + datetime.timedelta(days=6)) for m in week_starts(start, end)]
    allowed = _routine_customers(customers, today)

    def label(monday):
        year, week, _day = monday.isocalendar()
        return f"{year}W{week:02d}"

    return _periodic_candidates(rule, allowed, periods, weekly_date, label, start, end, today)


def _ticket_candidates(rule, start, end):
    from manyi.tickets.choices import TicketState
    from manyi.tickets.models import Ticket

    offset = datetime.timedelta(days=rule.days)
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start - offset, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(end - offset, datetime.time.max, tzinfo=tz)
    rows = Ticket.objects.filter(
        state=TicketState.CLOSED,
        customer__in=_contactable(),
        resolved_at__gte=since,
        resolved_at__lte=until,
    ).values_list("pk", "customer_id", "customer__owner_id", "resolved_at")
    for pk, customer_id, owner_id, resolved_at in rows:
        due = timezone.localtime(resolved_at, tz).date() + offset
        yield Candidate(f"r{rule.pk}:t{pk}", customer_id, owner_id, due, ticket_id=pk)


def _seasonal_candidates(rule, start, end, today):
    """Seasonal return visits (季节性回访): seed 000 (工程质量保修回访和顾客满意度调查制度,
    回访保修) says "屋面防水及设备安装工程进行季节性回访" — roofing and installed equipment are
    visited before the season that tries them (雨季前 5月1日, 入冬前 10月15日) — and "工程验收交付
    一年后或合同规定的保修期已满的不再组织回访".

    On each of the rule's days of the year (season_dates) in [start, end]: with products, the
    customers holding a purchase of one of them made by that day and under warranty then (or
    no warranty known, or the customer asked for visits after it: VisitPreference), the visit
    anchored on the purchase whose warranty runs longest; without products, every active
    customer the routine visits reach (the warranty rule of `_routine_customers`). One
    candidate per customer, rule and season: the key holds the year and the day (season_key).
    """
    dates = season_dates(rule.season_days, start, end)
    if not dates:
        return
    product_ids = list(rule.products.values_list("pk", flat=True))
    if not product_ids:
        customers = _routine_customers(_contactable().filter(lifecycle__in=ACTIVE_LIFECYCLES), today)
        for due in dates:
            for customer_id, owner_id in customers:
                yield Candidate(f"r{rule.pk}:c{customer_id}:{season_key(due)}", customer_id, owner_id, due)
        return
    asked = set(
        VisitPreference.objects.filter(visits_after_warranty=True).values_list("customer_id", flat=True)
    )
    rows = list(
        Purchase.objects.filter(
            customer__in=_contactable(), product_id__in=product_ids, purchased_on__lte=dates[-1]
        )
        .order_by("customer_id", F("warranty_end").desc(nulls_first=True), "pk")
        .values_list("pk", "customer_id", "customer__owner_id", "purchased_on", "warranty_end")
    )
    for due in dates:
        seen = set()
        for pk, customer_id, owner_id, purchased_on, warranty_end in rows:
            if customer_id in seen or purchased_on > due:
                continue
            if warranty_end is None or warranty_end >= due or customer_id in asked:
                seen.add(customer_id)
                key = f"r{rule.pk}:c{customer_id}:{season_key(due)}"
                yield Candidate(key, customer_id, owner_id, due, purchase_id=pk)


def candidates(rule, today, start=None, end=None):
    """The rule's visits falling due in [start, end] (by default the planning window of `today`)."""
    if start is None:
        start, end = window(rule.catch_up_days, today)
    if rule.kind in (RuleKind.AFTER_DELIVERY, RuleKind.AFTER_PURCHASE, RuleKind.WARRANTY_END):
        return _purchase_candidates(rule, start, end)
    if rule.kind == RuleKind.HALF_YEARLY:
        return _half_yearly_candidates(rule, start, end, today)
    if rule.kind == RuleKind.MONTHLY:
        return _monthly_candidates(rule, start, end, today)
    if rule.kind == RuleKind.WEEKLY_KEY:
        return _weekly_candidates(rule, start, end, today)
    if rule.kind == RuleKind.TICKET_CLOSED:
        return _ticket_candidates(rule, start, end)
    if rule.kind == RuleKind.SEASONAL:
        return _seasonal_candidates(rule, start, end, today)
    raise ValueError(rule.kind)


# ------------------------------------------------------------------------------ one visit at a time

# Two visits of one customer this many days apart or closer become one: a customer is not
# called twice in a few days because two rules (or two purchases) fell due close together.
# Below a week, so that a key account's weekly visits stay weekly.
MERGE_DAYS = 3

# How specific a rule's reason is: when reasons meet, the most specific leads the visit (its
# rule, method, call script, questionnaire) and the others are added to its purpose. A closed
# complaint asks about that complaint; warranty end and delivery about one purchase; the
# seasonal visits about the coming season, whatever was bought when; the routine visits about
# nothing in particular.
SPECIFICITY = {
    RuleKind.TICKET_CLOSED: 7,
    RuleKind.WARRANTY_END: 6,
    RuleKind.AFTER_DELIVERY: 5,
    RuleKind.AFTER_PURCHASE: 5,
    RuleKind.SEASONAL: 4,
    RuleKind.HALF_YEARLY: 3,
    RuleKind.WEEKLY_KEY: 2,
    RuleKind.MONTHLY: 1,
}


@dataclass
class Visit:
    """A visit of one customer as the planner sees it: a task planned before (`task_id`) or a
    new one led by a candidate (`lead`), with the candidates joined to it in this run."""

    customer_id: int
    # The day it is made: open, its due date (overdue: today); closed, the day it closed.
    on: datetime.date
    task_id: int | None = None
    is_open: bool = True
    # Whether a reason due earlier moves it earlier: a new visit, or an open task nobody has
    # called yet (_join_open_tasks moves only those; a called task keeps its day).
    movable: bool = True
    lead: tuple | None = None  # (rule, Candidate)
    joined: list = field(default_factory=list)  # [(rule, Candidate)], most specific first


def merge(pairs, planned, today):
    """Visits for the candidates [(rule, Candidate)] beside the customers' visits `planned`:
    the planner never gives one customer two visits MERGE_DAYS days apart or closer; it merges
    the reasons into one task rather than dropping any (each stays in the purpose).

    The candidates are taken most specific first (SPECIFICITY, then by date), so within a run
    the most specific reason leads the visit. A candidate near an open visit (planned before,
    or made from a more specific candidate in this run) joins it; a visit planned before keeps
    its lead (someone may have seen it) and only takes the reason, the higher priority and,
    untouched, the earlier day (_join_open_tasks). A routine candidate (monthly, weekly,
    half-yearly) near a visit already made is covered by it: the customer was just called. Any
    other candidate becomes a new visit, even a few days after a visit made: a complaint closed
    since, a purchase's delivery or warranty end, asks about what that visit was not about. An
    overdue open visit counts as made today; a visit is made on the earliest day one of its
    reasons is due, so a reason that moves it earlier may bring it near another visit, which
    it then joins (_fold_if_near). Returns the visits that gained a candidate. Pure: no database.
    """
    visits = defaultdict(list)
    for visit in planned:
        visits[visit.customer_id].append(visit)
    ordered = sorted(pairs, key=_specific_first)
    for rule, candidate in ordered:
        mine = visits[candidate.customer_id]
        on = max(candidate.due_on, today)
        if not mine:
            mine.append(Visit(candidate.customer_id, on, lead=(rule, candidate)))
            continue
        routine = rule.kind in ROUTINE_KINDS
        near = [
            (abs((visit.on - (on if visit.is_open else candidate.due_on)).days), not visit.is_open, n)
            for n, visit in enumerate(mine)
            if visit.is_open or routine
        ]
        near = [choice for choice in near if choice[0] <= MERGE_DAYS]
        if near:
            visit = mine[min(near)[2]]
            visit.joined.append((rule, candidate))
            if visit.is_open and visit.movable and on < visit.on:
                visit.on = on  # a visit is due on the earliest day one of its reasons is
                _fold_if_near(mine, visit)
        else:
            mine.append(Visit(candidate.customer_id, on, lead=(rule, candidate)))
    return [visit for mine in visits.values() for visit in mine if visit.lead or visit.joined]


def _fold_if_near(mine, moved):
    """A visit moved earlier by a reason it joined may now be near another open visit of the
    customer: the one made in this run goes into the other (its reasons join it; a visit planned
    before keeps its lead). Two visits planned before stay as they are."""
    for other in mine:
        if other is moved or not other.is_open or abs((other.on - moved.on).days) > MERGE_DAYS:
            continue
        if moved.task_id is None:
            into, taken = other, moved
        elif other.task_id is None:
            into, taken = moved, other
        else:
            continue
        reasons = [*([taken.lead] if taken.lead else []), *taken.joined]
        if into.task_id is None:
            reasons = sorted([into.lead, *into.joined, *reasons], key=_specific_first)
            into.lead, into.joined = reasons[0], reasons[1:]
        else:
            into.joined = sorted([*into.joined, *reasons], key=_specific_first)
        into.on = min(into.on, taken.on)
        mine.remove(taken)
        _fold_if_near(mine, into)
        return


def _specific_first(pair):
    rule, candidate = pair
    return (-SPECIFICITY[rule.kind], candidate.due_on, candidate.key)


def joined_purpose(purposes):
    """The purposes of the reasons a visit joins, each once, in order, within the field's 200 characters."""
    text = "；".join(dict.fromkeys(p for p in purposes if p))
    return text if len(text) <= 200 else text[:199] + "…"


def _planned_visits(customer_ids, until, since, today):
    """The visits of these customers that candidates may join: open tasks due by `until`
    (overdue ones too) and tasks closed from `since` on (CALLED_STATUSES)."""
    open_rows = (
        VisitTask.objects.filter(status__in=OPEN_STATUSES, due_on__lte=until)
        .order_by()
        .values_list("pk", "customer_id", "due_on", "status", "attempts")
    )
    visits = [
        Visit(
            customer_id,
            max(due_on, today),
            task_id=pk,
            movable=status == TaskStatus.PENDING and not attempts,
        )
        for pk, customer_id, due_on, status, attempts in open_rows
        if customer_id in customer_ids
    ]
    tz = timezone.get_current_timezone()
    closed_rows = (
        VisitTask.objects.filter(
            status__in=CALLED_STATUSES,
            closed_at__gte=datetime.datetime.combine(since, datetime.time.min, tzinfo=tz),
        )
        .order_by()
        .values_list("pk", "customer_id", "closed_at")
    )
    visits += [
        Visit(customer_id, timezone.localtime(closed_at, tz).date(), task_id=pk, is_open=False)
        for pk, customer_id, closed_at in closed_rows
        if customer_id in customer_ids
    ]
    return visits


def _unplanned(pairs, rules, today):
    """The candidates not planned before, as a task of their own or joined to another visit.

    A reason is stored with its own date when first planned (a task's planned_on, a joined
    reason's due_on), and comes back only while that date is in its rule's window, or, for a
    routine visit planned late in its period and due "today" since, up to KEY_MEMORY_DAYS
    later: so the keys of that span, read in two ranges of an index, are all it can meet.
    """
    windows = [window(rule.catch_up_days, today) for rule in rules]
    since = min(start for start, _end in windows) - datetime.timedelta(days=KEY_MEMORY_DAYS)
    until = max(end for _start, end in windows)
    known = set(
        VisitTask.objects.filter(rule__in=rules, planned_on__gte=since, planned_on__lte=until)
        .order_by()
        .values_list("source_key", flat=True)
    )
    known.update(
        MergedReason.objects.filter(due_on__gte=since, due_on__lte=until).values_list("key", flat=True)
    )
    return [(rule, candidate) for rule, candidate in pairs if candidate.key not in known]


KEY_MEMORY_DAYS = 31  # the longest period (a month) a routine visit planned late stays due "today"


def _lock():
    """One planner at a time (the daily job, a supervisor's 计划 button): each sees the visits
    the other made. SQLite's transactions are IMMEDIATE already (settings)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PLANNER_LOCK])


PLANNER_LOCK = 0x6D616E7969  # "manyi", any number the rest of the project does not lock


def plan_visits(today=None, rules=None):
    """Plan every active rule (or the given ones); returns {rule: tasks created}.

    All rules at once, in one transaction, so that visits of one customer falling due close
    together become one (`merge`) whichever rule or run planned them first.
    """
    today = today or timezone.localdate()
    rules = list(VisitRule.objects.filter(is_active=True) if rules is None else rules)
    if not rules:
        return {}
    created = defaultdict(int)
    with transaction.atomic():
        _lock()
        pairs = [(rule, candidate) for rule in rules for candidate in candidates(rule, today)]
        pairs = _unplanned(pairs, rules, today)
        if pairs:
            customer_ids = {candidate.customer_id for _rule, candidate in pairs}
            since = min(candidate.due_on for _rule, candidate in pairs) - datetime.timedelta(days=MERGE_DAYS)
            until = today + datetime.timedelta(days=LEAD_DAYS + MERGE_DAYS)
            visits = merge(pairs, _planned_visits(customer_ids, until, since, today), today)
            created = _save(visits, _owners(), timezone.now())
    return {rule: created[rule.pk] for rule in rules}


def plan_rule(rule, today=None):
    """Plan one rule (beside the visits planned already); returns how many tasks were created."""
    return plan_visits(today, [rule])[rule]


def _save(visits, owners, now):
    """Insert the new visits, join reasons to the visits planned before; {rule id: tasks created}.

    A new visit is planned on its leading reason's day (the key's date, see `_unplanned`) and
    due on the earliest day one of its reasons is due."""
    rows, created = defaultdict(list), defaultdict(int)  # by rule id
    for visit in visits:
        if visit.lead is None:
            continue
        rule, candidate = visit.lead
        agent_id, department_id = owners.get(candidate.owner_id, (None, None))
        if visit.joined:
            reasons = [visit.lead, *visit.joined]
            purpose = joined_purpose(r.purpose for r, _c in reasons)
            due_on = min(c.due_on for _r, c in reasons)
            priority = max(r.priority for r, _c in reasons)
            campaign_id = _first(r.campaign_id for r, _c in reasons)
            script_id = _first(r.script_id for r, _c in reasons)
            purchase_id = _first(c.purchase_id for _r, c in reasons)
            ticket_id = _first(c.ticket_id for _r, c in reasons)
        else:
            purpose, due_on, priority = rule.purpose, candidate.due_on, rule.priority
            campaign_id, script_id = rule.campaign_id, rule.script_id
            purchase_id, ticket_id = candidate.purchase_id, candidate.ticket_id
        rows[rule.pk].append(
            (
                candidate.customer_id,
                rule.pk,
                candidate.key,
                purpose,
                rule.method,
                candidate.due_on,
                due_on,
                agent_id,
                department_id,
                priority,
                TaskStatus.PENDING.value,
                campaign_id,
                script_id,
                purchase_id,
                ticket_id,
                now,
            )
        )
    for rule_id, rule_rows in rows.items():
        created[rule_id] = _insert(rule_rows)
    merged = _merged_reasons([v for v in visits if v.joined and (v.lead is not None or not v.is_open)], now)
    merged += _join_open_tasks([v for v in visits if v.joined and v.lead is None and v.is_open], now)
    insert_rows(MergedReason, merged, fields=MERGED_FIELDS, ignore_conflicts_on=("key",))
    return created


def _merged_reasons(visits, now):
    """MergedReasons of the reasons joined to new visits (found by their leads' keys, in one
    range of an index) and covered by visits made."""
    leads = {visit.lead[1].key: visit for visit in visits if visit.lead is not None}
    if leads:
        days = [visit.lead[1].due_on for visit in leads.values()]
        rules = {visit.lead[0].pk for visit in leads.values()}
        for key, pk in (
            VisitTask.objects.filter(rule__in=rules, planned_on__gte=min(days), planned_on__lte=max(days))
            .order_by()
            .values_list("source_key", "pk")
        ):
            if key in leads:
                leads[key].task_id = pk
    return [
        (visit.task_id, c.key, r.pk, c.due_on, now)
        for visit in visits
        if visit.task_id is not None
        for r, c in visit.joined
    ]


MERGED_FIELDS = ("task", "key", "rule", "due_on", "created_at")  # the rows of MergedReason made here


def _join_open_tasks(visits, now):
    """Add the joined reasons to open tasks planned before (locked: an agent may be calling):
    their purposes, the highest priority, the anchors and questionnaire they lack; an untouched
    task (nobody called yet) moves to the earliest day a reason is due. Returns rows of
    MergedReason (MERGED_FIELDS)."""
    joined = {visit.task_id: visit.joined for visit in visits}
    tasks = list(VisitTask.objects.select_for_update().filter(pk__in=list(joined), status__in=OPEN_STATUSES))
    merged = []
    for task in tasks:
        reasons = joined[task.pk]
        task.purpose = joined_purpose([task.purpose, *(r.purpose for r, _c in reasons)])
        task.priority = max([task.priority, *(r.priority for r, _c in reasons)])
        if task.status == TaskStatus.PENDING and not task.attempts:
            task.due_on = min([task.due_on, *(c.due_on for _r, c in reasons)])
        task.campaign_id = _first([task.campaign_id, *(r.campaign_id for r, _c in reasons)])
        task.script_id = _first([task.script_id, *(r.script_id for r, _c in reasons)])
        task.purchase_id = _first([task.purchase_id, *(c.purchase_id for _r, c in reasons)])
        task.ticket_id = _first([task.ticket_id, *(c.ticket_id for _r, c in reasons)])
        merged += [(task.pk, c.key, r.pk, c.due_on, now) for r, c in reasons]
    VisitTask.objects.bulk_update(
        tasks, ["purpose", "priority", "due_on", "campaign", "script", "purchase", "ticket"]
    )
    return merged


def _first(values):
    return next((value for value in values if value is not None), None)


# The columns _insert writes, in the order of the row tuples built above; the others get
# their model defaults.
INSERT_FIELDS = (
    "customer",
    "rule",
    "source_key",
    "purpose",
    "method",
    "planned_on",
    "due_on",
    "agent",
    "department",
    "priority",
    "status",
    "campaign",
    "script",
    "purchase",
    "ticket",
    "created_at",
)


def _insert(rows):
    """INSERT every row, skipping source keys planned already; returns the rows inserted.

    insert_rows rather than bulk_create: building and adapting model instances costs about
    0.1 ms a row, several seconds for the monthly visits of 100,000 customers."""
    return insert_rows(VisitTask, rows, fields=INSERT_FIELDS, ignore_conflicts_on=("source_key",))


@dataclass
class Forecast:
    """What one rule will plan in a span of days: visits it will lead, reasons it adds to others."""

    rule: VisitRule
    visits: int = 0
    joined: int = 0
    first: datetime.date | None = None


def forecast(start, end, today=None, department_id=None, customers=None):
    """[Forecast] of the active rules for the days [start, end] after the planning window, as
    the rules read the customers, purchases and warranties known today, merged as the planner
    will merge them (with each other and the open visits planned already): what the plan table
    will hold once the planner reaches those days. Visits after complaints closed later, or
    purchases recorded later, are not in it. `department_id`: only the visits of that team
    (the customer's owner's department); None: every team's, and those with no team.
    `customers`: only the visits of these customers (a queryset: those a region's staff see);
    None: every customer's."""
    today = today or timezone.localdate()
    start = max(start, today + datetime.timedelta(days=LEAD_DAYS + 1))
    if start > end:
        return []
    rules = list(VisitRule.objects.filter(is_active=True))
    owners = _owners()
    seen = None if customers is None else set(customers.values_list("pk", flat=True))
    pairs = [
        (rule, candidate)
        for rule in rules
        for candidate in candidates(rule, today, start, end)
        if (department_id is None or owners.get(candidate.owner_id, (None, None))[1] == department_id)
        and (seen is None or candidate.customer_id in seen)
    ]
    customer_ids = {candidate.customer_id for _rule, candidate in pairs}
    planned = [
        visit
        for visit in _planned_visits(customer_ids, end + datetime.timedelta(days=MERGE_DAYS), start, today)
        if visit.is_open
    ]
    by_rule = {rule.pk: Forecast(rule) for rule in rules}
    for visit in merge(pairs, planned, today):
        if visit.lead is not None:
            rule, candidate = visit.lead
            tally = by_rule[rule.pk]
            tally.visits += 1
            tally.first = min(tally.first or candidate.due_on, candidate.due_on)
        for rule, _candidate in visit.joined:
            by_rule[rule.pk].joined += 1
    return [tally for tally in by_rule.values() if tally.visits or tally.joined]


def plan_daily(now=None):
    """The periodic job: plan once per day. Returns the number of tasks created (None: done already today)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    try:
        with transaction.atomic():
            run = PlannerRun.objects.create(day=today, at=now)
    except IntegrityError:
        return None
    started = time.perf_counter()
    try:
        created = sum(plan_visits(today).values())
    except Exception:
        run.delete()  # not planned after all: the next run of the periodic job tries again
        raise
    PlannerRun.objects.filter(pk=run.pk).update(created=created, seconds=time.perf_counter() - started)
    return created


def periodic_summary():
    """One line for the periodic command's output."""
    created = plan_daily()
    if created is None:
        return "return visits already planned today"
    return f"{created} return visit tasks planned"


def hand_purpose(plan, task=None):
    """A task's purpose written from its row of 《客户回访计划表》: the purpose and the topic, then
    the purposes of the rules' reasons the planner joined to the task, if given."""
    text = f"{plan.purpose} · {plan.topic}" if plan.topic else plan.purpose
    if task is None:
        return text[:200]
    joined = (
        task.merged_reasons.filter(rule__isnull=False).order_by("pk").values_list("rule__purpose", flat=True)
    )
    return joined_purpose([text, *joined])


def plan_by_hand(plan):
    """The task for a row of 《客户回访计划表》 (created with the row)."""
    task, _created = VisitTask.objects.get_or_create(
        source_key=f"plan{plan.pk}",
        defaults={
            "customer": plan.customer,
            "plan": plan,
            "purpose": hand_purpose(plan),
            "method": plan.method,
            "planned_on": plan.planned_on,
            "due_on": plan.planned_on,
            "agent": plan.agent,
            "department_id": plan.agent.department_id,
            "priority": plan.priority,
            "campaign": plan.campaign,
            "script": plan.script,
        },
    )
    return task
