"""The actions a user owns, on the home page (issue 16, deliverable 3): the corrective and
preventive actions of tickets (often another department's ticket) and the improvement
actions, still to be carried out, the late ones first. The same actions as the user's
"my actions" page (views.my_actions), which the panel links to.
"""

from dataclasses import dataclass

from django.utils import timezone

from manyi.accounts.permissions import WORK_IMPROVEMENTS, WORK_TICKETS
from manyi.tickets.models import CorrectiveAction

from .models import ImprovementAction

NEXT_ACTIONS = 5


@dataclass
class ActionsToday:
    open: int  # open actions the user owns, both kinds
    late: int  # of which past their deadline
    next_actions: list  # [(action, url, late)] by deadline, the earliest first


def actions_today(user, today=None):
    """The user's ActionsToday, or None for someone who owns no open action and carries out none."""
    today = today or timezone.localdate()
    ticket_actions = CorrectiveAction.objects.owned_by(user).open().select_related("ticket")
    improvements = ImprovementAction.objects.for_user(user).filter(owner=user).open()
    count = ticket_actions.count() + improvements.count()
    if not count and not (user.can(WORK_TICKETS) or user.can(WORK_IMPROVEMENTS)):
        return None
    late = ticket_actions.filter(deadline__lt=today).count() + improvements.filter(deadline__lt=today).count()
    rows = [
        (a, a.ticket.get_absolute_url(), a.deadline)
        for a in ticket_actions.order_by("deadline", "pk")[:NEXT_ACTIONS]
    ]
    rows += [
        (i, i.get_absolute_url(), i.deadline) for i in improvements.order_by("deadline", "pk")[:NEXT_ACTIONS]
    ]
    rows.sort(key=lambda row: row[2])
    next_actions = [(action, url, deadline < today) for action, url, deadline in rows[:NEXT_ACTIONS]]
    return ActionsToday(open=count, late=late, next_actions=next_actions)
