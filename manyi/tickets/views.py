"""Ticket pages: intake, the work queues, the detail page with its timeline and transition buttons.

Views are thin: they fetch the ticket through ``Ticket.objects.for_user`` (a handler sees the
department's tickets and those whose actions they own; others get 404), call one verb of
:mod:`workflow` and redirect. The
verbs check role and state again and refuse with a ``TicketError`` whose message is shown.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required
from manyi.customers.masking import mask_email, mask_phone
from manyi.organisation.access import may_see_unit, visible_people

from . import callback, workflow
from .choices import DEADLINE_LABELS, CallbackStatus, ReplyMethod
from .feedback_classifier import feedback_class
from .forms import (
    NOTE_REQUIRED,
    TRANSITION_FORMS,
    ActionCancelForm,
    ActionForm,
    ActionResultForm,
    ActionVerifyForm,
    BulkAssignForm,
    CallbackAnswerForm,
    ClassifyForm,
    ContactForm,
    IntakeForm,
    InternalNoteForm,
    NoteForm,
    TicketFilterForm,
)
from .models import QUEUES, CorrectiveAction, Ticket, queues_for
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
    tickets = Ticket.objects.queue(queue, request.user, now)
    filters = TicketFilterForm(request.GET or None, user=request.user)
    status = 200
    if filters.is_bound:
        if filters.is_valid():
            tickets = filters.apply(tickets)
        else:  # the queue unfiltered, and the form says what to correct
            status = 400
            messages.error(request, _form_errors(filters))
    # The customers in a second query for the page's rows only: joined, they change the plan of
    # the page query on a large table (65 ms instead of 50 on 100,000 tickets, bench/feedback.py).
    tickets = (
        tickets.select_related("department", "assignee", "category__parent", "sla_policy__calendar")
        .prefetch_related("customer")
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
    chosen = filters.chosen()
    context = {
        "page": page,
        "rows": rows,
        "queues": queues_for(request.user),
        "queue": queue,
        "filters": filters,
        "filtered": bool(chosen),
        "filter_query": urlencode(chosen),
        # The actions the user owns wait on the owner's list (improvements:mine), often on
        # another department's ticket that none of these queues shows.
        "open_actions": CorrectiveAction.objects.owned_by(request.user).open().count(),
    }
    if request.user.can(permissions.MANAGE_TICKETS):
        context["departments"], context["workers"] = _assign_choices(request.user)
    return render(request, "tickets/ticket_list.html", context, status=status)


@capability_required(permissions.CREATE_TICKETS)
def ticket_create(request):
    form = IntakeForm(request.POST or None, user=request.user)
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
                topic=data["topic"],
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
            "customer",
            "category__parent",
            "department",
            "assignee",
            "sla_policy__calendar",
            "duplicate_of",
            "response__campaign",
        ),
        pk=pk,
    )


@capability_required(permissions.VIEW_TICKETS)
def ticket_detail(request, pk):
    return _detail_page(request, _visible_ticket(request, pk))


def _detail_page(request, ticket, action_form=None, status=200):
    """The ticket page; ``action_form``: the action form as it was sent, when it was refused
    (the page shows it again with what was typed)."""
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
    user = request.user
    allowed = workflow.allowed_actions(ticket, user)
    departments = users = ()
    if "assign" in allowed:
        departments, users = _assign_choices(user)
        # only those who would see the ticket by its unit (workflow.assign refuses the others)
        users = [u for u in users if may_see_unit(u, ticket.unit_id)]
    today = timezone.localdate(now)
    actions = list(ticket.actions.select_related("owner", "verified_by"))
    for action in actions:
        action.steps = workflow.allowed_steps(action, user)
        action.late = action.is_late(today)
    response_url = None
    if ticket.response_id is not None:
        from manyi.campaigns.answering import can_see_individual_answers

        if can_see_individual_answers(user, ticket.response.campaign):
            response_url = reverse("entry:response", args=[ticket.response_id])
    return render(
        request,
        "tickets/ticket_detail.html",
        {
            "ticket": ticket,
            "deadlines": deadlines,
            "contact": contact,
            "remark": feedback_class(ticket),
            "response_url": response_url,
            "allowed": allowed,
            "transitions": allowed.transitions,
            "note_required": NOTE_REQUIRED,
            "departments": departments,
            "workers": users,
            "events": ticket.events.select_related("by"),
            "actions": actions,
            "action_form": (action_form or ActionForm(auto_id="action_%s", user=user))
            if "add_action" in allowed
            else None,
            "classify_form": ClassifyForm.for_ticket(ticket) if "classify" in allowed else None,
            "contact_form": ContactForm.for_ticket(ticket) if "edit_contact" in allowed else None,
            "reply_methods": ReplyMethod.choices,
            "callback_form": CallbackAnswerForm(auto_id="callback_%s")
            if "record_callback" in allowed
            else None,
            "callback_pending": ticket.callback_status
            in (CallbackStatus.DUE, CallbackStatus.SENT, CallbackStatus.PHONE),
        },
        status=status,
    )


def _assign_choices(user):
    """Active departments and the active people who may work on tickets (for the assign forms):
    those the user may pick (organisation.access.visible_people), never another region's."""
    from manyi.accounts.models import Department, User

    departments = Department.objects.filter(is_active=True)
    workers = User.objects.filter(is_active=True, role__in=permissions.roles_with(permissions.WORK_TICKETS))
    return departments, visible_people(user, workers).select_related("department")


