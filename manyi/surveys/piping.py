"""Piping (issue 21): earlier answers and the respondent's fields in later texts.

A question's text, its explanation and its options' labels may name

    {Q3}              the answer to question Q3 as the respondent saw it: the option's label
                      (several joined by "、"), the "other" text, the number (NPS) or the text
    {Q5.R1}           the option chosen in row R1 of matrix Q5
    {customer.type}   a field of the respondent of the short list conditions read
                      (surveys/logic/context.py: type, kind, lifecycle, region, province, city,
                      industry, tags, purchases; invitation.channel), shown by its label
    {customer.name}   the respondent's own name: only on their personal answer page (the
                      public view passes it); everywhere else, staff pages included, it shows
                      the placeholder, so no view shows a name its masking rules would hide

An answer not given (yet), or one hidden by a condition, shows the neutral placeholder "—";
a reference to anything else stays as typed. Texts are split into parts (`segments`) that the
templates print with auto-escaping — a piped answer is never marked safe: an answer
"<script>" shows as the text "<script>". A part that names a question on the same page
carries its code, so static/js/answer_form.js can update it as the respondent answers.
"""

from __future__ import annotations

import copy
import re

from .choices import QuestionKind
from .logic.context import FIELDS, condition_context
from .naming import field_name

PLACEHOLDER = "—"
JOIN = "、"
OTHER = "other"
REFERENCE = re.compile(
    r"\{((?:customer|invitation)\.[a-z_]+|[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)?)\}"
)
CHOICE_DISPLAY = {
    "customer.type": "customer_type",
    "customer.kind": "kind",
    "customer.lifecycle": "lifecycle",
}
NAME = "customer.name"


def has_references(text):
    return bool(text) and "{" in text and REFERENCE.search(text) is not None


def pipes(layout):
    """Whether any text of the layout pipes something (read once per layout)."""
    found = layout.__dict__.get("_pipes")
    if found is None:
        found = layout.__dict__["_pipes"] = any(
            has_references(q.text)
            or has_references(q.help_text)
            or any(has_references(o.label) for o in q.options.all())
            for q in layout.questions
        )
    return found


def respondent_values(invitation=None, customer=None, *, channel=None, own_name=False):
    """{"customer.type": "VIP", …}: the whitelisted fields (context.condition_context) as text
    to show, by their labels; with own_name also the customer's name (the respondent's page)."""
    if customer is None and invitation is not None:
        customer = getattr(invitation, "customer", None)
    values = {}
    for key, value in condition_context(invitation, customer, channel=channel).items():
        display = CHOICE_DISPLAY.get(key)
        if display and customer is not None and value:
            value = getattr(customer, f"get_{display}_display", lambda v=value: v)()
        elif key == "invitation.channel" and invitation is not None and value:
            value = invitation.get_channel_display()
        if isinstance(value, list):
            value = JOIN.join(str(v) for v in value)
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        values[key] = "" if value is None else str(value)
    if own_name and customer is not None:
        values[NAME] = customer.name or ""
    return values


def answer_labels(layout, raw, shown=None):
    """{"Q3": "满意", "Q5.R1": "一般", …} of the answered questions, from raw form values
    (`raw(name, multi=False)`, as AnswerForm._raw); questions not in `shown` (pks) are left out."""
    labels = {}
    for question in layout.questions:
        if shown is not None and question.pk not in shown:
            continue
        by_pk = layout.options[question.pk]
        if question.kind == QuestionKind.MATRIX:
            for row in layout.rows[question.pk]:
                option = by_pk.get(str(raw(field_name(question, row)) or ""))
                if option is not None:
                    labels[f"{question.code}.{row.code}"] = option.label
            continue
        texts = [t for t in _answer_texts(question, by_pk, raw) if t]
        if texts:
            labels[question.code] = JOIN.join(texts)
    return labels


def _answer_texts(question, by_pk, raw):
    value = raw(field_name(question), multi=question.kind == QuestionKind.MULTIPLE)
    picked = value if isinstance(value, list) else ([] if value in (None, "") else [value])
    for item in picked:
        if str(item) == OTHER:
            yield (raw(field_name(question, suffix=OTHER)) or "").strip()
        elif question.kind in (QuestionKind.NPS, QuestionKind.TEXT):
            yield str(item).strip()
        elif str(item) in by_pk:
            yield by_pk[str(item)].label


def segments(text, values, live=()):
    """[(text, code or None)]: the text split at its references, each replaced by its value
    (the placeholder when empty); `code` is set on a part that names a question in `live` (the
    codes on the page being answered), for the script to update."""
    parts, start = [], 0
    for match in REFERENCE.finditer(text or ""):
        key = match.group(1)
        if key not in values and key not in FIELDS and key != NAME and not _is_question(key, values, live):
            continue
        if match.start() > start:
            parts.append((text[start : match.start()], None))
        parts.append((values.get(key) or PLACEHOLDER, key if key in live else None))
        start = match.end()
    if start < len(text or ""):
        parts.append((text[start:], None))
    return parts


def _is_question(key, values, live):
    root = key.split(".", 1)[0]
    return root in live or root in values.get("__codes__", ())


def pipe(text, values):
    """The text with its references replaced (a plain str, escaped by the template)."""
    return "".join(part for part, _code in segments(text, values))


def piped_question(question, values, live=()):
    """The question itself when nothing in it is piped, else a shallow copy with `piped` (the
    text's parts), `piped_help` (the explanation's parts) and its options' labels piped."""
    options = list(question.options.all())
    if not (
        has_references(question.text)
        or has_references(question.help_text)
        or any(has_references(o.label) for o in options)
    ):
        return question
    from .pages import replace_options

    clone = replace_options(question, [_piped_option(o, values) for o in options])
    clone.piped = segments(question.text, values, live)
    clone.piped_help = segments(question.help_text, values, live) if question.help_text else []
    return clone


def _piped_option(option, values):
    if not has_references(option.label):
        return option
    clone = copy.copy(option)
    clone.label = pipe(option.label, values)
    return clone


def values_for(layout, raw, shown, respondent):
    """All values a text may pipe: the respondent's fields and the answers shown so far."""
    values = dict(respondent)
    values["__codes__"] = frozenset(q.code for q in layout.questions)
    values.update(answer_labels(layout, raw, shown))
    return values


def piped_contexts(layout, contexts, raw, respondent):
    """The answer form's question contexts (AnswerForm.question_contexts()) with their texts
    piped, for a form that shows every question at once (the staff's phone and paper entry):
    each question's text names the answers given so far, updated live by answer_form.js."""
    if not pipes(layout):
        return contexts
    values = values_for(layout, raw, None, respondent)
    live = frozenset(q.code for q in layout.questions)
    return [
        {**context, "question": piped_question(context["question"], values, live)} for context in contexts
    ]
