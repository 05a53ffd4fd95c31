"""More fuzzing of the condition language (issue 21, point 6): the builder's chooser output
always reads back and means what the chooser said; text made to look like code is refused and
nothing in the logic package can run code.

The chooser (static/js/condition_builder.js) writes, for an earlier question Q and the values
chosen: `Q == "A1"` / `any_of(Q, "A1", "A2")` (is one of; any_of always for a multiple choice),
`Q != "A1"` / `not any_of(…)` (is none of), `Q.points <= n` / `Q.points >= n` (NPS: `Q <= n`), `contains(Q, "words")`,
`answered(Q)`, `empty(Q)`, joined by " and " / " or " (an "or" group bracketed before "and").
`chooser_text` below writes the same.
"""

import ast
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from manyi.surveys.logic.check import QuestionInfo, check_condition
from manyi.surveys.logic.evaluate import evaluate, holds
from manyi.surveys.logic.parser import ExpressionError, parse, unparse

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LOGIC = Path(__file__).resolve().parents[1] / "logic"
EXPRESSIONS = Path(__file__).resolve().parents[1] / "limesurvey" / "expressions.py"

OUTLINE = [
    QuestionInfo("Q1", "rating", options=("A1", "A2", "A3", "A4", "A5"), points=(10, 8, 6, 4, 2)),
    QuestionInfo("Q2", "multiple", options=("A1", "A2", "A3")),
    QuestionInfo("Q3", "text"),
    QuestionInfo("Q4", "nps"),
    QuestionInfo("Q5", "single", options=("A1", "A2"), points=(None, None)),
]
OWN = "Q9"
OUTLINE_WITH_OWN = [*OUTLINE, QuestionInfo(OWN, "text")]


def _quote(value):
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def chooser_part(question, op, values, number, words):
    """One part as condition_builder.js writes it."""
    ref = question.code
    if op == "answered":
        return f"answered({ref})"
    if op == "empty":
        return f"empty({ref})"
    if op == "contains":
        return f"contains({ref}, {_quote(words)})"
    if op in ("le", "ge"):
        target = ref if question.kind == "nps" else f"{ref}.points"
        return f"{target} {'<=' if op == 'le' else '>='} {number}"
    chosen = [_quote(v) for v in values]
    single = question.kind != "multiple" and len(chosen) == 1
    if op == "any":
        return f"{ref} == {chosen[0]}" if single else f"any_of({ref}, {', '.join(chosen)})"
    return f"{ref} != {chosen[0]}" if single else f"not any_of({ref}, {', '.join(chosen)})"


def chooser_join(before, joiner, part):
    if not before:
        return part
    needs_brackets = joiner == "and" and (" or " in before.lower() or "||" in before)
    return f"{'(' + before + ')' if needs_brackets else before} {joiner} {part}"


@st.composite
def chooser_steps(draw):
    question = draw(st.sampled_from(OUTLINE))
    ops = ["answered", "empty"]
    if question.kind in ("rating", "single", "multiple"):
        ops += ["any", "none"]
    if question.kind in ("rating", "nps"):
        ops += ["le", "ge"]
    if question.kind == "text":
        ops.append("contains")
    op = draw(st.sampled_from(ops))
    values = draw(st.lists(st.sampled_from(question.options or ("A1",)), min_size=1, max_size=3, unique=True))
    number = draw(st.integers(0, 10))
    words = draw(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=8).filter(
            str.strip
        )
    )
    return question, op, values, number, words.strip()


ANSWER = st.fixed_dictionaries(
    {
        "Q1": st.sampled_from([None, "A1", "A2", "A3", "A4", "A5"]),
        "Q2": st.lists(st.sampled_from(["A1", "A2", "A3"]), unique=True),
        "Q3": st.none() | st.text(max_size=6),
        "Q4": st.none() | st.integers(0, 10),
        "Q5": st.sampled_from([None, "A1", "A2"]),
    }
)
POINTS = dict(zip(OUTLINE[0].options, OUTLINE[0].points, strict=True))


def _values(answer):
    values = dict(answer)
    values["Q1.points"] = POINTS.get(answer["Q1"])
    values["Q4.points"] = answer["Q4"]
    values["Q5.points"] = None
    return values


def meaning(question, op, values, number, words, answer):
    """What the chooser's part says, worked out without the evaluator."""
    value = answer[question.code]
    given_answer = value not in (None, "", [])
    if op == "answered":
        return given_answer
    if op == "empty":
        return not given_answer
    if op == "contains":
        return isinstance(value, str) and words in value
    if op in ("le", "ge"):
        points = value if question.kind == "nps" else POINTS.get(value)
        if points is None:
            return False
        return points <= number if op == "le" else points >= number
    chosen = set(values)
    hit = bool(chosen & set(value)) if isinstance(value, list) else value in chosen
    return hit if op == "any" else not hit


@FAST
@given(st.lists(st.tuples(chooser_steps(), st.sampled_from(["and", "or"])), min_size=1, max_size=4), ANSWER)
def test_the_choosers_conditions_read_back_check_clean_and_mean_what_was_chosen(steps, answer):
    text, expected = "", None
    for step, joiner in steps:
        part = chooser_part(*step)
        truth = meaning(*step, answer)
        if expected is None:
            expected = truth
        elif joiner == "and":
            expected = expected and truth
        else:
            expected = expected or truth
        text = chooser_join(text, joiner, part)
    tree, problems = check_condition(text, OUTLINE_WITH_OWN, OWN)
    assert problems == []
    assert parse(unparse(tree)) == tree
    assert holds(tree, _values(answer)) == expected, text


PAYLOADS = [
    '__import__("os").system("touch /tmp/pwned")',
    'eval("1+1")',
    "exec('x=1')",
    "Q1.__class__.__mro__",
    "().__class__",
    "open('/etc/passwd').read()",
    "lambda: 1",
    "Q1; import os",
    "${7*7}",
    "{{7*7}}",
    "`id`",
    "Q1 if True else Q2",
    "[x for x in Q2]",
    'getattr(Q1, "points")',
]


@pytest.mark.parametrize("text", PAYLOADS)
def test_text_made_to_look_like_code_is_refused(text, tmp_path):
    with pytest.raises(ExpressionError):
        parse(text)
    assert not Path("/tmp/pwned").exists()


@FAST
@given(st.text(alphabet=st.sampled_from(list("_()[]{}.,'\";:=+-*/%`$@!<>&|^~ abcdeimoprstxQ1")), max_size=60))
def test_nothing_that_parses_names_a_dunder_or_an_unknown_function(text):
    try:
        tree = parse(text)
    except ExpressionError:
        return
    flat = json.dumps(tree)
    assert "__" not in flat
    evaluate(tree, {})


BANNED_BUILTINS = {"eval", "exec", "compile", "__import__", "globals", "locals", "vars", "setattr", "open"}
BANNED_METHODS = {"import_module", "system", "popen", "loads", "check_output"}


@pytest.mark.parametrize("path", [*sorted(LOGIC.glob("*.py")), EXPRESSIONS], ids=lambda p: p.name)
def test_the_logic_code_calls_nothing_that_runs_code(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = [node.func for node in ast.walk(tree) if isinstance(node, ast.Call)]
    builtins = {f.id for f in calls if isinstance(f, ast.Name)}
    methods = {f.attr for f in calls if isinstance(f, ast.Attribute)}
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])
    }
    assert not builtins & BANNED_BUILTINS, path
    assert not methods & BANNED_METHODS, path
    assert not imported & {"ast", "importlib", "subprocess", "pickle", "marshal", "os"}, path
