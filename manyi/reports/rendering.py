"""A report as a web page, a PDF (WeasyPrint) and an Excel workbook. No HTTP here.

All three read the same figures: a published report's frozen snapshot, or a draft's figures
of the moment (figures.report_figures). What the reader may see is decided here once: the
open answers only for those who may see the campaign's individual answers, with phones and
e-mail addresses masked unless the reader may see personal data.
"""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from manyi.accounts import permissions
from manyi.campaigns.answering import can_see_individual_answers
from manyi.customers.masking import mask_text, neutralise_formula
from manyi.pdf import html_to_pdf

from . import charts
from .figures import report_figures


def section_titles(kind="analysis"):
    """Section id -> numbered title, in the order of the report's kind."""
    if kind == "csr":
        return {
            "technical": _("1. Technical report"),
            "fieldwork": _("2. Fieldwork report"),
            "data": _("3. Data report"),
            "overall": _("4. Analysis report: overall satisfaction"),
            "dimensions": _("5. Analysis report: dimensions and items"),
            "importance": _("6. Analysis report: importance-performance"),
            "problems": _("7. Main problems and improvement priorities"),
            "improvements": _("8. Improvement actions and their status"),
            "conclusions": _("9. Conclusions and recommendations"),
            "appendix": _("Appendix"),
        }
    return {
        "purpose": _("1. Purpose of the survey"),
        "method": _("2. Method and sample"),
        "overall": _("3. Overall satisfaction"),
        "dimensions": _("4. Satisfaction by dimension and item"),
        "importance": _("5. Importance-performance analysis"),
        "problems": _("6. Main problems and improvement priorities"),
        "improvements": _("7. Improvement actions and their status"),
        "conclusions": _("8. Conclusions"),
        "appendix": _("Appendix"),
    }


def figures_of(report):
    """The frozen snapshot of a published report, else the campaign's figures now."""
    if report.is_published:
        return report.snapshot
    return report_figures(report.campaign)


def overall_sentence(figures):
    """The seeds' summary sentence: the index, against the target and the previous wave."""
    o = figures["overall"]
    if o["index"] is None:
        return ""
    parts = [_("The overall satisfaction index is %(index)s.") % {"index": f"{o['index']:.1f}"}]
    if o["target"] is not None:
        if o["reached"]:
            parts.append(_("It reaches the target of %(target)s.") % {"target": f"{o['target']:g}"})
        elif o.get("target_status") == "undecided":
            parts.append(
                _(
                    "It is at or above the target of %(target)s, but its 95%% interval reaches below "
                    "it: the sample does not yet show that the target is reached."
                )
                % {"target": f"{o['target']:g}"}
            )
        else:
            parts.append(_("It does not reach the target of %(target)s.") % {"target": f"{o['target']:g}"})
    previous = o["previous"]
    if previous and previous["change"] is not None:
        significant = previous["test"] and previous["test"]["significant"]
        if abs(previous["change"]) < 0.05:
            key = _("It is unchanged since %(wave)s.")
        elif previous["change"] > 0:
            key = (
                _("It rose by %(change)s points since %(wave)s, a significant change.")
                if significant
                else _("It rose by %(change)s points since %(wave)s; the change is not significant.")
            )
        else:
            key = (
                _("It fell by %(change)s points since %(wave)s, a significant change.")
                if significant
                else _("It fell by %(change)s points since %(wave)s; the change is not significant.")
            )
        parts.append(key % {"change": f"{abs(previous['change']):.1f}", "wave": previous["label"]})
    if o["satisfied"]:
        parts.append(
            _("%(percent)s%% of the customers are satisfied customers.")
            % {"percent": f"{o['satisfied']['percent']:.1f}"}
        )
    return " ".join(parts)


def _data_uri(png):
    return "data:image/png;base64," + base64.b64encode(png).decode() if png else None


def document_context(report, user, figures=None, *, chart_url=_data_uri):
    """What reports/_document.html needs, for this reader (`chart_url`: PNG bytes -> image address)."""
    figures = figures or figures_of(report)
    titles = section_titles(report.kind)
    open_answers = None
    if can_see_individual_answers(user, report.campaign):
        show_personal = user.can(permissions.VIEW_PERSONAL_DATA)
        open_answers = [
            {**q, "answers": q["answers"] if show_personal else [mask_text(a) for a in q["answers"]]}
            for q in figures["open_answers"]
        ]
    o = figures["overall"]
    return {
        "report": report,
        "figures": figures,
        "titles": titles,
        "sections": [{"id": key, "title": title} for key, title in titles.items()],
        "shown": set(titles),
        "charts": {name: chart_url(png) for name, png in charts.all_charts(figures).items()},
        "comparisons": [(_("Previous wave"), o["previous"]), (_("A year earlier"), o["last_year"])],
        "overall_sentence": overall_sentence(figures),
        "open_answers": open_answers,
    }


