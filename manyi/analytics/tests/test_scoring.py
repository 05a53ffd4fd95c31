"""Scoring engine tests. Every expected number is worked out by hand from the seed rules
(seed 000: 评分准则, ISO 9001 ten-item survey, 2018 report, 彩管 report; seed 003:
50/30/20/0/−10) and written as arithmetic here, never copied from the function's output."""

import math
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from manyi.analytics.scoring import (
    DEFAULT_BANDS,
    EDGE_TOLERANCE,
    VALIDITY_RULES,
    Band,
    DimensionSpec,
    ItemSpec,
    ResponseScore,
    ScoringScheme,
    band_for,
    grade_for,
    item_first_index,
    round_half_up,
    satisfied_rate,
    score_matrix,
    score_response,
    score_responses,
    validate_scheme,
)

FIVE_LEVEL = {"min_points": 2, "max_points": 10}  # seed 000: 10/8/6/4/2
LIKERT = {"min_points": 1, "max_points": 5, "neutral_points": 3}  # 1=非常不满意 … 5=非常满意
SEED_003 = {"min_points": -10, "max_points": 50}  # 50/30/20/0/−10

ISO_ITEMS = (
    "企业信誉及形象",
    "价格合理性",
    "产品性能",
    "产品质量",
    "产品外观",
    "服务是否及时",
    "服务态度",
    "按时交付能力",
    "维修质量",
    "紧急供货能力",
)


def flat_scheme(keys, rule="all_required", method="ratio", **scale):
    scale = scale or FIVE_LEVEL
    return ScoringScheme(tuple(ItemSpec(k, **scale) for k in keys), validity_rule=rule, scale_method=method)


def keys(n, prefix="q"):
    return [f"{prefix}{i}" for i in range(1, n + 1)]


# --------------------------------------------------------------------------- seed 000


def test_iso_ten_item_survey_equal_weights():
    scheme = flat_scheme(ISO_ITEMS)
    points = [10, 10, 8, 8, 8, 10, 6, 8, 10, 8]
    result = score_response(scheme, dict(zip(ISO_ITEMS, points, strict=True)))
    # (10+10+8+8+8+10+6+8+10+8) / 10 = 86 / 10 = 8.6 points → 8.6 / 10 = 86%
    assert result.valid
    assert result.invalid_reason == ""
    assert (result.answered, result.missing, result.imputed) == (10, 0, ())
    assert result.index == pytest.approx(86.0)
    assert result.item_scores["产品性能"] == pytest.approx(8 / 10 * 100)
    assert result.item_scores["服务态度"] == pytest.approx(6 / 10 * 100)
    assert result.grade == "满意"  # 75 ≤ 86 < 90
    assert result.grade_code == "satisfied"
    assert result.satisfied is True
    assert result.dimension_scores == {}


def test_iso_five_levels_map_to_percent():
    scheme = flat_scheme(["q"])
    # 很满意 10分 → 100, 满意 8 → 80, 可以接受 6 → 60, 不满意 4 → 40, 很不满意 2 → 20
    for points, expected, grade in [
        (10, 100, "很满意"),
        (8, 80, "满意"),
        (6, 60, "一般"),
        (4, 40, "不满意"),
        (2, 20, "很不满意"),
    ]:
        result = score_response(scheme, {"q": points})
        assert result.index == pytest.approx(expected)
        assert result.grade == grade


def seed_000_weighted_scheme(rule="all_required"):
    """评分准则: 质量水平30% (产品实物质量20%, 包装方式、运输质量10%), 交货信誉30% (交货时间
    准确性15%, 交货数量准确性15%), 价格20%, 服务10% (反应速度5%, 通知及时性5%), 技术开发10%."""
    items = (
        ItemSpec("产品实物质量", "质量水平", weight=20, **FIVE_LEVEL),
        ItemSpec("包装运输质量", "质量水平", weight=10, **FIVE_LEVEL),
        ItemSpec("交货时间准确性", "交货信誉", weight=15, **FIVE_LEVEL),
        ItemSpec("交货数量准确性", "交货信誉", weight=15, **FIVE_LEVEL),
        ItemSpec("询价灵活性", "价格", weight=20, **FIVE_LEVEL),
        ItemSpec("质量问题反应速度", "服务", weight=5, **FIVE_LEVEL),
        ItemSpec("通知顾客及时性", "服务", weight=5, **FIVE_LEVEL),
        ItemSpec("技术开发能力", "技术开发", weight=10, **FIVE_LEVEL),
    )
    dims = (
        DimensionSpec("质量水平", 30),
        DimensionSpec("交货信誉", 30),
        DimensionSpec("价格", 20),
        DimensionSpec("服务", 10),
        DimensionSpec("技术开发", 10),
    )
    return ScoringScheme(items, dims, validity_rule=rule)


SEED_000_ANSWERS = {
    "产品实物质量": 10,  # 100
    "包装运输质量": 6,  # 60
    "交货时间准确性": 8,  # 80
    "交货数量准确性": 8,  # 80
    "询价灵活性": 6,  # 60
    "质量问题反应速度": 10,  # 100
    "通知顾客及时性": 8,  # 80
    "技术开发能力": 8,  # 80
}


