"""Supervisors' pages: visit rules, call scripts and the plan table 《客户回访计划表》."""

import datetime
from collections import defaultdict

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from manyi.accounts import permissions as perms
from manyi.accounts.decorators import capability_required
from manyi.campaigns.models import Campaign
from manyi.customers.exporting import clean_row, export_filename, xlsx_file
from manyi.customers.models import Customer
from manyi.organisation.access import sees_everything

from . import planner, workflow
from .access import VisitScope
from .choices import TaskStatus
from .forms import PlanForm, RuleForm, ScriptForm
from .models import MergedReason, VisitRule, VisitScript
from .results import surveys_and_results
from .workflow import VisitError


@capability_required(perms.MANAGE_VISITS)
def rule_list(request):
    rules = list(VisitRule.objects.select_related("campaign", "script"))
    return render(
        request,
        "visits/rules.html",
        {
            "rules": rules,
            "lead_days": planner.LEAD_DAYS,
            "merge_days": planner.MERGE_DAYS,
            "answer_surveys": surveys_and_results(rule.campaign for rule in rules),
        },
    )


@capability_required(perms.MANAGE_VISITS)
def rule_edit(request, pk=None):
    rule = get_object_or_404(VisitRule, pk=pk) if pk else None
    form = RuleForm(request.POST or None, instance=rule, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Visit rule saved."))
            return redirect("visits:rules")
        return render(
            request,
            "visits/edit.html",
            {"form": form, "title": _("Visit rule"), "back": "visits:rules"},
            status=400,
        )
    return render(
        request, "visits/edit.html", {"form": form, "title": _("Visit rule"), "back": "visits:rules"}
    )


@require_POST
@capability_required(perms.MANAGE_VISITS)
def plan_now(request):
    created = sum(planner.plan_visits().values())
    messages.success(request, _("%(count)s visit tasks planned.") % {"count": created})
    return redirect("visits:rules")


@capability_required(perms.MANAGE_VISITS)
def script_list(request):
    return render(request, "visits/scripts.html", {"scripts": VisitScript.objects.all()})


@capability_required(perms.MANAGE_VISITS)
def script_edit(request, pk=None):
    script = get_object_or_404(VisitScript, pk=pk) if pk else None
    form = ScriptForm(request.POST or None, instance=script)
    context = {"form": form, "title": _("Call script"), "back": "visits:scripts"}
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Call script saved."))
            return redirect("visits:scripts")
        return render(request, "visits/edit.html", context, status=400)
    return render(request, "visits/edit.html", context)


def _month(request):
    """The month asked for (?month=2026-11), this month when missing; None when malformed."""
    text = request.GET.get("month", "")
    if not text:
        return timezone.localdate().replace(day=1)
    try:
        month = datetime.datetime.strptime(text, "%Y-%m").date()
        planner.add_months(month, 1)  # the pages need the month's end too: 9999-12 has none
    except ValueError:
        return None
    return month


PLAN_PAGE = 100  # rows a page of the plan table shows
PRINT_ROWS = 2000  # rows the printed table holds; the Excel export holds every row


def _month_tasks(user, month):
    """The visits planned in the month that the user's plan table lists, whatever made them
    (VisitScope.plan_tasks()); by planned date, the date a rule or the table set, not moved
    by callbacks, as the monthly report counts them."""
    return (
        VisitScope(user)
        .plan_tasks()
        .filter(planned_on__gte=month, planned_on__lt=planner.add_months(month, 1))
        .select_related("customer", "agent", "rule", "plan")
        .order_by("planned_on", "pk")
    )


def _with_plan_actions(tasks, user):
    """The tasks, each with what its row of the table shows: the purpose (a row written in the
    table: its purpose as written, the topic in its own column, then the reasons the planner
    joined to its visit), why it is locked, whether it may be edited."""
    tasks = list(tasks)
    by_table = [task for task in tasks if task.plan_id]
    joined = defaultdict(list)
    for task_id, purpose in (
        MergedReason.objects.filter(task__in=by_table, rule__isnull=False)
        .order_by("pk")
        .values_list("task_id", "rule__purpose")
    ):
        joined[task_id].append(purpose)
    mine = set(
        VisitScope(user).plans().filter(pk__in=[t.plan_id for t in by_table]).values_list("pk", flat=True)
    )
    for task in tasks:
        task.shown_purpose = task.purpose
        task.locked_reason = task.may_edit_plan = None
        if task.plan_id:
            task.shown_purpose = planner.joined_purpose([task.plan.purpose, *joined[task.pk]])
            task.locked_reason = workflow.plan_locked_reason(task)
            task.may_edit_plan = task.plan_id in mine and not task.locked_reason
    return tasks


def _summary(tasks, today):
    """(statuses, sources) of the month's visits, [(label, count)] each (the overdue ones among
    the statuses): one grouped query and one count."""
    by_status, by_rule, by_table, others = defaultdict(int), defaultdict(int), 0, 0
    groups = (
        tasks.order_by()
        .values_list("status", "rule__name")
        .annotate(table=Count("plan_id"), count=Count("pk"))
        .order_by("rule__name")
    )
    for status, rule_name, table, count in groups:
        by_status[status] += count
        if rule_name is not None:
            by_rule[rule_name] += count
        else:
            by_table += table
            others += count - table
    statuses = [(label, by_status[value]) for value, label in TaskStatus.choices if by_status.get(value)]
    overdue = tasks.filter(status=TaskStatus.PENDING, due_on__lt=today).count() if by_status else 0
    if overdue:
        statuses.insert(1, (_("of which overdue"), overdue))
    sources = list(by_rule.items())
    sources += [
        (label, count)
        for label, count in ((_("Plan table"), by_table), (pgettext("visit source", "Other"), others))
        if count
    ]
    return statuses, sources


@capability_required(perms.MANAGE_VISITS)
def plan_list(request):
    """The plan table 《客户回访计划表》 of a month: every visit planned in it, and what the
    rules will still plan in it beyond the planner's window (planner.forecast)."""
    month = _month(request)
    status = 200
    if month is None:
        messages.error(request, _("Give the month as YYYY-MM."))
        month, status = timezone.localdate().replace(day=1), 400
    today = timezone.localdate()
    tasks = _month_tasks(request.user, month)
    statuses, sources = _summary(tasks, today)
    total = sum(count for _label, count in sources)
    printing = bool(request.GET.get("print"))
    page = None
    if printing:
        rows = tasks[:PRINT_ROWS]
    else:
        paginator = Paginator(tasks, PLAN_PAGE)
        paginator.count = total  # counted by the summary: no second COUNT query
        page = paginator.get_page(request.GET.get("page"))
        rows = page.object_list
    next_month = planner.add_months(month, 1)
    horizon = today + datetime.timedelta(days=planner.LEAD_DAYS)
    context = {
        "rows": _with_plan_actions(rows, request.user),
        "page": page,
        "first_number": page.start_index() if page else 1,
        "month": month,
        "today": today,
        "previous_month": planner.add_months(month, -1),
        "next_month": next_month,
        "statuses": statuses,
        "sources": sources,
        "total": total,
        "print_rows": PRINT_ROWS,
        # Days of the month the planner has not reached: the rules' visits to come (plan_coming).
        "coming_later": next_month - datetime.timedelta(days=1) > horizon,
        "answer_surveys": surveys_and_results(Campaign.objects.filter(pk__in=tasks.values("campaign_id"))),
    }
    template = "visits/plans_print.html" if printing else "visits/plans.html"
    return render(request, template, context, status=status)


FORECAST_SECONDS = 600  # a forecast is kept this long: about 4 s to count for 100,000 customers


@capability_required(perms.MANAGE_VISITS)
def plan_coming(request):
    """The plan table's part below it, loaded after the page (htmx): what the rules will still
    plan in the month for the user's team (every team's) beyond the planner's window, as
    planner.forecast counts it, kept FORECAST_SECONDS."""
    month = _month(request)
    if month is None:
        return HttpResponseBadRequest(_("Give the month as YYYY-MM."))
    today = timezone.localdate()
    scope = VisitScope(request.user)
    team = None if scope.every_team else scope.team_id
    # Counted over the customers the user sees by unit (a region's forecast is its region's;
    # organisation/access.py): the forecast is kept per unit.
    everything = sees_everything(request.user)
    unit = None if everything else request.user.unit_id
    key = f"visits-forecast:{today:%Y-%m-%d}:{team}:{unit}:{month:%Y-%m}"
    coming = cache.get(key)
    if coming is None:
        end = planner.add_months(month, 1) - datetime.timedelta(days=1)
        customers = None if everything else Customer.objects.for_user(request.user)
        coming = [
            (tally.rule.name, tally.visits, tally.joined, tally.first)
            for tally in planner.forecast(month, end, today, department_id=team, customers=customers)
        ]
        cache.set(key, coming, FORECAST_SECONDS)
    context = {
        "coming": coming,
        "coming_total": sum(visits for _name, visits, _joined, _first in coming),
        "horizon": today + datetime.timedelta(days=planner.LEAD_DAYS),
        "lead_days": planner.LEAD_DAYS,
    }
    return render(request, "visits/_plan_coming.html", context)


@capability_required(perms.MANAGE_VISITS)
def plan_new(request):
    form = PlanForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            plan = form.save(commit=False)
            plan.customer = form.customer
            plan.created_by = request.user
            plan.save()
            planner.plan_by_hand(plan)
            messages.success(request, _("Visit planned for %(day)s.") % {"day": plan.planned_on})
            return redirect(f"{planner_url()}?month={plan.planned_on:%Y-%m}")
        return render(
            request,
            "visits/edit.html",
            {"form": form, "title": _("Plan a visit"), "back": "visits:plans"},
            status=400,
        )
    return render(
        request, "visits/edit.html", {"form": form, "title": _("Plan a visit"), "back": "visits:plans"}
    )


def _plan_for(user, pk):
    """A row of the user's plan table; 404 for another team's (no hint it exists)."""
    return get_object_or_404(VisitScope(user).plans().select_related("customer", "agent"), pk=pk)


@capability_required(perms.MANAGE_VISITS)
def plan_edit(request, pk):
    plan = _plan_for(request.user, pk)
    back = f"{planner_url()}?month={plan.planned_on:%Y-%m}"
    locked = workflow.plan_locked_reason(workflow.plan_task(plan))
    if locked:
        messages.error(request, locked)
        return redirect(back)
    form = PlanForm(request.POST or None, instance=plan, user=request.user)
    context = {"form": form, "title": _("Change the planned visit"), "back": "visits:plans"}
    if request.method != "POST":
        return render(request, "visits/edit.html", context)
    if not form.is_valid():
        return render(request, "visits/edit.html", context, status=400)
    plan = form.save(commit=False)
    plan.customer = form.customer
    try:
        workflow.update_plan(plan, by=request.user)
    except VisitError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(request, _("Planned visit changed."))
    return redirect(f"{planner_url()}?month={plan.planned_on:%Y-%m}")


@require_POST
@capability_required(perms.MANAGE_VISITS)
def plan_delete(request, pk):
    plan = _plan_for(request.user, pk)
    back = f"{planner_url()}?month={plan.planned_on:%Y-%m}"
    try:
        workflow.delete_plan(plan, by=request.user)
    except VisitError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Planned visit removed from the plan."))
    return redirect(back)


def planner_url():
    from django.urls import reverse

    return reverse("visits:plans")


PLAN_HEADERS = (
    gettext_lazy("No."),
    gettext_lazy("Customer code"),
    gettext_lazy("Customer name"),
    gettext_lazy("Method"),
    gettext_lazy("Purpose"),
    gettext_lazy("Visit topic"),
    gettext_lazy("Planned date"),
    gettext_lazy("Agent"),
    gettext_lazy("Status"),
    gettext_lazy("Planned by"),
)


def plan_rows(tasks, user):
    """The rows, each cell through clean_row (the contract of customers.exporting's writers)."""
    return (clean_row(row) for row in _plan_rows(tasks, user))


def _plan_rows(tasks, user):
    for n, task in enumerate(_with_plan_actions(tasks, user), start=1):
        yield [
            n,
            task.customer.code,
            task.customer.name,
            str(task.get_method_display()),
            task.shown_purpose,
            task.plan.topic if task.plan_id else "",
            task.planned_on,
            task.agent.display_name if task.agent_id else str(_("Unassigned")),
            str(task.get_status_display()),
            task.rule.name
            if task.rule_id
            else _("Plan table")
            if task.plan_id
            else pgettext("visit source", "Other"),
        ]


@capability_required(perms.MANAGE_VISITS)
def plan_export(request):
    month = _month(request) or timezone.localdate().replace(day=1)
    tasks = _month_tasks(request.user, month)
    output = xlsx_file(PLAN_HEADERS, plan_rows(tasks, request.user), title=_("Visit plan"))
    return FileResponse(
        output, as_attachment=True, filename=export_filename(f"visit-plan-{month:%Y-%m}", "xlsx")
    )
