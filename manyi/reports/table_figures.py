"""Table questions in the report (seed 000, 快递调查 四: 快递公司 / 件量占比 / 优势 / 劣势): the
dashboard's summary per company (results/table_summary.py) as plain data for the report's
figures, and what a reader's copy shows of it (the texts withheld as the open answers are)."""

from manyi.results.filters import Selection
from manyi.results.table_summary import table_summaries

TEXTS_KEPT = 10  # per company and column: the report lists, it does not reprint every answer


def _num(value):
    return None if value is None else round(float(value), 4)


def table_figures(campaign, dataset, selection=None):
    """[{code, text, key, numbers, texts, respondents, rows}] of each table question."""
    return [
        {
            "code": t.question.code,
            "text": t.question.text,
            "key": t.key_column.label,
            "numbers": [
                {"code": c.code, "label": c.label, "percent": c.kind == "percent"} for c in t.number_columns
            ],
            "texts": [{"code": c.code, "label": c.label} for c in t.text_columns],
            "respondents": t.respondents,
            "rows": [
                {
                    "name": row.name,
                    "respondents": row.respondents,
                    "numbers": [
                        {"mean": _num(row.means[c.code]), "n": row.counts[c.code]} for c in t.number_columns
                    ],
                    "texts": [
                        {"count": len(row.texts[c.code]), "shown": row.texts[c.code][:TEXTS_KEPT]}
                        for c in t.text_columns
                    ],
                }
                for row in t.rows
            ],
        }
        for t in table_summaries(campaign, dataset, selection or Selection())
    ]


def for_reader(figures, withheld):
    """The report's tables as this reader's copy shows them: without the texts when the
    reader may not see the campaign's individual answers. Reports made before tables had a
    summary have none."""
    tables = figures.get("tables") or []
    if not withheld:
        return tables
    return [
        {**t, "rows": [{**row, "texts": [{**x, "shown": []} for x in row["texts"]]} for row in t["rows"]]}
        for t in tables
    ]
