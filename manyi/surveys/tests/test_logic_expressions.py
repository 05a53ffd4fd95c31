"""Condition expressions (issue 21): the parser, the evaluator and the static check.

The contract is /work/tools/EXPRESSIONS.md. Hypothesis tries random strings and random trees:
nothing but ExpressionError ever comes out, nothing takes long, and what is parsed prints back
to the same tree.
"""

import math
import time

import pytest
from django.utils import translation
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from manyi.surveys.logic.check import QuestionInfo, check_condition
from manyi.surveys.logic.evaluate import evaluate, holds
from manyi.surveys.logic.parser import MAX_DEPTH, MAX_LENGTH, MAX_NODES, ExpressionError, parse, unparse

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def value(text, answers=None):
    return evaluate(parse(text), answers or {})


# --------------------------------------------------------------------------- parsing


def test_a_condition_reads_into_a_tree():
    assert parse('Q3 == "A4" or Q3 == "A5"') == [
        "or",
        ["==", ["ref", "Q3"], ["str", "A4"]],
        ["==", ["ref", "Q3"], ["str", "A5"]],
    ]
    assert parse("not answered(Q4) && Q5.R2.points >= 3") == [
        "and",
        ["not", ["call", "answered", ["ref", "Q4"]]],
        [">=", ["ref", "Q5", "R2", "points"], ["num", 3]],
    ]
    assert parse("1 + 2 * 3") == ["+", ["num", 1], ["*", ["num", 2], ["num", 3]]]
    assert parse("(1 + 2) * 3") == ["*", ["+", ["num", 1], ["num", 2]], ["num", 3]]
    assert parse("Q1 IN ['A1', 'A2']") == ["in", ["ref", "Q1"], ["list", ["str", "A1"], ["str", "A2"]]]
    assert parse("TRUE || Null") == ["or", ["bool", True], ["null"]]
    assert parse("- -2.5") == ["neg", ["neg", ["num", 2.5]]]
    assert parse(r'"a\"b"') == ["str", 'a"b']


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("(Q1 == 1", 9, "missing closing parenthesis"),
        ("Q1 = 1", 4, "“==”"),
        ('Q1 == "A1', 7, "not closed"),
        ("Q1 == 1 == 2", 9, "two comparisons"),
        ("Q1 ==", 6, "ends too early"),
        ("foo(Q1)", 1, "no function “foo”"),
        ("answered(Q1, Q2)", 1, "exactly 1"),
        ("any_of(Q1)", 1, "at least 2"),
        ("Q1 == 1)", 8, "closing parenthesis without"),
        ("Q1 # 2", 4, "“#”"),
        ("", 1, "empty"),
        ("Q1.", 4, "after “.”"),
        ("Q1.a.b.c", 8, "at most three parts"),
        ("Q1 and and Q2", 8, "“and” cannot be used here"),
        ("[1, 2", 6, "“]”"),
    ],
)
def test_a_condition_that_cannot_be_read_says_where_and_why(text, position, words):
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert caught.value.position == position
    assert words in str(caught.value)
    assert str(caught.value).startswith(f"Character {position}: ")


def test_the_message_is_in_the_users_language():
    with translation.override("zh-hans"), pytest.raises(ExpressionError) as caught:
        parse("(Q1 == 1")
    assert str(caught.value) == "第 9 个字符：缺少右括号。"


def test_limits_are_enforced():
    with pytest.raises(ExpressionError, match="too long"):
        parse("Q1 or " * 400 + "Q1")  # over MAX_LENGTH characters
    assert len("Q1 or " * 400) > MAX_LENGTH
    with pytest.raises(ExpressionError, match="at most 200 parts"):
        parse(" or ".join(["Q1"] * (MAX_NODES + 1)))
    parse("(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH)
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1))
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse("not " * 40 + "Q1")
    with pytest.raises(ExpressionError):
        parse(["Q1"])