def reader_variant(report, user):
    """What this reader's copy of the report shows of the open answers: withheld, masked or full."""
    if not can_see_individual_answers(user, report.campaign):
        return "withheld"
    return "full" if user.can(permissions.VIEW_PERSONAL_DATA) else "masked"


def pdf_bytes(report, user, figures=None):
    """The report as an A4 PDF with a table of contents, page numbers and the CJK font embedded.

    A published report never changes, so its PDF is drawn once per kind of reader (and
    language) and kept under VAR_DIR/reports: later downloads are the same file, at once.
    """
    if not report.is_published or figures is not None:
        return _draw_pdf(report, user, figures)
    from django.conf import settings
    from django.utils.translation import get_language

    folder = Path(settings.VAR_DIR) / "reports"
    path = (
        folder / f"report-{report.pk}-v{report.version}-{reader_variant(report, user)}-{get_language()}.pdf"
    )
    if path.exists():
        return path.read_bytes()
    pdf = _draw_pdf(report, user, None)
    folder.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(pdf)
    os.replace(temporary, path)  # readers see the whole file or none
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
# Excel: one sheet per section, native Excel charts where they help.


def _t(value):
    return neutralise_formula(value) if isinstance(value, str) else value


def xlsx_bytes(report, user, figures=None):
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, LineChart, Reference, ScatterChart, Series
    from openpyxl.styles import Font

    figures = figures or figures_of(report)
    context = document_context(report, user, figures)
    titles = section_titles()  # the workbook's sheets are the same for both kinds
    bold = Font(bold=True)
    workbook = Workbook()
    workbook.remove(workbook.active)

    def sheet(key, name):
        ws = workbook.create_sheet(title=name[:31])
        ws.append([_t(titles.get(key, name))])
        ws["A1"].font = Font(bold=True, size=13)
        ws.column_dimensions["A"].width = 34
        ws.column_dimensions["B"].width = 16
        return ws

    def header(ws, cells):
        ws.append([_t(c) for c in cells])
        for cell in ws[ws.max_row]:
            cell.font = bold

    ws = sheet("purpose", _("Purpose"))
    ws.append([_t(report.title)])
    ws.append([_t(_("Version")), report.version or _("Draft")])
    ws.append(
        [
            _t(_("Questionnaire")),
            _t(f"{figures['questionnaire']['title']} v{figures['questionnaire']['version']}"),
        ]
    )
    for line in figures["purpose"].splitlines():
        ws.append([_t(line)])

    m = figures["method"]
    ws = sheet("method", _("Method"))
    for label, value in (
        (_("Sampling"), m["sampling"]),
        (_("Channels"), ", ".join(m["channels"])),
        (_("Questionnaires issued"), m["issued"]),
        (_("Returned"), m["returned"]),
        (_("Response rate (%)"), m["response_rate"]),
        (_("Valid"), m["valid"]),
        (_("Valid rate (%)"), m["valid_rate"]),
        (
            _("Answers without an invitation"),
            " · ".join(f"{label} {n}" for label, n in m.get("uninvited", [])) or 0,
        ),
        (_("Validity rule"), m["validity_rule"]),
        (_("Scoring"), m["scale_method"]),
        (_("Satisfied customer threshold"), m["threshold"]),
    ):
        ws.append([_t(label), _t(value)])

    if report.kind == "csr":
        csr_titles = section_titles("csr")
        t, f = figures["technical"], figures["fieldwork"]
        ws = sheet("technical", _("Technical"))
        ws["A1"] = _t(csr_titles["technical"])
        for key, value in t["population"]:
            ws.append([_t(key), _t(value)])
        header(ws, [_("Region"), _("Invited"), "%", _("Answered"), "%", _("Response rate (%)")])
        for r in t["regions"]:
            ws.append(
                [
                    _t(r["region"]),
                    r["invited"],
                    r["invited_share"],
                    r["answered"],
                    r["answered_share"],
                    r["response_rate"],
                ]
            )
        ws = sheet("fieldwork", _("Fieldwork"))
        ws["A1"] = _t(csr_titles["fieldwork"])
        for label, value in (
            (_("Invitations sent"), f["sent"]),
            (_("opened"), f["opened"]),
            (_("sending failed"), f["failed"]),
            (_("opted out"), f["opted_out"]),
            (_("Reminders"), f["reminders_sent"]),
            (_("Interviewers (phone and visits)"), f["interviewers"]),
        ):
            ws.append([_t(label), value])
        header(ws, [_("Channel"), _("Answers")])
        for row in f["by_channel"]:
            ws.append([_t(row["channel"]), row["count"]])
        header(ws, [_("Week from"), _("Answers")])
        for row in f["weeks"]:
            ws.append([row["week"], row["count"]])
        ws = sheet("data", _("Data"))
        ws["A1"] = _t(csr_titles["data"])
        for i in figures["items"]:
            header(ws, [_t(f"{i['key']} {i['label']}"), "n", "%"])
            for d in i["distribution"]:
                ws.append([_t(d["label"]), d["count"], d["share"]])

    o = figures["overall"]
    ws = sheet("overall", _("Overall"))
    rows = [
        (_("Overall satisfaction index"), o["index"]),
        (_("Target"), o["target"]),
        (_("Satisfied-customer rate (%)"), o["satisfied"]["percent"] if o["satisfied"] else None),
        (_("Net promoter score (NPS)"), o["nps"]["score"] if o["nps"] else None),
    ]
    for label, c in context["comparisons"]:
        if c:
            rows.append((f"{label} ({c['label']})", c["index"]))
            rows.append((_("Change"), c["change"]))
            rows.append((_("p value"), c["test"]["p_value"] if c["test"] else None))
    for label, value in rows:
        ws.append([_t(label), value])
    ws.append([_t(context["overall_sentence"])])
    if figures["waves"]:
        ws.append([])
        header(ws, [_("Wave"), _("Index"), "n"])
        first = ws.max_row + 1
        for w in figures["waves"]:
            ws.append([_t(w["label"]), w["mean"], w["n"]])
        if len(figures["waves"]) >= 2:
            chart = LineChart()
            chart.title = _("Index by wave")
            chart.add_data(
                Reference(ws, min_col=2, min_row=first - 1, max_row=ws.max_row), titles_from_data=True
            )
            chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=ws.max_row))
            ws.add_chart(chart, "E3")

    ws = sheet("dimensions", _("Dimensions and items"))
    header(ws, [_("Dimension"), _("Satisfaction"), _("Weight"), "n"])
    first = ws.max_row + 1
    for d in figures["dimensions"]:
        ws.append([_t(d["title"]), d["mean"], d["weight"], d["n"]])
    last = ws.max_row
    if figures["dimensions"]:
        chart = BarChart()
        chart.type = "bar"
        chart.title = _("Satisfaction by dimension")
        chart.add_data(Reference(ws, min_col=2, min_row=first - 1, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 100
        ws.add_chart(chart, "G3")
    ws.append([])
    header(
        ws,
        [_("Item"), _("Score"), _("Dimension"), "n", _("Mean points"), _("SD"), _("Top 2 %"), _("Quadrant")],
    )
    for i in figures["items"]:
        ws.append(
            [
                _t(f"{i['key']} {i['label']}"),
                i["score"],
                _t(i["dimension"]),
                i["n"],
                i["mean"],
                i["sd"],
                i["top2"],
                _t(i["quadrant_label"]),
            ]
        )

    ws = sheet("importance", _("Importance"))
    header(ws, [_("Item"), _("Performance"), _("Importance"), _("Quadrant"), _("Priority")])
    first = ws.max_row + 1
    for p in figures["priorities"]:
        ws.append(
            [
                _t(f"{p['key']} {p['label']}"),
                p["performance"],
                p["importance"],
                _t(p["quadrant_label"]),
                p["priority"],
            ]
        )
    if figures["priorities"]:
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

    ws = sheet("problems", _("Problems"))
    header(ws, [_("Item"), _("Score"), _("Quadrant"), _("Reason")])
    for p in figures["problems"]:
        ws.append([_t(f"{p['key']} {p['label']}"), p["score"], _t(p["quadrant_label"]), _t(p["reason"])])

    ws = sheet("improvements", _("Improvements"))
    imp = figures["improvements"]
    if imp is None:
        ws.append([_t(_("Improvement actions are not recorded in this installation."))])
    else:
        header(
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
        for row in imp["rows"]:
            ws.append(
                [_t(row[k]) for k in ("reference", "title", "subject", "owner", "deadline", "status")]
                + [row["baseline_score"], row["measured_score"]]
            )

    ws = sheet("conclusions", _("Conclusions"))
    for line in (report.conclusions or "").splitlines():
        ws.append([_t(line)])

    ws = sheet("appendix", _("Questionnaire"))
    header(ws, [_("Code"), _("Question"), _("Kind"), _("Dimension"), _("Options")])
    for q in figures["questions"]:
        ws.append(
            [
                _t(q["code"]),
                _t(q["text"]),
                _t(q["kind"]),
                _t(q["dimension"]),
                _t(" / ".join(q["options"] + q["rows"])),
            ]
        )

    ws = workbook.create_sheet(title=_("Open answers")[:31])
    if context["open_answers"] is None:
        ws.append(
            [_t(_("The individual answers of this survey are confidential; your role sees the totals only."))]
        )
    else:
        header(ws, [_("Question"), _("Answer")])
        for q in context["open_answers"]:
            for answer in q["answers"]:
                ws.append([_t(f"{q['code']} {q['text']}"), _t(answer)])
    ws.append([])
    header(ws, [_("Keyword"), _("Answers")])
    for word, count in figures["keywords"]:
        ws.append([_t(word), count])

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
