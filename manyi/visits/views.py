"""Return-visit pages: worklist, call screen, outcomes, records and review, rules, scripts, plans.

Views are thin: they find the object the user may act on, call one verb of workflow.py or
planner.py, and redirect or render. A VisitError's message is shown and nothing changes.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from manyi.accounts import permissions as perms
from manyi.accounts.decorators import capability_required

from . import workflow, worklist
from .access import VisitScope
from .choices import ReviewStatus
from .forms import AssignForm, BusyForm, CancelForm, NoAnswerForm, RecordForm, RefusedForm, ReviewForm
from .models import VisitPreference, VisitRecord
from .results import open_invitation
from .scripts import render_script, script_context
from .workflow import VisitError


def _task_for(user, pk):
    """The task if the user may work on it; 404 when it is not theirs (no hint it exists)."""
    return get_object_or_404(
        VisitScope(user)
        .tasks()
        .select_related(
            "customer",
            "contact",
            "agent",
            "rule",
            "plan",
            "campaign__questionnaire",
            "script",
            "purchase__product",
        ),
        pk=pk,
    )


def _record_for(user, pk):
    """The record if the user may see its task; 404 otherwise."""
    return get_object_or_404(
        VisitScope(user)
        .records()
        .select_related(
            "task__customer",
            "task__campaign",
            "customer",
            "agent",
            "reviewed_by",
            "ticket",
            "response__campaign",
        ),
        pk=pk,
    )


# ------------------------------------------------------------------------------ worklist


@capability_required(perms.WORK_VISITS)
def task_list(request):
    user = request.user
    scope = VisitScope(user)
    manager = scope.manages
    tabs = worklist.TABS + (worklist.MANAGER_TABS if manager else [])
    tab = request.GET.get("tab", "today")
    if tab not in dict(tabs):
        tab = "today"
    agent = None
    agents = list(scope.assignable_agents())
    agent_id = request.GET.get("agent", "")
    if manager and agent_id:
        agent = next((a for a in agents if str(a.pk) == agent_id), None)
        if agent is None:
            messages.error(request, _("Choose an agent of your team."))
    tasks = scope.worklist() if agent is None else scope.worklist().filter(agent=agent)
    today = timezone.localdate()
    counts = worklist.counts(tasks, today)
    returned = worklist.returned_records(user)
    counts["returned"] = worklist.capped_count(returned)
    if manager:
        counts["unassigned"] = worklist.capped_count(scope.pool().open())
    if tab == "returned":
        rows, page = list(returned[: worklist.PAGE]), None
    else:
        queryset = (
            scope.pool().open().order_by("-priority", "due_on", "pk")
            if tab == "unassigned"
            else worklist.tab_queryset(tasks, tab, today)
        )
        paginator = Paginator(
            queryset.select_related("customer", "agent").only(
                "pk",
                "due_on",
                "priority",
                "status",
                "purpose",
                "method",
                "attempts",
                "callback_at",
                "callback_reason",
                "customer__name",
                "customer__code",
                "customer__customer_type",
                "agent__username",
                "agent__first_name",
                "agent__last_name",
            ),
            worklist.PAGE,
        )
        paginator.count = counts.get(tab, 0)  # counted above (at most CAP): no second COUNT query
        page = paginator.get_page(request.GET.get("page"))
        rows = list(page.object_list)
    return render(
        request,
        "visits/worklist.html",
        {
            "tabs": [(key, label, worklist.badge(counts.get(key, 0))) for key, label in tabs],
            "tab": tab,
            "rows": rows,
            "page": page,
            "today": today,
            "now": timezone.now(),
            "agents": agents,
            "agent": agent,
            "manager": manager,
        },
    )


# ------------------------------------------------------------------------------ call screen


def _call_context(request, task):
    from manyi.campaigns.answering import AnswerForm, can_see_individual_answers
    from manyi.campaigns.models import Response
    from manyi.tickets.choices import OPEN_STATES
    from manyi.tickets.models import Ticket

    customer = task.customer
    user = request.user
    contacts = list(customer.contacts.all())
    script = task.script or (task.rule.script if task.rule_id and task.rule.script_id else None)
    scores = []
    for response in (
        Response.objects.completed()
        .filter(customer=customer)
        .select_related("campaign")
        .order_by("-completed_at")[:5]
    ):
        allowed = can_see_individual_answers(user, response.campaign)
        scores.append({"response": response, "allowed": allowed})
    context = {
        "task": task,
        "customer": customer,
        "contacts": contacts,
        "show_personal": user.can(perms.VIEW_PERSONAL_DATA),
        "purchases": list(customer.purchases.select_related("product")[:8]),
        "visits": list(
            VisitRecord.objects.filter(customer=customer).exclude(task=task).select_related("agent")[:5]
        ),
        "tickets": list(Ticket.objects.filter(customer=customer, state__in=OPEN_STATES)[:10])
        if user.can(perms.VIEW_TICKETS)
        else [],
        "scores": scores,
        "attempts": list(task.visit_attempts.select_related("by")),
        "after_warranty": VisitPreference.objects.filter(
            customer=customer, visits_after_warranty=True
        ).exists(),
        "script": script,
        "script_text": render_script(script.body, script_context(task, user)) if script else "",
        "busy_form": BusyForm(prefix="busy"),
        "no_answer_form": NoAnswerForm(prefix="na"),
        "refused_form": RefusedForm(prefix="ref"),
        "record_form": None,
        "answer_form": None,
        "assign_form": AssignForm(user=user, prefix="as", initial={"agent": task.agent_id})
        if VisitScope(user).may_manage(task)
        else None,
    }
    if task.is_open:
        latest = next(iter(context["purchases"]), None)
        contact = task.contact or next(iter(contacts), None)
        context["record_form"] = RecordForm(
            prefix="rec",
            initial={
                "visitee": contact.name if contact else customer.name,
                "visitee_title": contact.title if contact else "",
                "method": task.method,
                "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "purchased_on": task.purchase.purchased_on
                if task.purchase_id
                else (latest.purchased_on if latest else None),
                "about_usage": True,
            },
        )
        if task.campaign_id and task.campaign.is_open():
            context["answer_form"] = AnswerForm(task.campaign.questionnaire)
            context["answers_invitation"] = open_invitation(
                task.campaign, customer.pk, contact_id=task.contact_id
            )
            context["condition_context"] = _answer_context(task, context["answers_invitation"], task.method)
    return context


def _answer_context(task, invitation, method):
    """The customer's fields the questionnaire's conditions name (customer.type, …, issue 21):
    those of the invitation the answers return, else of the customer with the channel the
    visit's answers are stored with."""
    from manyi.surveys.logic.visibility import respondent_context

    return respondent_context(
        task.campaign.questionnaire,
        invitation,
        task.customer,
        channel=workflow.answer_channel(method),
    )