def test_unparse_prints_the_fewest_parentheses_that_keep_the_tree():
    for text in [
        "a - (b - c)",
        "(a or b) and c",
        "not (a and b)",
        "-(a + b) * c",
        "a == (b == c)",
        'x in ["A1", "A2"]',
        "count(Q1, Q2.points) >= 2",
        "(a and b) and c",
    ]:
        assert unparse(parse(text)) == text
    assert unparse(["num", 1e-07]) == "0.0000001"
    assert parse(unparse(["num", 1.5e20])) == ["num", 1.5e20]


# --------------------------------------------------------------------------- evaluation


ANSWERS = {
    "Q1": "A2",
    "Q1.points": 8,
    "Q2": ["A1", "A3"],
    "Q3": 9,
    "Q4": "很好",
    "Q5.R1": "A1",
    "Q5.R1.points": 10,
    "Q6": None,
    "Q7": "",
    "Q8": [],
    "N": "12",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # comparisons
        ('Q1 == "A2"', True),
        ('Q1 != "A2"', False),
        ("Q1.points > 6", True),
        ("Q1.points >= 8", True),
        ("Q1.points < 8", False),
        ("Q1.points <= 7", False),
        ("N == 12", True),  # a numeric string compares as a number
        ("N > 9", True),  # and not as text ("12" < "9")
        ('"b" > "a"', True),
        ('"12" < "9"', False),
        ("Q2 == Q2", True),
        ('Q2 == "A1"', False),
        ("true == 1", False),
        # null rules
        ("Q6 == null", True),
        ("null == null", True),
        ("Q6 != null", False),
        ("Q6 < 5", False),
        ("Q6 >= 5", False),
        ("Missing == null", True),
        ("Q6 + 1", None),
        ("-Q6", None),
        # and / or / not, truthiness
        ("Q1 and Q3", True),
        ("Q6 or Q7 or Q8", False),
        ("not Q6", True),
        ("not Q8", True),
        ("0 or false", False),
        # arithmetic
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("7 - 2 - 1", 4.0),
        ("8 / 2 / 2", 2.0),
        ("1 / 0", None),
        ("-N", -12.0),
        ('"a" + 1', None),
        ("true + 1", None),
        # in
        ('"A1" in Q2', True),
        ('"A2" in Q2', False),
        ('Q2 in ["A3", "A9"]', True),
        ('Q1 in ["A1", "A2"]', True),
        ('"好" in Q4', True),
        ("Q6 in Q2", False),
        ("1 in 1", False),
        # functions
        ("answered(Q1)", True),
        ("answered(Q6)", False),
        ("answered(Q7)", False),
        ("answered(Q8)", False),
        ("empty(Q8)", True),
        ("count(Q1, Q2, Q6, Q7, Q8)", 2.0),
        ('any_of(Q1, "A1", "A2")', True),
        ('any_of(Q2, "A2", "A4")', False),
        ('any_of(Q2, "A2", "A3")', True),
        ('all_of(Q2, "A1", "A3")', True),
        ('all_of(Q2, "A1", "A2")', False),
        ('all_of(Q1, "A2", "A2")', True),
        ('contains(Q2, "A3")', True),
        ('contains(Q4, "很")', True),
        ("contains(Q4, 1)", False),
        ("len(Q2)", 2.0),
        ("len(Q4)", 2.0),
        ("len(Q6)", 0.0),
        ("len(Q3)", None),
        ("sum(Q1.points, Q3, Q6, N)", 29.0),
        ("sum(Q6)", 0.0),
        ("min(Q1.points, Q3, Q6)", 8.0),
        ("max(Q1.points, Q3, Q6)", 9.0),
        ("max(Q6, Q7)", None),
        ("Q5.R1.points == 10", True),
    ],
)
def test_each_operator_and_function(text, expected):
    assert value(text, ANSWERS) == expected


def test_holds_treats_no_condition_as_shown_and_uses_truthiness():
    assert holds(None, {}) is True
    assert holds(parse("Q6"), ANSWERS) is False
    assert holds(parse("Q3"), ANSWERS) is True


