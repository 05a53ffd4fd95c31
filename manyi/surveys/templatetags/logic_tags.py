"""The answer page's conditions for static/js/conditions.js (issue 21)."""

from django import template

from manyi.surveys.logic.context import condition_context
from manyi.surveys.logic.visibility import compiled, page_logic

register = template.Library()


@register.simple_tag(takes_context=True)
def answer_logic(context, questionnaire, prefix="q", form="answer-form"):
    """The questionnaire's conditions as syntax trees, for json_script (None without any), with
    the respondent's fields they name (customer.type, …): the template's `condition_context`
    (surveys/logic/context.py), else those of its `invitation`; else they read null."""
    fields = compiled(questionnaire.layout()).fields
    values = None
    if fields:
        values = context.get("condition_context")
        invitation = context.get("invitation")
        if values is None and invitation is not None and hasattr(invitation, "channel"):
            values = condition_context(invitation, fields=fields)
    return page_logic(questionnaire, prefix, form, values)


@register.simple_tag
def condition_chooser(questionnaire, question=None):
    """The earlier questions the question form's condition chooser offers, then the customer's
    and invitation's fields a condition may read."""
    from manyi.surveys.logic.builder import chooser_data, chooser_fields

    return chooser_data(questionnaire, question) + chooser_fields()


@register.simple_tag
def logic_check(questionnaire):
    """The builder's logic-check panel: how many conditions, and their findings."""
    from manyi.surveys.logic.builder import logic_check as findings

    return findings(questionnaire)


@register.simple_tag
def logic_sample(questionnaire):
    """The preview's sample respondent: the customer's and invitation's fields the conditions
    name ([{key, label, kind, values}]), for the page to choose values the preview walks with."""
    from manyi.surveys.logic.context import FIELDS

    return [
        {"key": key, "label": FIELDS[key].label, "kind": FIELDS[key].kind, "values": FIELDS[key].values}
        for key in compiled(questionnaire.layout()).fields
    ]


@register.simple_tag
def condition_fields():
    """The whitelisted customer and invitation fields a condition may read (the expert help)."""
    from manyi.surveys.logic.context import FIELDS

    return [{"key": key, "label": field.label, "values": field.values} for key, field in FIELDS.items()]