@require_POST
@capability_required(permissions.VIEW_TICKETS)
def ticket_transition(request, pk, name):
    if name not in workflow.TRANSITIONS:
        raise Http404
    ticket = _visible_ticket(request, pk)
    if not request.user.can(workflow.TRANSITIONS[name].capability):
        raise PermissionDenied
    # the original of a duplicate is looked up among the tickets the user's units hold, the
    # assignee among the people the user may pick
    form = TRANSITION_FORMS[name](
        request.POST, **({"user": request.user} if name in ("assign", "close_duplicate") else {})
    )
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(ticket)
    data = form.cleaned_data
    note = data.get("note", "")
    user = request.user
    verbs = {
        "acknowledge": lambda: workflow.acknowledge(ticket, user, note),
        "assign": lambda: workflow.assign(ticket, user, data["department"], data["assignee"], note),
        "investigate": lambda: workflow.start_investigation(ticket, user, note),
        "plan_actions": lambda: workflow.record_root_cause(ticket, user, note),
        "reply": lambda: workflow.reply(ticket, user, note, data["method"]),
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


# --------------------------------------------------------------------------- the detail page's forms


def _form_errors(form):
    """The form's errors in one line, each after its field's label (several forms share a page)."""
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = field.label if field is not None and field.label else None
        for error in errors:
            parts.append(f"{label}: {error}" if label else str(error))
    return " ".join(parts) or _("Check the form.")


def _back(request, ticket):
    """Back to the page the form was sent from (``next``: the owner's list of actions), else to
    the ticket; only a path of this site."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(ticket)


def _apply(request, ticket, form, verb, success):
    """Validate ``form``; run ``verb(cleaned_data)``; say what happened; back to the ticket."""
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        try:
            verb(form.cleaned_data)
        except TicketError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, success)
    return _back(request, ticket)


@require_POST
@capability_required(permissions.WORK_TICKETS)
def action_add(request, pk):
    """A refused action comes back on the ticket page with what was typed (owner, deadline and
    text) and the reason, not as an empty form."""
    ticket = _visible_ticket(request, pk)
    form = ActionForm(request.POST, auto_id="action_%s", user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            workflow.add_action(
                ticket,
                request.user,
                kind=data["kind"],
                description=data["description"],
                owner=data["owner"],
                deadline=data["deadline"],
            )
        except TicketError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The action has been added."))
            return redirect(ticket)
    messages.error(request, _form_errors(form))
    return _detail_page(request, ticket, action_form=form, status=400)


def _visible_action(request, pk, action_pk):
    ticket = _visible_ticket(request, pk)
    action = get_object_or_404(CorrectiveAction.objects.select_related("ticket"), pk=action_pk, ticket=ticket)
    return ticket, action


@require_POST
@capability_required(permissions.VIEW_TICKETS)
def action_complete(request, pk, action_pk):
    ticket, action = _visible_action(request, pk, action_pk)
    return _apply(
        request,
        ticket,
        ActionResultForm(request.POST),
        lambda data: workflow.complete_action(action, request.user, data["result"]),
        _("The action is reported done."),
    )


@require_POST
@capability_required(permissions.VERIFY_TICKETS)
def action_verify(request, pk, action_pk):
    ticket, action = _visible_action(request, pk, action_pk)
    return _apply(
        request,
        ticket,
        ActionVerifyForm(request.POST),
        lambda data: workflow.verify_action(action, request.user, data["effective"], data["note"]),
        _("The verification of the action has been recorded."),
    )


@require_POST
@capability_required(permissions.MANAGE_TICKETS)
def action_cancel(request, pk, action_pk):
    ticket, action = _visible_action(request, pk, action_pk)
    return _apply(
        request,
        ticket,
        ActionCancelForm(request.POST),
        lambda data: workflow.cancel_action(action, request.user, data["reason"]),
        _("The action has been cancelled."),
    )


@require_POST
@capability_required(permissions.VIEW_TICKETS)
def ticket_classify(request, pk):
    ticket = _visible_ticket(request, pk)
    if not workflow.may_classify(ticket, request.user):
        raise PermissionDenied

    fields = ("category_id", "severity", "demand", "validity", "validity_reason")

    def values():
        return tuple(getattr(ticket, name) for name in fields)

    def verb(data):
        before = values()
        workflow.classify(
            ticket,
            request.user,
            category=data["category"],
            severity=data["severity"],
            demand=data["demand"],
            validity=data["validity"],
            validity_reason=data["validity_reason"],
        )
        if values() == before:
            raise TicketError(_("Nothing was changed."))

    return _apply(request, ticket, ClassifyForm(request.POST), verb, _("The classification has been saved."))


@require_POST
@capability_required(permissions.VIEW_TICKETS)
def ticket_contact(request, pk):
    ticket = _visible_ticket(request, pk)
    if not workflow.may_edit_contact(ticket, request.user):
        raise PermissionDenied

    def verb(data):
        changed = workflow.update_contact(
            ticket,
            request.user,
            customer=data["customer_code"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            contact_email=data["contact_email"],
        )
        if not changed:
            raise TicketError(_("Nothing was changed."))

    return _apply(
        request,
        ticket,
        ContactForm(request.POST, user=request.user),
        verb,
        _("The contact details have been saved."),
    )


@require_POST
@capability_required(permissions.VIEW_TICKETS)
def customer_confirm(request, pk):
    """The customer named only by the code or name typed on the public form is confirmed."""
    ticket = _visible_ticket(request, pk)
    if not workflow.may_edit_contact(ticket, request.user):
        raise PermissionDenied
    return _apply(
        request,
        ticket,
        NoteForm(request.POST),  # nothing to fill in: the button says it
        lambda data: workflow.confirm_customer(ticket, request.user),
        _("The customer is confirmed."),
    )


@require_POST
@capability_required(permissions.VIEW_TICKETS)
def note_add(request, pk):
    ticket = _visible_ticket(request, pk)
    if not workflow.may_classify(ticket, request.user):
        raise PermissionDenied
    return _apply(
        request,
        ticket,
        InternalNoteForm(request.POST),
        lambda data: workflow.add_note(ticket, request.user, data["note"]),
        _("The note has been added."),
    )


@require_POST
@capability_required(permissions.MANAGE_TICKETS)
def ticket_raise_priority(request, pk):
    ticket = _visible_ticket(request, pk)
    return _apply(
        request,
        ticket,
        NoteForm(request.POST),
        lambda data: workflow.raise_priority(ticket, request.user, data["note"]),
        _("The priority has been raised."),
    )


@require_POST
@capability_required(permissions.REPLY_TICKETS)
def callback_record(request, pk):
    ticket = _visible_ticket(request, pk)
    return _apply(
        request,
        ticket,
        CallbackAnswerForm(request.POST),
        lambda data: callback.record_by_phone(ticket, request.user, data["rating"], data["comment"]),
        _("The customer's answer to the callback has been recorded."),
    )


@require_POST
@capability_required(permissions.MANAGE_TICKETS)
def bulk_assign(request):
    """Assign the selected tickets one by one through the workflow; say which could not be."""
    queue = request.POST.get("queue", "open")
    # Back to the same queue with the same filters (only valid ones travel back).
    kept = TicketFilterForm(QueryDict(request.POST.get("filters", "")), user=request.user).chosen()
    query = urlencode({"queue": queue if queue in dict(QUEUES) else "open", **kept})
    back = redirect(f"{reverse('tickets:list')}?{query}")
    form = BulkAssignForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return back
    data = form.cleaned_data
    wanted = list(dict.fromkeys(data["tickets"]))
    found = {t.pk: t for t in Ticket.objects.for_user(request.user).filter(pk__in=wanted)}
    assigned, refused = [], []
    for pk in wanted:
        ticket = found.get(pk)
        if ticket is None:
            refused.append(_("ticket %(id)s: not found") % {"id": pk})
            continue
        try:
            workflow.assign(ticket, request.user, data["department"], data["assignee"], data["note"])
        except TicketError as error:
            refused.append(f"{ticket.reference}: {error}")
        else:
            assigned.append(ticket.reference)
    if assigned:
        messages.success(
            request,
            ngettext(
                "%(count)s ticket assigned: %(references)s.",
                "%(count)s tickets assigned: %(references)s.",
                len(assigned),
            )
            % {"count": len(assigned), "references": ", ".join(assigned)},
        )
    if refused:
        messages.error(
            request,
            ngettext(
                "%(count)s ticket not assigned: %(reasons)s",
                "%(count)s tickets not assigned: %(reasons)s",
                len(refused),
            )
            % {"count": len(refused), "reasons": " ".join(f"{reason}" for reason in refused)},
        )
    return back
