"""The answer page's conditions for static/js/conditions.js (issue 21)."""

from django import template

from manyi.surveys.logic.visibility import page_logic

register = template.Library()


@register.simple_tag
def answer_logic(questionnaire, prefix="q", form="answer-form"):
    """The questionnaire's conditions as syntax trees, for json_script (None without any)."""
    return page_logic(questionnaire, prefix, form)


@register.simple_tag
def condition_chooser(questionnaire, question=None):
    """The earlier questions the question form's condition chooser offers."""
    from manyi.surveys.logic.builder import chooser_data

    return chooser_data(questionnaire, question)


@register.simple_tag
def logic_check(questionnaire):
    """The builder's logic-check panel: how many conditions, and their findings."""
    from manyi.surveys.logic.builder import logic_check as findings

    return findings(questionnaire)