def test_seed_000_weighted_dimensions_worked_example():
    result = score_response(seed_000_weighted_scheme(), SEED_000_ANSWERS)
    quality = (20 * 100 + 10 * 60) / (20 + 10)  # 2600 / 30 = 86.67
    delivery = (15 * 80 + 15 * 80) / (15 + 15)  # 80
    price = 60.0
    service = (5 * 100 + 5 * 80) / (5 + 5)  # 90
    tech = 80.0
    assert result.dimension_scores == pytest.approx(
        {"质量水平": quality, "交货信誉": delivery, "价格": price, "服务": service, "技术开发": tech}
    )
    # 各单项总分等于各单项分乘以单项百分数之和: (30×86.67 + 30×80 + 20×60 + 10×90 + 10×80) / 100
    # = (2600 + 2400 + 1200 + 900 + 800) / 100 = 79
    expected = (30 * quality + 30 * delivery + 20 * price + 10 * service + 10 * tech) / 100
    assert expected == pytest.approx(79.0)
    assert result.index == pytest.approx(79.0)
    # The same figure straight from the item percentages: Σ item% × item score / 100.
    by_items = (20 * 100 + 10 * 60 + 15 * 80 + 15 * 80 + 20 * 60 + 5 * 100 + 5 * 80 + 10 * 80) / 100
    assert result.index == pytest.approx(by_items)
    assert result.grade == "满意"
    assert result.satisfied is True


def test_dimension_weights_as_fractions_give_the_same_index():
    scheme = seed_000_weighted_scheme()
    fractions = ScoringScheme(
        scheme.items,
        tuple(DimensionSpec(d.key, d.weight / 100) for d in scheme.dimensions),  # 0.3, 0.3, 0.2 …
        validity_rule="all_required",
    )
    assert score_response(fractions, SEED_000_ANSWERS).index == pytest.approx(79.0)


def test_weighted_noise_does_not_drop_a_grade_at_an_edge():
    # weights 0.3 + 0.3 + 0.2 + 0.1 + 0.1 and every item 9/10 = 90: 90 by hand → 很满意,
    # whatever float noise the weighted means carry.
    scheme = seed_000_weighted_scheme()
    scheme = ScoringScheme(
        scheme.items,
        tuple(DimensionSpec(d.key, d.weight / 100) for d in scheme.dimensions),
        validity_rule="all_required",
    )
    result = score_response(scheme, dict.fromkeys(SEED_000_ANSWERS, 9))
    assert result.index == pytest.approx(90.0)
    assert result.grade == "很满意"


def test_float_noise_at_band_edges_and_threshold_is_forgiven():
    # three items of weight 0.1 all at 90: (0.1×90 + 0.1×90 + 0.1×90) / (0.1 + 0.1 + 0.1) is 90 by
    # hand but 89.99999999999999 in binary floats; the index is not rounded, the grade is.
    items = tuple(ItemSpec(k, weight=0.1, min_points=0, max_points=10) for k in keys(3))
    scheme = ScoringScheme(items, validity_rule="all_required")
    result = score_response(scheme, dict.fromkeys(keys(3), 9))
    assert 90 - 1e-12 < result.index <= 90
    assert result.grade == "很满意"
    result = score_response(scheme, dict.fromkeys(keys(3), 7))  # 70 by hand
    assert 70 - 1e-12 < result.index <= 70
    assert result.satisfied is True


# --------------------------------------------------------------------------- validity rules


def test_one_missing_item_counts_as_neutral_likert():
    # 2018 report: "评价遗漏一项的按‘一般’记3分"
    scheme = flat_scheme(keys(5), rule="one_missing_neutral", **LIKERT)
    result = score_response(scheme, {"q1": 5, "q2": 4, "q3": None, "q4": 4, "q5": 5})
    assert result.valid
    assert result.imputed == ("q3",)
    assert (result.answered, result.missing) == (4, 1)
    # ratio: (5 + 4 + 3 + 4 + 5) / 5 = 4.2 points of 5 → 84
    assert result.item_scores["q3"] == pytest.approx(3 / 5 * 100)
    assert result.index == pytest.approx(84.0)
    assert result.grade == "满意"

    ranged = flat_scheme(keys(5), rule="one_missing_neutral", method="range", **LIKERT)
    result = score_response(ranged, {"q1": 5, "q2": 4, "q4": 4, "q5": 5})  # q3 absent = missing
    # range: 100, 75, (3−1)/(5−1) = 50, 75, 100 → 400 / 5 = 80
    assert result.imputed == ("q3",)
    assert result.index == pytest.approx((100 + 75 + 50 + 75 + 100) / 5)


def test_one_missing_item_neutral_defaults_to_midpoint():
    # 10/8/6/4/2 with no neutral given: midpoint (2 + 10) / 2 = 6 = "可以接受"
    scheme = flat_scheme(ISO_ITEMS, rule="one_missing_neutral")
    answers = dict(zip(ISO_ITEMS, [10, 10, 8, 8, 8, 10, None, 8, 10, 8], strict=True))
    result = score_response(scheme, answers)
    assert result.imputed == ("服务态度",)
    assert result.item_scores["服务态度"] == pytest.approx(60.0)
    # same as the fully answered survey above: 86
    assert result.index == pytest.approx((10 + 10 + 8 + 8 + 8 + 10 + 6 + 8 + 10 + 8) / 10 * 10)


def test_two_missing_items_make_the_questionnaire_invalid():
    # "遗漏2项以上评分的调查表按无效卷不予统计"
    scheme = flat_scheme(keys(5), rule="one_missing_neutral", **LIKERT)
    result = score_response(scheme, {"q1": 5, "q2": None, "q3": None, "q4": 4, "q5": 5})
    assert not result.valid
    assert result.invalid_reason == "missing_items"
    assert (result.answered, result.missing) == (3, 2)
    assert result.imputed == ()
    assert (result.index, result.grade, result.satisfied) == (None, None, None)
    assert result.dimension_scores == {}
    # the answered items are still there for display
    assert result.item_scores == pytest.approx({"q1": 100.0, "q4": 80.0, "q5": 100.0})


