"""The monthly visit report 《客户回访报告》 (seed 000: 每月回访结束后由客服部经理汇总形成).

Counts visits planned in the month (the date a rule or the plan table set, not moved by
callbacks) by what became of them (cancelled visits apart, outside the rates), by agent and by customer type; the satisfaction measured on
the visits (the questionnaire answers, scored like web answers); problems found and their
follow-up; and the on-time rate: visits done no later than ON_TIME_DAYS after the planned date.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from manyi.customers.choices import CustomerType
from manyi.customers.exporting import clean_row
from manyi.customers.masking import NameMask

from .access import VisitScope
from .choices import ReviewStatus, TaskStatus
from .models import VisitRecord
from .planner import add_months

ON_TIME_DAYS = 3


@dataclass
class Tally:
    planned: int = 0
    done: int = 0
    unreachable: int = 0
    refused: int = 0
    open: int = 0
    cancelled: int = 0  # not in `planned`: the rates are of the visits still meant to happen
    on_time: int = 0
    scores: list = field(default_factory=list)
    satisfied: int = 0

    def add_task(self, status, planned_on, closed_on):
        if status == TaskStatus.CANCELLED:
            self.cancelled += 1
            return
        self.planned += 1
        if status == TaskStatus.DONE:
            self.done += 1
            if closed_on is not None and closed_on <= planned_on + datetime.timedelta(days=ON_TIME_DAYS):
                self.on_time += 1
        elif status == TaskStatus.UNREACHABLE:
            self.unreachable += 1
        elif status == TaskStatus.REFUSED:
            self.refused += 1
        elif status in (TaskStatus.PENDING, TaskStatus.CALLBACK):
            self.open += 1

    @property
    def done_rate(self):
        return 100 * self.done / self.planned if self.planned else None

    @property
    def on_time_rate(self):
        return 100 * self.on_time / self.done if self.done else None

    @property
    def index(self):
        return sum(self.scores) / len(self.scores) if self.scores else None

    @property
    def satisfied_rate(self):
        return 100 * self.satisfied / len(self.scores) if self.scores else None


@dataclass
class MonthlyReport:
    month: datetime.date
    total: Tally
    by_agent: list  # [(name, Tally)]
    by_type: list  # [(label, Tally)]
    problems: list  # [VisitRecord]
    reviews: dict


def tasks_in_month(user, month):
    """The tasks of the user's report (VisitScope.report_tasks) planned in the month."""
    return VisitScope(user).report_tasks().filter(planned_on__gte=month, planned_on__lt=add_months(month, 1))


def build(user, month):
    tasks = tasks_in_month(user, month)
    total = Tally()
    agents, types = defaultdict(Tally), defaultdict(Tally)
    names = {}
    tz = timezone.get_current_timezone()
    rows = tasks.values_list(
        "pk",
        "agent_id",
        "agent__username",
        "agent__last_name",
        "agent__first_name",
        "customer__customer_type",
        "status",
        "planned_on",
        "closed_at",
    )
    task_keys = {}
    for pk, agent_id, username, last, first, ctype, status, planned_on, closed_at in rows.iterator(
        chunk_size=5000
    ):
        closed_on = timezone.localtime(closed_at, tz).date() if closed_at else None
        for tally in (total, agents[agent_id], types[ctype]):
            tally.add_task(status, planned_on, closed_on)
        names[agent_id] = f"{last or ''}{first or ''}".strip() or username or _("Unassigned")
        task_keys[pk] = (agent_id, ctype)
    records = VisitRecord.objects.filter(task__in=tasks).select_related(
        "customer", "response", "ticket", "agent"
    )
    problems, reviews = [], defaultdict(int)
    for record in records.order_by("visited_at", "pk"):
        reviews[record.review_status] += 1
        agent_id, ctype = task_keys.get(record.task_id, (record.agent_id, record.customer.customer_type))
        response = record.response
        if response is not None and response.index is not None:
            for tally in (total, agents[agent_id], types[ctype]):
                tally.scores.append(response.index)
                tally.satisfied += bool(response.satisfied)
        if record.problem.strip():
            problems.append(record)
    _as_reader_sees(problems, user)
    type_labels = dict(CustomerType.choices)
    return MonthlyReport(
        month=month,
        total=total,
        by_agent=sorted(((names.get(a, _("Unassigned")), t) for a, t in agents.items()), key=lambda x: x[0]),
        by_type=[(type_labels.get(k, k), types[k]) for k in type_labels if k in types],
        problems=problems,
        reviews={status: reviews.get(status, 0) for status in ReviewStatus},
    )


def _as_reader_sees(problems, user):
    """Shown on the page, the PDF and the sheet: for a reader without the personal-data right
    the customers' names as seed 004 records them (A公司, 张*; `customer_name`), and phones,
    e-mail addresses and these names written in the notes masked (the records stay whole)."""
    names = NameMask.for_reader(user, {record.customer_id for record in problems})
    for record in problems:
        record.customer_name = names.customer(record.customer_id, record.customer.name)
        record.problem = names.text(record.problem)
        record.handling = names.text(record.handling)


def _pct(value):
    return round(value, 1) if value is not None else ""


def xlsx_rows(report):
    """The rows, each cell through clean_row (the contract of customers.exporting's writers)."""
    return (clean_row(row) for row in _xlsx_rows(report))


def _xlsx_rows(report):
    """Rows of the report sheet: the summary by agent and by customer type, then problems."""

    def line(label, t):
        return [
            label,
            t.planned,
            t.done,
            t.unreachable,
            t.refused,
            t.open,
            t.cancelled,
            _pct(t.on_time_rate),
            _pct(t.index),
            _pct(t.satisfied_rate),
        ]

    yield [_("By agent")]
    for name, tally in report.by_agent:
        yield line(name, tally)
    yield [_("By customer type")]
    for label, tally in report.by_type:
        yield line(str(label), tally)
    yield line(_("Total"), report.total)
    yield []
    yield [
        _("Problems found"),
        _("Customer"),
        _("Visit time"),
        _("Handling and result"),
        _("Ticket"),
        _("Ticket state"),
    ]
    for record in report.problems:
        yield [
            record.problem,
            record.customer_name,
            timezone.localtime(record.visited_at).replace(tzinfo=None),
            record.handling,
            record.ticket.reference if record.ticket else "",
            str(record.ticket.get_state_display()) if record.ticket else "",
        ]


HEADERS = (
    "",
    gettext_lazy("Planned"),
    pgettext_lazy("visit report", "Done"),
    gettext_lazy("Unreachable"),
    gettext_lazy("Refused"),
    gettext_lazy("Still open"),
    pgettext_lazy("visit report", "Cancelled"),
    gettext_lazy("On time (%)"),
    gettext_lazy("Satisfaction index"),
    gettext_lazy("Satisfied (%)"),
)