def _render_call(request, task, status=200, **overrides):
    context = _call_context(request, task)
    context.update(overrides)
    form = context["answer_form"]
    if form is not None:
        from manyi.surveys.pages import staff_form
        from manyi.surveys.piping import respondent_values

        # As on the phone-entry form: answers and the customer's fields piped, page headings.
        channel = workflow.answer_channel(task.method)
        respondent = respondent_values(context.get("answers_invitation"), task.customer, channel=channel)
        question_blocks, page_sections = staff_form(task.campaign.questionnaire.layout(), form, respondent)
        context.update(
            blocks=question_blocks,
            page_sections=page_sections,
            summary=form.error_summary() if form.is_bound else [],
            answered=form.answered_count(),
            total=len(form.questions),
        )
    return render(request, "visits/call.html", context, status=status)


@capability_required(perms.WORK_VISITS)
def task_detail(request, pk):
    return _render_call(request, _task_for(request.user, pk))


@require_POST
@capability_required(perms.WORK_VISITS)
def task_outcome(request, pk, outcome):
    task = _task_for(request.user, pk)
    forms = {
        "busy": (BusyForm, "busy", "busy_form"),
        "no_answer": (NoAnswerForm, "na", "no_answer_form"),
        "refused": (RefusedForm, "ref", "refused_form"),
    }
    if outcome not in forms:
        raise Http404
    form_class, prefix, name = forms[outcome]
    form = form_class(request.POST, prefix=prefix)
    if not form.is_valid():
        messages.error(request, _("Please correct the outcome form."))
        return _render_call(request, task, status=400, **{name: form, "open_outcome": outcome})
    data = form.cleaned_data
    try:
        if outcome == "busy":
            task = workflow.record_busy(
                task, by=request.user, callback_at=data["callback_at"], reason=data["reason"]
            )
            messages.success(
                request,
                _("Callback agreed for %(when)s.")
                % {"when": timezone.localtime(task.callback_at).strftime("%Y-%m-%d %H:%M")},
            )
        elif outcome == "no_answer":
            task = workflow.record_no_answer(task, by=request.user, note=data["note"])
            if task.status == "unreachable":
                messages.warning(
                    request, _("Not reached on three different days: the customer is marked unreachable.")
                )
            else:
                messages.info(
                    request, _("Not reached; the visit is due again on %(day)s.") % {"day": task.due_on}
                )
        else:
            workflow.record_refused(task, by=request.user, reason=data["reason"])
            messages.info(request, _("Refusal recorded."))
    except VisitError as error:
        messages.error(request, str(error))
        return redirect(task)
    return redirect("visits:list")


