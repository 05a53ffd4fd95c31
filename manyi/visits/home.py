"""Return visits on the home page: what a user has to do today (issue 16, deliverable 3).

An agent: their calls due today, overdue, the callbacks agreed, records returned to them, and
the next calls to make. A manager: the same for their team (every team's for an
administrator), the unassigned pool, the records waiting for their review (审阅), and the
agents with work due. The counts are the worklist's (worklist.counts, capped as its badges)
and the review queue's, asked of the user's VisitScope (access.py), so the home page and the
pages it links to always agree.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from . import worklist
from .access import VisitScope
from .choices import OPEN_STATUSES, ReviewStatus, TaskStatus
from .models import VisitTask

NEXT_CALLS = 5  # the calls listed by name
AGENTS_LISTED = 8  # a team's agents listed with work due, most overdue first


@dataclass
class VisitsToday:
    """What the home page shows of return visits; `mine` the user's own list, `team` a manager's."""

    manages: bool
    mine: dict  # {tab: count} of the user's own worklist (worklist.counts, and "returned")
    next_calls: list  # the user's tasks to call now: callbacks due first, then by priority
    team: dict = field(default_factory=dict)  # {tab: count} of the team's list, "unassigned", "review"
    agents: list = field(default_factory=list)  # [(agent, due today, overdue)]

    @property
    def mine_to_do(self):
        return any(self.mine.get(tab) for tab in ("today", "overdue", "callbacks", "returned"))


def visits_today(user, today=None):
    """The user's VisitsToday, or None for someone who does not work visits."""
    scope = VisitScope(user)
    if not scope.works:
        return None
    today = today or timezone.localdate()
    own = VisitTask.objects.filter(agent_id=user.pk)
    mine = worklist.counts(own, today)
    mine["returned"] = worklist.capped_count(worklist.returned_records(user))
    result = VisitsToday(manages=scope.manages, mine=mine, next_calls=_next_calls(own, today))
    if scope.manages:
        result.team = worklist.counts(scope.worklist(), today)
        result.team["unassigned"] = worklist.capped_count(scope.pool().open())
        result.team["review"] = worklist.capped_count(
            scope.records_to_review().filter(review_status=ReviewStatus.SUBMITTED)
        )
        result.agents = _agents_with_work_due(scope, today)
    return result


def _next_calls(tasks, today):
    """The open tasks due by today: agreed callbacks first (by their time), then by priority."""
    due = tasks.filter(status__in=OPEN_STATUSES, due_on__lte=today).select_related("customer")
    callbacks = list(due.filter(status=TaskStatus.CALLBACK).order_by("callback_at", "pk")[:NEXT_CALLS])
    rest = due.filter(status=TaskStatus.PENDING).order_by("-priority", "due_on", "pk")
    return callbacks + list(rest[: NEXT_CALLS - len(callbacks)])


def _agents_with_work_due(scope, today):
    """[(agent, due today, overdue)] of the manager's list, most overdue first."""
    from manyi.accounts.models import User

    pending = scope.worklist().filter(status=TaskStatus.PENDING, due_on__lte=today, agent__isnull=False)
    rows = (
        pending.order_by()
        .values("agent")
        .annotate(today=Count("pk", filter=Q(due_on=today)), overdue=Count("pk", filter=Q(due_on__lt=today)))
        .order_by("-overdue", "-today", "agent")[:AGENTS_LISTED]
    )
    rows = list(rows)
    agents = User.objects.in_bulk([row["agent"] for row in rows])
    return [(agents[row["agent"]], row["today"], row["overdue"]) for row in rows]
