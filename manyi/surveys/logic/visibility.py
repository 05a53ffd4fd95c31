"""Which questions and options a respondent is shown: the one rule of issue 21.

Questions are walked in respondent order. A question whose condition does not hold is hidden:
its answer is discarded and reads as null in later conditions (so a question that depends on a
hidden one is hidden too, unless its condition says otherwise). An option whose condition does
not hold is not offered and cannot be chosen. The answer page's JavaScript
(static/js/conditions.js) walks the same way over `page_logic()`; the server applies it at
submit (`apply_to_form`, used by the answer form of the public page, the phone and paper entry
and the paper import), and the validity rule leaves hidden items out (`hidden_items`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..choices import QuestionKind
from ..naming import field_name
from ..pages import page_of_question, plan
from .check import QuestionInfo
from .context import condition_context, referenced_fields, response_context
from .evaluate import holds
from .parser import ExpressionError, parse

OTHER = "other"  # the value of the "other (please specify)" choice, as the answer form posts it
CHOICE_ONE = (QuestionKind.RATING, QuestionKind.SINGLE, QuestionKind.YES_NO)


@dataclass(frozen=True)
class Shown:
    """The questions (pks) and options (pks) shown for one set of answers."""

    questions: frozenset
    options: frozenset


def _tree(text):
    """A stored condition's tree; one that cannot be read (stored before a check) is no condition."""
    if not (text or "").strip():
        return None
    try:
        return parse(text)
    except ExpressionError:
        return None


def _joined(page_tree, question_tree):
    if page_tree is None or question_tree is None:
        return page_tree if question_tree is None else question_tree
    return ["and", page_tree, question_tree]


class Compiled:
    """A questionnaire's conditions as trees, read once per layout."""

    def __init__(self, layout):
        # A page's condition is part of each of its questions' conditions (surveys/pages.py:
        # a page none of whose questions is shown is skipped).
        pages = {page.pk: _tree(page.condition) for page in getattr(layout, "pages", [])}
        self.questions = {
            q.pk: _joined(pages.get(getattr(q, "page_id", None)), _tree(q.condition))
            for q in layout.questions
        }
        self.options = {
            option.pk: _tree(option.condition) for q in layout.questions for option in q.options.all()
        }
        self.any = any(t is not None for t in self.questions.values()) or any(
            t is not None for t in self.options.values()
        )
        # the respondent's fields the conditions name (customer.type, …: surveys/logic/context.py)
        self.fields = referenced_fields([*self.questions.values(), *self.options.values()])


def compiled(layout):
    """The layout's conditions, cached on the layout (a read-only snapshot of one version)."""
    found = layout.__dict__.get("_logic")
    if found is None:
        found = layout.__dict__["_logic"] = Compiled(layout)
    return found


def outline(questions):
    """QuestionInfo of each question (for the static check and the logic panel)."""
    return [
        QuestionInfo(
            code=q.code,
            kind=q.kind,
            pk=q.pk,
            options=tuple(o.code for o in q.options.all()),
            rows=tuple(r.code for r in q.rows.all()) if q.kind == QuestionKind.MATRIX else (),
            allow_other=q.allow_other,
            condition=q.condition,
            option_conditions=tuple((o.code, o.condition) for o in q.options.all() if o.condition),
            points=tuple(o.points for o in q.options.all()),
            text=q.text,
        )
        for q in questions
    ]


def respondent_context(questionnaire, invitation=None, customer=None, *, channel=None):
    """The respondent's fields (context.condition_context) that the questionnaire's conditions
    name, for a form about to be answered (AnswerForm's condition_context, the template's
    `condition_context`): {} when they name none (nothing is read)."""
    fields = compiled(questionnaire.layout()).fields
    if not fields:
        return {}
    return condition_context(invitation, customer, channel=channel, fields=fields)


# ------------------------------------------------------------------------------------------
# A question's answer as condition values ("Q3": "A4", "Q3.points": 4, "Q5.R1": "A1", …)


