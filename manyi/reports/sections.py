"""The sections of a report, and what each one shows: one function per section.

A report's kind decides its sections and their numbered titles (the analysis report of the
seeds' 《顾客满意度分析报告》, or seed 001's full CSR report). Each section's function takes
the report, its figures (figures.report_figures, or a published snapshot) and the reader, and
returns the section's content: the figures it shows, the names and sentences made from them,
and what this reader may see of the open answers. The web page, the PDF and the workbook all
lay out this content (rendering.py); none of them computes its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from manyi.accounts import permissions
from manyi.campaigns.answering import can_see_individual_answers
from manyi.customers.masking import NameMask

from . import table_figures
from .choices import ReportKind


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    content: dict

    @property
    def template(self):
        """Its part of the page and the PDF (the workbook lays it out in rendering.py)."""
        return f"reports/sections/{self.id}.html"


# Each kind's sections in order, with their titles unnumbered: the numbers are computed
# (numbered below), so that adding a section renumbers the later ones without changing what
# translators translate. The appendix is not numbered.
ANALYSIS_SECTIONS = (
    ("purpose", gettext_lazy("Purpose of the survey")),
    ("method", gettext_lazy("Method and sample")),
    ("overall", gettext_lazy("Overall satisfaction")),
    ("dimensions", gettext_lazy("Satisfaction by dimension and item")),
    ("importance", gettext_lazy("Importance-performance analysis")),
    ("structure", gettext_lazy("Structure analysis: factors, reliability and segments")),
    ("problems", gettext_lazy("Main problems and improvement priorities")),
    ("improvements", gettext_lazy("Improvement actions and their status")),
    ("conclusions", gettext_lazy("Conclusions")),
)
CSR_SECTIONS = (
    ("technical", gettext_lazy("Technical report")),
    ("fieldwork", gettext_lazy("Fieldwork report")),
    ("data", gettext_lazy("Data report")),
    ("overall", gettext_lazy("Analysis report: overall satisfaction")),
    ("dimensions", gettext_lazy("Analysis report: dimensions and items")),
    ("importance", gettext_lazy("Analysis report: importance-performance")),
    ("structure", gettext_lazy("Analysis report: factor and cluster analysis")),
    ("problems", gettext_lazy("Main problems and improvement priorities")),
    ("improvements", gettext_lazy("Improvement actions and their status")),
    ("conclusions", gettext_lazy("Conclusions and recommendations")),
)
# A section's number as its title writes it (一、二、… in Chinese).
NUMERALS = (
    pgettext_lazy("section number", "1"),
    pgettext_lazy("section number", "2"),
    pgettext_lazy("section number", "3"),
    pgettext_lazy("section number", "4"),
    pgettext_lazy("section number", "5"),
    pgettext_lazy("section number", "6"),
    pgettext_lazy("section number", "7"),
    pgettext_lazy("section number", "8"),
    pgettext_lazy("section number", "9"),
    pgettext_lazy("section number", "10"),
    pgettext_lazy("section number", "11"),
    pgettext_lazy("section number", "12"),
)


def numbered(number, title):
    """A section's numbered title: "6. Title" ("六、标题")."""
    return _("%(number)s. %(title)s") % {"number": NUMERALS[number - 1], "title": title}


def has_section(figures, key):
    """Whether these figures have the section: snapshots published before the structure
    analysis was reported have no "structure" figures, and no such section."""
    return key != "structure" or figures is None or figures.get("structure") is not None


def section_titles(kind=ReportKind.ANALYSIS, figures=None):
    """Section id -> numbered title, in the order of the report's kind, of the sections these
    figures have (all when None)."""
    listed = [(key, title) for key, title in (CSR_SECTIONS if kind == ReportKind.CSR else ANALYSIS_SECTIONS)]
    listed = [(key, title) for key, title in listed if has_section(figures, key)]
    titles = {key: numbered(n, title) for n, (key, title) in enumerate(listed, start=1)}
    titles["appendix"] = _("Appendix")
    return titles


# Every section a workbook may have, in the workbook's order.
WORKBOOK_SHEETS = (
    "purpose",
    "method",
    "technical",
    "fieldwork",
    "data",
    "overall",
    "dimensions",
    "importance",
    "structure",
    "problems",
    "improvements",
    "conclusions",
    "appendix",
)