def test_answers_of_odd_types_are_null_not_errors():
    odd = {"Q1": object(), "Q2": {"a": 1}, "Q3": float("nan"), "Q4": 10**400, "Q5": [[1]], "Q6": b"x"}
    assert value("Q1 == null and Q2 == null and Q3 == null and Q4 == null and Q6 == null", odd) is True
    assert value("Q5 == [null]", odd) is True
    assert evaluate(parse("Q1"), None) is None


# --------------------------------------------------------------------------- the static check

OUTLINE = [
    QuestionInfo("Q1", "rating", options=("A1", "A2", "A3")),
    QuestionInfo("Q2", "multiple", options=("A1", "A2"), allow_other=True),
    QuestionInfo("Q3", "matrix", options=("A1", "A2"), rows=("R1", "R2")),
    QuestionInfo("Q4", "text"),
    QuestionInfo("Q5", "nps"),
]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('Q9 == "A1"', "Q9 is not a question of this questionnaire."),
        ("answered(Q5)", "Q5 comes after this question: its answer is not known yet."),
        ("answered(Q4)", "Q4 is this question itself: a condition can only use earlier answers."),
        ('Q3 == "A1"', "Q3 is a matrix: name one of its rows, e.g. Q3.R1."),
        ("Q3.R9", "Q3.R9: the matrix Q3 has no row R9."),
        ("Q1.other", "Q1.other: question Q1 has no part “other”."),
        ("Q2.points", "Q2.points: question Q2 has no part “points”."),
        ('Q1 == "A9"', "Q1 has no option A9 (its options: A1, A2, A3)."),
        ('Q1 in ["A1", "A7"]', "Q1 has no option A7 (its options: A1, A2, A3)."),
        (
            "customer.name",
            "customer.name: use one of customer.type, customer.kind, customer.lifecycle, customer.region, "
            "customer.province, customer.city, customer.industry, customer.tags, customer.purchases.",
        ),
        ("invitation.token", "invitation.token: use one of invitation.channel."),
        (
            'customer.type == "gold"',
            "customer.type is never “gold” (its values: vip (VIP), key (Key account), normal (Normal)).",
        ),
        (
            'customer.type == "VIP"',  # a label where a code belongs (the builder saves the code)
            "customer.type is never “VIP”: write its code “vip” (saving the condition again does it).",
        ),
        (
            'invitation.channel in ["sms", "wechat"]',
            "invitation.channel is never “wechat” (its values: web (Personal web link), email (E-mail "
            "invitation), sms (SMS invitation), phone (Phone interview), paper (Paper / Excel), anonymous "
            "(Anonymous public link), visit (On-site visit)).",
        ),
    ],
)
def test_the_check_names_what_a_condition_may_not_use(text, problem):
    _tree, problems = check_condition(text, OUTLINE, "Q4")
    assert problems == [problem]


def test_the_check_accepts_earlier_answers_and_their_parts():
    for text in [
        'Q1 == "A3" or Q1.points <= 2',
        'any_of(Q2, "A1") or contains(Q2.other, "快递")',
        'Q3.R2 == "A1" and Q3.R1.points > 1',
        'customer.type == "vip" and invitation.channel == "sms"',
        'customer.region == "华东" and "老客户" in customer.tags and customer.purchases >= 2',
        "",
    ]:
        assert check_condition(text, OUTLINE, "Q4")[1] == []
    assert check_condition("   ", OUTLINE, "Q4") == (None, [])


# --------------------------------------------------------------------------- hypothesis

ALPHABET = st.sampled_from(list("Q1A2_ .()[],'\"=!<>+-*/&|andornotinulltruefse3.5满\\ \t"))


