"""Feedback and complaints on the customer's timeline (manyi.customers.timeline), registered
in TicketsConfig.ready(): each ticket when it was received, and the steps the customer
lived through — the reply, closing, reopening, their own later messages and the
satisfaction callback. Internal steps (assigning, notes, actions, escalations) stay on the
ticket page.

Only tickets the reader may see (``Ticket.objects.for_user``: a handler sees their
department's); the template masks the details (the customer's words) for readers without
the personal-data right.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from manyi.customers.timeline import TimelineEntry

from .choices import CLOSED_STATES, CustomerMatch, EventKind, TicketState
from .models import Ticket, TicketEvent
from .workflow import REOPENABLE

# A detail longer than this (an e-mail, a reply) is cut: the ticket page has the whole text.
DETAIL_LENGTH = 200
REOPENED_TO = (TicketState.ASSIGNED, TicketState.ACKNOWLEDGED)


def _short(text):
    text = " ".join((text or "").split())
    return text if len(text) <= DETAIL_LENGTH else text[: DETAIL_LENGTH - 1] + "…"


def _title(event, reference):
    """The timeline title of a step the customer lived through, else None."""
    if event.kind == EventKind.MESSAGE:
        return _("Customer message: %(reference)s") % {"reference": reference}
    if event.kind != EventKind.TRANSITION:
        return None
    if event.to_state == TicketState.REPLIED:
        return _("Replied to the customer: %(reference)s") % {"reference": reference}
    if event.to_state in CLOSED_STATES:
        return _("Ticket %(reference)s: %(state)s") % {
            "reference": reference,
            "state": event.get_to_state_display(),
        }
    if event.from_state in REOPENABLE and event.to_state in REOPENED_TO:
        return _("Ticket %(reference)s reopened") % {"reference": reference}
    return None


def tickets(customer, user):
    visible = list(
        Ticket.objects.for_user(user)
        .filter(customer=customer)
        .select_related("created_by")
        .order_by("-pk")[:100]
    )
    if not visible:
        return
    by_pk = {ticket.pk: ticket for ticket in visible}
    for ticket in visible:
        title = _("Feedback received: %(reference)s (%(channel)s)") % {
            "reference": ticket.reference,
            "channel": ticket.get_channel_display(),
        }
        if ticket.customer_match == CustomerMatch.TYPED:
            # Anyone can type a customer's code on the public form: not this customer's word yet.
            title = f"{title} · {_('customer not confirmed')}"
        yield TimelineEntry(
            when=ticket.received_at,
            kind="ticket",
            title=title,
            detail=_short(ticket.subject),
            url=ticket.get_absolute_url(),
            actor=ticket.created_by.display_name if ticket.created_by else "",
        )
        if ticket.callback_answered_at is not None:
            yield TimelineEntry(
                when=ticket.callback_answered_at,
                kind="ticket",
                title=_("Satisfaction callback: %(reference)s") % {"reference": ticket.reference},
                detail=_short(
                    " — ".join(filter(None, (ticket.get_callback_rating_display(), ticket.callback_comment)))
                ),
                url=ticket.get_absolute_url(),
            )
    steps = Q(kind=EventKind.MESSAGE) | Q(
        kind=EventKind.TRANSITION, to_state__in=(TicketState.REPLIED, *CLOSED_STATES, *REOPENED_TO)
    )
    events = TicketEvent.objects.filter(steps, ticket_id__in=by_pk).select_related("by").order_by("at", "pk")
    for event in events:
        ticket = by_pk[event.ticket_id]
        title = _title(event, ticket.reference)
        if title is None:  # assigned for the first time: internal
            continue
        yield TimelineEntry(
            when=event.at,
            kind="ticket",
            title=title,
            detail=_short(event.note),
            url=ticket.get_absolute_url(),
            actor=event.by.display_name if event.by_id else "",
        )
