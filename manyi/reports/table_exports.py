"""Table questions in the raw data exports (seed 000, 快递调查 四: 快递公司 / 件量占比 / 优势 / 劣势).

A table becomes wide columns, one per row the respondent could fill and per column of the
table, in that order: "Q4 第1行 快递公司", "Q4 第1行 件量占比" … "Q4 第5行 劣势". Text cells are shown as
open answers are to the reader (masked without the right to personal data); number and
percentage cells are numbers. Called by reports/exports.py.
"""

from __future__ import annotations

import numpy as np
from django.utils.translation import gettext as _

from manyi.campaigns.models import Answer
from manyi.surveys import tables
from manyi.surveys.choices import TableColumnKind


def variable(question, row, column, name_of):
    """The export variable of one cell; `name_of(question, suffix=…)` is the export's naming."""
    from .exports import Variable

    label = _("%(code)s row %(row)s %(column)s") % {"code": question.code, "row": row, "column": column.label}
    name = name_of(question, suffix=f"t{row}-{column.code}")
    if column.kind == TableColumnKind.TEXT:
        return Variable(name, label, "text")
    return Variable(name, label, "number", "scale")


def add_columns(table, question, name_of):
    """Empty columns for every cell of a table question (filled by `fill`)."""
    for row, column, _name in tables.cells(question):
        cell = variable(question, row, column, name_of)
        empty = np.full(table.size, "", dtype=object) if cell.kind == "text" else np.full(table.size, np.nan)
        table.add(cell, empty)


def fill(columns, campaign, dataset, questions, private, name_of, positions):
    """Place the stored cells of the table `questions` into their columns: one query.

    `private` shows a text to the reader (masked or whole); `positions(dataset, ids)` gives
    each response's row in the export."""
    if not questions:
        return
    rows = list(
        Answer.objects.of_completed_responses()
        .filter(
            response__campaign_id=campaign.pk,
            response_id__lte=dataset.last_id,
            question_id__in=[q.pk for q in questions],
            table_row__isnull=False,
        )
        .order_by()
        .values_list("response_id", "question_id", "table_row", "table_column", "number", "text")
    )
    if not rows:
        return
    at, found = positions(dataset, [row[0] for row in rows])
    by_pk = {q.pk: q for q in questions}
    for (_response, question_id, row, code, number, text), place, ok in zip(rows, at, found, strict=True):
        name = name_of(by_pk[question_id], suffix=f"t{row}-{code}")
        if not ok or name not in columns:
            continue
        if columns[name].dtype == object:
            columns[name][place] = private(text) if text else ""
        elif number is not None:
            columns[name][place] = number
