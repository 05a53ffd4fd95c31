"""Inspection pages: assignments, the inspector's phone form, review and re-inspection, results
per unit, findings, and the checklist editor.

Views are thin: they find the object the user may act on (``access.InspectionScope``; 404 when
it is not theirs), call one verb of ``workflow`` and redirect or render. An InspectionError's
message is shown and nothing changes.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from manyi.accounts import permissions as perms
from manyi.accounts.decorators import capability_required
from manyi.forms import BadParameter, id_param
from manyi.private_files import serve_private_file

from . import unit_scores, workflow
from .access import InspectionScope
from .choices import FindingStatus, InspectionStatus, TemplateKind, TemplateStatus
from .forms import FollowUpForm, ItemForm, PlanForm, SectionForm, TemplateForm, parse_answers
from .models import ChecklistItem, ChecklistTemplate, ItemPhoto
from .workflow import InspectionError

PAGE_SIZE = 50


def _choice(request, name, choices):
    value = request.GET.get(name, "")
    if value and value not in choices.values:
        raise BadParameter(
            _("“%(name)s” must be one of the choices the page offers; choose again.") % {"name": name}
        )
    return value


def _year(request):
    text = request.GET.get("year", "")
    if not text:
        return timezone.localdate().year
    if not (text.isascii() and text.isdecimal() and 2000 <= int(text) <= 2100):
        raise BadParameter(
            _("“%(name)s” must be one of the choices the page offers; choose again.") % {"name": "year"}
        )
    return int(text)


def _inspection(queryset, pk):
    return get_object_or_404(
        queryset.select_related("template", "unit", "inspector", "follow_up_of", "reviewed_by"), pk=pk
    )


def _grouped_results(inspection):
    """[(section, [result, …]), …] in checklist order, photos and finding fetched."""
    sections, current = [], None
    rows = inspection.results.select_related("item__section", "finding__ticket").prefetch_related("photos")
    for result in rows.order_by("item__section__position", "item__position", "item__pk"):
        if current is None or current[0].pk != result.item.section_id:
            current = (result.item.section, [])
            sections.append(current)
        # A small maximum is answered with one tap per point, a large one typed.
        result.point_choices = (
            list(range(result.item.max_points + 1)) if result.item.max_points <= 10 else None
        )
        current[1].append(result)
    return sections


# ------------------------------------------------------------------------------ assignments


@require_GET
@capability_required(perms.VIEW_INSPECTIONS)
def inspection_list(request):
    """Every inspection of the user's units, newest due first, filtered by status, kind, unit."""
    scope = InspectionScope(request.user)
    rows = scope.inspections().select_related("template", "unit", "inspector", "follow_up_of")
    status = _choice(request, "status", InspectionStatus)
    kind = _choice(request, "kind", TemplateKind)
    unit = id_param(request.GET, "unit", _("Unit"))
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(template__kind=kind)
    if unit is not None:
        rows = rows.filter(unit_id=unit)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/inspection_list.html",
        {
            "page": page,
            "statuses": InspectionStatus.choices,
            "kinds": TemplateKind.choices,
            "units": scope.units(),
            "chosen": {"status": status, "kind": kind, "unit": unit},
            "today": timezone.localdate(),
            "manages": scope.manages,
        },
    )


@require_GET
@capability_required(perms.WORK_INSPECTIONS)
def my_inspections(request):
    """The inspector's worklist: open ones first by due date, then the ones handed in."""
    mine = InspectionScope(request.user).mine().select_related("template", "unit", "follow_up_of")
    return render(
        request,
        "inspections/my_inspections.html",
        {
            "open": mine.open().order_by("due_on", "pk"),
            "done": mine.exclude(status__in=(InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS))[:30],
            "today": timezone.localdate(),
        },
    )