def test_all_required():
    scheme = flat_scheme(keys(3))
    assert score_response(scheme, {"q1": 10, "q2": 8, "q3": 6}).valid
    result = score_response(scheme, {"q1": 10, "q2": 8})
    assert not result.valid
    assert result.invalid_reason == "missing_items"


@pytest.mark.parametrize(
    ("n_items", "n_answered", "valid"),
    [
        (9, 6, True),  # 6 ≥ 9 × 2/3 = 6
        (9, 5, False),  # 5 < 6
        (10, 7, True),  # 7 ≥ 6.67
        (10, 6, False),  # 6 < 6.67
        (3, 2, True),  # 2 ≥ 2
        (3, 1, False),
    ],
)
def test_two_thirds_rule_at_the_boundary(n_items, n_answered, valid):
    # 彩管 report: "有效性判定标准：该份问卷所有有效答题数≧总题数的2/3"
    scheme = flat_scheme(keys(n_items), rule="two_thirds")
    answers = {k: (10 if i < n_answered else None) for i, k in enumerate(keys(n_items))}
    result = score_response(scheme, answers)
    assert result.valid is valid
    assert result.invalid_reason == ("" if valid else "too_few_answers")
    assert (result.answered, result.missing) == (n_answered, n_items - n_answered)


def test_two_thirds_leaves_missing_items_out_of_the_mean():
    scheme = flat_scheme(keys(9), rule="two_thirds")
    answers = dict(zip(keys(9), [10, 8, 8, 6, 10, 8, None, None, None], strict=True))
    result = score_response(scheme, answers)
    # (100 + 80 + 80 + 60 + 100 + 80) / 6 = 500 / 6 = 83.33
    assert result.index == pytest.approx(500 / 6)
    assert result.imputed == ()
    assert set(result.item_scores) == {"q1", "q2", "q3", "q4", "q5", "q6"}


def test_any_answer_and_empty_forms():
    scheme = flat_scheme(keys(4), rule="any_answer")
    result = score_response(scheme, {"q2": 4})
    assert result.valid
    assert result.index == pytest.approx(4 / 10 * 100)
    for rule in VALIDITY_RULES:
        empty = score_response(flat_scheme(keys(4), rule=rule), {})
        assert not empty.valid
        assert empty.invalid_reason == "no_answers"
        assert (empty.answered, empty.missing) == (0, 4)
    # even one_missing_neutral does not turn an empty one-item form into a neutral answer
    lone = score_response(flat_scheme(["q"], rule="one_missing_neutral"), {"q": None})
    assert lone.invalid_reason == "no_answers"


def test_nan_counts_as_missing():
    scheme = flat_scheme(keys(2), rule="any_answer")
    result = score_response(scheme, {"q1": float("nan"), "q2": 8})
    assert (result.answered, result.missing) == (1, 1)
    assert result.index == pytest.approx(80.0)


# --------------------------------------------------------------------------- scales


def test_seed_003_fifty_to_minus_ten_with_range_scaling():
    scheme = flat_scheme(keys(5), method="range", **SEED_003)
    result = score_response(scheme, dict(zip(keys(5), [50, 30, 20, 0, -10], strict=True)))
    span = 50 - (-10)  # 60
    expected_items = [
        (50 + 10) / span * 100,  # 非常满意 100
        (30 + 10) / span * 100,  # 满意 66.67
        (20 + 10) / span * 100,  # 一般 50
        (0 + 10) / span * 100,  # 不满意 16.67
        (-10 + 10) / span * 100,  # 非常不满意 0
    ]
    assert [result.item_scores[k] for k in keys(5)] == pytest.approx(expected_items)
    # (100 + 66.67 + 50 + 16.67 + 0) / 5 = 700 / 15 = 46.67 → 不满意 (40 ≤ x < 60)
    assert result.index == pytest.approx(700 / 15)
    assert result.grade == "不满意"
    assert result.satisfied is False


def test_seed_003_neutral_default_is_yiban():
    # midpoint of [−10, 50] = 20 = "一般" → (20 + 10) / 60 = 50
    scheme = flat_scheme(keys(3), rule="one_missing_neutral", method="range", **SEED_003)
    result = score_response(scheme, {"q1": 50, "q2": 50})
    assert result.item_scores["q3"] == pytest.approx(50.0)
    assert result.index == pytest.approx((100 + 100 + 50) / 3)


def test_likert_range_versus_ratio():
    ratio = flat_scheme(["q"], **LIKERT)
    ranged = flat_scheme(["q"], method="range", **LIKERT)
    for points in (1, 2, 3, 4, 5):
        assert score_response(ratio, {"q": points}).index == pytest.approx(points / 5 * 100)  # 20…100
        assert score_response(ranged, {"q": points}).index == pytest.approx((points - 1) / 4 * 100)  # 0…100
    # 4 = 满意: 80 by ratio, 75 by range
    assert score_response(ratio, {"q": 4}).index == pytest.approx(80.0)
    assert score_response(ranged, {"q": 4}).index == pytest.approx(75.0)


def test_nps_scale_zero_to_ten():
    scheme = flat_scheme(["nps"], min_points=0, max_points=10)
    assert score_response(scheme, {"nps": 0}).index == 0.0
    assert score_response(scheme, {"nps": 9}).index == pytest.approx(90.0)


# --------------------------------------------------------------------------- grades, threshold


@pytest.mark.parametrize(
    ("index", "label"),
    [
        (100, "很满意"),
        (90, "很满意"),  # ≥ 90 is inclusive
        (89.999, "满意"),
        (75, "满意"),
        (74.999, "一般"),
        (60, "一般"),
        (59.999, "不满意"),
        (40, "不满意"),
        (39.999, "很不满意"),
        (0, "很不满意"),
    ],
)
def test_band_edges(index, label):
    assert grade_for(index, DEFAULT_BANDS) == label


