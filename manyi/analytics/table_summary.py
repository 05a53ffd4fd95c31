"""A table question's answers summed up per named row (pure Python, no Django).

Seed 000 (快递调查 四): "目前主要合作快递公司及发件量占比?圆通和其他快递公司对比存在的优劣势?" with the
columns 快递公司 / 件量占比 / 优势 / 劣势. Each respondent names companies, one a row; the summary
says, per company, how many respondents named it, the mean of their shares, and what they wrote
as its advantages and disadvantages.

Names are matched whatever their case, spaces and full- or half-width form ("ZTO 中通",
"zto中通", "ＺＴＯ　中通" are one company), and shown as first written. A respondent who names
one company on two rows counts once, with the two rows' numbers added up (30% + 20% is a 50%
share). The mean of a number column is over the respondents who named the company and gave that
number; a respondent who left it empty is not counted as 0.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field


def normalise_name(name: str) -> str:
    """The matching key of a name: NFKC (full-width to half-width), no spaces, case folded."""
    text = unicodedata.normalize("NFKC", name or "")
    return "".join(text.split()).casefold()


@dataclass
class NamedRow:
    """What the respondents said about one named thing (a company)."""

    name: str  # as first written
    respondents: int = 0
    means: dict = field(default_factory=dict)  # number column -> mean over those who gave it (None: nobody)
    counts: dict = field(default_factory=dict)  # number column -> how many gave it
    texts: dict = field(default_factory=dict)  # text column -> [texts, in respondent order]


def summarise(respondents, *, key, numbers=(), texts=()):
    """Per named thing, most often named first (then by name): a list of NamedRow.

    respondents: for each respondent, their filled rows, each a dict column -> value;
    key: the column naming the row (快递公司); numbers: the columns averaged (件量占比);
    texts: the columns listed (优势, 劣势). Rows with an empty name are left out."""
    found: dict[str, NamedRow] = {}
    totals: dict[str, dict] = {}
    for rows in respondents:
        mine = _respondent_rows(rows, key, numbers, texts)
        for match, (name, sums, written) in mine.items():
            row = found.setdefault(match, NamedRow(name=name, texts={c: [] for c in texts}))
            row.respondents += 1
            for column, value in sums.items():
                total = totals.setdefault(match, {}).setdefault(column, [0.0, 0])
                total[0] += value
                total[1] += 1
            for column in texts:
                row.texts[column].extend(written[column])
    for match, row in found.items():
        for column in numbers:
            total, count = totals.get(match, {}).get(column, (0.0, 0))
            row.means[column] = total / count if count else None
            row.counts[column] = count
    return sorted(found.values(), key=lambda row: (-row.respondents, normalise_name(row.name)))


def _respondent_rows(rows, key, numbers, texts):
    """One respondent's rows by name: (name as written, number column -> sum, text column -> texts)."""
    mine = {}
    for row in rows:
        name = (row.get(key) or "").strip()
        match = normalise_name(name)
        if not match:
            continue
        _name, sums, written = mine.setdefault(match, (name, {}, {c: [] for c in texts}))
        for column in numbers:
            value = row.get(column)
            if value is not None:
                sums[column] = sums.get(column, 0.0) + float(value)
        for column in texts:
            text = (row.get(column) or "").strip()
            if text:
                written[column].append(text)
    return mine