def workbook_titles(kind, figures=None):
    """The workbook's sheets: the analysis report's, numbered as there whatever the kind, and
    those of the kind's own sections the analysis report does not have (the CSR report's
    technical, fieldwork and data sheets, with their CSR titles)."""
    analysis, own = section_titles(ReportKind.ANALYSIS, figures), section_titles(kind, figures)
    return {key: analysis.get(key) or own[key] for key in WORKBOOK_SHEETS if key in analysis or key in own}


def sections(report, figures, reader, titles=None):
    """The sections named in `titles` (id -> title; by default the report's own), in that order,
    with their content for this reader."""
    titles = titles or section_titles(report.kind, figures)
    return [Section(key, title, CONTENT[key](report, figures, reader)) for key, title in titles.items()]


def _named(rows):
    """Rows of items with their display name, "Q1 产品性能" (code and label)."""
    return [{**row, "name": f"{row['key']} {row['label']}"} for row in rows]


def purpose(report, figures, reader):
    q = figures["questionnaire"]
    return {
        "title": report.title,
        "version": report.version,
        "purpose": figures["purpose"],
        "lines": figures["purpose"].splitlines(),
        "questionnaire": f"{q['title']} v{q['version']}",
    }


def method(report, figures, reader):
    m = figures["method"]
    # Published snapshots older than the uninvited count have none.
    uninvited = m.get("uninvited", [])
    return {
        "method": m,
        "uninvited": uninvited,
        "uninvited_text": " · ".join(f"{label} {n}" for label, n in uninvited),
    }


def technical(report, figures, reader):
    return {"purpose": figures["purpose"], "method": figures["method"], "technical": figures["technical"]}


def fieldwork(report, figures, reader):
    return {"method": figures["method"], "fieldwork": figures["fieldwork"]}


def data(report, figures, reader):
    return {"items": _named(figures["items"])}


def overall(report, figures, reader):
    o = figures["overall"]
    return {
        "overall": o,
        "comparisons": comparisons(o["previous"], o["last_year"]),
        "sentence": overall_sentence(figures),
        "satisfied_percent": o["satisfied"]["percent"] if o["satisfied"] else None,
        "nps_score": o["nps"]["score"] if o["nps"] else None,
        "waves": figures["waves"],
    }


def comparisons(previous, last_year):
    """[(label, comparison)] of the waves the index is compared with. An annual survey's
    previous wave is also the one a year earlier: one row saying both, not the same row twice."""
    if previous and last_year and previous["campaign_id"] == last_year["campaign_id"]:
        return [(_("Previous wave, a year earlier"), previous)]
    return [(_("Previous wave"), previous), (_("A year earlier"), last_year)]


def overall_sentence(figures):
    """The seeds' summary sentence: the index, against the target and the previous wave."""
    o = figures["overall"]
    if o["index"] is None:
        return ""
    parts = [_("The overall satisfaction index is %(index)s.") % {"index": f"{o['index']:.1f}"}]
    if o["target"] is not None:
        parts.append(_target_sentence(o))
    previous = o["previous"]
    if previous and previous["change"] is not None:
        parts.append(_change_sentence(previous))
    if o["satisfied"]:
        parts.append(
            _("%(percent)s%% of the customers are satisfied customers.")
            % {"percent": f"{o['satisfied']['percent']:.1f}"}
        )
    return " ".join(parts)


def _target_sentence(o):
    target = {"target": f"{o['target']:g}"}
    if o["reached"]:
        return _("It reaches the target of %(target)s.") % target
    if o.get("target_status") == "undecided":
        return (
            _(
                "It is at or above the target of %(target)s, but its 95%% interval reaches below "
                "it: the sample does not yet show that the target is reached."
            )
            % target
        )
    return _("It does not reach the target of %(target)s.") % target


def _change_sentence(previous):
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
    return key % {"change": f"{abs(previous['change']):.1f}", "wave": previous["label"]}


def dimensions(report, figures, reader):
    return {"dimensions": figures["dimensions"], "items": _named(figures["items"])}