def test_band_edges_through_scoring():
    # a 0..100 rating: points = score
    scheme = flat_scheme(["q"], min_points=0, max_points=100)
    assert score_response(scheme, {"q": 90}).grade == "很满意"
    assert score_response(scheme, {"q": 89.999}).grade == "满意"
    assert score_response(scheme, {"q": 75}).grade_code == "satisfied"
    assert score_response(scheme, {"q": 60}).grade_code == "neutral"
    assert score_response(scheme, {"q": 40}).grade_code == "dissatisfied"
    assert score_response(scheme, {"q": 39.999}).grade_code == "very_dissatisfied"


def test_grade_for_none_nan_and_below_every_band():
    assert grade_for(None) is None
    assert grade_for(float("nan")) is None
    bands = (Band(80, "A"), Band(50, "B"))
    assert grade_for(49.9, bands) is None
    assert band_for(80 - EDGE_TOLERANCE / 2, bands).label == "A"


def test_satisfied_threshold_is_inclusive():
    # seed 000: "满意客户的认定标准为≥70"
    scheme = flat_scheme(["q"], min_points=0, max_points=10)
    assert score_response(scheme, {"q": 7}).satisfied is True  # 7 / 10 × 100 = 70
    assert score_response(scheme, {"q": 6.9}).satisfied is False  # 69
    target = ScoringScheme(scheme.items, validity_rule="all_required", satisfied_threshold=85)
    assert score_response(target, {"q": 8.5}).satisfied is True  # 85
    assert score_response(target, {"q": 8.4}).satisfied is False  # 84


def test_custom_bands():
    bands = (Band(80, "A", "a"), Band(60, "B", "b"), Band(0, "C", "c"))
    scheme = ScoringScheme((ItemSpec("q", **FIVE_LEVEL),), validity_rule="all_required", bands=bands)
    result = score_response(scheme, {"q": 6})  # 60
    assert (result.grade, result.grade_code) == ("B", "b")


# --------------------------------------------------------------------------- dimensions


def three_dimension_scheme(rule="any_answer"):
    items = (
        ItemSpec("a1", "A", min_points=0, max_points=10),
        ItemSpec("b1", "B", min_points=0, max_points=10),
        ItemSpec("c1", "C", min_points=0, max_points=10),
    )
    dims = (DimensionSpec("A", 50), DimensionSpec("B", 30), DimensionSpec("C", 20))
    return ScoringScheme(items, dims, validity_rule=rule)


def test_dimension_without_answers_is_dropped_and_weights_renormalised():
    result = score_response(three_dimension_scheme(), {"a1": 8, "b1": 6, "c1": None})
    assert result.dimension_scores == pytest.approx({"A": 80.0, "B": 60.0})
    # (50 × 80 + 30 × 60) / (50 + 30) = 5800 / 80 = 72.5 (not / 100)
    assert result.index == pytest.approx(5800 / 80)
    full = score_response(three_dimension_scheme(), {"a1": 8, "b1": 6, "c1": 10})
    assert full.index == pytest.approx((50 * 80 + 30 * 60 + 20 * 100) / 100)  # 78


def test_item_weights_inside_a_dimension():
    items = (
        ItemSpec("x", "D", weight=3, min_points=0, max_points=10),
        ItemSpec("y", "D", weight=1, min_points=0, max_points=10),
        ItemSpec("z", "E", weight=5, min_points=0, max_points=10),
    )
    scheme = ScoringScheme(items, (DimensionSpec("D", 1), DimensionSpec("E", 1)), validity_rule="any_answer")
    result = score_response(scheme, {"x": 10, "y": 2, "z": 5})
    d = (3 * 100 + 1 * 20) / (3 + 1)  # 80
    assert result.dimension_scores["D"] == pytest.approx(d)
    assert result.index == pytest.approx((d + 50) / 2)  # 65
    # missing y: D = x alone = 100
    assert score_response(scheme, {"x": 10, "z": 5}).dimension_scores["D"] == pytest.approx(100.0)


def test_flat_scheme_uses_item_weights():
    items = (
        ItemSpec("x", weight=2, min_points=0, max_points=10),
        ItemSpec("y", weight=1, min_points=0, max_points=10),
    )
    scheme = ScoringScheme(items, validity_rule="all_required")
    # (2 × 90 + 1 × 60) / 3 = 80
    assert score_response(scheme, {"x": 9, "y": 6}).index == pytest.approx((2 * 90 + 60) / 3)


def test_items_without_dimension_stay_out_of_the_index():
    items = (
        ItemSpec("q1", "服务", min_points=0, max_points=10),
        ItemSpec("q2", "服务", min_points=0, max_points=10),
        ItemSpec("overall", None, min_points=0, max_points=10),  # 总体满意度, a dependent variable
    )
    scheme = ScoringScheme(items, (DimensionSpec("服务", 1),), validity_rule="all_required")
    result = score_response(scheme, {"q1": 10, "q2": 6, "overall": 2})
    assert result.index == pytest.approx((100 + 60) / 2)  # 80, overall's 20 plays no part
    assert result.item_scores["overall"] == pytest.approx(20.0)
    # … but it still counts for validity
    missing = score_response(scheme, {"q1": 10, "q2": 6})
    assert missing.invalid_reason == "missing_items"


def test_valid_response_without_any_dimension_answer_has_no_index():
    items = (
        ItemSpec("o1", None, min_points=0, max_points=10),
        ItemSpec("o2", None, min_points=0, max_points=10),
        ItemSpec("q1", "D", min_points=0, max_points=10),
    )
    scheme = ScoringScheme(items, (DimensionSpec("D", 1),), validity_rule="two_thirds")
    result = score_response(scheme, {"o1": 8, "o2": 8})  # 2 of 3 answered meets 2/3
    assert not result.valid
    assert result.invalid_reason == "no_index_answers"
    assert result.index is None


