"""Ticket statistics (issue 5, item 8): functions over a queryset of tickets, no HTTP here.

Counting is done by the database (GROUP BY, COUNT … FILTER); only the durations for the
percentiles come to Python, as one interval per ticket (the difference is computed in SQL),
and numpy gives the median and the 90th percentile with linear interpolation — the same
definition as PostgreSQL's ``percentile_cont``, and it works on SQLite too.

Definitions
-----------
- Time to first response: ``first_response_at - received_at`` of the tickets responded to
  (acknowledged); time to forward: ``forwarded_at - received_at`` of the tickets handed to a
  responsible department; time to close: ``resolved_at - received_at`` of the tickets closed
  (resolved), in hours, calendar time.
- SLA compliance per deadline: met (done at or before the due instant) divided by the tickets
  whose outcome is known — a deadline set and either done or already passed at ``now``.
  A deadline not due yet and not done counts in neither (shown as pending). Each deadline is
  measured from the receipt to the step that meets it (``DEADLINES``): the first response to
  the acknowledgement, the forwarding to the first assignment to a department (seed 002:
  “接到客户反馈后半个工作日内 … 发送给质量部、技术部等相关部门”), the first solution to the
  first reply, the resolution to the closing. A ticket acknowledged at once but forwarded a day
  late counts as a met first response and a missed forwarding.
- Repeat complainants: customers with two tickets or more in the selection; a ticket whose
  customer was matched only by a code or name typed on the public form, not confirmed, is not
  counted for that customer (``Ticket.objects.with_known_customer``).
- Callback satisfaction: of the tickets whose satisfaction callback was answered (by the
  link or on the phone), how many answered “very satisfied” or “satisfied”; the % is of the
  answered ones. The tickets closed whose callback is still waiting are counted apart.
- Pareto: categories by count, descending, with the share and the cumulative share; the
  categories up to 80 % cumulative (and the one crossing it) are the “vital few”.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manyi.accounts.models import Department

from .choices import DEADLINES, SATISFIED_RATINGS, CallbackRating, CallbackStatus, Channel, Severity
from .models import Category, Ticket

PARETO_VITAL = 80.0
REPEAT_LIMIT = 100  # repeat complainants listed on the page (the export has all)

NONE_LABELS = {
    "category": _("Not classified"),
    "department": _("No department"),
}


@dataclass(frozen=True)
class Selection:
    """What the statistics are about: received in [start, end] (local dates), one department."""

    start: date
    end: date
    department: Department | None = None

    def bounds(self):
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone),
        )

    def tickets(self, queryset=None):
        queryset = Ticket.objects.all() if queryset is None else queryset
        lower, upper = self.bounds()
        queryset = queryset.filter(received_at__gte=lower, received_at__lt=upper)
        if self.department is not None:
            queryset = queryset.filter(department=self.department)
        return queryset


def default_selection(today=None):
    """The last twelve months up to today."""
    today = today or timezone.localdate()
    return Selection(start=today.replace(year=today.year - 1) + timedelta(days=1), end=today)


def _share(count, total):
    return 100.0 * count / total if total else None


def counts_by(tickets, field):
    """[{"key", "label", "count", "percent"}] by category, department, severity or channel.

    Categories and departments in their configured order, choices in their declared order;
    values that occur but are not configured any more come last; None ("not classified") too.
    """
    rows = dict(tickets.order_by().values_list(field).annotate(n=Count("pk")).values_list(field, "n"))
    total = sum(rows.values())
    if field == "category":
        known = [(c.pk, str(c)) for c in Category.objects.select_related("parent__parent")]
    elif field == "department":
        known = [(d.pk, str(d)) for d in Department.objects.all()]
    elif field == "severity":
        known = [(value, str(label)) for value, label in Severity.choices]
    elif field == "channel":
        known = [(value, str(label)) for value, label in Channel.choices]
    else:
        raise ValueError(f"no counts by {field}")
    result = [
        {"key": key, "label": label, "count": rows.pop(key), "percent": None}
        for key, label in known
        if key in rows
    ]
    none = rows.pop(None, None)
    result += [
        {"key": key, "label": str(key), "count": n, "percent": None} for key, n in sorted(rows.items())
    ]
    if none:
        result.append(
            {"key": None, "label": str(NONE_LABELS.get(field, "–")), "count": none, "percent": None}
        )
    for row in result:
        row["percent"] = _share(row["count"], total)
    return result


def months(selection):
    """The first day of each month the selection touches, in order."""
    month = selection.start.replace(day=1)
    result = []
    while month <= selection.end:
        result.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return result


def counts_by_month(tickets, selection):
    """[{"month": date, "count"}] for every month of the selection, zero included."""
    zone = timezone.get_current_timezone()
    rows = (
        tickets.order_by()
        .annotate(month=TruncMonth("received_at", tzinfo=zone))
        .values_list("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    found = {}
    for month, n in rows:
        day = timezone.localtime(month, zone).date() if isinstance(month, datetime) else month
        found[day] = found.get(day, 0) + n
    return [{"month": month, "count": found.get(month, 0)} for month in months(selection)]


def hours(tickets, done_field):
    """numpy array of hours from receipt to ``done_field`` (the tickets where it is set)."""
    durations = (
        tickets.order_by()
        .filter(**{f"{done_field}__isnull": False})
        .annotate(took=ExpressionWrapper(F(done_field) - F("received_at"), output_field=DurationField()))
        .values_list("took", flat=True)
    )
    return np.fromiter((d.total_seconds() / 3600.0 for d in durations), dtype=float)


def summarise(values):
    """{"count", "median", "p90", "mean"} in hours (None when there is nothing)."""
    if not len(values):
        return {"count": 0, "median": None, "p90": None, "mean": None}
    return {
        "count": len(values),
        "median": float(np.median(values)),
        "p90": float(np.percentile(values, 90)),
        "mean": float(np.mean(values)),
    }


DURATIONS = (
    ("response", _("Time to first response"), "first_response_at"),
    ("forwarding", _("Time to forward to the department"), "forwarded_at"),
    ("close", _("Time to close"), "resolved_at"),
)


def durations(tickets):
    return [
        {"key": key, "label": label, **summarise(hours(tickets, field))} for key, label, field in DURATIONS
    ]


def sla_compliance(tickets, now=None):
    """Per deadline: met, missed, pending and the compliance % (met / decided), in one query."""
    now = now or timezone.now()
    aggregates = {}
    for key, due, done in ((d.name, d.due, d.done) for d in DEADLINES):
        has_due = Q(**{f"{due}__isnull": False})
        aggregates[f"{key}_met"] = Count("pk", filter=has_due & Q(**{f"{done}__lte": F(due)}))
        aggregates[f"{key}_late"] = Count("pk", filter=has_due & Q(**{f"{done}__gt": F(due)}))
        aggregates[f"{key}_overdue"] = Count(
            "pk", filter=has_due & Q(**{f"{done}__isnull": True, f"{due}__lt": now})
        )
        aggregates[f"{key}_pending"] = Count(
            "pk", filter=has_due & Q(**{f"{done}__isnull": True, f"{due}__gte": now})
        )
    counts = tickets.order_by().aggregate(**aggregates)
    rows = []
    for key, label in ((d.name, d.label) for d in DEADLINES):
        met, late, overdue = counts[f"{key}_met"], counts[f"{key}_late"], counts[f"{key}_overdue"]
        decided = met + late + overdue
        rows.append(
            {
                "key": key,
                "label": label,
                "met": met,
                "missed": late + overdue,
                "pending": counts[f"{key}_pending"],
                "decided": decided,
                "percent": _share(met, decided),
            }
        )
    return rows


def repeat_complainants(tickets, limit=None):
    """Customers with ≥ 2 tickets: [{"customer_id", "code", "name", "count", "last"}], most first."""
    rows = (
        tickets.order_by()
        .with_known_customer()
        .values("customer_id", "customer__code", "customer__name")
        .annotate(n=Count("pk"), last=Max("received_at"))
        .filter(n__gte=2)
        .order_by("-n", "-last", "customer_id")
    )
    if limit is not None:
        rows = rows[:limit]
    return [
        {
            "customer_id": row["customer_id"],
            "code": row["customer__code"],
            "name": row["customer__name"],
            "count": row["n"],
            "last": row["last"],
        }
        for row in rows
    ]


def repeat_complainant_count(tickets):
    return (
        tickets.order_by()
        .with_known_customer()
        .values("customer_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .count()
    )


def pareto(category_counts):
    """The category counts sorted descending with the cumulative % and the vital few marked."""
    rows = sorted(category_counts, key=lambda row: (-row["count"], row["label"]))
    total = sum(row["count"] for row in rows)
    running, result, crossed = 0, [], False
    for row in rows:
        running += row["count"]
        cumulative = _share(running, total)
        result.append({**row, "cumulative": cumulative, "vital": not crossed})
        if total and 100.0 * running / total >= PARETO_VITAL:
            crossed = True
    return result


def callback_satisfaction(tickets):
    """{"answered", "satisfied", "percent", "waiting", "ratings": [{"rating", "label", "count", "percent"}]}."""
    answered = Q(callback_status=CallbackStatus.ANSWERED)
    aggregates = {
        "answered": Count("pk", filter=answered),
        "satisfied": Count("pk", filter=answered & Q(callback_rating__in=SATISFIED_RATINGS)),
        "waiting": Count(
            "pk",
            filter=Q(callback_status__in=(CallbackStatus.DUE, CallbackStatus.SENT, CallbackStatus.PHONE)),
        ),
    }
    for rating in CallbackRating:
        aggregates[f"rating_{rating.value}"] = Count("pk", filter=answered & Q(callback_rating=rating.value))
    counts = tickets.order_by().aggregate(**aggregates)
    return {
        "answered": counts["answered"],
        "satisfied": counts["satisfied"],
        "percent": _share(counts["satisfied"], counts["answered"]),
        "waiting": counts["waiting"],
        "ratings": [
            {
                "rating": rating.value,
                "label": rating.label,
                "count": counts[f"rating_{rating.value}"],
                "percent": _share(counts[f"rating_{rating.value}"], counts["answered"]),
            }
            for rating in CallbackRating
        ],
    }


def statistics(selection, queryset=None, now=None, repeat_limit=REPEAT_LIMIT):
    """Every table of the page (and of the export) for one selection."""
    tickets = selection.tickets(queryset)
    categories = counts_by(tickets, "category")
    return {
        "total": sum(row["count"] for row in categories),  # every ticket is in one category row
        "categories": categories,
        "departments": counts_by(tickets, "department"),
        "severities": counts_by(tickets, "severity"),
        "channels": counts_by(tickets, "channel"),
        "months": counts_by_month(tickets, selection),
        "durations": durations(tickets),
        "compliance": sla_compliance(tickets, now),
        "repeat": repeat_complainants(tickets, repeat_limit),
        "repeat_count": repeat_complainant_count(tickets),
        "pareto": pareto(categories),
        "callback": callback_satisfaction(tickets),
    }
