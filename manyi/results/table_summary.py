"""The summary of a campaign's table questions (seed 000, 快递调查 四: 快递公司 / 件量占比 / 优势 /
劣势) for the dashboard: per company named, how many respondents named it, their mean share and
what they wrote as its advantages and disadvantages (analytics/table_summary.py).

Which answers: those of the analysed rows (`filters.analysed`: valid questionnaires, one voice
per customer), as every figure reads. The texts are shown to every reader of the analysis, so,
as the open answers' keywords, they are without personal data (`NameMask.strip`: phones, e-mail
addresses, the names of the campaign's customers and their contacts).

The grouping column is the table's first text column (the company), the averaged ones its
number and percentage columns, the listed ones its other text columns.
"""

from __future__ import annotations

from dataclasses import dataclass

from manyi.analytics import table_summary
from manyi.campaigns.models import Answer
from manyi.customers.masking import NameMask, strip_contacts
from manyi.surveys.choices import QuestionKind, TableColumnKind

from .filters import analysed


@dataclass
class TableSummary:
    question: object
    key_column: object  # the TableColumn naming a row
    number_columns: list
    text_columns: list
    rows: list  # analytics.table_summary.NamedRow, most often named first
    respondents: int  # analysed respondents who filled at least one row


def table_summaries(campaign, dataset, selection):
    """A TableSummary for each table question of the campaign's questionnaire (with a text column)."""
    questions = [q for q in campaign.questionnaire.layout().questions if q.kind == QuestionKind.TABLE]
    if not questions:
        return []
    keep = analysed(dataset, selection)
    chosen = set(dataset.ids[keep].tolist())
    names = NameMask.of_customers(set(dataset.customer[keep].tolist()) - {-1})
    return [summary for q in questions if (summary := _summary(q, dataset, chosen, names)) is not None]


def _summary(question, dataset, chosen, names):
    columns = list(question.columns.all())
    texts = [c for c in columns if c.kind == TableColumnKind.TEXT]
    if not texts:
        return None
    key, listed = texts[0], texts[1:]
    numbers = [c for c in columns if c.kind != TableColumnKind.TEXT]
    answers = (
        Answer.objects.filter(
            response__campaign_id=dataset.campaign_id,
            response_id__lte=dataset.last_id,
            question=question,
            table_row__isnull=False,
        )
        .order_by("response_id", "table_row")
        .values_list("response_id", "table_row", "table_column", "number", "text")
    )
    by_respondent = {}
    for response_id, row, code, number, text in answers.iterator(chunk_size=10_000):
        if response_id not in chosen:
            continue
        cells = by_respondent.setdefault(response_id, {}).setdefault(row, {})
        if number is not None:
            cells[code] = number
        elif text:
            # The name as written (phones and e-mails taken out); the other texts without names too.
            cells[code] = strip_contacts(text) if code == key.code else names.strip(text)
    respondents = [list(rows.values()) for rows in by_respondent.values()]
    rows = table_summary.summarise(
        respondents, key=key.code, numbers=[c.code for c in numbers], texts=[c.code for c in listed]
    )
    return TableSummary(question, key, numbers, listed, rows, len(respondents))
