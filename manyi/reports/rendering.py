"""A report as a web page, a PDF (WeasyPrint) and an Excel workbook. No HTTP here.

All three read the same figures (a published report's frozen snapshot, or a draft's figures
of the moment: figures.report_figures) through the same sections (sections.py: what each
section shows, and what this reader may see of the open answers). Here they are only laid
out: the page and the PDF by reports/_document.html with a template per section, the
workbook by a function per sheet.
"""

from __future__ import annotations

import base64
import io

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from manyi.customers.masking import neutralise_formula
from manyi.pdf import html_to_pdf

from . import charts
from .figures import report_figures
from .sections import overall_sentence, reader_variant, sections, workbook_titles

__all__ = ["document_context", "overall_sentence", "pdf_bytes", "xlsx_bytes"]


def figures_of(report):
    """The frozen snapshot of a published report, else the campaign's figures now."""
    if report.is_published:
        return report.snapshot
    return report_figures(report.campaign, unit=report.unit)


def _data_uri(png):
    return "data:image/png;base64," + base64.b64encode(png).decode() if png else None


def document_context(report, user, figures=None, *, chart_url=_data_uri):
    """What reports/_document.html needs, for this reader (`chart_url`: PNG bytes -> image address)."""
    figures = figures or figures_of(report)
    return {
        "report": report,
        "figures": figures,
        "sections": sections(report, figures, user),
        "charts": {name: chart_url(png) for name, png in charts.all_charts(figures).items()},
    }


KEPT_PDFS = "private/reports"


def pdf_bytes(report, user, figures=None):
    """The report as an A4 PDF with a table of contents, page numbers and the CJK font embedded.

    A published report never changes, so its PDF is drawn once per kind of reader (and
    language) and kept in the file storage under private/reports (shared by every app server):
    later downloads are the same file, at once.
    """
    if not report.is_published or figures is not None:
        return _draw_pdf(report, user, figures)
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils.translation import get_language

    name = f"{KEPT_PDFS}/report-{report.pk}-v{report.version}-{reader_variant(report, user)}-{get_language()}.pdf"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as handle:
            kept = handle.read()
        # One being written by another server at this moment is not whole yet: draw it here.
        if kept.startswith(b"%PDF") and kept.rstrip().endswith(b"%%EOF"):
            return kept
    pdf = _draw_pdf(report, user, None)
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(pdf))
    return pdf


def _draw_pdf(report, user, figures):
    # Charts are handed to WeasyPrint by name: megabytes of base64 in the markup would make
    # its HTML parser the slowest step.
    images = {}

    def chart_url(png):
        if not png:
            return None
        images[f"chart:{len(images)}"] = png
        return f"chart:{len(images) - 1}"

    context = document_context(report, user, figures, chart_url=chart_url)
    html = render_to_string("reports/pdf.html", context)
    # The same fetcher as every other PDF: only these charts and data: images, nothing fetched.
    return html_to_pdf(html, images)


# ------------------------------------------------------------------------------------------
# Excel: one sheet per section, laid out from the same section content; native Excel charts
# where they help.


def _t(value):
    return neutralise_formula(value) if isinstance(value, str) else value


class _Book:
    """The workbook being written: each sheet opens with its section's title; every text cell
    is neutralised so that a spreadsheet program never runs it as a formula."""

    def __init__(self):
        from openpyxl import Workbook
        from openpyxl.styles import Font

        self.workbook = Workbook()
        self.workbook.remove(self.workbook.active)
        self.bold, self.big = Font(bold=True), Font(bold=True, size=13)

    def sheet(self, name, title=None):
        ws = self.workbook.create_sheet(title=name[:31])
        if title is not None:
            ws.append([_t(title)])
            ws["A1"].font = self.big
            ws.column_dimensions["A"].width = 34
            ws.column_dimensions["B"].width = 16
        return ws

    @staticmethod
    def rows(ws, rows):
        for row in rows:
            ws.append([_t(cell) for cell in row])

    def header(self, ws, cells):
        ws.append([_t(c) for c in cells])
        for cell in ws[ws.max_row]:
            cell.font = self.bold

    def save(self):
        out = io.BytesIO()
        self.workbook.save(out)
        return out.getvalue()


def xlsx_bytes(report, user, figures=None):
    """The report as a workbook: a sheet per section of the workbook (sections.workbook_titles)."""
    figures = figures or figures_of(report)
    book = _Book()
    for section in sections(report, figures, user, workbook_titles(report.kind, figures)):
        name, write = SHEETS[section.id]
        write(book, book.sheet(str(name), section.title), section.content)
    return book.save()


