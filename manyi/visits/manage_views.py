"""Supervisors' pages: visit rules, call scripts and the plan table 《客户回访计划表》."""

import datetime

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from manyi.accounts import permissions as perms
from manyi.accounts.decorators import capability_required
from manyi.customers.exporting import clean_row, export_filename, xlsx_file

from . import planner, workflow
from .access import VisitScope
from .forms import PlanForm, RuleForm, ScriptForm
from .models import VisitRule, VisitScript
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
            "answer_surveys": surveys_and_results(rule.campaign for rule in rules),
        },
    )


@capability_required(perms.MANAGE_VISITS)
def rule_edit(request, pk=None):
    rule = get_object_or_404(VisitRule, pk=pk) if pk else None
    form = RuleForm(request.POST or None, instance=rule)
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


def _plans(request, month):
    return (
        VisitScope(request.user)
        .plans()
        .filter(planned_on__gte=month, planned_on__lt=planner.add_months(month, 1))
        .select_related("customer", "agent")
        .order_by("planned_on", "pk")
    )


@capability_required(perms.MANAGE_VISITS)
def plan_list(request):
    month = _month(request)
    status = 200
    if month is None:
        messages.error(request, _("Give the month as YYYY-MM."))
        month, status = timezone.localdate().replace(day=1), 400
    plans = list(_plans(request, month).select_related("campaign").prefetch_related("tasks"))
    for plan in plans:
        plan.locked_reason = workflow.plan_locked_reason(next(iter(plan.tasks.all()), None))
    template = "visits/plans_print.html" if request.GET.get("print") else "visits/plans.html"
    context = {
        "plans": plans,
        "month": month,
        "answer_surveys": surveys_and_results(plan.campaign for plan in plans),
    }
    return render(request, template, context, status=status)


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
    gettext_lazy("Topic"),
    gettext_lazy("Planned date"),
    gettext_lazy("Agent"),
    gettext_lazy("Status"),
)


def plan_rows(plans):
    """The rows, each cell through clean_row (the contract of customers.exporting's writers)."""
    return (clean_row(row) for row in _plan_rows(plans))


def _plan_rows(plans):
    for n, plan in enumerate(plans, start=1):
        task = next(iter(plan.tasks.all()), None)
        yield [
            n,
            plan.customer.code,
            plan.customer.name,
            str(plan.get_method_display()),
            plan.purpose,
            plan.topic,
            plan.planned_on,
            plan.agent.display_name,
            str(task.get_status_display()) if task else "",
        ]


@capability_required(perms.MANAGE_VISITS)
def plan_export(request):
    month = _month(request) or timezone.localdate().replace(day=1)
    plans = _plans(request, month).prefetch_related("tasks")
    output = xlsx_file(PLAN_HEADERS, plan_rows(plans), title=_("Visit plan"))
    return FileResponse(
        output, as_attachment=True, filename=export_filename(f"visit-plan-{month:%Y-%m}", "xlsx")
    )
