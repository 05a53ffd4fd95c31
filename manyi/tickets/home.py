"""Tickets on the home page: what a user has to do today about complaints (issue 16, deliverable 3).

A handler: the tickets assigned to them and their department's, those overdue and due soon,
and the next ones to work on, the most urgent first. A manager also: the tickets nobody was
given yet. Who records and replies (an agent): the tickets they recorded and the satisfaction
callbacks to make. The counts are the ticket list's queues (TicketQuerySet.queue) as the user
sees them, so the home page and the list it links to always agree.
"""

from dataclasses import dataclass, field

from django.utils import timezone

from manyi.accounts.permissions import MANAGE_TICKETS, REPLY_TICKETS, WORK_TICKETS

from .choices import DEADLINE_LABELS
from .models import Ticket, queues_for

NEXT_TICKETS = 5  # the tickets listed by reference


@dataclass
class TicketsToday:
    """[(queue name, label, count)] in the order shown, and the next tickets to work on as
    [(ticket, deadline label, due, breached)]."""

    queues: list
    next_tickets: list = field(default_factory=list)

    def count(self, name):
        return next((count for queue, _label, count in self.queues if queue == name), None)


def queues_shown(user):
    """The ticket queues (QUEUES names) a user's home page counts, or () for someone who only reads tickets."""
    shown = []
    if user.can(WORK_TICKETS) or user.can(REPLY_TICKETS):
        shown.append("mine")
    if user.can(WORK_TICKETS):
        shown += ["department", "overdue", "due_soon"]
    if user.can(MANAGE_TICKETS):
        shown.append("unassigned")
    if user.can(REPLY_TICKETS):
        shown.append("callback")
    return tuple(dict.fromkeys(shown))


def tickets_today(user, now=None):
    """The user's TicketsToday, or None for someone with no ticket work."""
    names = queues_shown(user)
    if not names:
        return None
    now = now or timezone.now()
    labels = dict(queues_for(user))
    queues = [(name, labels[name], Ticket.objects.queue(name, user, now).count()) for name in names]
    mine = (
        Ticket.objects.queue("mine", user, now)
        .select_related("sla_policy__calendar")
        .order_by("-priority", "resolution_due", "-pk")[:NEXT_TICKETS]
    )
    next_tickets = []
    for ticket in mine:
        deadline = ticket.next_deadline(now)
        if deadline:
            name, due, breached, _left = deadline
            next_tickets.append((ticket, DEADLINE_LABELS[name], due, breached))
        else:
            next_tickets.append((ticket, None, None, False))
    return TicketsToday(queues=queues, next_tickets=next_tickets)
