"""Ticket pages: intake, the work queues, the detail page with its timeline and transition buttons.

Views are thin: they fetch the ticket through ``Ticket.objects.for_user`` (a handler sees only
the department's tickets; others get 404), call one verb of :mod:`workflow` and redirect. The
verbs check role and state again and refuse with a ``TicketError`` whose message is shown.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required
from manyi.customers.masking import mask_email, mask_phone

from . import workflow
from .forms import NOTE_REQUIRED, TRANSITION_FORMS, IntakeForm
from .models import QUEUES, Ticket
from .workflow import TicketError


def format_duration(delta, working=False):
    """A time left (or overdue, negative) as “2 d 3 h”, “3 h 15 min”, “20 min”.

    Working time is shown in hours only (“37 h 30 min”): a day of it is not 24 hours.
    """
    if delta is None:
        return ""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    if working:
        days, rest = 0, minutes
    hours, minutes = divmod(rest, 60)
    if days:
        text = _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    elif hours:
        text = _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    else:
        text = _("%(minutes)s min") % {"minutes": minutes}
    return _("overdue %(time)s") % {"time": text} if delta.total_seconds() < 0 else text


DEADLINE_LABELS = {
    "response": gettext_lazy("First response"),
    "solution": gettext_lazy("First solution"),
    "resolution": gettext_lazy("Resolution"),
}


def _calendars(tickets):
    """Each policy's pure calendar, read once per page (policy pk → calendar or None)."""
    calendars = {}
    for ticket in tickets:
        policy = ticket.sla_policy
        if policy is not None and policy.pk not in calendars:
            calendars[policy.pk] = policy.work_calendar()
    return calendars


@capability_required(permissions.VIEW_TICKETS)
def ticket_list(request):
    queue = request.GET.get("queue", "open")
    if queue not in dict(QUEUES):
        queue = "open"
    now = timezone.now()
    tickets = (
        Ticket.objects.queue(queue, request.user, now)
        .select_related("department", "assignee", "category__parent", "sla_policy__calendar")
        .order_by("-priority", "resolution_due", "-pk")
    )
    page = Paginator(tickets, 50).get_page(request.GET.get("page"))
    calendars = _calendars(page.object_list)
    rows = []
    for ticket in page.object_list:
        calendar = calendars.get(ticket.sla_policy_id)
        deadline = ticket.next_deadline(now, calendar)
        rows.append(
            {
                "ticket": ticket,
                "deadline": deadline and DEADLINE_LABELS[deadline[0]],
                "due": deadline and deadline[1],
                "overdue": bool(deadline and deadline[2]),
                "left": deadline and format_duration(deadline[3], working=calendar is not None),
            }
        )
    return render(
        request, "tickets/ticket_list.html", {"page": page, "rows": rows, "queues": QUEUES, "queue": queue}
    )


@capability_required(permissions.CREATE_TICKETS)
def ticket_create(request):
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = workflow.open_ticket(
                by=request.user,
                channel=data["channel"],
                subject=data["subject"],
                description=data["description"],
                received_at=data["received_at"],
                customer=data["customer_code"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                contact_email=data["contact_email"],
                category=data["category"],
                severity=data["severity"],
                demand=data["demand"],
            )
        except TicketError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Feedback %(reference)s has been recorded.") % {"reference": ticket.reference}
            )
            return redirect(ticket)
    return render(request, "tickets/ticket_form.html", {"form": form})


def _visible_ticket(request, pk):
    return get_object_or_404(
        Ticket.objects.for_user(request.user).select_related(
            "customer", "category__parent", "department", "assignee", "sla_policy__calendar", "duplicate_of"
        ),
        pk=pk,
    )


@capability_required(permissions.VIEW_TICKETS)
def ticket_detail(request, pk):
    ticket = _visible_ticket(request, pk)
    now = timezone.now()
    calendar = ticket.sla_calendar()
    deadlines = [
        {
            "label": DEADLINE_LABELS[name],
            "due": due,
            "done": done,
            "breached": breached,
            "left": format_duration(left, working=calendar is not None),
        }
        for name, due, done, breached, left in ticket.deadline_status(now, calendar)
    ]
    personal = request.user.can(permissions.VIEW_PERSONAL_DATA)
    contact = {
        "name": ticket.contact_name,
        "phone": ticket.contact_phone if personal else mask_phone(ticket.contact_phone),
        "email": ticket.contact_email if personal else mask_email(ticket.contact_email),
    }
    transitions = workflow.allowed_transitions(ticket, request.user)
    departments = users = ()
    if any(t.name == "assign" for t in transitions):
        from manyi.accounts.models import Department, User

        departments = Department.objects.filter(is_active=True)
        users = [
            u
            for u in User.objects.filter(is_active=True).select_related("department")
            if u.can(permissions.WORK_TICKETS)
        ]
    return render(
        request,
        "tickets/ticket_detail.html",
        {
            "ticket": ticket,
            "deadlines": deadlines,
            "contact": contact,
            "transitions": transitions,
            "note_required": NOTE_REQUIRED,
            "departments": departments,
            "workers": users,
            "events": ticket.events.select_related("by"),
            "actions": ticket.actions.select_related("owner", "verified_by"),
        },
    )


@require_POST
@capability_required(permissions.VIEW_TICKETS)
def ticket_transition(request, pk, name):
    if name not in workflow.TRANSITIONS:
        raise Http404
    ticket = _visible_ticket(request, pk)
    if not request.user.can(workflow.TRANSITIONS[name].capability):
        raise PermissionDenied
    form = TRANSITION_FORMS[name](request.POST)
    if not form.is_valid():
        errors = [str(error) for field_errors in form.errors.values() for error in field_errors]
        messages.error(request, " ".join(errors) or _("Check the form."))
        return redirect(ticket)
    data = form.cleaned_data
    note = data.get("note", "")
    user = request.user
    verbs = {
        "acknowledge": lambda: workflow.acknowledge(ticket, user, note),
        "assign": lambda: workflow.assign(ticket, user, data["department"], data["assignee"], note),
        "investigate": lambda: workflow.start_investigation(ticket, user, note),
        "plan_actions": lambda: workflow.record_root_cause(ticket, user, note),
        "reply": lambda: workflow.reply(ticket, user, note),
        "verify": lambda: workflow.verify(ticket, user, note),
        "close": lambda: workflow.close(ticket, user, note),
        "reopen": lambda: workflow.reopen(ticket, user, note),
        "close_invalid": lambda: workflow.close_invalid(ticket, user, note, data["validity"]),
        "close_duplicate": lambda: workflow.close_duplicate(ticket, user, data["original"], note),
    }
    try:
        verbs[name]()
    except TicketError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The ticket is now “%(state)s”.") % {"state": ticket.get_state_display()})
    return redirect(ticket)