@require_POST
@capability_required(perms.WORK_VISITS)
def task_complete(request, pk):
    from manyi.campaigns.answering import AnswerForm

    task = _task_for(request.user, pk)
    if not task.is_open:
        messages.error(
            request, _("This visit is already closed (%(status)s).") % {"status": task.get_status_display()}
        )
        return redirect(task)
    record_form = RecordForm(request.POST, prefix="rec")
    answer_form = None
    valid = record_form.is_valid()
    if task.campaign_id and task.campaign.is_open():
        method = record_form.cleaned_data.get("method") if valid else task.method
        invitation = open_invitation(task.campaign, task.customer_id, contact_id=task.contact_id)
        answer_form = AnswerForm(
            task.campaign.questionnaire, data=request.POST, context=_answer_context(task, invitation, method)
        )
    valid = (answer_form.is_valid() if answer_form is not None else True) and valid
    if not valid:
        messages.error(request, _("Please correct the visit record."))
        return _render_call(
            request, task, status=400, record_form=record_form, answer_form=answer_form, open_outcome="done"
        )
    try:
        record = workflow.complete(
            task,
            by=request.user,
            record=record_form.save(commit=False),
            answers=answer_form.cleaned_data if answer_form is not None else None,
        )
    except VisitError as error:
        messages.error(request, str(error))
        return redirect(task)
    messages.success(
        request,
        _("Visit to %(customer)s recorded; it now waits for review.") % {"customer": task.customer.name},
    )
    return redirect(record)


@require_POST
@capability_required(perms.MANAGE_VISITS)
def task_assign(request, pk):
    task = _task_for(request.user, pk)
    form = AssignForm(request.POST, user=request.user, prefix="as")
    if not form.is_valid():
        messages.error(request, _("Choose an agent of your team."))
        return redirect(task)
    try:
        workflow.assign(task, by=request.user, agent=form.cleaned_data["agent"])
    except VisitError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Assigned to %(agent)s.") % {"agent": form.cleaned_data["agent"].display_name}
        )
    return redirect(task)


@require_POST
@capability_required(perms.MANAGE_VISITS)
def task_cancel(request, pk):
    task = _task_for(request.user, pk)
    form = CancelForm(request.POST, prefix="cx")
    if not form.is_valid():
        messages.error(request, _("Say why the visit is cancelled."))
        return redirect(task)
    try:
        workflow.cancel(task, by=request.user, reason=form.cleaned_data["reason"])
    except VisitError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Visit cancelled."))
    return redirect(task)


@require_POST
@capability_required(perms.WORK_VISITS)
def task_after_warranty(request, pk):
    """The customer asks for (or no longer wants) routine visits after the warranty (seed 000)."""
    task = _task_for(request.user, pk)
    wanted = request.POST.get("wanted", "")
    if wanted not in ("0", "1") or task.customer.erased_at is not None:
        messages.error(request, _("This choice cannot be saved."))
        return redirect(task)
    _save_after_warranty(request, task.customer, wanted == "1")
    return redirect(task)