@FAST
@given(st.text(alphabet=ALPHABET, max_size=80) | st.text(max_size=80))
def test_random_text_gives_a_tree_or_an_expression_error_quickly(text):
    start = time.perf_counter()
    try:
        tree = parse(text)
    except ExpressionError:
        pass
    else:
        assert parse(unparse(tree)) == tree
        evaluate(tree, {})
    assert time.perf_counter() - start < 0.5


def test_long_hostile_inputs_fail_fast():
    for text in [
        "(" * 1999,
        "not " * 499,
        "-" * 2000,
        "Q1." * 600,
        '"' + "a" * 1998,
        "[" * 1999,
        "a+" * 999 + "a",
    ]:
        start = time.perf_counter()
        with pytest.raises(ExpressionError):
            parse(text)
        assert time.perf_counter() - start < 0.2


NAMES = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,5}", fullmatch=True).filter(
    lambda n: n.lower() not in {"and", "or", "not", "true", "false", "null", "in"}
)
NUMBERS = st.integers(0, 10**6) | st.decimals(0, 10**6, places=2, allow_nan=False).map(
    lambda d: float(d) if d != int(d) else float(int(d)) + 0.5
)
LEAVES = (
    NUMBERS.map(lambda n: ["num", n])
    | st.text(max_size=5).map(lambda s: ["str", s])
    | st.booleans().map(lambda b: ["bool", b])
    | st.just(["null"])
    | st.lists(NAMES, min_size=1, max_size=3).map(lambda parts: ["ref", *parts])
)


def _compound(children):
    binary = st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in", "+", "-", "*", "/"])
    return (
        st.tuples(binary, children, children).map(list)
        | st.tuples(st.sampled_from(["and", "or"]), st.lists(children, min_size=2, max_size=3)).map(
            lambda t: [t[0], *t[1]]
        )
        | children.map(lambda c: ["not", c])
        | children.map(lambda c: ["neg", c])
        | st.lists(children, max_size=3).map(lambda items: ["list", *items])
        | st.tuples(st.sampled_from(["answered", "empty", "len"]), children).map(lambda t: ["call", *t])
        | st.tuples(
            st.sampled_from(["count", "sum", "min", "max"]), st.lists(children, min_size=1, max_size=3)
        ).map(lambda t: ["call", t[0], *t[1]])
    )


TREES = st.recursive(LEAVES, _compound, max_leaves=12)


def _depth(tree):
    children = [c for c in tree[1:] if isinstance(c, list)]
    return 1 + max((_depth(c) for c in children), default=0)


@FAST
@given(TREES)
def test_generated_trees_print_and_read_back_the_same(tree):
    assume(_depth(tree) < MAX_DEPTH)
    assert parse(unparse(tree)) == tree


SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5) | st.binary(max_size=3)
)
VALUES = (
    SCALARS
    | st.lists(SCALARS | st.lists(SCALARS, max_size=2), max_size=3)
    | st.dictionaries(st.text(max_size=2), SCALARS, max_size=2)
)


@FAST
@given(TREES, st.dictionaries(st.sampled_from(["Q1", "Q1.points", "A", "A.b", "Q2"]), VALUES))
def test_evaluation_is_total(tree, answers):
    result = evaluate(tree, answers)
    assert result is None or isinstance(result, (bool, float, str, list))
    if isinstance(result, float):
        assert math.isfinite(result)


JUNK = st.recursive(
    st.none()
    | st.integers()
    | st.text(max_size=4)
    | st.sampled_from(["ref", "call", "and", "==", "num", "list"]),
    lambda c: st.lists(c, max_size=4),
    max_leaves=20,
)


@FAST
@given(JUNK, st.dictionaries(st.text(max_size=3), VALUES, max_size=3))
def test_malformed_trees_evaluate_to_something_and_never_raise(tree, answers):
    evaluate(tree, answers)


def test_a_deep_malformed_tree_stops_at_the_evaluation_depth():
    tree = ["num", 1]
    for _ in range(5000):
        tree = ["not", tree]
    assert evaluate(tree, {}) in (None, True, False)
