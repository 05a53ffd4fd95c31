"""Table questions (seed 000, 快递调查 四: 快递公司 / 件量占比 / 优势 / 劣势): the names of their cells.

A table question has columns (TableColumn) and offers the respondent `table_max_rows` rows of
them. Each cell is one form field, ``<prefix>-<question pk>-t<row>-<column pk>`` (rows from 1),
read by campaigns/table_answers.py and written by the shared include
``surveys/_table_input.html``.
"""

from .naming import PREFIX, field_name


def cell_name(question, row, column, prefix=PREFIX):
    """ "q-12-t2-34": the cell of row 2 (from 1), column 34 of question 12."""
    return field_name(question, suffix=f"t{row}-{column.pk}", prefix=prefix)


def row_numbers(question):
    """1 … the rows the respondent may fill."""
    return range(1, question.table_max_rows + 1)


def cells(question, prefix=PREFIX):
    """(row, column, field name) of every cell, row by row."""
    columns = list(question.columns.all())
    return [
        (row, column, cell_name(question, row, column, prefix))
        for row in row_numbers(question)
        for column in columns
    ]


def grid(question, values, prefix=PREFIX):
    """The rows as a template shows them: [{"number": n, "cells": [{column, name, value}]}].

    `values` maps a cell's field name to what it holds (text, a number, or None)."""
    values = values or {}
    rows = {}
    for row, column, name in cells(question, prefix):
        value = values.get(name)
        rows.setdefault(row, []).append(
            {"column": column, "name": name, "value": "" if value is None else value}
        )
    return [{"number": number, "cells": row_cells} for number, row_cells in rows.items()]