def test_unscored_items_are_ignored_for_validity_and_index():
    items = (
        ItemSpec("q1", min_points=0, max_points=10),
        ItemSpec("q2", min_points=0, max_points=10),
        ItemSpec("recommend_peer", min_points=0, max_points=10, scored=False),
    )
    scheme = ScoringScheme(items, validity_rule="all_required")
    result = score_response(scheme, {"q1": 10, "q2": 6})
    assert result.valid
    assert (result.answered, result.missing) == (2, 0)
    assert result.index == pytest.approx(80.0)
    answered = score_response(scheme, {"q1": 10, "q2": 6, "recommend_peer": 0})
    assert answered.index == pytest.approx(80.0)
    assert "recommend_peer" not in answered.item_scores
    with pytest.raises(ValueError, match="outside"):
        score_response(scheme, {"q1": 10, "q2": 6, "recommend_peer": 11})


# --------------------------------------------------------------------------- bad answers


def test_unknown_key_and_out_of_range_points():
    scheme = flat_scheme(keys(2))
    with pytest.raises(ValueError, match="Unknown item key 'q9'"):
        score_response(scheme, {"q1": 10, "q9": 8})
    with pytest.raises(ValueError, match="outside"):
        score_response(scheme, {"q1": 12, "q2": 8})
    with pytest.raises(ValueError, match="outside"):
        score_response(scheme, {"q1": 1, "q2": 8})  # below 2
    with pytest.raises(ValueError, match="outside"):
        score_response(scheme, {"q1": float("inf"), "q2": 8})
    with pytest.raises(ValueError, match="number"):
        score_response(scheme, {"q1": "10", "q2": 8})
    with pytest.raises(ValueError, match="number"):
        score_response(scheme, {"q1": True, "q2": 8})


# --------------------------------------------------------------------------- validate_scheme


def item(key="q", dimension=None, **kw):
    return ItemSpec(key, dimension, **({"min_points": 1, "max_points": 5} | kw))


@pytest.mark.parametrize(
    ("scheme", "message"),
    [
        (ScoringScheme((item("a"), item("a")), validity_rule="all_required"), "Duplicate item key 'a'"),
        (ScoringScheme((item("a", "X"),), validity_rule="all_required"), "unknown dimension 'X'"),
        (
            ScoringScheme(
                (item("a", "X"),),
                (DimensionSpec("X", 1), DimensionSpec("X", 2)),
                validity_rule="all_required",
            ),
            "Duplicate dimension key 'X'",
        ),
        (ScoringScheme((item(weight=0),), validity_rule="all_required"), "weight must be a number > 0"),
        (ScoringScheme((item(weight=-1),), validity_rule="all_required"), "weight must be a number > 0"),
        (
            ScoringScheme((item(weight=math.nan),), validity_rule="all_required"),
            "weight must be a number > 0",
        ),
        (
            ScoringScheme((item("a", "X"),), (DimensionSpec("X", 0),), validity_rule="all_required"),
            "Dimension 'X': weight must be a number > 0",
        ),
        (ScoringScheme((item(min_points=5, max_points=5),), validity_rule="all_required"), "must be below"),
        (ScoringScheme((item(min_points=6, max_points=5),), validity_rule="all_required"), "must be below"),
        (ScoringScheme((item(neutral_points=6),), validity_rule="all_required"), "neutral_points"),
        (ScoringScheme((item(neutral_points=0),), validity_rule="all_required"), "neutral_points"),
        (
            ScoringScheme((item(min_points=-10, max_points=50),), validity_rule="all_required"),
            "ratio scaling .* needs min_points ≥ 0",
        ),
        (ScoringScheme((item(),), validity_rule="sometimes"), "Unknown validity rule 'sometimes'"),
        (ScoringScheme((item(),), validity_rule="all_required", scale_method="log"), "Unknown scale method"),
        (ScoringScheme((), validity_rule="all_required"), "no items"),
        (ScoringScheme((item(scored=False),), validity_rule="all_required"), "no scored items"),
        (
            ScoringScheme(
                (item("a", "X"), item("b", "Y", scored=False)),
                (DimensionSpec("X", 1), DimensionSpec("Y", 1)),
                validity_rule="all_required",
            ),
            "Dimension 'Y' has no scored items",
        ),
        (
            ScoringScheme((item(),), validity_rule="all_required", bands=(Band(40, "B"), Band(90, "A"))),
            "highest min_score to the lowest",
        ),
        (
            ScoringScheme((item(),), validity_rule="all_required", bands=(Band(90, "A"), Band(90, "B"))),
            "Duplicate band edge",
        ),
        (
            ScoringScheme((item(),), validity_rule="all_required", bands=(Band(90, "A"), Band(60, "A"))),
            "Duplicate band label 'A'",
        ),
        (ScoringScheme((item(),), validity_rule="all_required", bands=()), "At least one grade band"),
        (
            ScoringScheme((item(),), validity_rule="all_required", satisfied_threshold=120),
            "satisfied_threshold",
        ),
    ],
)
def test_validate_scheme_errors(scheme, message):
    with pytest.raises(ValueError, match=message):
        validate_scheme(scheme)
    with pytest.raises(ValueError, match=message):
        score_response(scheme, {})


def test_valid_schemes_pass_validation():
    validate_scheme(seed_000_weighted_scheme())
    validate_scheme(flat_scheme(keys(5), method="range", **SEED_003))
    # lists are accepted and kept as tuples (the scheme stays hashable)
    scheme = ScoringScheme([item("a")], validity_rule="any_answer", bands=list(DEFAULT_BANDS))
    assert isinstance(scheme.items, tuple)
    assert hash(scheme) == hash(ScoringScheme((item("a"),), validity_rule="any_answer"))


