"""Improvement figures for reports (the satisfaction report's 改进措施 section).

``improvement_summary`` is a plain function over a queryset of improvements, so a report can
pass the ones of a period, a department or a campaign. Improvements are few (hundreds, not
millions), so the figures are counted in Python from one query.

On-time completion rate: of the improvements that are *due* — done, or with the deadline
passed — the share done by the deadline (the local date of ``done_at`` on or before the
deadline). An open improvement past its deadline counts as late already; cancelled ones
are left out. None when nothing is due yet.
"""

from django.utils import timezone

from .choices import OPEN_STATUSES, Source, Status
from .models import ImprovementAction


def improvement_summary(queryset=None, today=None):
    """Counts by status and by source, overdue, on-time completion rate, one row per improvement."""
    today = today or timezone.localdate()
    if queryset is None:
        queryset = ImprovementAction.objects.all()
    improvements = list(
        queryset.select_related("owner", "department", "category", "campaign").order_by("deadline", "pk")
    )
    counts = dict.fromkeys(Status.values, 0)
    sources = dict.fromkeys(Source.values, 0)
    rows = []
    due = on_time = 0
    for improvement in improvements:
        counts[improvement.status] += 1
        sources[improvement.source] += 1
        overdue = improvement.status in OPEN_STATUSES and improvement.deadline < today
        finished_on_time = improvement.finished_on_time()
        if improvement.status != Status.CANCELLED and (improvement.done_at is not None or overdue):
            due += 1
            on_time += bool(finished_on_time)
        rows.append(
            {
                "pk": improvement.pk,
                "reference": improvement.reference,
                "title": improvement.title,
                "status": improvement.status,
                "status_label": str(improvement.get_status_display()),
                "source_label": str(improvement.get_source_display()),
                "subject": improvement.item_label
                or (str(improvement.category) if improvement.category else ""),
                "owner": improvement.owner.display_name,
                "department": str(improvement.department) if improvement.department else "",
                "deadline": improvement.deadline,
                "done_on": timezone.localdate(improvement.done_at) if improvement.done_at else None,
                "overdue": overdue,
                "on_time": finished_on_time,
                "baseline_score": improvement.baseline_score,
                "measured_score": improvement.measured_score,
                "score_change": improvement.score_change,
                "url": improvement.get_absolute_url(),
            }
        )
    return {
        "total": len(improvements),
        "by_status": [
            {"status": value, "label": str(label), "count": counts[value]} for value, label in Status.choices
        ],
        "by_source": [
            {"source": value, "label": str(label), "count": sources[value]} for value, label in Source.choices
        ],
        "open": sum(counts[s] for s in OPEN_STATUSES),
        "overdue": sum(1 for row in rows if row["overdue"]),
        "due": due,
        "on_time": on_time,
        "on_time_rate": 100.0 * on_time / due if due else None,
        "rows": rows,
    }
