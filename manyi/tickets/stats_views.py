"""Ticket statistics page and its XLSX export (issue 5, item 8).

Who: the roles that read aggregates (``analysis.view``: administrators, supervisors, analysts);
agents and handlers work on single tickets and do not see it. The filters come from the query
string; an invalid one gives the page (or a short text for the export) with status 400. The
repeat complainants are named as seed 004 records customers (A公司, 张*) for a reader without
the right to personal data (the analyst), on the page and in the export alike.
"""

from datetime import date, timedelta

from django import forms
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required
from manyi.accounts.models import Department
from manyi.customers.exporting import clean_row, xlsx_sheets_file
from manyi.customers.masking import NameMask

from .statistics import Selection, default_selection, statistics

# Capability of the page: aggregates, like the survey dashboards.
STATISTICS_CAPABILITY = permissions.VIEW_ANALYSIS
MAX_SPAN = timedelta(days=10 * 366)
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def _statistics(selection, user, **options):
    """The statistics as `user` may read them: over the tickets of the organisation units they
    see (a region's staff count their region's; organisation/access.py), the repeat
    complainants' names masked without the right to personal data (their codes stay)."""
    from manyi.organisation.access import limit_to_units

    from .models import Ticket

    stats = statistics(selection, queryset=limit_to_units(Ticket.objects.all(), user, "unit"), **options)
    names = NameMask.for_reader(user, [row["customer_id"] for row in stats["repeat"]])
    for row in stats["repeat"]:
        row["name"] = names.customer(row["customer_id"], row["name"])
    return stats


def _year_before(day):
    """The day after the same day a year earlier; from 29 February: 1 March of the year before."""
    try:
        return day.replace(year=day.year - 1) + timedelta(days=1)
    except ValueError:
        return date(day.year - 1, 3, 1)


class StatisticsFilterForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("Responsible department"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=gettext_lazy("All"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if name == "department" else "form-control form-control-sm"
            )

    def clean(self):
        cleaned = super().clean()
        default = default_selection()
        # The ends of the calendar have no day before or after them (server errors).
        for name in ("start", "end"):
            value = cleaned.get(name)
            if value is not None and not FIRST_DAY <= value <= LAST_DAY:
                self.add_error(name, _("Choose dates from 1900 to 2999."))
        start, end = cleaned.get("start"), cleaned.get("end")
        if "start" in cleaned and "end" in cleaned:
            start = start or (_year_before(end) if end else default.start)
            end = end or default.end
            if start > end:
                self.add_error("end", _("The end date must not be before the start date."))
            elif end - start > MAX_SPAN:
                self.add_error("start", _("Choose a period of at most ten years."))
            cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def selection(self):
        data = self.cleaned_data
        return Selection(start=data["start"], end=data["end"], department=data.get("department"))


def _form(request):
    form = StatisticsFilterForm(request.GET)
    form.is_valid()
    return form


def _errors(form):
    return [str(error) for errors in form.errors.values() for error in errors]


@capability_required(STATISTICS_CAPABILITY)
def statistics_page(request):
    form = _form(request)
    if form.errors:
        return render(request, "tickets/statistics.html", {"form": form, "errors": _errors(form)}, status=400)
    selection = form.selection()
    return render(
        request,
        "tickets/statistics.html",
        {
            "form": form,
            "selection": selection,
            "stats": _statistics(selection, request.user),
            "query": request.GET.urlencode(),
        },
    )


def _sheets(selection, stats):
    """(title, header, rows) per table, in the page's order."""
    yes, no = _("Yes"), _("No")
    percent = _("Share (%)")
    return [
        (
            _("Filters"),
            [_("Filter"), _("Value")],
            [
                [_("From"), selection.start],
                [_("To"), selection.end],
                [
                    _("Responsible department"),
                    str(selection.department) if selection.department else _("All"),
                ],
                [_("Tickets"), stats["total"]],
            ],
        ),
        (
            _("Categories"),
            [_("Category"), _("Tickets"), percent],
            [[r["label"], r["count"], r["percent"]] for r in stats["categories"]],
        ),
        (
            _("Departments"),
            [_("Responsible department"), _("Tickets"), percent],
            [[r["label"], r["count"], r["percent"]] for r in stats["departments"]],
        ),
        (
            _("Severity"),
            [_("Severity"), _("Tickets"), percent],
            [[r["label"], r["count"], r["percent"]] for r in stats["severities"]],
        ),
        (
            _("Channels"),
            [_("Channel"), _("Tickets"), percent],
            [[r["label"], r["count"], r["percent"]] for r in stats["channels"]],
        ),
        (
            _("Months"),
            [_("Month"), _("Tickets")],
            [[r["month"].strftime("%Y-%m"), r["count"]] for r in stats["months"]],
        ),
        (
            _("Durations"),
            [_("Measure"), _("Tickets"), _("Median (h)"), _("90th percentile (h)"), _("Mean (h)")],
            [[r["label"], r["count"], r["median"], r["p90"], r["mean"]] for r in stats["durations"]],
        ),
        (
            _("SLA compliance"),
            [_("Deadline"), _("Met"), _("Missed"), _("Not due yet"), _("Compliance (%)")],
            [[r["label"], r["met"], r["missed"], r["pending"], r["percent"]] for r in stats["compliance"]],
        ),
        (
            _("Callback satisfaction"),
            [_("Answer"), _("Tickets"), percent],
            [
                *[[r["label"], r["count"], r["percent"]] for r in stats["callback"]["ratings"]],
                [_("Answered"), stats["callback"]["answered"], None],
                [_("Satisfied"), stats["callback"]["satisfied"], stats["callback"]["percent"]],
                [_("Waiting for the answer"), stats["callback"]["waiting"], None],
            ],
        ),
        (
            _("Repeat complainants"),
            [_("Customer code"), _("Customer name"), _("Tickets"), _("Last received")],
            [
                [r["code"], r["name"], r["count"], timezone.localtime(r["last"]).replace(tzinfo=None)]
                for r in stats["repeat"]
            ],
        ),
        (
            _("Pareto"),
            [_("Category"), _("Tickets"), percent, _("Cumulative (%)"), _("Vital few")],
            [
                [r["label"], r["count"], r["percent"], r["cumulative"], yes if r["vital"] else no]
                for r in stats["pareto"]
            ],
        ),
    ]


def workbook_file(selection, stats):
    """An open temporary file with the workbook: one sheet per table, text cells neutralised."""
    sheets = [(title, header, map(clean_row, rows)) for title, header, rows in _sheets(selection, stats)]
    return xlsx_sheets_file(sheets, freeze_header=False)


@capability_required(STATISTICS_CAPABILITY)
def statistics_export(request):
    form = _form(request)
    if form.errors:
        return HttpResponse(" ".join(_errors(form)), status=400, content_type="text/plain; charset=utf-8")
    selection = form.selection()
    stats = _statistics(selection, request.user, repeat_limit=None)
    name = f"ticket-statistics-{selection.start:%Y%m%d}-{selection.end:%Y%m%d}.xlsx"
    return FileResponse(
        workbook_file(selection, stats),
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
