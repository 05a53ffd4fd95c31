"""The builder's rules as plain functions, without HTTP."""

import pytest
from django.core.exceptions import ValidationError

from manyi.surveys.forms import SEED_SCALES, check_question, parse_bands, suggest_code
from manyi.testing import make_question, make_questionnaire

FIVE = [
    {"label": "很满意", "points": 10, "is_neutral": False},
    {"label": "满意", "points": 8, "is_neutral": False},
    {"label": "可以接受", "points": 6, "is_neutral": True},
    {"label": "不满意", "points": 4, "is_neutral": False},
    {"label": "很不满意", "points": 2, "is_neutral": False},
]


@pytest.fixture(autouse=True)
def english_messages():
    """These tests read the messages in English (the msgids); pages show them translated."""
    from django.utils import translation

    with translation.override("en"):
        yield


def check(
    kind="rating", options=FIVE, rows=(), scored=True, rule="one_missing_neutral", method="ratio", **kw
):
    return check_question(
        kind=kind,
        scored=scored,
        options=list(options),
        rows=list(rows),
        validity_rule=rule,
        scale_method=method,
        **kw,
    )


def test_a_five_level_rating_passes():
    assert check() == []


def test_without_the_neutral_rule_a_rating_needs_no_neutral_option():
    plain = [dict(o, is_neutral=False) for o in FIVE]
    assert check(options=plain, rule="all_required") == []
    assert check(options=plain) != []


@pytest.mark.parametrize("key, name, options", SEED_SCALES)
def test_every_quick_fill_scale_is_a_valid_rating(key, name, options):
    as_dicts = [
        {"label": label, "points": points, "is_neutral": neutral} for label, points, neutral in options
    ]
    method = "range" if min(p for _l, p, _n in options) < 0 else "ratio"
    assert check(options=as_dicts, method=method) == [], key


def test_negative_points_need_the_range_method():
    options = [
        {"label": "好", "points": 50},
        {"label": "中", "points": 20, "is_neutral": True},
        {"label": "差", "points": -10},
    ]
    assert check(options=options, method="range") == []
    assert "linear" in str(check(options=options, method="ratio")[0])


def test_yes_no_needs_exactly_two_options_and_nps_none():
    two = [{"label": "是"}, {"label": "否"}]
    assert check(kind="yes_no", options=two, scored=False) == []
    assert check(kind="yes_no", options=two[:1], scored=False) != []
    assert check(kind="nps", options=[], scored=False) == []
    assert check(kind="nps", options=two, scored=False) != []
    assert check(kind="text", options=two, scored=False) != []


def test_matrix_items_need_unique_codes_unused_elsewhere():
    rows = [{"code": "Q3a", "text": "大堂"}, {"code": "Q3b", "text": "客房"}]
    assert check(kind="matrix", rows=rows, code="Q3") == []
    assert check(kind="matrix", rows=rows, code="Q3", codes_in_use={"Q3b"}) != []
    assert check(kind="matrix", rows=[rows[0], rows[0]], code="Q3") != []
    assert check(kind="matrix", rows=rows[:1], code="Q3") != []
    assert check(kind="rating", rows=rows) != []


def test_a_scored_single_choice_needs_points_but_a_plain_one_does_not():
    plain = [{"label": "1 年以内"}, {"label": "1–3 年"}]
    assert check(kind="single", options=plain, scored=False) == []
    assert check(kind="single", options=plain, scored=True) != []


@pytest.mark.django_db
def test_the_suggested_code_follows_the_highest_number_in_use_including_matrix_items():
    questionnaire = make_questionnaire()
    assert suggest_code(questionnaire) == "Q1"
    make_question(questionnaire, "Q1")
    make_question(questionnaire, "Q7", kind="matrix", rows=[("Q8", "甲"), ("Q9", "乙")])
    make_question(questionnaire, "总体")
    assert suggest_code(questionnaire) == "Q10"


def test_bands_are_read_from_lines():
    assert parse_bands("90 很满意\n75 满意\n\n 60  一般 \n0 不满意") == [
        [90, "很满意"],
        [75, "满意"],
        [60, "一般"],
        [0, "不满意"],
    ]
    assert parse_bands("72.5 好\n0 差") == [[72.5, "好"], [0, "差"]]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "很满意 90\n0 差",
        "90\n0 差",
        "90 好\n90 也好\n0 差",
        "60 好\n90 更好\n0 差",
        "90 好\n10 差",
        "120 好\n0 差",
        "90 好\n0 好",
    ],
)
def test_bad_bands_are_refused(text):
    with pytest.raises(ValidationError):
        parse_bands(text)
