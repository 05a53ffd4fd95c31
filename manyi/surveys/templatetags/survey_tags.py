"""Template helpers for questionnaire pages and the shared question input include."""

from django import template

from manyi.surveys.naming import field_name
from manyi.surveys.translations import questionnaire_text

register = template.Library()


@register.simple_tag
def answer_name(prefix, question, row=None, suffix=""):
    """The form field name of an answer (surveys.naming.field_name); templates pass "" for no row."""
    return field_name(question, None if row == "" else row, suffix, prefix)


@register.filter
def chosen(value, current):
    """Whether `value` (an option pk, a number) is the answer `current` (one value or a list)."""
    if current is None or current == "":
        return False
    if isinstance(current, list | tuple | set):
        return str(value) in {str(c) for c in current}
    return str(value) == str(current)


@register.filter
def lookup(mapping, key):
    """mapping[key], trying the key as given and as text; None when missing."""
    if not mapping:
        return None
    try:
        if key in mapping:
            return mapping[key]
        return mapping.get(str(key))
    except (TypeError, AttributeError):
        return None


@register.simple_tag
def scale_json(options):
    """Options [(label, points, neutral)] as JSON for the quick-fill buttons."""
    import json

    return json.dumps(
        [[str(label), points, neutral] for label, points, neutral in options], ensure_ascii=False
    )


@register.filter
def nps_points(_question):
    """0 … 10, the points of a recommendation question."""
    return range(11)


@register.filter
def importance_points(_question):
    """1 … 5, the answers to "how important is this to you?"."""
    return range(1, 6)


@register.filter
def template_title(key):
    """The shipped template's title in the user's language for a questionnaire's template key
    (the key itself is an internal name); the key when the template is no longer shipped."""
    from django.utils.translation import get_language

    from manyi.surveys.loader import list_templates

    for info in list_templates():
        if info.key == key:
            english = (get_language() or "").startswith("en") and info.title_en
            return info.title_en if english else info.title
    return key


@register.filter
def in_page_language(questionnaire, name):
    """The questionnaire's title, intro, description or thanks in the page's language (its
    English texts when the page is in English and it has them: surveys/translations.py)."""
    return questionnaire_text(questionnaire, name)


@register.simple_tag
def english_texts(questionnaire):
    """How many of the questionnaire's questions have an English text (0: none kept)."""
    english = (questionnaire.translations or {}).get("en") or {}
    codes = set(questionnaire.questions.values_list("code", flat=True))
    return len(codes & set(english.get("questions") or {}))