@capability_required(perms.MANAGE_INSPECTIONS)
def plan_new(request):
    form = PlanForm(
        request.POST or None, user=request.user, initial={"template": request.GET.get("template")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            inspection = workflow.plan(by=request.user, **form.cleaned_data)
        except InspectionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The inspection is assigned to %(name)s.") % {"name": inspection.inspector.display_name},
            )
            return redirect(inspection)
    return render(request, "inspections/plan_form.html", {"form": form})


# ------------------------------------------------------------------------------ the inspector's form


@capability_required(perms.WORK_INSPECTIONS)
def inspection_form(request, pk):
    """The phone form: every item with points or pass/fail, a note and photos; save or submit."""
    scope = InspectionScope(request.user)
    inspection = _inspection(scope.mine(), pk)
    editable = scope.may_fill_in(inspection)
    if request.method == "POST":
        if not editable:
            messages.error(request, _("Only the inspector can fill in this inspection while it is open."))
            return redirect("inspections:form", pk=inspection.pk)
        submit = request.POST.get("action") == "submit"
        try:
            answers, photos = parse_answers(inspection, request.POST, request.FILES)
            workflow.save_answers(
                inspection,
                by=request.user,
                answers=answers,
                photos=photos,
                summary=request.POST.get("summary", ""),
                submit=submit,
            )
        except InspectionError as error:
            messages.error(request, str(error))
        else:
            if submit:
                messages.success(
                    request,
                    _("The inspection is submitted. Score: %(score)s") % {"score": _score(inspection.score)},
                )
                return redirect("inspections:mine")
            messages.success(
                request, _("Saved. Score so far: %(score)s") % {"score": _score(inspection.score)}
            )
        return redirect("inspections:form", pk=inspection.pk)
    return render(
        request,
        "inspections/inspection_form.html",
        {"inspection": inspection, "sections": _grouped_results(inspection), "editable": editable},
    )


def _score(score):
    return "—" if score is None else f"{score:.1f}"


def _photo(queryset, pk, photo_pk):
    inspection = get_object_or_404(queryset, pk=pk)
    stored = get_object_or_404(ItemPhoto, pk=photo_pk, result__inspection=inspection)
    return serve_private_file(
        stored.file, content_type=stored.content_type, filename=stored.original_name, as_attachment=False
    )


@require_GET
@capability_required(perms.WORK_INSPECTIONS)
def form_photo(request, pk, photo_pk):
    """A photo of the inspector's own inspection."""
    return _photo(InspectionScope(request.user).mine(), pk, photo_pk)


@require_GET
@capability_required(perms.VIEW_INSPECTIONS)
def photo(request, pk, photo_pk):
    """A photo of an inspection the user sees."""
    return _photo(InspectionScope(request.user).inspections(), pk, photo_pk)


# ------------------------------------------------------------------------------ review


@require_GET
@capability_required(perms.VIEW_INSPECTIONS)
def inspection_detail(request, pk):
    scope = InspectionScope(request.user)
    inspection = _inspection(scope.inspections(), pk)
    manages = scope.may_manage(inspection)
    original = inspection.follow_up_of or inspection
    may_follow_up = (
        manages
        and original.status == InspectionStatus.REVIEWED
        and original.findings.open().exists()
        and not original.follow_ups.exclude(
            status__in=(InspectionStatus.REVIEWED, InspectionStatus.CANCELLED)
        ).exists()
    )
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "sections": _grouped_results(inspection),
            "findings": original.findings.select_related("result__item", "ticket", "resolved_by__inspection"),
            "follow_ups": original.follow_ups.select_related("inspector"),
            "manages": manages,
            "may_review": manages and inspection.status == InspectionStatus.SUBMITTED,
            "may_cancel": manages and inspection.is_open,
            "follow_up_form": FollowUpForm(
                user=request.user, inspection=inspection, initial={"inspector": inspection.inspector_id}
            )
            if may_follow_up
            else None,
        },
    )


def _managed(request, pk):
    return _inspection(InspectionScope(request.user).managed(), pk)


@require_POST
@capability_required(perms.MANAGE_INSPECTIONS)
def review(request, pk):
    inspection = _managed(request, pk)
    try:
        workflow.review(inspection, by=request.user, note=request.POST.get("note", ""))
    except InspectionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The inspection is reviewed."))
    return redirect(inspection)


@require_POST
@capability_required(perms.MANAGE_INSPECTIONS)
def follow_up(request, pk):
    inspection = _managed(request, pk)
    form = FollowUpForm(request.POST, user=request.user, inspection=inspection)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(inspection)
    try:
        created = workflow.plan_follow_up(inspection, by=request.user, **form.cleaned_data)
    except InspectionError as error:
        messages.error(request, str(error))
        return redirect(inspection)
    messages.success(
        request, _("The re-inspection is assigned to %(name)s.") % {"name": created.inspector.display_name}
    )
    return redirect(created)


@require_POST
@capability_required(perms.MANAGE_INSPECTIONS)
def cancel(request, pk):
    inspection = _managed(request, pk)
    try:
        workflow.cancel(inspection, by=request.user, reason=request.POST.get("reason", ""))
    except InspectionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The inspection is cancelled."))
    return redirect(inspection)


# ------------------------------------------------------------------------------ results and findings