# --------------------------------------------------------------------------- many responses


def test_score_responses_and_satisfied_rate():
    scheme = flat_scheme(keys(3), rule="one_missing_neutral")
    rows = [
        {"q1": 10, "q2": 10, "q3": 8},  # (100+100+80)/3 = 93.3 satisfied
        {"q1": 6, "q2": 6, "q3": 8},  # (60+60+80)/3 = 66.7 not satisfied
        {"q1": 8, "q2": 6},  # q3 → 6: (80+60+60)/3 = 66.7 not satisfied
        {"q1": 8, "q2": 8, "q3": 6},  # (80+80+60)/3 = 73.3 satisfied
        {"q1": 10},  # two missing: invalid, not counted
    ]
    results = score_responses(scheme, rows)
    assert [r.valid for r in results] == [True, True, True, True, False]
    assert [r.satisfied for r in results] == [True, False, False, True, None]
    assert results[2].index == pytest.approx((80 + 60 + 60) / 3)
    assert satisfied_rate(results) == pytest.approx(2 / 4)
    assert satisfied_rate([]) is None
    assert satisfied_rate(results[4:]) is None


def test_satisfied_rate_seed_000_four_of_four():
    # 2018 report: "4份有效问卷中，4家客户满意度≥70分，为满意客户"
    scheme = flat_scheme(["q"], min_points=0, max_points=10)
    results = score_responses(scheme, [{"q": 7}, {"q": 8}, {"q": 9.5}, {"q": 7.2}])
    assert satisfied_rate(results) == 1.0


def test_score_matrix_small_example():
    scheme = flat_scheme(keys(3), rule="one_missing_neutral")
    nan = math.nan
    m = np.array([[10, 10, 8], [8, 6, nan], [10, nan, nan], [nan, nan, nan]])
    res = score_matrix(scheme, m)
    assert res.valid.tolist() == [True, True, False, False]
    assert res.invalid_reason.tolist() == ["", "", "missing_items", "no_answers"]
    assert res.answered.tolist() == [3, 2, 1, 0]
    assert res.missing.tolist() == [0, 1, 2, 3]
    assert res.index[0] == pytest.approx((100 + 100 + 80) / 3)
    assert res.index[1] == pytest.approx((80 + 60 + 60) / 3)  # q3 imputed as 6
    assert math.isnan(res.index[2])
    assert res.imputed.tolist()[1] == [False, False, True]
    assert res.item_scores[2, 0] == pytest.approx(100.0)
    assert math.isnan(res.item_scores[2, 1])
    assert res.satisfied.tolist() == [True, False, False, False]
    assert res.grades() == ["很满意", "一般", None, None]


def test_score_matrix_rejects_bad_input():
    scheme = flat_scheme(keys(2))
    with pytest.raises(ValueError, match="2 columns"):
        score_matrix(scheme, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="Row 1, item 'q2'"):
        score_matrix(scheme, np.array([[10, 10], [10, 11]]))


def test_score_matrix_seed_000_weighted_matches_hand_figure():
    scheme = seed_000_weighted_scheme()
    row = [SEED_000_ANSWERS[i.key] for i in scheme.items]
    res = score_matrix(scheme, np.array([row, row]))
    assert res.index.tolist() == pytest.approx([79.0, 79.0])
    assert res.dimension_scores[0].tolist() == pytest.approx([2600 / 30, 80, 60, 90, 80])


# --------------------------------------------------------------------------- rounding


def test_round_half_up():
    assert round_half_up(78.45, 1) == 78.5  # rounds the number as written, not its binary value
    assert round_half_up(2.675, 2) == 2.68  # round(2.675, 2) == 2.67
    assert round_half_up(0.5, 0) == 1.0  # round(0.5) == 0
    assert round_half_up(700 / 15, 1) == 46.7
    assert round_half_up(None) is None
    assert math.isnan(round_half_up(math.nan))


# --------------------------------------------------------------------------- properties

SCALES = [(2, 10), (1, 5), (0, 10), (-10, 50), (0, 100)]


@st.composite
def schemes(draw):
    n = draw(st.integers(1, 7))
    n_dims = draw(st.integers(0, 3))
    raw = []
    for i in range(n):
        lo, hi = draw(st.sampled_from(SCALES))
        raw.append(
            {
                "key": f"i{i}",
                "dim": draw(st.integers(-1, n_dims - 1)) if n_dims else -1,
                "lo": lo,
                "hi": hi,
                "weight": draw(st.sampled_from([1, 2, 5, 0.1, 0.3, 15, 20])),
                "neutral": draw(st.one_of(st.none(), st.integers(lo, hi))),
                "scored": draw(st.booleans()) if i else True,
            }
        )
    used = {r["dim"] for r in raw if r["scored"] and r["dim"] >= 0}
    dims = tuple(
        DimensionSpec(f"d{j}", draw(st.sampled_from([1, 10, 20, 30, 0.1, 0.3]))) for j in sorted(used)
    )
    method = draw(st.sampled_from(["ratio", "range"]))
    if any(r["lo"] < 0 for r in raw):
        method = "range"
    items = tuple(
        ItemSpec(
            r["key"],
            f"d{r['dim']}" if r["dim"] in used else None,
            min_points=r["lo"],
            max_points=r["hi"],
            weight=r["weight"],
            neutral_points=r["neutral"],
            scored=r["scored"],
        )
        for r in raw
    )
    return ScoringScheme(
        items, dims, validity_rule=draw(st.sampled_from(VALIDITY_RULES)), scale_method=method
    )