@require_POST
@capability_required(perms.WORK_VISITS, perms.VIEW_CUSTOMERS)
def customer_after_warranty(request, pk):
    """The same switch on the customer's page, for those who work visits and may see customers."""
    from manyi.customers.models import Customer

    customer = get_object_or_404(Customer.objects.for_user(request.user), pk=pk)
    wanted = request.POST.get("wanted", "")
    if wanted not in ("0", "1") or customer.erased_at is not None:
        messages.error(request, _("This choice cannot be saved."))
        return redirect(customer)
    _save_after_warranty(request, customer, wanted == "1")
    return redirect(customer)


def _save_after_warranty(request, customer, wanted):
    VisitPreference.objects.update_or_create(customer=customer, defaults={"visits_after_warranty": wanted})
    if wanted:
        messages.success(request, _("Routine visits continue after the warranty, as the customer asked."))
    else:
        messages.info(request, _("Routine visits stop when the warranty ends."))


# ------------------------------------------------------------------------------ records and review


@capability_required(perms.WORK_VISITS)
def record_detail(request, pk):
    from manyi.campaigns.answering import AnswerForm, answers_for_reader, can_see_individual_answers

    scope = VisitScope(request.user)
    record = _record_for(request.user, pk)
    blocks = None
    allowed = bool(record.response_id) and can_see_individual_answers(request.user, record.response.campaign)
    if allowed:
        form = AnswerForm(
            record.response.questionnaire, initial=answers_for_reader(record.response, request.user)
        )
        blocks = form.blocks()
    return render(
        request,
        "visits/record.html",
        {
            "record": record,
            "task": record.task,
            "blocks": blocks,
            "answers_allowed": allowed,
            "attempts": list(record.task.visit_attempts.select_related("by")),
            "review_form": ReviewForm()
            if record.review_status == ReviewStatus.SUBMITTED and scope.may_review(record)
            else None,
            "can_edit": scope.may_correct(record),
            "can_open_ticket": request.user.can(perms.CREATE_TICKETS)
            and record.problem.strip()
            and not record.ticket_id,
        },
    )


@capability_required(perms.WORK_VISITS)
def record_edit(request, pk):
    record = _record_for(request.user, pk)
    if not VisitScope(request.user).may_correct(record):
        raise PermissionDenied
    form = RecordForm(request.POST or None, instance=record, prefix="rec")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                workflow.resubmit(form.save(commit=False), by=request.user)
            except VisitError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Record corrected and submitted for review again."))
                return redirect(record)
        status = 400
    return render(request, "visits/record_edit.html", {"record": record, "form": form}, status=status)


@require_POST
@capability_required(perms.REVIEW_VISITS)
def record_review(request, pk):
    record = _record_for(request.user, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or return."))
        return redirect(record)
    try:
        workflow.review(
            record,
            by=request.user,
            approve=form.cleaned_data["decision"] == "approve",
            comments=form.cleaned_data["comments"],
        )
    except VisitError as error:
        messages.error(request, str(error))
        return redirect(record)
    messages.success(request, _("Review saved."))
    return redirect("visits:review")


@require_POST
@capability_required(perms.WORK_VISITS, perms.CREATE_TICKETS)
def record_ticket(request, pk):
    record = _record_for(request.user, pk)
    try:
        ticket = workflow.open_problem_ticket(record, by=request.user)
    except VisitError as error:
        messages.error(request, str(error))
        return redirect(record)
    messages.success(request, _("Ticket %(reference)s opened.") % {"reference": ticket.reference})
    return redirect(record)


@capability_required(perms.REVIEW_VISITS)
def review_queue(request):
    from manyi.campaigns.answering import can_see_individual_answers

    records = (
        VisitScope(request.user)
        .records_to_review()
        .filter(review_status=ReviewStatus.SUBMITTED)
        .select_related("customer", "agent", "response__campaign")
        .order_by("submitted_at", "pk")
    )
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for record in rows:
        response = record.response
        allowed = response is not None and can_see_individual_answers(request.user, response.campaign)
        record.shown_index = response.index if allowed else None
    return render(request, "visits/review_queue.html", {"page": page, "records": rows})
