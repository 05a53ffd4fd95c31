"""A result's stored breakdown as rows for the pages: labels and the arithmetic as text
(measures.py says where each number comes from; scoring.py the score rule)."""

from django.utils.translation import gettext as _

from .choices import Direction, IndicatorKind

RATE_KINDS = {
    IndicatorKind.SATISFIED_RATE,
    IndicatorKind.RESPONSE_RATE,
    IndicatorKind.COMPLAINT_RATE,
    IndicatorKind.SLA_COMPLIANCE,
}


def _n(value):
    if value is None:
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def value_arithmetic(row):
    """How the value was obtained, in numbers ("37 ÷ 1,250 × 100 = 2.96")."""
    kind, value = row["kind"], row["value"]
    if value is None:
        return _("no data in the period: left out, the other weights re-normalised")
    if kind in RATE_KINDS:
        return f"{_n(row['num'])} ÷ {_n(row['den'])} × 100 = {_n(value)}"
    if kind == IndicatorKind.SURVEY_INDEX:
        parts = " + ".join(f"{_n(index)} × {_n(n)}" for _name, index, n in row.get("parts", []))
        return f"({parts}) ÷ {_n(row['den'])} = {_n(value)}"
    return f"{_n(row['num'])} ÷ {_n(row['den'])} = {_n(value)}"


def score_arithmetic(row):
    value, target, score = row["value"], row["target"], row["score"]
    if score is None:
        return "–"
    if row["direction"] == Direction.HIGHER:
        return f"min({_n(value)} ÷ {_n(target)}, 1) × 100 = {_n(score)}"
    if value <= 0:
        return f"{_n(value)} ≤ 0 → 100"
    return f"min({_n(target)} ÷ {_n(value)}, 1) × 100 = {_n(score)}"


def result_rows(result):
    labels = dict(IndicatorKind.choices)
    rows = []
    for row in result.breakdown:
        rows.append(
            {
                **row,
                "label": labels.get(row["kind"], row["kind"]),
                "value_text": value_arithmetic(row),
                "score_text": score_arithmetic(row),
                "used_percent": 100.0 * row.get("used_weight", 0),
                "rate": row["kind"] in RATE_KINDS,
            }
        )
    return rows


def total_arithmetic(result, rows):
    """Σ(weight × score) ÷ Σ weight over the indicators with data."""
    scored = [row for row in rows if row["score"] is not None]
    if not scored:
        return _("no indicator has data: no score, no rank")
    top = " + ".join(f"{_n(row['weight'])} × {_n(row['score'])}" for row in scored)
    bottom = " + ".join(_n(row["weight"]) for row in scored)
    return f"({top}) ÷ ({bottom}) = {_n(result.total)}"
