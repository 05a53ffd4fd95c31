"""Evaluation pages: the schemes, a scheme's scorecard (and its editor while a draft), a unit's
result with its rewards and penalties, and the rewards' export for payroll and HR.

Views are thin: capability check, rows limited to what the user sees (access.py; 404 on a result
they may not see), one call of publishing or a form save, redirect or render."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from manyi.accounts import permissions as perms
from manyi.accounts.decorators import capability_required
from manyi.organisation.access import visible_people

from . import access, exporting, publishing
from .choices import SchemeStatus
from .forms import IndicatorForm, RewardForm, SchemeForm
from .models import EvaluationResult, EvaluationScheme, Indicator
from .presenting import result_rows, total_arithmetic


def _list(request, form):
    schemes = EvaluationScheme.objects.all()
    manage = request.user.can(perms.MANAGE_EVALUATION)
    if not manage:
        schemes = schemes.exclude(status=SchemeStatus.DRAFT)
    return render(
        request, "evaluation/scheme_list.html", {"schemes": schemes, "form": form, "manage": manage}
    )


@require_GET
@capability_required(perms.VIEW_EVALUATION)
def scheme_list(request):
    return _list(request, SchemeForm())


@require_POST
@capability_required(perms.MANAGE_EVALUATION)
def scheme_new(request):
    form = SchemeForm(request.POST)
    if not form.is_valid():
        return _list(request, form)
    scheme = form.save(commit=False)
    scheme.created_by = request.user
    scheme.save()
    return redirect(scheme)


def _scheme(request, pk):
    scheme = get_object_or_404(EvaluationScheme, pk=pk)
    if scheme.status == SchemeStatus.DRAFT and not request.user.can(perms.MANAGE_EVALUATION):
        raise Http404
    return scheme


@require_GET
@capability_required(perms.VIEW_EVALUATION)
def scheme_detail(request, pk):
    scheme = _scheme(request, pk)
    results = access.visible_results(request.user, scheme.results.filter(employee=None)).select_related(
        "unit"
    )
    results = sorted(
        results, key=lambda r: (r.unit.depth, r.unit.kind, r.rank is None, r.rank or 0, r.unit.path)
    )
    staff = access.visible_employee_results(request.user, scheme.results.filter(employee__isnull=False))
    staff = staff.select_related("employee", "unit").order_by("rank", "employee__username")
    manage = request.user.can(perms.MANAGE_EVALUATION) and scheme.is_editable
    return render(
        request,
        "evaluation/scheme_detail.html",
        {
            "scheme": scheme,
            "indicators": scheme.indicators.prefetch_related("campaigns"),
            "results": [_card(result) for result in results],
            "staff_results": [_card(result) for result in staff],
            "can_manage": request.user.can(perms.MANAGE_EVALUATION),
            "scheme_form": SchemeForm(instance=scheme) if manage else None,
            "indicator_form": IndicatorForm(user=request.user) if manage else None,
            "last_period": publishing.last_period(scheme),
        },
    )


def _card(result):
    rows = result_rows(result)
    return {"result": result, "rows": rows, "total_text": total_arithmetic(result, rows)}


def _editable(request, pk):
    scheme = get_object_or_404(EvaluationScheme, pk=pk)
    if not scheme.is_editable:
        messages.error(request, _("A published scheme cannot be changed; correct it as a new version."))
        return scheme, False
    return scheme, True


@require_POST
@capability_required(perms.MANAGE_EVALUATION)
def scheme_edit(request, pk):
    scheme, editable = _editable(request, pk)
    if editable:
        form = SchemeForm(request.POST, instance=scheme)
        if form.is_valid():
            form.save()
            messages.success(request, _("Scheme saved."))
        else:
            scheme.refresh_from_db()
            _form_errors(request, form)
    return redirect(scheme)


def _form_errors(request, form):
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@require_POST
@capability_required(perms.MANAGE_EVALUATION)
def indicator_add(request, pk):
    scheme, editable = _editable(request, pk)
    if editable:
        form = IndicatorForm(request.POST, user=request.user)
        if form.is_valid():
            indicator = form.save(commit=False)
            indicator.scheme = scheme
            indicator.position = scheme.indicators.count()
            indicator.save()
            form.save_m2m()
            messages.success(request, _("Indicator added."))
        else:
            _form_errors(request, form)
    return redirect(scheme)


@require_POST
@capability_required(perms.MANAGE_EVALUATION)
def indicator_delete(request, pk):
    indicator = get_object_or_404(Indicator, pk=pk)
    scheme, editable = _editable(request, indicator.scheme_id)
    if editable:
        indicator.delete()
        messages.success(request, _("Indicator removed."))
    return redirect(scheme)


@require_POST
@capability_required(perms.MANAGE_EVALUATION)
def scheme_compute(request, pk):
    scheme = get_object_or_404(EvaluationScheme, pk=pk)
    try:
        publishing.compute(scheme)
        messages.success(request, _("Results computed from the data in Manyi."))
    except publishing.EvaluationError as error:
        messages.error(request, str(error))
    return redirect(scheme)


@require_POST
@capability_required(perms.MANAGE_EVALUATION)
def scheme_publish(request, pk):
    scheme = get_object_or_404(EvaluationScheme, pk=pk)
    try:
        publishing.publish(scheme, request.user) if scheme.is_editable else _refuse_published()
        messages.success(request, _("Scheme published: its results are frozen."))
    except publishing.EvaluationError as error:
        messages.error(request, str(error))
    return redirect(scheme)


def _refuse_published():
    raise publishing.EvaluationError(_("This scheme is already published."))


@require_POST
@capability_required(perms.MANAGE_EVALUATION)
def scheme_correct(request, pk):
    scheme = get_object_or_404(EvaluationScheme, pk=pk)
    try:
        draft = publishing.correct(scheme, request.user)
    except publishing.EvaluationError as error:
        messages.error(request, str(error))
        return redirect(scheme)
    messages.success(request, _("A new version was started; the published one stays until it is published."))
    return redirect(draft)


def _result(request, pk):
    result = get_object_or_404(EvaluationResult.objects.select_related("scheme", "unit", "employee"), pk=pk)
    if result.scheme.status == SchemeStatus.DRAFT and not request.user.can(perms.MANAGE_EVALUATION):
        raise Http404
    if not access.may_see_result(request.user, result):
        raise Http404
    return result


def _people(user):
    """Whom a reward may name (person, approver): the staff the user may pick, never another
    region's (organisation.access.visible_people)."""
    return visible_people(user).order_by("username")