@require_GET
@capability_required(perms.VIEW_INSPECTIONS)
def results(request):
    """Scores by unit (lowest first), by item and unit for one checklist, and by month."""
    scope = InspectionScope(request.user)
    year = _year(request)
    kind = _choice(request, "kind", TemplateKind)
    rows = unit_scores.for_year(scope.inspections(), year)
    if kind:
        rows = rows.filter(template__kind=kind)
    template_id = id_param(request.GET, "checklist", _("Checklist"))
    # One choice per checklist: its latest version in use or archived (items are matched across
    # versions by position and text, unit_scores.by_item).
    latest = {}
    for candidate in ChecklistTemplate.objects.exclude(status=TemplateStatus.DRAFT).order_by(
        "code", "version"
    ):
        latest[candidate.code] = candidate.pk
    templates = ChecklistTemplate.objects.filter(pk__in=latest.values()).order_by("kind", "code")
    template = (
        templates.filter(pk=template_id).first()
        if template_id
        else templates.filter(kind=kind or TemplateKind.SITE_INSPECTION).first()
    )
    unit_rows = unit_scores.by_unit(rows)
    units = [row.unit for row in unit_rows]
    return render(
        request,
        "inspections/results.html",
        {
            "year": year,
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
            "kind": kind,
            "kinds": TemplateKind.choices,
            "unit_rows": unit_rows,
            "template": template,
            "templates": templates,
            "units": units,
            "item_rows": unit_scores.by_item(rows, template, units) if template else [],
            "months": unit_scores.by_month(rows),
        },
    )


@require_GET
@capability_required(perms.VIEW_INSPECTIONS)
def finding_list(request):
    scope = InspectionScope(request.user)
    status = _choice(request, "status", FindingStatus)
    rows = scope.findings().select_related(
        "inspection__unit", "inspection__template", "result__item", "ticket", "resolved_by__inspection"
    )
    if status:
        rows = rows.filter(status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/finding_list.html",
        {"page": page, "statuses": FindingStatus.choices, "chosen": status},
    )


# ------------------------------------------------------------------------------ checklists


@require_GET
@capability_required(perms.MANAGE_INSPECTIONS)
def template_list(request):
    return render(request, "inspections/template_list.html", {"templates": ChecklistTemplate.objects.all()})


@capability_required(perms.MANAGE_INSPECTIONS)
def template_new(request):
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        template = form.save(commit=False)
        template.created_by = request.user
        template.save()
        messages.success(request, _("Checklist created: add its sections and items."))
        return redirect(template)
    return render(request, "inspections/template_form.html", {"form": form})


@capability_required(perms.MANAGE_INSPECTIONS)
def template_detail(request, pk):
    """The editor: sections and items of a draft (a frozen one is shown as it is)."""
    template = get_object_or_404(ChecklistTemplate, pk=pk)
    section_form = SectionForm(prefix="section")
    item_form = ItemForm(template=template, prefix="item")
    if request.method == "POST":
        try:
            if "section-title" in request.POST:
                section_form = SectionForm(request.POST, prefix="section")
                if section_form.is_valid():
                    workflow.add_section(template, request.user, **section_form.cleaned_data)
                    return redirect(template)
            else:
                item_form = ItemForm(request.POST, template=template, prefix="item")
                if item_form.is_valid():
                    workflow.save_item(item_form.save(commit=False), request.user)
                    return redirect(template)
        except InspectionError as error:
            messages.error(request, str(error))
            return redirect(template)
    return render(
        request,
        "inspections/template_detail.html",
        {
            "template": template,
            "sections": template.sections.prefetch_related("items"),
            "editable": template.is_editable(),
            "section_form": section_form,
            "item_form": item_form,
        },
    )


@capability_required(perms.MANAGE_INSPECTIONS)
def item_edit(request, pk, item_pk):
    template = get_object_or_404(ChecklistTemplate, pk=pk)
    item = get_object_or_404(ChecklistItem, pk=item_pk, section__template=template)
    form = ItemForm(request.POST or None, instance=item, template=template)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.save_item(form.save(commit=False), request.user)
        except InspectionError as error:
            messages.error(request, str(error))
        return redirect(template)
    return render(request, "inspections/item_form.html", {"template": template, "item": item, "form": form})


@require_POST
@capability_required(perms.MANAGE_INSPECTIONS)
def item_delete(request, pk, item_pk):
    template = get_object_or_404(ChecklistTemplate, pk=pk)
    item = get_object_or_404(ChecklistItem, pk=item_pk, section__template=template)
    try:
        workflow.delete_item(item, request.user)
    except InspectionError as error:
        messages.error(request, str(error))
    return redirect(template)


@require_POST
@capability_required(perms.MANAGE_INSPECTIONS)
def template_activate(request, pk):
    template = get_object_or_404(ChecklistTemplate, pk=pk)
    try:
        workflow.activate(template, request.user)
    except InspectionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The checklist is in use."))
    return redirect(template)


@require_POST
@capability_required(perms.MANAGE_INSPECTIONS)
def template_new_version(request, pk):
    template = get_object_or_404(ChecklistTemplate, pk=pk)
    try:
        copy = workflow.new_version(template, request.user)
    except InspectionError as error:
        messages.error(request, str(error))
        return redirect(template)
    messages.success(
        request,
        _("Version %(version)s is a draft: change it, then put it into use.") % {"version": copy.version},
    )
    return redirect(copy)
