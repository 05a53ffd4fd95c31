"""The planner: visit tasks from the rules, idempotently (REQUIREMENTS §4).

Date arithmetic is in plain functions (no database); `plan_rule` turns a rule into candidate
tasks with a few set-based queries and inserts them with one bulk insert that skips source
keys already planned, so running it twice, or in two processes at once, never duplicates a task.

Which visits a rule plans on a day: those falling due from `catch_up_days` ago to
`LEAD_DAYS` ahead (agents see the coming week). Routine visits (monthly, weekly, half-yearly)
fall in a period (month, ISO week, half year of warranty) and are spread over the period by
customer so that a team does not get every call on the 1st; a routine visit planned late in
its period is due today rather than overdue. Routine visits stop once every warranty of the
customer has ended, unless the customer asked for them (VisitPreference). Customers who
withdrew their consent to be contacted, or were erased, get no planned visits.
"""

import calendar
import datetime
import time
from dataclasses import dataclass

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone

from manyi.accounts import permissions as perms
from manyi.accounts.models import User
from manyi.customers.choices import CustomerType, Lifecycle
from manyi.customers.models import Customer, Purchase

from .choices import RuleKind, TaskStatus
from .models import PlannerRun, VisitPreference, VisitRule, VisitTask

LEAD_DAYS = 7
# Who counts as a key account for the weekly visit (大客户的特定回访每周至少一次).
KEY_TYPES = (CustomerType.KEY_ACCOUNT, CustomerType.VIP)
ACTIVE_LIFECYCLES = (Lifecycle.NEW, Lifecycle.ACTIVE)


# ------------------------------------------------------------------------------ dates


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day (31 Aug + 6 months = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def half_yearly_dates(anchor: datetime.date, warranty_end: datetime.date):
    """[(n, date)]: every six months after `anchor` while under warranty (n = 1, 2, …)."""
    dates, n = [], 1
    while (due := add_months(anchor, 6 * n)) <= warranty_end:
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
        for n, due in half_yearly_dates(anchor, warranty_end):
            if start <= due <= end:
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


def candidates(rule, today):
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
    raise ValueError(rule.kind)


def plan_rule(rule, today=None, owners=None):
    """Create the rule's due tasks that do not exist yet; returns how many were created."""
    today = today or timezone.localdate()
    owners = _owners() if owners is None else owners
    start, end = window(rule.catch_up_days, today)
    # Keys planned before (their planned date lies in the same window) are not sent again;
    # the unique source key still settles a race with a planner running at the same time.
    known = set(
        VisitTask.objects.filter(rule=rule, planned_on__gte=start, planned_on__lte=end).values_list(
            "source_key", flat=True
        )
    )
    now = timezone.now()
    rows = []
    for candidate in candidates(rule, today):
        if candidate.key in known:
            continue
        known.add(candidate.key)
        agent_id, department_id = owners.get(candidate.owner_id, (None, None))
        rows.append(
            (
                candidate.customer_id,
                rule.pk,
                candidate.key,
                rule.purpose,
                rule.method,
                candidate.due_on,
                candidate.due_on,
                agent_id,
                department_id,
                rule.priority,
                TaskStatus.PENDING.value,
                rule.campaign_id,
                rule.script_id,
                candidate.purchase_id,
                candidate.ticket_id,
                now,
            )
        )
    return _insert(rows)


# The columns _insert writes, in the order of the row tuples built above; the others are
# nullable or have the defaults written as constants below.
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
    """INSERT … ON CONFLICT (source_key) DO NOTHING for every row; returns the rows inserted.

    Plain SQL rather than bulk_create: building and adapting model instances costs about
    0.1 ms a row, several seconds for the monthly visits of 100,000 customers. On PostgreSQL
    the rows are copied (COPY) into a temporary table and inserted from it in one statement;
    SQLite (3.24+) runs one short statement per row, which is fast in process.
    """
    if not rows:
        return 0
    meta = VisitTask._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = [quote(meta.get_field(name).column) for name in INSERT_FIELDS]
    constants = {"attempts": "0", "unanswered_days": "0", "callback_reason": "''"}
    all_columns = ", ".join(columns + [quote(meta.get_field(name).column) for name in constants])
    values = ", ".join(constants.values())
    source_key = quote(meta.get_field("source_key").column)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE TEMPORARY TABLE visit_plan_rows ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {', '.join(columns)} FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY visit_plan_rows ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} ({all_columns}) "  # noqa: S608
                f"SELECT {', '.join(columns)}, {values} FROM visit_plan_rows "
                f"ON CONFLICT ({source_key}) DO NOTHING"
            )
            inserted = cursor.rowcount
            # Dropped now: inside an outer transaction (the demo loader, a test) ON COMMIT
            # would come only after the next rule had tried to create it again.
            cursor.execute("DROP TABLE visit_plan_rows")
            return inserted
        adapt = [_adapter(meta.get_field(name)) for name in INSERT_FIELDS]
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {table} ({all_columns}) VALUES ({placeholders}, {values}) "  # noqa: S608
            f"ON CONFLICT ({source_key}) DO NOTHING",
            [
                [v if a is None or v is None else a(v) for v, a in zip(row, adapt, strict=True)]
                for row in rows
            ],
        )
        return cursor.rowcount


def _adapter(field):
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    return None


def plan_visits(today=None, rules=None):
    """Plan every active rule (or the given ones); returns {rule: tasks created}."""
    today = today or timezone.localdate()
    rules = VisitRule.objects.filter(is_active=True) if rules is None else rules
    owners = _owners()
    return {rule: plan_rule(rule, today, owners) for rule in rules}


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


def plan_by_hand(plan):
    """The task for a row of 《客户回访计划表》 (created with the row)."""
    task, _created = VisitTask.objects.get_or_create(
        source_key=f"plan{plan.pk}",
        defaults={
            "customer": plan.customer,
            "plan": plan,
            "purpose": (f"{plan.purpose} · {plan.topic}" if plan.topic else plan.purpose)[:200],
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
