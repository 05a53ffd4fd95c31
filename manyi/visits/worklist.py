"""The agent's worklist: which tasks a user's list shows, tab by tab, and the tab counts.

Kept apart from the views so that the queries (and their indexes) are in one place. Each tab
is a filter on one status in the order of an index (models.VisitTask.Meta.indexes).
"""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manyi.accounts import permissions as perms
from manyi.accounts.choices import Role

from .choices import ReviewStatus, TaskStatus
from .models import VisitRecord, VisitTask

TABS = [
    ("today", _("Today")),
    ("overdue", _("Overdue")),
    ("callbacks", _("Callbacks")),
    ("upcoming", _("Coming days")),
    ("returned", _("Returned records")),
]
MANAGER_TABS = [("unassigned", _("Unassigned"))]
PAGE = 50


def scope(user, agent=None):
    """The tasks the list shows: one agent's (own, or chosen by a supervisor), the team's, all."""
    tasks = VisitTask.objects.all()
    if agent is not None:
        return tasks.filter(agent=agent)
    if user.role == Role.ADMINISTRATOR:
        return tasks
    if user.can(perms.MANAGE_VISITS) and user.department_id:
        return tasks.filter(department_id=user.department_id)
    return tasks.filter(agent=user)


def unassigned(user):
    tasks = VisitTask.objects.filter(agent__isnull=True)
    if user.role == Role.ADMINISTRATOR:
        return tasks
    pool = Q(department__isnull=True)
    if user.department_id:
        pool |= Q(department_id=user.department_id)
    return tasks.filter(pool)


def tab_queryset(tasks, tab, today):
    pending = tasks.filter(status=TaskStatus.PENDING)
    if tab == "today":
        return pending.filter(due_on=today).order_by("-priority", "due_on", "pk")
    if tab == "overdue":
        return pending.filter(due_on__lt=today).order_by("-priority", "due_on", "pk")
    if tab == "upcoming":
        return pending.filter(due_on__gt=today).order_by("-priority", "due_on", "pk")
    if tab == "callbacks":
        return tasks.filter(status=TaskStatus.CALLBACK).order_by("callback_at", "pk")
    raise ValueError(tab)


def counts(tasks, today):
    """{tab: count} in one query over the open tasks."""
    pending = Q(status=TaskStatus.PENDING)
    return tasks.filter(status__in=(TaskStatus.PENDING, TaskStatus.CALLBACK)).aggregate(
        today=Count("pk", filter=pending & Q(due_on=today)),
        overdue=Count("pk", filter=pending & Q(due_on__lt=today)),
        upcoming=Count("pk", filter=pending & Q(due_on__gt=today)),
        callbacks=Count("pk", filter=Q(status=TaskStatus.CALLBACK)),
    )


def returned_records(user):
    return VisitRecord.objects.filter(agent=user, review_status=ReviewStatus.RETURNED).select_related(
        "customer", "reviewed_by"
    )


def local_today():
    return timezone.localdate()
