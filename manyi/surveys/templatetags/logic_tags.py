"""The answer page's conditions for static/js/conditions.js (issue 21)."""

from django import template

from manyi.surveys.logic.visibility import page_logic

register = template.Library()


@register.simple_tag
def answer_logic(questionnaire):
    """The questionnaire's conditions as syntax trees, for json_script (None without any)."""
    return page_logic(questionnaire)