@st.composite
def answers_for(draw, scheme):
    out = {}
    for it in scheme.items:
        kind = draw(st.sampled_from(["missing", "option", "float"]))
        if kind == "missing":
            out[it.key] = None
        elif kind == "option":
            out[it.key] = draw(st.integers(int(it.min_points), int(it.max_points)))
        else:
            out[it.key] = draw(st.floats(it.min_points, it.max_points, allow_nan=False))
    return out


@st.composite
def scheme_and_rows(draw, max_rows=6):
    scheme = draw(schemes())
    rows = draw(st.lists(answers_for(scheme), min_size=1, max_size=max_rows))
    return scheme, rows


PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(scheme_and_rows())
def test_index_stays_within_0_100(data):
    scheme, rows = data
    for r in score_responses(scheme, rows):
        if r.valid:
            assert 0.0 <= r.index <= 100.0
            assert r.grade is not None
            assert all(0.0 <= s <= 100.0 for s in r.item_scores.values())
            assert all(0.0 <= s <= 100.0 for s in r.dimension_scores.values())
        else:
            assert r.index is None and r.invalid_reason


@PROPERTY
@given(scheme_and_rows(max_rows=3), st.randoms(use_true_random=False))
def test_permuting_items_keeps_the_index(data, rnd: random.Random):
    scheme, rows = data
    items = list(scheme.items)
    rnd.shuffle(items)
    dims = list(scheme.dimensions)
    rnd.shuffle(dims)
    shuffled = ScoringScheme(
        tuple(items), tuple(dims), validity_rule=scheme.validity_rule, scale_method=scheme.scale_method
    )
    for a, b in zip(score_responses(scheme, rows), score_responses(shuffled, rows), strict=True):
        assert (a.valid, a.invalid_reason, a.answered, a.missing) == (
            b.valid,
            b.invalid_reason,
            b.answered,
            b.missing,
        )
        assert a.imputed == b.imputed
        if a.valid:
            assert b.index == pytest.approx(a.index, rel=1e-12, abs=1e-9)
            assert b.dimension_scores == pytest.approx(a.dimension_scores, rel=1e-12, abs=1e-9)


@PROPERTY
@given(scheme_and_rows(max_rows=3), st.sampled_from([0.01, 0.5, 3, 100]), st.sampled_from([0.1, 7, 1000]))
def test_scaling_all_weights_keeps_the_index(data, item_factor, dim_factor):
    scheme, rows = data
    scaled = ScoringScheme(
        tuple(
            ItemSpec(
                i.key,
                i.dimension,
                min_points=i.min_points,
                max_points=i.max_points,
                weight=i.weight * item_factor,
                neutral_points=i.neutral_points,
                scored=i.scored,
            )
            for i in scheme.items
        ),
        tuple(DimensionSpec(d.key, d.weight * dim_factor) for d in scheme.dimensions),
        validity_rule=scheme.validity_rule,
        scale_method=scheme.scale_method,
    )
    for a, b in zip(score_responses(scheme, rows), score_responses(scaled, rows), strict=True):
        assert a.valid == b.valid
        if a.valid:
            assert b.index == pytest.approx(a.index, rel=1e-12, abs=1e-9)


def assert_matrix_row_equals(res, i, r: ResponseScore, scheme):
    assert bool(res.valid[i]) is r.valid
    assert res.invalid_reason[i] == r.invalid_reason
    assert (int(res.answered[i]), int(res.missing[i])) == (r.answered, r.missing)
    assert tuple(it.key for j, it in enumerate(scheme.items) if res.imputed[i, j]) == r.imputed
    if r.valid:
        assert res.index[i] == r.index  # exactly, not approximately
    else:
        assert math.isnan(res.index[i])
    assert bool(res.satisfied[i]) is bool(r.satisfied)
    for j, it in enumerate(scheme.items):
        if it.key in r.item_scores:
            assert res.item_scores[i, j] == r.item_scores[it.key]
        else:
            assert math.isnan(res.item_scores[i, j])
    for d, dim in enumerate(scheme.dimensions):
        if dim.key in r.dimension_scores:
            assert res.dimension_scores[i, d] == r.dimension_scores[dim.key]
        else:
            assert math.isnan(res.dimension_scores[i, d])


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scheme_and_rows(max_rows=8))
def test_score_matrix_equals_score_response(data):
    scheme, rows = data
    matrix = np.array(
        [[math.nan if row[it.key] is None else row[it.key] for it in scheme.items] for row in rows],
        dtype=float,
    )
    res = score_matrix(scheme, matrix)
    for i, r in enumerate(score_responses(scheme, rows)):
        assert_matrix_row_equals(res, i, r, scheme)


def test_score_matrix_equals_score_response_on_a_large_random_sample():
    scheme = seed_000_weighted_scheme(rule="one_missing_neutral")
    rng = np.random.default_rng(2024)
    m = rng.choice([2.0, 4.0, 6.0, 8.0, 10.0], size=(2000, len(scheme.items)))
    m[rng.random(m.shape) < 0.1] = np.nan
    res = score_matrix(scheme, m)
    rows = [
        {it.key: (None if math.isnan(v) else v) for it, v in zip(scheme.items, row, strict=True)}
        for row in m.tolist()
    ]
    for i, r in enumerate(score_responses(scheme, rows)):
        assert_matrix_row_equals(res, i, r, scheme)
    assert 0 < res.valid.sum() < len(m)


