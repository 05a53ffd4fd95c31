"""Conditions in the questionnaire builder (issue 21): the question form's check, the simple
chooser's data and the logic-check panel."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..choices import QuestionKind
from .check import QuestionInfo, check_condition, reference_problems, value_problems, with_field_codes
from .parser import ExpressionError, parse, references
from .report import Finding, PageInfo, logic_findings
from .visibility import outline

OPTION_CODE = re.compile(r"[A-Za-z0-9_]{1,20}")
BIG = 10**9


def _ordered_with(questionnaire, code, dimension, instance):
    """The questionnaire's outline with the question being edited (or added) at its place:
    respondent order is by dimension, then position (Questionnaire.questions_in_order)."""
    dimension_order = {d.pk: d.position for d in questionnaire.dimensions.all()}
    others = [q for q in questionnaire.questions_in_order() if instance is None or q.pk != instance.pk]
    position = instance.position if instance is not None and instance.pk else BIG
    own_key = (dimension_order.get(dimension.pk if dimension else None, BIG), position, instance.pk or BIG)
    infos = outline(others)
    keys = [(dimension_order.get(q.dimension_id, BIG), q.position, q.pk) for q in others]
    at = sum(1 for key in keys if key < own_key)
    own = QuestionInfo(code=code, kind="", pk=instance.pk)
    return [*infos[:at], own, *infos[at:]]


def clean_condition(text, *, questionnaire, code, dimension, instance):
    """The condition's text, stripped, or ValidationError with every problem."""
    text = with_field_codes((text or "").strip())
    if not text:
        return ""
    try:
        _tree, problems = check_condition(text, _ordered_with(questionnaire, code, dimension, instance), code)
    except ExpressionError as error:
        raise ValidationError(str(error)) from error
    if problems:
        raise ValidationError(problems)
    return text


def option_problems(options, *, questionnaire, code, dimension, instance):
    """Messages about the options' codes and conditions (options: the option forms' data)."""
    problems = []
    codes = [(o.get("code") or "").strip() for o in options]
    bad = [c for c in codes if c and not OPTION_CODE.fullmatch(c)]
    if bad:
        problems.append(
            _("Option codes are letters, digits and “_” (at most 20): %(codes)s.") % {"codes": ", ".join(bad)}
        )
    twice = sorted({c for c in codes if c and codes.count(c) > 1})
    if twice:
        problems.append(
            _("Option codes must differ within a question: %(codes)s.") % {"codes": ", ".join(twice)}
        )
    ordered = None
    for option, option_code in zip(options, codes, strict=True):
        text = with_field_codes((option.get("condition") or "").strip())
        if not text:
            continue
        ordered = ordered or _ordered_with(questionnaire, code, dimension, instance)
        label = option_code or option.get("label") or ""
        try:
            _tree, found = check_condition(text, ordered, code)
        except ExpressionError as error:
            found = [str(error)]
        problems.extend(
            _("Option %(option)s: %(problem)s") % {"option": label, "problem": problem} for problem in found
        )
    return problems


def chooser_data(questionnaire, question=None):
    """The earlier questions the simple chooser offers (code, text, kind, options, rows)."""
    questions = questionnaire.questions_in_order()
    if question is not None and question.pk:
        earlier = []
        for q in questions:
            if q.pk == question.pk:
                break
            earlier.append(q)
    else:
        earlier = questions
    return [
        {
            "code": q.code,
            "text": q.text[:80],
            "kind": q.kind,
            "options": [[o.code, o.label] for o in q.options.all()],
            "rows": [[r.code, r.text[:40]] for r in q.rows.all()] if q.kind == QuestionKind.MATRIX else [],
        }
        for q in earlier
        if q.kind != "table"
    ]


def chooser_fields():
    """The respondent's whitelisted fields as chooser entries (context.py): a field with fixed
    values is chosen like a single choice (customer.type == "vip"), a number like an NPS score
    (customer.purchases >= 3), the others by the words they contain."""
    from .context import FIELDS

    kinds = {"choice": "single", "number": "nps", "text": "text", "list": "text"}
    return [
        {
            "code": key,
            "text": str(field.label),
            "kind": kinds[field.kind],
            "options": [
                [value, str(label)] for value, label in zip(field.values, field.labels, strict=False)
            ],
            "rows": [],
            "field": True,
        }
        for key, field in FIELDS.items()
    ]


def logic_check(questionnaire):
    """The logic-check panel of a questionnaire version: {"conditions": how many, "findings": […]}
    (the pages' conditions first, then the questions')."""
    questions = questionnaire.questions_in_order()
    infos = outline(questions)
    pages = (
        [p for p in questionnaire.pages.all() if p.condition.strip()]
        if hasattr(questionnaire, "pages")
        else []
    )
    count = sum(bool(q.condition.strip()) + len(q.option_conditions) for q in infos) + len(pages)
    if not count:
        return {"conditions": 0, "findings": []}
    findings, walked = _page_findings(pages, questions, infos)
    return {"conditions": count, "findings": findings + logic_findings(infos, walked)}


def _page_findings(pages, questions, infos):
    """A page's condition may name only questions on earlier pages (and the respondent's fields).
    Returns the findings and the PageInfo of the pages whose condition the walk for pages and
    questions nobody reaches can use (report.logic_findings)."""
    first = {}
    for index, question in enumerate(questions):
        first.setdefault(question.page_id, index)
    findings, walked = [], []
    for page in pages:
        label = _("Page “%(title)s”") % {"title": page.title or page.position + 1}
        try:
            tree = parse(page.condition)
        except ExpressionError as error:
            findings.append(Finding(label, None, "", "syntax", str(error)))
            continue
        start = first.get(page.pk, len(infos))
        later = {q.code for q in infos[start:]}
        own = infos[start].code if start < len(infos) else ""
        messages = [
            _("%(code)s is on this page or a later one: its answer is not known when the page is shown.")
            % {"code": code}
            for code in dict.fromkeys(parts[0] for parts in references(tree) if parts[0] in later)
        ]
        messages += [
            message
            for message in reference_problems(tree, infos, own, values=False)
            if not any(message.startswith(f"{code} ") for code in later)
        ]
        if not messages:
            codes = tuple(q.code for q in questions if q.page_id == page.pk)
            walked.append(PageInfo(label, tree, codes))
        messages += value_problems(tree, infos)
        findings += [Finding(label, None, "", "reference", message) for message in messages]
    return findings, walked
