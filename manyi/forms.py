import json
import re

from django import forms
from django.core.exceptions import BadRequest
from django.forms.utils import pretty_name
from django.utils.translation import gettext as _

# The largest id the databases store: a signed 64-bit integer (SQLite INTEGER, PostgreSQL
# bigint). A larger number in a query overflows (OverflowError, NumericValueOutOfRange).
MAX_ID = 2**63 - 1
# Longer search text finds nothing more; SQLite refuses LIKE patterns over 50,000 bytes.
MAX_SEARCH = 200


class StyledFormMixin:
    """Give every widget the Bootstrap class it needs, so templates stay plain."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


class LabelledRowsMixin:
    """A formset shown as a table, one form a row, has no <label> per field (the column heading
    names it for the eye only): each visible widget, the "delete" box included, carries its
    field's label as aria-label so that a screen reader names it (WCAG 2.1, 4.1.2)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for name, field in form.fields.items():
            if not field.widget.is_hidden:
                field.widget.attrs.setdefault("aria-label", str(field.label or pretty_name(name)))


class LabelledRowsFormSet(LabelledRowsMixin, forms.BaseFormSet):
    pass


class LabelledRowsInlineFormSet(LabelledRowsMixin, forms.BaseInlineFormSet):
    pass


class BadParameter(BadRequest):
    """A query or form parameter that does not parse: answered 400 with this message, in the
    user's language (manyi.views.bad_request)."""


def parse_id(text):
    """The id ``text`` spells in ASCII digits, 0 to MAX_ID; None for anything else.

    Not ``str.isdigit()``: "²" is a digit to it that ``int()`` refuses, "١٢٣" and "１２" are
    digits ``int()`` reads although no page writes them, and 30 digits overflow the database.
    """
    if not isinstance(text, str) or not (0 < len(text) <= 19 and text.isascii() and text.isdecimal()):
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def id_param(data, name, label=None):
    """The id in ``data[name]`` (``request.GET`` or ``request.POST``): None when absent or
    empty; a value that is no id (``parse_id``) is refused with BadParameter (400), whose
    message names the choice by ``label`` (what the page calls it)."""
    text = data.get(name, "")
    if text == "":
        return None
    value = parse_id(text)
    if value is None:
        raise BadParameter(
            _("“%(name)s” must be one of the choices the page offers; choose again.")
            % {"name": label or name}
        )
    return value


def search_param(data, name="q"):
    """The search text in ``data[name]``: stripped, without NUL characters (PostgreSQL takes no
    text holding them) and cut to MAX_SEARCH characters."""
    return data.get(name, "").replace("\x00", "").strip()[:MAX_SEARCH]


class InputTooLarge(ValueError):
    """Text from a request over a size or depth limit; ``str()`` is the user's message."""


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def parse_json(text, *, max_length, max_depth=20):
    """``json.loads(text)`` for text a user posted, refused first (InputTooLarge) when longer
    than ``max_length`` characters or nested deeper than ``max_depth``: the parser recurses
    once per level, and 100,000 "[" end in a RecursionError (a server error). Other bad JSON
    raises json.JSONDecodeError (a ValueError) as json.loads does."""
    if len(text) > max_length:
        raise InputTooLarge(_("The text is too long: at most %(limit)s characters.") % {"limit": max_length})
    depth = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > max_depth:
            raise InputTooLarge(
                _("The text is nested too deeply: at most %(limit)s levels.") % {"limit": max_depth}
            )
    return json.loads(text)