def test_decimal_and_int_settings_are_accepted():
    from decimal import Decimal

    items = (ItemSpec("q", "D", weight=Decimal("0.5"), min_points=Decimal(2), max_points=Decimal(10)),)
    scheme = ScoringScheme(
        items,
        (DimensionSpec("D", Decimal(30)),),
        validity_rule="all_required",
        satisfied_threshold=Decimal(70),
        bands=(Band(Decimal(75), "满意"), Band(0, "其他")),
    )
    result = score_response(scheme, {"q": Decimal("7.5")})  # 7.5 / 10 = 75
    assert result.index == pytest.approx(75.0)
    assert (result.grade, result.satisfied) == ("满意", True)
    assert score_matrix(scheme, [[7.5]]).satisfied.tolist() == [True]


# --------------------------------------------------------------------------- a group's index


def gappy_answers(rng, scheme, n, gap_share=0.3):
    """n responses on seed 000's weighted scheme, about gap_share of them leaving one to three
    items out (kept valid under the any-answer rule); the less satisfied skip more."""
    rows = []
    for _ in range(n):
        skipping = rng.random() < gap_share
        row = {item.key: rng.choice((4, 6, 8) if skipping else (6, 8, 10)) for item in scheme.items}
        if skipping:
            for key in rng.sample(sorted(row), rng.randint(1, 3)):
                del row[key]
        rows.append(row)
    return rows


def test_item_first_index_follows_the_caiguan_formula_by_hand():
    """彩管 report: "各评估小项满意度=100%* 评估小项加权平均得分/100, 综合满意度=100%*∑(各评估小项满意度
    *权重)/ ∑(权重)", on seed 000's weighted dimensions: item means first, then the weights."""
    scheme = seed_000_weighted_scheme(rule="any_answer")
    rows = gappy_answers(random.Random(7), scheme, 40)
    matrix = [[row.get(item.key, math.nan) for item in scheme.items] for row in rows]
    scores = score_matrix(scheme, matrix).item_scores

    def item_mean(key):
        rated = [row[key] * 10 for row in rows if key in row]  # ratio: points / 10 × 100
        return sum(rated) / len(rated)

    dimension = {
        "质量水平": (20 * item_mean("产品实物质量") + 10 * item_mean("包装运输质量")) / 30,
        "交货信誉": (item_mean("交货时间准确性") + item_mean("交货数量准确性")) / 2,
        "价格": item_mean("询价灵活性"),
        "服务": (item_mean("质量问题反应速度") + item_mean("通知顾客及时性")) / 2,
        "技术开发": item_mean("技术开发能力"),
    }
    weights = {"质量水平": 30, "交货信誉": 30, "价格": 20, "服务": 10, "技术开发": 10}
    by_hand = sum(weights[d] * dimension[d] for d in weights) / 100
    group = item_first_index(scheme, scores)
    assert group.index == pytest.approx(by_hand)
    assert group.dimension_scores == pytest.approx(dimension)
    assert float(np.mean(group.values)) == pytest.approx(by_hand)
    # Respondent first is another number on these data: the less satisfied left items out.
    own = [score_response(scheme, row).index for row in rows]
    assert abs(sum(own) / len(own) - by_hand) > 0.3


def test_item_first_interval_is_the_linearisation_interval():
    """The values' standard error is that of Σ c_j m_j by the delta method, worked out here
    another way: Var = Σ_j Σ_k c_j c_k Cov(m_j, m_k), with Cov(m_j, m_k) estimated from the
    responses that rated both, Σ (x_ij − m_j)(x_ik − m_k) / (n_j n_k) × n / (n − 1)."""
    scheme = seed_000_weighted_scheme(rule="any_answer")
    rows = gappy_answers(random.Random(11), scheme, 60, gap_share=0.5)
    keys = [item.key for item in scheme.items]
    matrix = np.array([[row.get(key, math.nan) for key in keys] for row in rows]) * 10.0
    group = item_first_index(scheme, matrix)
    n = len(rows)
    share = {  # c_j: dimension weight / 100 × item weight within its dimension
        "产品实物质量": 0.3 * 20 / 30,
        "包装运输质量": 0.3 * 10 / 30,
        "交货时间准确性": 0.3 / 2,
        "交货数量准确性": 0.3 / 2,
        "询价灵活性": 0.2,
        "质量问题反应速度": 0.1 / 2,
        "通知顾客及时性": 0.1 / 2,
        "技术开发能力": 0.1,
    }
    rated = {j: [i for i in range(n) if not math.isnan(matrix[i, j])] for j in range(len(keys))}
    means = {j: sum(matrix[i, j] for i in rated[j]) / len(rated[j]) for j in rated}
    variance = 0.0
    for j, key_j in enumerate(keys):
        for k, key_k in enumerate(keys):
            both = set(rated[j]) & set(rated[k])
            products = sum((matrix[i, j] - means[j]) * (matrix[i, k] - means[k]) for i in both)
            variance += share[key_j] * share[key_k] * products / (len(rated[j]) * len(rated[k]))
    variance *= n / (n - 1)
    standard_error = float(np.std(group.values, ddof=1)) / math.sqrt(n)
    assert standard_error == pytest.approx(math.sqrt(variance))


def test_with_every_item_rated_item_first_is_each_respondents_index():
    scheme = seed_000_weighted_scheme()
    rows = gappy_answers(random.Random(3), scheme, 25, gap_share=0.0)
    matrix = [[row[item.key] for item in scheme.items] for row in rows]
    group = item_first_index(scheme, score_matrix(scheme, matrix).item_scores)
    own = [score_response(scheme, row).index for row in rows]
    assert group.values == pytest.approx(own)
    assert group.index == pytest.approx(sum(own) / len(own))


def test_an_unknown_index_method_is_refused():
    with pytest.raises(ValueError, match="index method"):
        validate_scheme(
            ScoringScheme(seed_000_weighted_scheme().items, validity_rule="any_answer", index_method="x")
        )
