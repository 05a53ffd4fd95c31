"""Effective vs ineffective feedback, with the examples of seed 002 and some of our own."""

import pytest

from manyi.analytics.feedback import (
    CONCRETE,
    EMPTY,
    GENERIC,
    actionable_count,
    classify_feedback,
    is_actionable,
)


@pytest.mark.parametrize(
    "text",
    [
        "挺好",
        "不错",
        "赞",
        "满意",
        "不错，赞！",
        "非常满意，继续保持",
        "好好好",
        "ＯＫ",
        "加油",
        "不满意",
        "一般",
    ],
)
def test_generic_praise_and_bare_verdicts_are_not_actionable(text):
    result = classify_feedback(text)
    assert (result.actionable, result.kind, result.keywords) == (False, GENERIC, ())
    assert result.generic


@pytest.mark.parametrize("text", ["款式漂亮", "口感偏酸", "包装破损", "快递慢"])
def test_the_concrete_examples_of_seed_002_are_actionable(text):
    result = classify_feedback(text)
    assert (result.actionable, result.kind) == (True, CONCRETE)
    assert result.keywords == (text,)


@pytest.mark.parametrize(
    "text, keyword",
    [
        ("很满意，就是快递有点慢", "快递"),
        ("服务态度差", "服务态度"),
        ("价格太贵了", "贵"),
        ("The delivery was late", "delivery"),
    ],
)
def test_a_concrete_word_next_to_praise_makes_it_actionable(text, keyword):
    result = classify_feedback(text)
    assert result.actionable
    assert keyword in result.keywords


@pytest.mark.parametrize("text", [None, "", "   ", "希望", "。。。"])
def test_empty_and_frame_only_texts_are_not_actionable(text):
    assert classify_feedback(text) == classify_feedback(None)
    assert classify_feedback(text).kind == EMPTY
    assert not is_actionable(text)


def test_counting_leaves_out_unanswered_texts():
    texts = ["挺好", None, "包装破损", "  ", "快递慢", "赞"]
    assert actionable_count(texts) == (2, 4)
    assert actionable_count([]) == (0, 0)
