"""Report and export pages: thin views over exports.py, figures.py, rendering.py and publishing.py."""

import logging

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required
from manyi.campaigns.answering import can_see_individual_answers
from manyi.campaigns.models import Campaign
from manyi.forms import StyledFormMixin, id_param, parse_id
from manyi.organisation.access import assignable_units, visible_unit_ids

from . import exports, publishing, rendering
from .choices import ReportKind
from .models import Report, ReportSchedule

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
}


def _campaigns(user):
    """The campaigns whose answers the user may export and schedule whole reports of: those
    their organisation unit runs (every campaign for a user who sees everything). An export
    holds the whole campaign's answers, so a region does not get those of a campaign the group
    runs across every region (organisation/access.py); it reports on its own part (a report of
    its unit) and reads it on the dashboard."""
    return Campaign.objects.run_by(user)


def _campaign(request, pk):
    return get_object_or_404(_campaigns(request.user).select_related("questionnaire"), pk=pk)


def _reports(user):
    """The reports the user reads: a report of a unit they see, or a whole campaign's report of
    a campaign their unit runs (every report for a user who sees everything)."""
    return Report.objects.for_user(user)


def _report_unit(request, campaign):
    """The organisation unit a new report covers (`unit` posted): one the user sees; a region's
    staff report on their unit's part when the campaign is run above it. Returns (unit, refusal)."""
    chosen = parse_id(request.POST.get("unit", ""))
    if chosen is not None:
        unit = assignable_units(request.user).filter(pk=chosen).first()
        if unit is None:
            return None, _("Choose one of the listed organisation units.")
        return unit, ""
    if campaign.unit_id is not None and Campaign.objects.run_by(request.user).filter(pk=campaign.pk).exists():
        return None, ""
    if visible_unit_ids(request.user) is None:
        return None, ""
    return request.user.unit, ""  # the whole campaign is not theirs: their own unit's part


def _report(request, pk):
    return get_object_or_404(_reports(request.user).select_related("campaign__questionnaire"), pk=pk)


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=[(f, f) for f in exports.FORMATS])
    encoding = forms.ChoiceField(choices=[(e, e) for e in exports.ENCODINGS], required=False)