def importance(report, figures, reader):
    return {"quadrant": figures["quadrant"], "priorities": _named(figures["priorities"])}


def structure(report, figures, reader):
    """Factor analysis, reliability and segments as the dashboard's structure page shows them
    (results.structure), or the sentence saying why they cannot be computed."""
    from manyi.dashboards.structure_views import METHOD_NAMES, VERDICTS

    found = figures["structure"]
    factor = found.get("factor")
    options = found["options"]
    return {
        "analysis": found,
        "problem": structure_problem(found),
        "factor": factor,
        "factor_count": len(factor["factors"]) if factor else 0,
        "reliability": found.get("reliability") or [],
        "segments": found.get("segments"),
        "kmo_verdict": str(VERDICTS.get(factor["kmo_verdict"], "")) if factor else "",
        "method_name": str(METHOD_NAMES.get(options["method"], "")),
        "rotation_name": options["rotation"].capitalize(),
        "sample": _(
            "%(n)s of %(analysed)s analysed responses (valid questionnaires, one voice per customer) "
            "rated all %(items)s items; %(dropped)s that left an item unanswered are left out "
            "(listwise deletion)."
        )
        % {key: found[key] for key in ("n", "analysed", "items", "dropped")},
    }


def structure_problem(found):
    """Why the structure analysis cannot be computed (the dashboard's sentence), or ""."""
    if found["problem"] == "too_few":
        return _(
            "Only %(n)s complete responses: factor and cluster analysis need at least %(min)s (and "
            "more responses than items) before their figures mean anything."
        ) % {"n": found["n"], "min": found["min_responses"]}
    if found["problem"] == "items":
        return _("Factor analysis needs at least three scored items; this questionnaire has fewer.")
    if found["problem"]:
        return _(
            "The items' correlation matrix is singular (an item every respondent rated the same, or "
            "items that repeat one another), so KMO, Bartlett's test and the factors cannot be "
            "computed. Remove or merge such items, or widen the filters."
        )
    return ""


def problems(report, figures, reader):
    """The items to improve, then the topics the open answers complain about most
    (topic_figures.py; a snapshot from before it has none). A reader who may not read the
    campaign's individual answers sees the topics' counts without the quoted examples."""
    withheld = reader_variant(report, reader) == "withheld"
    topic_rows = [
        row | {"examples": [] if withheld else row["examples"]} for row in figures.get("topic_problems") or []
    ]
    return {"problems": _named(figures["problems"]), "topics": topic_rows}


def improvements(report, figures, reader):
    return {"improvements": figures["improvements"]}


def conclusions(report, figures, reader):
    return {"conclusions": report.conclusions, "lines": (report.conclusions or "").splitlines()}


def appendix(report, figures, reader):
    return {
        "questions": figures["questions"],
        "open_answers": open_answers(report, figures, reader),
        "keywords": figures["keywords"],
        "tables": table_figures.for_reader(figures, reader_variant(report, reader) == "withheld"),
    }


def reader_variant(report, reader):
    """What this reader's copy of the report shows of the open answers: "withheld" without the
    right to the campaign's individual answers, "masked" (phones, e-mail addresses and names) without
    the right to personal data, else "full"."""
    if not can_see_individual_answers(reader, report.campaign):
        return "withheld"
    return "full" if reader.can(permissions.VIEW_PERSONAL_DATA) else "masked"


def open_answers(report, figures, reader):
    """The open answers as this reader's copy shows them (None: withheld)."""
    variant = reader_variant(report, reader)
    if variant == "withheld":
        return None
    if variant == "full":
        return figures["open_answers"]
    # Phones, e-mails and the names of the campaign's respondents and their contacts (A公司, 张*).
    names = NameMask.of_customers(report.campaign.responses.completed().values_list("customer_id", flat=True))
    return [{**q, "answers": [names.text(a) for a in q["answers"]]} for q in figures["open_answers"]]


CONTENT = {
    "purpose": purpose,
    "method": method,
    "technical": technical,
    "fieldwork": fieldwork,
    "data": data,
    "overall": overall,
    "dimensions": dimensions,
    "importance": importance,
    "structure": structure,
    "problems": problems,
    "improvements": improvements,
    "conclusions": conclusions,
    "appendix": appendix,
}
