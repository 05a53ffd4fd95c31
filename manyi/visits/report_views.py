from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from manyi.accounts import permissions as perms
from manyi.accounts.decorators import capability_required
from manyi.customers.exporting import export_filename, xlsx_file
from manyi.pdf import html_to_pdf

from . import report
from .manage_views import _month


@capability_required(perms.VIEW_VISIT_REPORTS)
def monthly_report(request):
    month = _month(request)
    status = 200
    if month is None:
        messages.error(request, _("Give the month as YYYY-MM."))
        month, status = timezone.localdate().replace(day=1), 400
    data = report.build(request.user, month)
    return render(
        request,
        "visits/report.html",
        {"report": data, "month": month, "on_time_days": report.ON_TIME_DAYS},
        status=status,
    )


@capability_required(perms.VIEW_VISIT_REPORTS)
def monthly_report_export(request):
    month = _month(request) or timezone.localdate().replace(day=1)
    data = report.build(request.user, month)
    output = xlsx_file(
        report.HEADERS,
        report.xlsx_rows(data),
        title=_("Visit report %(month)s") % {"month": f"{month:%Y-%m}"},
    )
    return FileResponse(
        output, as_attachment=True, filename=export_filename(f"visit-report-{month:%Y-%m}", "xlsx")
    )


@capability_required(perms.VIEW_VISIT_REPORTS)
def monthly_report_pdf(request):
    """The same figures as the page, on A4 with the CJK font embedded and page numbers."""
    month = _month(request)
    if month is None:
        messages.error(request, _("Give the month as YYYY-MM."))
        return redirect("visits:report")
    data = report.build(request.user, month)
    html = render_to_string(
        "visits/report_pdf.html",
        {
            "report": data,
            "month": month,
            "on_time_days": report.ON_TIME_DAYS,
            "total_row": [(_("Total"), data.total)],
            "printed_at": timezone.localtime(),
            "printed_by": request.user.display_name,
        },
        request=request,
    )
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    name = export_filename(f"visit-report-{month:%Y-%m}", "pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
