"""Effective vs ineffective feedback (有效反馈 / 无效反馈, seed 002). Pure; no Django.

Seed 002: "所谓无效反馈是一些客套语和概括语，比如，挺好，不错，赞，等没有实质具体性的描述的评价；
而有效反馈则是具体化的反馈，比如产品的亮点、相关过程中某一个缺陷、顾客的抱怨点。如：款式漂亮、
口感偏酸、包装破损、快递慢等。"

Rule: a text is actionable when it names something concrete, i.e. when
:func:`manyi.analytics.text.answer_terms` finds at least one keyword (generic words such as 挺好,
不错, 赞, 满意, 无 and stop/frame words such as 希望, 建议 are not keywords). Concrete praise
(款式漂亮) is actionable too: it tells what to keep. A bare verdict (不满意, 差评) is generic, not
actionable: it says something is wrong but not what, so a ticket from it needs a question back to
the customer rather than a fix.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from manyi.analytics.text import answer_terms

EMPTY = "empty"  # nothing written, or only frame words (希望改进)
GENERIC = "generic"  # courtesy and summary words only (挺好, 不错, 赞)
CONCRETE = "concrete"  # at least one concrete word (包装破损, 快递慢)


@dataclass(frozen=True)
class FeedbackClass:
    """Whether a remark is actionable, why, and the words that decided it."""

    actionable: bool
    kind: str  # EMPTY / GENERIC / CONCRETE
    keywords: tuple[str, ...]
    generic: tuple[str, ...]


def classify_feedback(text: str | None) -> FeedbackClass:
    """Actionable (concrete) or not (empty, or generic praise / verdict only)."""
    terms = answer_terms(text)
    if terms.keywords:
        return FeedbackClass(True, CONCRETE, terms.keywords, terms.generic)
    if terms.generic:
        return FeedbackClass(False, GENERIC, (), terms.generic)
    return FeedbackClass(False, EMPTY, (), ())


def is_actionable(text: str | None) -> bool:
    return classify_feedback(text).actionable


def actionable_count(texts: Iterable[str | None]) -> tuple[int, int]:
    """(actionable, answered): texts that are not None or blank count as answered."""
    actionable = answered = 0
    for text in texts:
        if text is None or not str(text).strip():
            continue
        answered += 1
        actionable += is_actionable(text)
    return actionable, answered