def _choice_values(question, chosen, other_text):
    """Values of a choice question from its chosen options (Option objects, OTHER for other)."""
    codes = [OTHER if option == OTHER else option.code for option in chosen]
    values = {}
    if question.kind == QuestionKind.MULTIPLE:
        values[question.code] = codes
    else:
        values[question.code] = codes[0] if codes else None
        first = chosen[0] if chosen else None
        values[f"{question.code}.points"] = None if first in (None, OTHER) else first.points
    if question.allow_other:
        values[f"{question.code}.other"] = other_text or None
    return values


def _matrix_values(question, rows):
    """rows: [(row, Option or None)]."""
    values = {}
    for row, option in rows:
        values[f"{question.code}.{row.code}"] = option.code if option else None
        values[f"{question.code}.{row.code}.points"] = option.points if option else None
    return values


# ------------------------------------------------------------------------------------------
# The walk


def _walk(layout, read, context=None):
    """Shown questions and options; read(question, shown option pks) -> the question's values."""
    logic = compiled(layout)
    values = dict(context or {})
    questions, options = set(), set()
    for question in layout.questions:
        if not holds(logic.questions.get(question.pk), values):
            continue
        questions.add(question.pk)
        offered = {o.pk for o in question.options.all() if holds(logic.options.get(o.pk), values)}
        options |= offered
        values.update(read(question, offered))
    return Shown(frozenset(questions), frozenset(options))


def _form_reader(layout, cleaned):
    """Values of a question from an answer form's cleaned data (hidden options left out)."""

    def read(question, offered):
        by_pk = layout.options[question.pk]
        if question.kind == QuestionKind.MATRIX:
            rows = []
            for row in layout.rows[question.pk]:
                option = by_pk.get(str(cleaned.get(field_name(question, row)) or ""))
                rows.append((row, option if option is not None and option.pk in offered else None))
            return _matrix_values(question, rows)
        value = cleaned.get(field_name(question))
        if question.kind in (*CHOICE_ONE, QuestionKind.MULTIPLE):
            picked = value if isinstance(value, list) else ([value] if value else [])
            chosen = [OTHER if p == OTHER else by_pk.get(str(p)) for p in picked]
            chosen = [c for c in chosen if c == OTHER or (c is not None and c.pk in offered)]
            return _choice_values(question, chosen, cleaned.get(field_name(question, suffix=OTHER)))
        return _plain_values(question, value)

    return read


def _plain_values(question, value):
    if question.kind == QuestionKind.NPS:
        number = value if isinstance(value, (int, float)) else None
        return {question.code: number, f"{question.code}.points": number}
    if question.kind == QuestionKind.TEXT:
        return {question.code: (value or "").strip() or None}
    return {}


def _answers_reader(layout, answers):
    """Values of a question from its Answer objects (saved or about to be)."""
    by_question = {}
    for answer in answers:
        by_question.setdefault(answer.question_id, []).append(answer)

    def read(question, offered):
        mine = by_question.get(question.pk, [])
        by_pk = layout.options[question.pk]

        def option_of(answer):
            option = by_pk.get(str(answer.option_id)) if answer.option_id else None
            return option if option is not None and option.pk in offered else None

        if question.kind == QuestionKind.MATRIX:
            chosen = {a.row_id: option_of(a) for a in mine if a.row_id}
            return _matrix_values(question, [(row, chosen.get(row.pk)) for row in layout.rows[question.pk]])
        if question.kind in (*CHOICE_ONE, QuestionKind.MULTIPLE):
            chosen = [option_of(a) or (OTHER if not a.option_id and a.text else None) for a in mine]
            other = next((a.text for a in mine if not a.option_id and a.text), None)
            return _choice_values(question, [c for c in chosen if c is not None], other)
        first = mine[0] if mine else None
        if question.kind == QuestionKind.NPS:
            return _plain_values(question, first.number if first else None)
        return _plain_values(question, first.text if first else None)

    return read


def visible_for_form(layout, cleaned, context=None):
    """Shown questions and options for an answer form's cleaned data."""
    return _walk(layout, _form_reader(layout, cleaned), context)


def visible_for_answers(layout, answers, context=None, *, response=None):
    """Shown questions and options for a response's Answer objects. Without a `context`, the
    respondent's fields the conditions name are read from `response`, else from the answers'
    response (saved answers)."""
    if context is None:
        context = _answers_context(layout, answers, response)
    return _walk(layout, _answers_reader(layout, answers), context)


