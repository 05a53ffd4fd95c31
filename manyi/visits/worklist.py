"""The agent's worklist: the tasks of a user's list (VisitScope.worklist(), access.py), tab by
tab, and the tab counts.

Kept apart from the views so that the queries (and their indexes) are in one place. Each tab
is a filter on one status in the order of an index (models.VisitTask.Meta.indexes).
"""

from django.utils.translation import gettext_lazy as _

from .choices import ReviewStatus, TaskStatus
from .models import VisitRecord

TABS = [
    ("today", _("Today")),
    ("overdue", _("Overdue")),
    ("callbacks", _("Callbacks")),
    ("upcoming", _("Coming days")),
    ("returned", _("Returned records")),
]
MANAGER_TABS = [("unassigned", _("Unassigned"))]
PAGE = 50


def tab_queryset(tasks, tab, today):
    pending = tasks.filter(status=TaskStatus.PENDING)
    if tab == "today":
        return pending.filter(due_on=today).order_by("-priority", "pk")
    if tab == "overdue":
        return pending.filter(due_on__lt=today).order_by("-priority", "due_on", "pk")
    if tab == "upcoming":
        return pending.filter(due_on__gt=today).order_by("-priority", "due_on", "pk")
    if tab == "callbacks":
        return tasks.filter(status=TaskStatus.CALLBACK).order_by("callback_at", "pk")
    raise ValueError(tab)


# Tab counts stop at CAP: a badge reads "999+" rather than the list counting 50,000 rows on
# every request; each count is a short range of one of the queue indexes.
CAP = 1000


def capped_count(queryset):
    return queryset.order_by()[:CAP].count()


def counts(tasks, today):
    """{tab: count, at most CAP} of the open tasks."""
    pending = tasks.filter(status=TaskStatus.PENDING)
    return {
        "today": capped_count(pending.filter(due_on=today)),
        "overdue": capped_count(pending.filter(due_on__lt=today)),
        "upcoming": capped_count(pending.filter(due_on__gt=today)),
        "callbacks": capped_count(tasks.filter(status=TaskStatus.CALLBACK)),
    }


def badge(count):
    return f"{CAP - 1}+" if count >= CAP else str(count)


def returned_records(user):
    return VisitRecord.objects.filter(agent=user, review_status=ReviewStatus.RETURNED).select_related(
        "customer", "reviewed_by"
    )