@capability_required(permissions.EXPORT_RESPONSES)
def export_responses(request, pk):
    """The campaign's completed responses as CSV, Excel or SPSS .sav."""
    campaign = _campaign(request, pk)
    if not can_see_individual_answers(request.user, campaign):
        raise PermissionDenied
    form = ExportForm(request.GET)
    if not form.is_valid():
        return HttpResponse(
            _("Choose an export format: csv, xlsx or sav (and for CSV the encoding utf-8 or gb18030)."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    fmt = form.cleaned_data["format"]
    show_personal = request.user.can(permissions.VIEW_PERSONAL_DATA)
    # Answers leaving the system are worth a line in the log: who, which campaign, which form.
    logger.info(
        "Responses exported: user=%s campaign=%s format=%s personal_data=%s",
        request.user.username,
        campaign.pk,
        fmt,
        "shown" if show_personal else "masked",
    )
    output = exports.export(
        campaign,
        fmt,
        show_personal=show_personal,
        encoding=form.cleaned_data.get("encoding") or "utf-8",
    )
    content_type = CONTENT_TYPES[fmt]
    if fmt == "csv":
        content_type += "; charset=" + (form.cleaned_data.get("encoding") or "utf-8")
    return FileResponse(
        output, as_attachment=True, filename=exports.filename(campaign, fmt), content_type=content_type
    )


@capability_required(permissions.VIEW_REPORTS)
def report_list(request):
    reports = _reports(request.user).select_related("campaign", "created_by", "published_by")
    campaign = None
    chosen = id_param(request.GET, "campaign", _("Campaign"))
    if chosen is not None:
        campaign = get_object_or_404(Campaign.objects.for_user(request.user), pk=chosen)
        reports = reports.filter(campaign=campaign)
    campaigns = Campaign.objects.for_user(request.user).exclude(state="draft").order_by("-created_at")
    context = {
        "units": assignable_units(request.user).order_by("path"),
        "reports": reports[:200],
        "campaign": campaign,
        "campaigns": campaigns,
        "kinds": ReportKind.choices,
    }
    if campaign is not None:
        context["schedules"] = campaign.report_schedules.prefetch_related("recipients")
        if request.user.can(permissions.EDIT_REPORTS):
            context["schedule_form"] = ScheduleForm()
    return render(request, "reports/report_list.html", context)


def _readers():
    from manyi.accounts.models import User

    return [
        u.pk for u in User.objects.filter(is_active=True).exclude(email="") if u.can(permissions.VIEW_REPORTS)
    ]


class ScheduleForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ReportSchedule
        fields = ["kind", "frequency", "next_run", "recipients"]
        widgets = {"next_run": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only people who may read reports and have an e-mail address can subscribe.
        field = self.fields["recipients"]
        field.queryset = field.queryset.filter(pk__in=_readers()).order_by("username")
        field.label_from_instance = lambda user: f"{user.display_name} <{user.email}>"

    def clean_next_run(self):
        from django.utils import timezone

        day = self.cleaned_data["next_run"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("The first report cannot be in the past."))
        return day


@require_POST
@capability_required(permissions.EDIT_REPORTS)
def schedule_create(request, pk):
    """Monthly or quarterly publication and e-mail of the campaign's report."""
    campaign = _campaign(request, pk)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(f"{reverse('reports:list')}?campaign={campaign.pk}")
    schedule = form.save(commit=False)
    schedule.campaign, schedule.created_by = campaign, request.user
    schedule.save()
    form.save_m2m()
    messages.success(
        request, _("The report will be published and sent on %(day)s.") % {"day": schedule.next_run}
    )
    return redirect(f"{reverse('reports:list')}?campaign={campaign.pk}")


@require_POST
@capability_required(permissions.EDIT_REPORTS)
def schedule_stop(request, pk):
    schedule = get_object_or_404(ReportSchedule.objects.filter(campaign__in=_campaigns(request.user)), pk=pk)
    schedule.active = False
    schedule.save(update_fields=["active"])
    messages.success(request, _("The scheduled report was stopped."))
    return redirect(f"{reverse('reports:list')}?campaign={schedule.campaign_id}")


@require_POST
@capability_required(permissions.EDIT_REPORTS)
def report_create(request, pk=None):
    """A new draft report of the campaign (in the address, or chosen in the list's form)."""
    if pk is None:
        pk = parse_id(request.POST.get("campaign", ""))
        if pk is None:
            return HttpResponse(_("Choose a campaign."), status=400, content_type="text/plain; charset=utf-8")
    campaign = get_object_or_404(Campaign.objects.for_user(request.user), pk=pk)
    if campaign.state == "draft":
        messages.error(request, _("A campaign that has not started has nothing to report."))
        return redirect(campaign)
    unit, refusal = _report_unit(request, campaign)
    if refusal:
        return HttpResponse(refusal, status=400, content_type="text/plain; charset=utf-8")
    kind = request.POST.get("kind") or ReportKind.ANALYSIS
    if kind not in ReportKind.values:
        return HttpResponse(
            _("Choose a kind of report."), status=400, content_type="text/plain; charset=utf-8"
        )
    report = publishing.new_draft(campaign, by=request.user, kind=kind, unit=unit)
    return redirect(report)


@capability_required(permissions.VIEW_REPORTS)
def report_detail(request, pk):
    report = _report(request, pk)
    context = rendering.document_context(report, request.user)
    context["can_edit"] = request.user.can(permissions.EDIT_REPORTS)
    context["versions"] = _reports(request.user).filter(campaign=report.campaign).exclude(pk=report.pk)
    return render(request, "reports/report_detail.html", context)


class ReportForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Report
        fields = ["kind", "title", "number", "conclusions"]
        widgets = {"conclusions": forms.Textarea(attrs={"rows": 12})}


@capability_required(permissions.EDIT_REPORTS)
def report_edit(request, pk):
    """Title, document number and conclusions of a draft (a published report never changes)."""
    report = _report(request, pk)
    if report.is_published:
        messages.error(request, _("A published report cannot change; start a new version instead."))
        return redirect(report)
    form = ReportForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The report was saved."))
        return redirect(report)
    status = 400 if form.errors else 200
    return render(request, "reports/report_form.html", {"report": report, "form": form}, status=status)


@require_POST
@capability_required(permissions.EDIT_REPORTS)
def report_publish(request, pk):
    report = _report(request, pk)
    try:
        publishing.publish(report, by=request.user)
    except publishing.PublishError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(
            request, _("Version %(version)s of the report was published.") % {"version": report.version}
        )
    return redirect(report)


@require_POST
@capability_required(permissions.EDIT_REPORTS)
def report_revise(request, pk):
    """A new draft from a published report (its title, number and conclusions)."""
    report = _report(request, pk)
    draft = publishing.new_draft(report.campaign, by=request.user, based_on=report)
    return redirect(draft)


@capability_required(permissions.VIEW_REPORTS)
def report_pdf(request, pk):
    report = _report(request, pk)
    pdf = rendering.pdf_bytes(report, request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{publishing.file_name(report, "pdf")}"'
    return response


@capability_required(permissions.VIEW_REPORTS)
def report_xlsx(request, pk):
    report = _report(request, pk)
    data = rendering.xlsx_bytes(report, request.user)
    response = HttpResponse(data, content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{publishing.file_name(report, "xlsx")}"'
    return response
