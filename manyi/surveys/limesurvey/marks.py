"""Manyi's dimensions in a LimeSurvey file, for a questionnaire whose question groups are pages.

LimeSurvey has one way to group questions (question groups); when a questionnaire has pages the
groups are its pages, and its dimensions (the sections of the index, with their weights) travel
as a mark in each question's `cssclass` attribute, which LimeSurvey keeps (and only writes into
the page as a CSS class) and our import reads back:

    manyi-dimension-<position>-<code>-<weight>-<title>

every part but the position written with `_encode` (letters, digits and "_" as they are, any
other character as %XX of its UTF-8 bytes), so a class token never holds a space or a "-" of its
own. A file of another tool, or a mark that does not read, simply has no dimensions.
"""

import re
from dataclasses import dataclass
from urllib.parse import unquote

MARK = re.compile(r"\bmanyi-dimension-(\d{1,4})-([A-Za-z0-9_%]+)-([A-Za-z0-9_%]+)-([A-Za-z0-9_%]*)(?=\s|$)")
_PLAIN = re.compile(r"[A-Za-z0-9_]")
CODE_MAX = 20
TITLE_MAX = 200
WEIGHT_MAX = 100


@dataclass(frozen=True)
class DimensionMark:
    position: int
    code: str
    weight: float
    title: str


def _encode(text):
    return "".join(c if _PLAIN.fullmatch(c) else "".join(f"%{b:02X}" for b in c.encode()) for c in str(text))


def dimension_mark(dimension):
    """The class token of a question in `dimension` (a Dimension)."""
    weight = f"{dimension.weight:g}"
    return (
        f"manyi-dimension-{dimension.position}-{_encode(dimension.code)}-{_encode(weight)}-"
        f"{_encode(dimension.title)}"
    )


def read_dimension_mark(cssclass):
    """The DimensionMark in a question's cssclass, or None (none, or one that does not read)."""
    found = MARK.search(cssclass or "")
    if found is None:
        return None
    position, code, weight, title = found.groups()
    code = unquote(code, errors="strict").strip()[:CODE_MAX] if _decodes(code) else ""
    title = unquote(title).strip()[:TITLE_MAX]
    try:
        number = float(unquote(weight))
    except ValueError:
        number = 1.0
    if not 0 < number <= WEIGHT_MAX:  # NaN too
        number = 1.0
    if not code:
        return None
    return DimensionMark(int(position), code, number, title or code)


def _decodes(text):
    try:
        unquote(text, errors="strict")
    except UnicodeDecodeError:
        return False
    return True