def _purpose_sheet(book, ws, s):
    book.rows(
        ws,
        [[s["title"]], [_("Version"), s["version"] or _("Draft")], [_("Questionnaire"), s["questionnaire"]]],
    )
    book.rows(ws, [[line] for line in s["lines"]])


def _method_sheet(book, ws, s):
    m = s["method"]
    book.rows(
        ws,
        [
            (_("Sampling"), m["sampling"]),
            (_("Channels"), ", ".join(m["channels"])),
            (_("Questionnaires issued"), m["issued"]),
            (_("Returned"), m["returned"]),
            (_("Response rate (%)"), m["response_rate"]),
            (_("Valid"), m["valid"]),
            (_("Valid rate (%)"), m["valid_rate"]),
            (_("Answers without an invitation"), s["uninvited_text"] or 0),
            (_("Validity rule"), m["validity_rule"]),
            (_("Scoring"), m["scale_method"]),
            (_("Overall index of the group"), m.get("index_method", "")),
            (_("Satisfied customer threshold"), m["threshold"]),
        ],
    )


def _technical_sheet(book, ws, s):
    t = s["technical"]
    book.rows(ws, t["population"])
    book.header(ws, [_("Region"), _("Invited"), "%", _("Answered"), "%", _("Response rate (%)")])
    keys = ("region", "invited", "invited_share", "answered", "answered_share", "response_rate")
    book.rows(ws, [[r[k] for k in keys] for r in t["regions"]])


def _fieldwork_sheet(book, ws, s):
    f = s["fieldwork"]
    book.rows(
        ws,
        [
            (_("Invitations sent"), f["sent"]),
            (_("opened"), f["opened"]),
            (_("sending failed"), f["failed"]),
            (_("opted out"), f["opted_out"]),
            (_("Reminders"), f["reminders_sent"]),
            (_("Interviewers (phone and visits)"), f["interviewers"]),
        ],
    )
    book.header(ws, [_("Channel"), _("Answers")])
    book.rows(ws, [(row["channel"], row["count"]) for row in f["by_channel"]])
    book.header(ws, [_("Week from"), _("Answers")])
    book.rows(ws, [(row["week"], row["count"]) for row in f["weeks"]])


def _data_sheet(book, ws, s):
    for i in s["items"]:
        book.header(ws, [i["name"], "n", "%"])
        book.rows(ws, [(d["label"], d["count"], d["share"]) for d in i["distribution"]])


def _overall_sheet(book, ws, s):
    o = s["overall"]
    rows = [
        (_("Overall satisfaction index"), o["index"]),
        (_("Target"), o["target"]),
        (_("Satisfied-customer rate (%)"), s["satisfied_percent"]),
        (_("Net promoter score (NPS)"), s["nps_score"]),
    ]
    for label, c in s["comparisons"]:
        if c:
            rows.append((f"{label} ({c['label']})", c["index"]))
            rows.append((pgettext("difference", "Change"), c["change"]))
            rows.append((_("p value"), c["test"]["p_value"] if c["test"] else None))
    book.rows(ws, rows + [(s["sentence"],)])
    if s["waves"]:
        ws.append([])
        book.header(ws, [_("Wave"), _("Index"), "n"])
        first = ws.max_row + 1
        book.rows(ws, [(w["label"], w["mean"], w["n"]) for w in s["waves"]])
        if len(s["waves"]) >= 2:
            _wave_chart(ws, first)


def _wave_chart(ws, first):
    from openpyxl.chart import LineChart, Reference

    chart = LineChart()
    chart.title = _("Index by wave")
    chart.add_data(Reference(ws, min_col=2, min_row=first - 1, max_row=ws.max_row), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=ws.max_row))
    ws.add_chart(chart, "E3")


def _dimensions_sheet(book, ws, s):
    book.header(ws, [_("Dimension"), _("Satisfaction"), _("Weight"), "n"])
    first = ws.max_row + 1
    book.rows(ws, [(d["title"], d["mean"], d["weight"], d["n"]) for d in s["dimensions"]])
    if s["dimensions"]:
        _dimension_chart(ws, first, ws.max_row)
    ws.append([])
    book.header(
        ws,
        [_("Item"), _("Score"), _("Dimension"), "n", _("Mean points"), _("SD"), _("Top 2 %"), _("Quadrant")],
    )
    keys = ("name", "score", "dimension", "n", "mean", "sd", "top2", "quadrant_label")
    book.rows(ws, [[i[k] for k in keys] for i in s["items"]])


