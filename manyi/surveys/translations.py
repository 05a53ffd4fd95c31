"""A questionnaire's texts in a second language (issue 21): the English of a bilingual LimeSurvey
import, kept in Questionnaire.translations and shown to respondents whose page is in English.

The questionnaire's own texts are in one language (the builder edits those); the second
language's texts are looked up by question code, option code, matrix row code and page
position, so a text missing there (a question added or renamed since) is shown in the
questionnaire's own language. Nothing here writes: questions, options and rows are copied.
"""

from __future__ import annotations

import copy

from django.utils.translation import get_language

LANGUAGES = ("en",)


def texts_for(questionnaire, language=None):
    """The questionnaire's texts in `language` (default: the active one), or {}."""
    language = (language or get_language() or "").lower()
    wanted = next((code for code in LANGUAGES if language == code or language.startswith(code + "-")), None)
    if wanted is None:
        return {}
    texts = (getattr(questionnaire, "translations", None) or {}).get(wanted)
    return texts if isinstance(texts, dict) else {}


def questionnaire_text(questionnaire, name, language=None):
    """The questionnaire's title, description, intro or thanks in the active language."""
    value = texts_for(questionnaire, language).get(name)
    return value if isinstance(value, str) and value.strip() else getattr(questionnaire, name)


def page_texts(texts, page):
    """(title, description) of a Page (None: the questions on no page) in the texts' language."""
    if page is None:
        return "", ""
    own = (texts.get("pages") or {}).get(str(page.position)) or {}
    return own.get("title") or page.title, own.get("description") or page.description


def _with_items(question, name, items):
    """Set the prefetched `name` (options, rows) of a copied question to `items`."""
    cache = dict(getattr(question, "_prefetched_objects_cache", {}))
    queryset = getattr(question, name).all()._chain()
    queryset._result_cache = list(items)
    queryset._prefetch_done = True
    cache[name] = queryset
    question._prefetched_objects_cache = cache


def _renamed(objects, field, names):
    out = []
    for obj in objects:
        name = names.get(obj.code)
        if isinstance(name, str) and name.strip():
            obj = copy.copy(obj)
            setattr(obj, field, name)
        out.append(obj)
    return out


def translated_question(question, texts):
    """The question itself, or a copy with its text, explanation, options' labels, rows' texts and
    dimension's title in the texts' language (each where the texts have it)."""
    own = (texts.get("questions") or {}).get(question.code) if texts else None
    dimension_title = (
        (texts.get("dimensions") or {}).get(getattr(question.dimension, "code", None)) if texts else None
    )
    if not own and not dimension_title:
        return question
    clone = copy.copy(question)
    own = own or {}
    clone.text = own.get("text") or question.text
    clone.help_text = own.get("help_text") or question.help_text
    if own.get("options"):
        _with_items(clone, "options", _renamed(question.options.all(), "label", own["options"]))
    if own.get("rows"):
        _with_items(clone, "rows", _renamed(question.rows.all(), "text", own["rows"]))
    if dimension_title:
        clone.dimension = copy.copy(question.dimension)
        clone.dimension.title = dimension_title
    return clone
