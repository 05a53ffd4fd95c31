"""Answering a table question (seed 000, 快递调查 四):

    "四、目前主要合作快递公司及发件量占比?圆通和其他快递公司对比存在的优劣势?"
    快递公司 | 件量占比 | 优势 | 劣势   (圆通 | 50% | 速度较好 | 售后处理不够快)

The respondent fills up to `Question.table_max_rows` rows; a row left empty is ignored. Each
filled cell is stored as one Answer (`table_row` from 1, in the order the rows were filled,
`table_column` the column's code) with its value in `text` (text columns) or `number`
(number and percentage columns). `campaigns.answering.AnswerForm` asks this module for the
fields, the checks across cells, the answers to store and a draft's values.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from django import forms
from django.utils.translation import gettext as _

from manyi.surveys import tables
from manyi.surveys.choices import QuestionKind, TableColumnKind

from .models import Answer

CELL_TEXT_MAX = 300
NUMBER_LIMIT = 1e9


def _where(question, row, column):
    return {"code": question.code or question.text, "row": row, "column": column.label}


class _NumberCell(forms.FloatField):
    """A number typed by a person: "50", "50%", "５０％", "1,200" are read as 50, 50, 50, 1200."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().translate(_FULL_WIDTH).replace(",", "").rstrip("%").strip()
        return super().to_python(value)


_FULL_WIDTH = str.maketrans("０１２３４５６７８９．％，", "0123456789.%,")


def _cell_field(question, row, column):
    where = _where(question, row, column)
    if column.kind == TableColumnKind.TEXT:
        message = _("Question %(code)s, row %(row)s, %(column)s: please write at most %(max)s characters.")
        return forms.CharField(
            max_length=CELL_TEXT_MAX,
            required=False,
            error_messages={"max_length": message % {**where, "max": CELL_TEXT_MAX}},
        )
    if column.kind == TableColumnKind.PERCENT:
        message = (
            _("Question %(code)s, row %(row)s, %(column)s: please enter a percentage from 0 to 100.") % where
        )
        low, high = 0, 100
    else:
        message = _("Question %(code)s, row %(row)s, %(column)s: please enter a number.") % where
        low, high = -NUMBER_LIMIT, NUMBER_LIMIT
    return _NumberCell(
        required=False,
        min_value=low,
        max_value=high,
        error_messages={"invalid": message, "min_value": message, "max_value": message},
    )


def fields(question):
    """(field name, form field) of every cell of a table question."""
    return [(name, _cell_field(question, row, column)) for row, column, name in tables.cells(question)]


def _filled(value):
    if value is None:
        return False
    if isinstance(value, float):
        return not math.isnan(value)
    return bool(str(value).strip())


def filled_rows(question, values):
    """[(row, {column: value})] of the rows with at least one cell filled, in row order.

    `values` maps a cell's field name to its (cleaned or posted) value."""
    rows = {}
    for row, column, name in tables.cells(question):
        value = values.get(name)
        if _filled(value):
            rows.setdefault(row, {})[column] = value.strip() if isinstance(value, str) else value
    return sorted(rows.items())


def clean(form, question, cleaned):
    """The checks across a table's cells, added to `form` (an AnswerForm) as errors.

    When the questionnaire is submitted (not for a draft, which may be half done): a started
    row needs its required columns; a percentage column of a question with
    `table_shares_within_100` adds up to at most 100 over the respondent's rows; a required
    table question needs one filled row. Each cell's own value is checked by its field."""
    first_cells = {row: name for row, column, name in reversed(tables.cells(question))}
    if not first_cells or not form.complete:  # no columns yet, or a draft
        return
    rows = filled_rows(question, cleaned)
    columns = list(question.columns.all())
    for row, values in rows:
        for column in columns:
            if column.required and column not in values:
                message = _("Question %(code)s, row %(row)s: please fill in %(column)s.")
                form.add_error(first_cells[row], message % _where(question, row, column))
    if question.table_shares_within_100:
        _check_shares(form, question, columns, rows, first_cells[1])
    if question.required and not rows and first_cells[1] not in form.errors:
        form.add_error(
            first_cells[1], _("Please answer question %(code)s.") % {"code": question.code or question.text}
        )


def _check_shares(form, question, columns, rows, target):
    """Seed 000's 件量占比: the shares of one respondent's companies are parts of one whole."""
    for column in columns:
        if column.kind != TableColumnKind.PERCENT:
            continue
        total = sum(values.get(column, 0) for _row, values in rows)
        if total > 100 + 1e-9:
            message = _(
                "Question %(code)s: the %(column)s of your rows add up to %(total)s%%; "
                "they should add up to at most 100%%."
            )
            form.add_error(target, message % {**_where(question, 0, column), "total": f"{total:g}"})


def has_filled_row(question, raw):
    """Whether any cell of the table holds something (`raw(name)` reads a posted value)."""
    return any(_filled(raw(name)) for _row, _column, name in tables.cells(question))


def raw_values(question, raw):
    """{field name: posted or saved value} of the table's cells, for the template's grid."""
    return {name: raw(name) for _row, _column, name in tables.cells(question)}


def build_answers(question, options, cleaned_data, response):
    """One Answer per filled cell; filled rows are numbered 1, 2 … in order, empty ones skipped."""
    answers = []
    for number, (_row, values) in enumerate(filled_rows(question, cleaned_data), start=1):
        for column, value in values.items():
            answer = Answer(response=response, question=question, table_row=number, table_column=column.code)
            if column.kind == TableColumnKind.TEXT:
                answer.text = value
            else:
                answer.number = value
            answers.append(answer)
    return answers


def format_number(number):
    """50.0 -> "50", 12.5 -> "12.5": a stored number as the respondent would write it."""
    return f"{number:g}" if abs(number) < 1e15 else str(number)


def initial_cell(initial, answer):
    """Put a saved cell back into form values (a draft resumed, a response shown)."""
    question = answer.question
    column = next((c for c in question.columns.all() if c.code == answer.table_column), None)
    if column is None or not 1 <= answer.table_row <= question.table_max_rows:
        return
    value = answer.text if column.kind == TableColumnKind.TEXT else answer.number
    if value is not None and column.kind != TableColumnKind.TEXT:
        value = format_number(value)
    initial[tables.cell_name(question, answer.table_row, column)] = value


def text_field_names(question):
    """The field names of a table's text cells (masked like open answers for some readers)."""
    if question.kind != QuestionKind.TABLE:
        return []
    return [name for _row, column, name in tables.cells(question) if column.kind == TableColumnKind.TEXT]


class PaperCell(NamedTuple):
    """A table cell as a column of a paper answer file: "Q21.2.share" is row 2's 件量占比.

    `pk` makes surveys.naming.field_name give the cell's form field, as a matrix row's does."""

    code: str
    pk: str


def paper_cells(question):
    """The paper file's columns of a table question, row by row."""
    return [
        PaperCell(f"{question.code}.{row}.{column.code}", f"t{row}-{column.pk}")
        for row, column, _name in tables.cells(question)
    ]