def _answers_context(layout, answers, response):
    fields = compiled(layout).fields
    if not fields:
        return None
    if response is None:
        saved = next((a for a in answers if getattr(a, "response_id", None)), None)
        response = saved.response if saved is not None else None
    return response_context(response, fields)


def visible_questions(questionnaire, answers, context=None, *, response=None):
    """(shown question pks, shown option pks) of a questionnaire for Answer objects."""
    shown = visible_for_answers(questionnaire.layout(), answers, context, response=response)
    return shown.questions, shown.options


# ------------------------------------------------------------------------------------------
# Applying it


def apply_to_form(form, cleaned, context=None):
    """Discard the answers of hidden questions from the answer form's cleaned data and refuse a
    hidden option of a shown question; returns the Shown set (required means required when
    shown: the form asks only the shown questions). The respondent's fields (customer.type, …)
    come from `context`, else from the form's `condition_context` (context.condition_context of
    the invitation answered, set by the page that builds the form); without either they read null."""
    layout = form.layout
    if not compiled(layout).any:
        return Shown(frozenset(q.pk for q in layout.questions), frozenset())
    if context is None:
        context = getattr(form, "condition_context", None)
    shown = visible_for_form(layout, cleaned, context)
    names = {}
    for name, owner in form._owner.items():
        names.setdefault(owner, []).append(name)
    for question in layout.questions:
        if question.pk not in shown.questions:
            for name in names.get(question.pk, []):
                cleaned.pop(name, None)
            continue
        _refuse_hidden_options(form, cleaned, question, shown)
    return shown


def _refuse_hidden_options(form, cleaned, question, shown):
    by_pk = form.layout.options[question.pk]
    hidden = {key for key, option in by_pk.items() if option.pk not in shown.options}
    if not hidden:
        return
    rows = form.layout.rows[question.pk] if question.kind == QuestionKind.MATRIX else [None]
    for row in rows:
        name = field_name(question, row)
        value = cleaned.get(name)
        picked = value if isinstance(value, list) else [value]
        if any(str(p) in hidden for p in picked if p is not None):
            cleaned.pop(name, None)
            form.add_error(
                name,
                _("Question %(code)s: that answer is not one of its options.") % {"code": question.code},
            )


def hidden_items(layout, answers, context=None, *, response=None):
    """Scored item keys (question codes, matrix row codes) of questions hidden by a condition:
    the validity rule does not count them as missing. The respondent's fields come from
    `context`, else from `response` or the answers' response (visible_for_answers)."""
    if not compiled(layout).any:
        return frozenset()
    shown = visible_for_answers(layout, answers, context, response=response)
    keys = set()
    for question in layout.questions:
        if question.pk in shown.questions:
            continue
        if question.kind == QuestionKind.MATRIX:
            keys.update(row.code for row in layout.rows[question.pk])
        else:
            keys.add(question.code)
    return frozenset(keys & layout.scored_keys)


# ------------------------------------------------------------------------------------------
# For the answer page's script


def page_logic(questionnaire, prefix="q", form="answer-form", context=None):
    """What static/js/conditions.js needs (for json_script), or None without any condition:
    the form's id and its fields' prefix (the builder's preview names its fields "preview-…"),
    and of the respondent's fields (`context`, see context.py) only those the conditions name."""
    layout = questionnaire.layout()
    logic = compiled(layout)
    if not logic.any:
        return None
    context = context or {}
    page_of = page_of_question(plan(layout))
    return {
        "form": form,
        "prefix": prefix,
        "other": OTHER,
        "context": {key: context.get(key) for key in logic.fields},
        "questions": [
            {
                "id": q.pk,
                "code": q.code,
                "kind": q.kind,
                "other": q.allow_other,
                "condition": logic.questions.get(q.pk),
                "page": page_of.get(q.pk, 0),  # the page indicator counts the pages shown
                "rows": [[row.pk, row.code] for row in layout.rows[q.pk]]
                if q.kind == QuestionKind.MATRIX
                else [],
                "options": [[o.pk, o.code, o.points, logic.options.get(o.pk)] for o in q.options.all()],
            }
            for q in layout.questions
        ],
    }
