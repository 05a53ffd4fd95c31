"""The builder's editor of a table question's columns (seed 000, 快递调查 四: 快递公司 / 件量占比 /
优势 / 劣势): a formset of columns in the order given, its rules, and saving them.

The question editor (forms.QuestionEditor) validates and saves these with the question; the
rows a respondent may fill and the "shares at most 100%" rule are fields of the question.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from manyi.forms import StyledFormMixin

from .choices import TABLE_DEFAULT_ROWS, TABLE_MAX_ROWS_LIMIT, QuestionKind, TableColumnKind
from .models import TableColumn

# A column's code names it in exports and in the stored answers (Answer.table_column).
COLUMN_CODE = re.compile(r"[A-Za-z0-9_]{1,20}")
MAX_COLUMNS = 10


def _check_code(value):
    if value and not COLUMN_CODE.fullmatch(value):
        raise ValidationError(_("Use letters, digits and _ only (at most 20)."))


class TableFieldsMixin:
    """The question form's table fields: optional in a post (a question of another kind, or
    an older page, leaves them out), the default number of rows then."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["table_max_rows"].required = False

    def clean_table_max_rows(self):
        value = self.cleaned_data.get("table_max_rows")
        return TABLE_DEFAULT_ROWS if value is None else value


class ColumnForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20, required=False, validators=[_check_code])
    label = forms.CharField(label=_("Heading"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Holds"), choices=TableColumnKind.choices, initial=TableColumnKind.TEXT)
    required = forms.BooleanField(label=_("Required in a filled row"), required=False)


ColumnFormSet = forms.formset_factory(
    ColumnForm,
    extra=0,
    can_delete=True,
    can_order=True,
    max_num=MAX_COLUMNS,
    absolute_max=MAX_COLUMNS,
    validate_max=True,
)


def column_formset(data, question=None):
    """The columns editor, filled from `question`'s columns when it is shown (not posted)."""
    initial = None
    if question is not None and data is None:
        initial = [
            {"code": c.code, "label": c.label, "kind": c.kind, "required": c.required, "ORDER": n}
            for n, c in enumerate(question.columns.all(), start=1)
        ]
    if data is not None and "columns-TOTAL_FORMS" not in data:
        # A post without the columns editor (the API, an older page): no columns.
        data = data.copy()
        data["columns-TOTAL_FORMS"] = data["columns-INITIAL_FORMS"] = "0"
    return ColumnFormSet(data, prefix="columns", initial=initial)


def kept_columns(formset):
    """The filled-in, not deleted columns as dicts, in the order the designer numbered them
    (rows without a number keep their place after the numbered ones)."""
    kept = []
    for index, form in enumerate(formset.forms):
        data = getattr(form, "cleaned_data", None) or {}
        if data.get("DELETE") or not any((data.get(k) or "").strip() for k in ("code", "label")):
            continue
        order = data.get("ORDER")
        kept.append(((order is None, order or 0, index), data))
    return [data for _key, data in sorted(kept, key=lambda pair: pair[0])]


def check_columns(*, kind, columns, options, shares_within_100, max_rows):
    """The builder's rules for a table question's columns; a list of messages."""
    if kind != QuestionKind.TABLE:
        return [_("Only table questions have columns.")] if columns else []
    errors = []
    if options:
        errors.append(_("A table question has no options; remove them."))
    if not columns:
        errors.append(_("A table question needs at least one column."))
    if any(not (c.get("code") or "").strip() or not (c.get("label") or "").strip() for c in columns):
        errors.append(_("Every column needs a code and a heading."))
    codes = [(c.get("code") or "").strip() for c in columns]
    repeated = sorted({c for c in codes if c and codes.count(c) > 1})
    if repeated:
        errors.append(
            _("Column codes must be unique in the question: %(codes)s") % {"codes": ", ".join(repeated)}
        )
    if shares_within_100 and not any(c.get("kind") == TableColumnKind.PERCENT for c in columns):
        errors.append(_("The rule on the sum of the percentages needs a percentage column."))
    if max_rows is None or not 1 <= max_rows <= TABLE_MAX_ROWS_LIMIT:
        errors.append(_("A table offers from 1 to %(max)s rows.") % {"max": TABLE_MAX_ROWS_LIMIT})
    return errors


def save_columns(question, columns):
    """Replace the question's columns with `columns` (dicts), in their order."""
    question.columns.all().delete()
    TableColumn.objects.bulk_create(
        TableColumn(
            question=question,
            position=position,
            code=c["code"].strip(),
            label=c["label"].strip(),
            kind=c["kind"],
            required=bool(c.get("required")),
        )
        for position, c in enumerate(columns)
    )