def _dimension_chart(ws, first, last):
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.type = "bar"
    chart.title = _("Satisfaction by dimension")
    chart.add_data(Reference(ws, min_col=2, min_row=first - 1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 100
    ws.add_chart(chart, "G3")


def _importance_sheet(book, ws, s):
    book.header(ws, [_("Item"), _("Performance"), _("Importance"), _("Quadrant"), _("Priority")])
    first = ws.max_row + 1
    keys = ("name", "performance", "importance", "quadrant_label", "priority")
    book.rows(ws, [[p[k] for k in keys] for p in s["priorities"]])
    if s["priorities"]:
        _quadrant_chart(ws, first)


def _quadrant_chart(ws, first):
    from openpyxl.chart import Reference, ScatterChart, Series

    chart = ScatterChart()
    chart.title = _("Importance-performance quadrants")
    chart.style = 13
    chart.x_axis.title = _("Performance")
    chart.y_axis.title = _("Importance")
    series = Series(
        Reference(ws, min_col=3, min_row=first, max_row=ws.max_row),
        Reference(ws, min_col=2, min_row=first, max_row=ws.max_row),
        title=_("Items"),
    )
    series.marker.symbol = "circle"
    series.graphicalProperties.line.noFill = True
    chart.series.append(series)
    ws.add_chart(chart, "G3")


def _structure_sheet(book, ws, s):
    """KMO and Bartlett, eigenvalues, the loadings (|loading| ≥ 0.4 filled), α per dimension and
    the segments; or the sentence saying why they cannot be computed."""
    book.rows(ws, [[s["sample"]]])
    if s["problem"]:
        book.rows(ws, [[s["problem"]]])
        return
    f = s["factor"]
    book.rows(
        ws,
        [
            (_("Kaiser-Meyer-Olkin measure of sampling adequacy"), f["kmo"], s["kmo_verdict"]),
            (_("Bartlett's test of sphericity") + ": χ²", f["bartlett"]["chi2"]),
            ("df", f["bartlett"]["df"]),
            (_("Significance"), f["bartlett"]["p"]),
        ],
    )
    ws.append([])
    book.header(
        ws, [_("Component"), _("Eigenvalue"), "%", _("Cumulative %"), _("Random data (95th percentile)")]
    )
    keys = ("number", "value", "percent", "cumulative", "random")
    book.rows(ws, [[e[k] for k in keys] for e in f["eigenvalues"]])
    ws.append([])
    _loadings_table(book, ws, f)
    ws.append([])
    book.header(ws, [_("Dimension"), _("Items"), "α", _("α (standardised items)")])
    book.rows(
        ws,
        [
            (r["title"] or _("All items"), len(r["items"]), r["alpha"], r["standardised"])
            for r in s["reliability"]
        ],
    )
    ws.append([])
    _segments_table(book, ws, s["segments"], s["analysis"]["n"])


def _loadings_table(book, ws, f):
    from openpyxl.styles import PatternFill

    fill = PatternFill("solid", start_color="FFF3CD", end_color="FFF3CD")
    book.header(ws, [_("Item"), *(f"{_('Factor')} {x['number']}" for x in f["factors"]), _("Communality")])
    for row in f["rows"]:
        book.rows(
            ws, [[f"{row['key']} {row['label']}", *(x["value"] for x in row["loadings"]), row["communality"]]]
        )
        for cell, loading in zip(ws[ws.max_row][1:], row["loadings"], strict=False):
            if loading["salient"]:
                cell.fill, cell.font = fill, book.bold


def _segments_table(book, ws, g, n):
    def names(pairs):
        return " / ".join(f"{x['name']} {x['percent']:.0f}%" for x in pairs)

    groups = g["groups"]
    book.header(ws, [_("Item"), _("All"), *(f"{_('Segment')} {x['number']}" for x in groups)])
    book.rows(
        ws,
        [
            [_("Customers"), n, *(x["size"] for x in groups)],
            [_("Index"), g["index"], *(x["index"] for x in groups)],
            *(
                [f"{r['key']} {r['label']}", r["overall"], *(c["value"] for c in r["cells"])]
                for r in g["rows"]
            ),
            [_("Customer type"), None, *(names(x["customer_type"]) for x in groups)],
            [_("Region"), None, *(names(x["region"]) for x in groups)],
            [_("Products"), None, *(names(x["products"]) for x in groups)],
        ],
    )


def _problems_sheet(book, ws, s):
    book.header(ws, [_("Item"), _("Score"), _("Quadrant"), _("Reason")])
    book.rows(ws, [(p["name"], p["score"], p["quadrant_label"], p["reason"]) for p in s["problems"]])
    if s["topics"]:  # as the page shows them: the reader's copy, examples withheld or not
        ws.append([])
        book.header(
            ws, [_("Topic"), _("Actionable complaints"), _("Share of the open answers"), _("For example")]
        )
        book.rows(ws, [(t["name"], t["problems"], t["share"], "\n".join(t["examples"])) for t in s["topics"]])
        for row in ws.iter_rows(min_row=ws.max_row - len(s["topics"]) + 1, min_col=3, max_col=3):
            row[0].number_format = "0.0%"


def _improvements_sheet(book, ws, s):
    imp = s["improvements"]
    if imp is None:
        book.rows(ws, [[_("Improvement actions are not recorded in this installation.")]])
        return
    book.header(
        ws,
        [
            _("Reference"),
            _("Action"),
            _("Item"),
            _("Owner"),
            _("Deadline"),
            _("Status"),
            _("Score before"),
            _("Score after"),
        ],
    )
    keys = (
        "reference",
        "title",
        "subject",
        "owner",
        "deadline",
        "status",
        "baseline_score",
        "measured_score",
    )
    book.rows(ws, [[row[k] for k in keys] for row in imp["rows"]])


def _conclusions_sheet(book, ws, s):
    book.rows(ws, [[line] for line in s["lines"]])


def _appendix_sheets(book, ws, s):
    """The questionnaire on the appendix's sheet, the open answers and keywords on one more."""
    book.header(ws, [_("Code"), _("Question"), _("Kind"), _("Dimension"), _("Options")])
    book.rows(
        ws,
        [
            (q["code"], q["text"], q["kind"], q["dimension"], " / ".join(q["options"] + q["rows"]))
            for q in s["questions"]
        ],
    )
    ws = book.sheet(_("Open answers"))
    if s["open_answers"] is None:
        book.rows(
            ws,
            [[_("The individual answers of this survey are confidential; your role sees the totals only.")]],
        )
    else:
        book.header(ws, [_("Question"), _("Answer")])
        book.rows(ws, [(f"{q['code']} {q['text']}", a) for q in s["open_answers"] for a in q["answers"]])
    ws.append([])
    book.header(ws, [_("Keyword"), _("Answers")])
    book.rows(ws, s["keywords"])


# Section id -> (the name of its sheet, what writes it).
SHEETS = {
    "purpose": (gettext_lazy("Purpose"), _purpose_sheet),
    "method": (gettext_lazy("Method"), _method_sheet),
    "technical": (gettext_lazy("Technical"), _technical_sheet),
    "fieldwork": (gettext_lazy("Fieldwork"), _fieldwork_sheet),
    "data": (gettext_lazy("Data"), _data_sheet),
    "overall": (gettext_lazy("Overall"), _overall_sheet),
    "dimensions": (gettext_lazy("Dimensions and items"), _dimensions_sheet),
    "importance": (gettext_lazy("Importance"), _importance_sheet),
    "structure": (gettext_lazy("Structure analysis"), _structure_sheet),
    "problems": (gettext_lazy("Problems"), _problems_sheet),
    "improvements": (gettext_lazy("Improvements"), _improvements_sheet),
    "conclusions": (gettext_lazy("Conclusions"), _conclusions_sheet),
    "appendix": (gettext_lazy("Questionnaire"), _appendix_sheets),
}


def draw_draft_charts():
    """Draw the charts of the draft reports of running campaigns whose answers changed, in the
    site's language, so that the next reader of the page finds them drawn (the periodic job:
    a draft shows the figures of the moment, and drawing takes a second or two). Returns how
    many reports had charts to draw."""
    from django.conf import settings
    from django.utils import translation

    from manyi.campaigns.choices import CampaignState

    from .choices import ReportStatus
    from .models import Report

    drafts = Report.objects.filter(status=ReportStatus.DRAFT, campaign__state=CampaignState.RUNNING)
    drawn = 0
    with translation.override(settings.LANGUAGE_CODE):
        for report in drafts.select_related("campaign__questionnaire"):
            drawn += charts.draw_unless_kept(figures_of(report))
    return drawn
