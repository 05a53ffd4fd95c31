"""The answer page's JavaScript evaluator (static/js/conditions.js) and the server's
(manyi/surveys/logic/evaluate.py) give the same value for every condition (issue 21).

A table of conditions with the values worked out by hand runs through both, then a few hundred
random trees over random answers: a respondent must never see a question the server then
discards, nor miss one the server requires.
"""

import json
import random
from pathlib import Path

import pytest

from manyi.surveys.logic.evaluate import evaluate
from manyi.surveys.logic.parser import parse

SCRIPT = Path(__file__).resolve().parents[2] / "manyi" / "static" / "js" / "conditions.js"

ANSWERS = {
    "Q1": "A2",
    "Q1.points": 8,
    "Q2": ["A1", "A3"],
    "Q3": 9,
    "Q4": "很好😀",
    "Q5.R1": "A1",
    "Q5.R1.points": 10,
    "Q6": None,
    "Q7": "",
    "Q8": [],
    "N": "12",
    "F": 2.5,
    "customer.type": "VIP",
    "constructor": "x",
}

# (condition, expected value) with ANSWERS
TABLE = [
    ('Q1 == "A2"', True),
    ('Q1 != "A2"', False),
    ("Q1.points > 6", True),
    ("Q1.points >= 8", True),
    ("Q1.points < 8", False),
    ("Q1.points <= 7", False),
    ("N == 12", True),
    ("N > 9", True),
    ('"12" < "9"', False),
    ('"b" > "a"', True),
    ('"😀" > "ｚ"', True),  # code point order (UTF-16 units would say the opposite)
    ('Q2 == ["A1", "A3"]', True),
    ('Q2 == "A1"', False),
    ("true == 1", False),
    ("Q6 == null", True),
    ("null == null", True),
    ("Q6 != null", False),
    ("Q6 < 5", False),
    ("Q6 >= 5", False),
    ("Missing == null", True),
    ("toString == null", True),  # no prototype property is an answer
    ('constructor == "x"', True),
    ("Q6 + 1", None),
    ("-Q6", None),
    ("Q1 and Q3", True),
    ("Q6 or Q7 or Q8", False),
    ("not Q6", True),
    ("not Q8", True),
    ("0 or false", False),
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("7 - 2 - 1", 4),
    ("8 / 2 / 2", 2),
    ("1 / 3", 1 / 3),
    ("0.1 + 0.2", 0.1 + 0.2),
    ("1 / 0", None),
    ("1 / (1 - 1)", None),
    ("-N", -12),
    ("F * 2", 5),
    ('"a" + 1', None),
    ("true + 1", None),
    ('"A1" in Q2', True),
    ('"A2" in Q2', False),
    ('Q2 in ["A3", "A9"]', True),
    ('Q1 in ["A1", "A2"]', True),
    ('"好" in Q4', True),
    ("Q6 in Q2", False),
    ("answered(Q1)", True),
    ("answered(Q6)", False),
    ("answered(Q7)", False),
    ("empty(Q8)", True),
    ("count(Q1, Q2, Q6, Q7, Q8)", 2),
    ('any_of(Q1, "A1", "A2")', True),
    ('any_of(Q2, "A2", "A4")', False),
    ('all_of(Q2, "A1", "A3")', True),
    ('all_of(Q2, "A1", "A2")', False),
    ('contains(Q4, "很")', True),
    ("len(Q2)", 2),
    ("len(Q4)", 3),  # characters, not UTF-16 units
    ("len(Q6)", 0),
    ("len(Q3)", None),
    ("sum(Q1.points, Q3, Q6, N)", 29),
    ("sum(Q6)", 0),
    ("min(Q1.points, Q3, Q6)", 8),
    ("max(Q1.points, Q3, F)", 9),
    ("max(Q6, Q7)", None),
    ("Q5.R1.points == 10 and Q5.R1 == 'A1'", True),
    ('customer.type == "VIP"', True),
    ("[1, Q2, Q6]", [1, None, None]),
]


def _typed(value):
    """A value with its type made explicit (in Python True == 1 and 1 == 1.0)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return ("number", float(value))
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return ("text", value)


@pytest.fixture
def js(browser):
    page = browser.new_page()
    page.set_content("<!doctype html><title>conditions</title>")
    page.add_script_tag(path=str(SCRIPT))

    def run(cases):
        return page.evaluate(
            "cases => cases.map(c => window.ManyiConditions.evaluate(JSON.parse(c[0]), JSON.parse(c[1])))",
            [[json.dumps(tree), json.dumps(values)] for tree, values in cases],
        )

    yield run
    page.close()


def test_the_table_gives_the_same_values_in_python_and_in_the_browser(js):
    cases = [(parse(text), ANSWERS) for text, _ in TABLE]
    in_browser = js(cases)
    for (text, expected), (tree, values), browser_value in zip(TABLE, cases, in_browser, strict=True):
        assert _typed(evaluate(tree, values)) == _typed(expected), text
        assert _typed(browser_value) == _typed(expected), text


def _random_tree(rng, depth=0):
    if depth > 4 or rng.random() < 0.3:
        return rng.choice(
            [
                ["num", rng.choice([0, 1, 2, 2.5, 10, 1e308, -3])],
                ["str", rng.choice(["", "A1", "A2", "3", "-2.5", "好", "😀", "1e3", " 3"])],
                ["bool", rng.random() < 0.5],
                ["null"],
                ["ref", rng.choice(["Q1", "Q2", "Q3", "Q4"])],
                ["ref", "Q1", "points"],
            ]
        )
    kind = rng.choice(
        [
            "==",
            "!=",
            "<",
            "<=",
            ">",
            ">=",
            "in",
            "+",
            "-",
            "*",
            "/",
            "and",
            "or",
            "not",
            "neg",
            "list",
            "call",
        ]
    )
    if kind in ("not", "neg"):
        return [kind, _random_tree(rng, depth + 1)]
    if kind in ("and", "or", "list"):
        return [kind] + [
            _random_tree(rng, depth + 1) for _ in range(rng.randint(0 if kind == "list" else 2, 3))
        ]
    if kind == "call":
        name = rng.choice(
            ["answered", "empty", "count", "any_of", "all_of", "contains", "len", "sum", "min", "max", "nope"]
        )
        return ["call", name] + [_random_tree(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return [kind, _random_tree(rng, depth + 1), _random_tree(rng, depth + 1)]


def _random_value(rng):
    scalar = lambda: rng.choice([None, True, False, 0, 1, -0.5, 7, 1e308, "", "A1", "A2", "3", "好😀"])  # noqa: E731
    return scalar() if rng.random() < 0.7 else [scalar() for _ in range(rng.randint(0, 3))]


def test_random_trees_over_random_answers_agree(js):
    rng = random.Random(21)
    cases = []
    for _ in range(600):
        values = {key: _random_value(rng) for key in ("Q1", "Q1.points", "Q2", "Q3") if rng.random() < 0.8}
        cases.append((_random_tree(rng), values))
    in_browser = js(cases)
    for (tree, values), browser_value in zip(cases, in_browser, strict=True):
        assert _typed(browser_value) == _typed(evaluate(tree, values)), (tree, values)