@require_GET
@capability_required(perms.VIEW_EVALUATION)
def result_detail(request, pk):
    result = _result(request, pk)
    rewards = access.visible_rewards(request.user, result.rewards.select_related("person", "approver"))
    if not access.may_see_unit_result(request.user, result):
        rewards = rewards.filter(person=request.user)
    form = None
    if request.user.can(perms.MANAGE_EVALUATION) and result.scheme.status == SchemeStatus.PUBLISHED:
        form = RewardForm(users=_people(request.user), initial={"approved_on": timezone.localdate()})
    return render(
        request,
        "evaluation/result_detail.html",
        {"card": _card(result), "result": result, "rewards": rewards, "form": form},
    )


@require_POST
@capability_required(perms.MANAGE_EVALUATION)
def reward_add(request, pk):
    result = _result(request, pk)
    if result.scheme.status != SchemeStatus.PUBLISHED:
        messages.error(request, _("Rewards and penalties are recorded on a published scheme's results."))
        return redirect(result)
    form = RewardForm(request.POST, users=_people(request.user))
    if form.is_valid():
        reward = form.save(commit=False)
        reward.result = result
        reward.person = reward.person or result.employee  # an employee's result concerns them
        reward.created_by = request.user
        reward.save()
        messages.success(request, _("Reward or penalty recorded."))
    else:
        _form_errors(request, form)
    return redirect(result)


@require_GET
@capability_required(perms.MANAGE_EVALUATION)
def rewards_export(request, pk):
    """The scheme's rewards and penalties as XLSX for payroll and HR."""
    scheme = get_object_or_404(EvaluationScheme, pk=pk)
    rewards = access.visible_rewards(request.user, exporting.rewards_of(scheme))
    output = exporting.rewards_xlsx(scheme, rewards)
    return FileResponse(output, as_attachment=True, filename=exporting.filename(scheme))
