"""The builder's logic check (issue 21): every condition of a questionnaire looked at together.

Pure, over an outline (check.QuestionInfo in respondent order). It finds conditions that cannot
be read, that name unknown, later or deleted questions or the question itself, conditions that
depend on each other in a circle, and questions or options nobody can reach because their
condition is false for every possible answer to the questions it names.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .check import CHOICE_KINDS, reference_problems
from .evaluate import holds
from .parser import ROOTS, ExpressionError, parse, references

MAX_COMBINATIONS = 4096  # answer combinations tried per condition before giving up


@dataclass(frozen=True)
class Finding:
    """One problem: the question it concerns (code, pk), the option code or "", the message."""

    code: str
    pk: int | None
    option: str
    kind: str  # "syntax", "reference", "cycle", "unreachable"
    message: str


def _conditions(outline):
    """(question, option code or "", text) of every condition."""
    for question in outline:
        if (question.condition or "").strip():
            yield question, "", question.condition
        for option_code, text in question.option_conditions:
            if (text or "").strip():
                yield question, option_code, text


def logic_findings(outline):
    """Every problem of the questionnaire's conditions, in question order."""
    findings = []
    trees = {}
    for question, option, text in _conditions(outline):
        try:
            tree = parse(text)
        except ExpressionError as error:
            findings.append(Finding(question.code, question.pk, option, "syntax", str(error)))
            continue
        trees[(question.code, option)] = tree
        findings.extend(
            Finding(question.code, question.pk, option, "reference", message)
            for message in reference_problems(tree, outline, question.code)
        )
    findings.extend(_cycles(outline, trees))
    named_wrongly = {(f.code, f.option) for f in findings}
    findings.extend(_unreachable(outline, {k: t for k, t in trees.items() if k not in named_wrongly}))
    order = {q.code: n for n, q in enumerate(outline)}
    return sorted(findings, key=lambda f: (order.get(f.code, len(order)), f.option))


# ------------------------------------------------------------------------------------------
# Cycles


def _graph(outline, trees):
    known = {q.code for q in outline}
    edges = {}
    for (code, _option), tree in trees.items():
        edges.setdefault(code, set()).update(
            parts[0] for parts in references(tree) if parts[0] in known and parts[0] != code
        )
    return edges


def _cycles(outline, trees):
    """Questions whose conditions lead back to themselves (Q4 needs Q6, Q6 needs Q4)."""
    edges = _graph(outline, trees)
    pk = {q.code: q.pk for q in outline}
    findings, reported = [], set()
    for start in [q.code for q in outline]:
        path = _path_back(start, edges)
        if path is None or frozenset(path) in reported:
            continue
        reported.add(frozenset(path))
        findings.append(
            Finding(
                start,
                pk.get(start),
                "",
                "cycle",
                _("The conditions go round in a circle: %(path)s.") % {"path": " → ".join([*path, start])},
            )
        )
    return findings


def _path_back(start, edges):
    """A path start → … → start through the conditions, without the closing start, or None."""
    stack = [(start, [start])]
    seen = set()
    while stack:
        node, path = stack.pop()
        for nxt in sorted(edges.get(node, ())):
            if nxt == start:
                return path
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


# ------------------------------------------------------------------------------------------
# Unreachable


def _literals(tree):
    found = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if not isinstance(node, list) or not node:
            continue
        if node[0] in ("str", "num") and len(node) == 2:
            found.append(node[1])
        elif node[0] not in ("ref", "bool", "null"):
            stack.extend(node[2:] if node[0] == "call" else node[1:])
    return found


def _question_cases(question, parts, literals):
    """The possible values of one question (or matrix row) as condition values."""
    code = question.code
    pairs = list(zip(question.options, question.points or (None,) * len(question.options), strict=False))
    if question.kind == "matrix":
        key = f"{code}.{parts[1]}" if len(parts) > 1 else code
        return [{}] + [{key: c, f"{key}.points": p} for c, p in pairs]
    if question.kind == "multiple":
        cases = [{}, {code: [c for c, _p in pairs]}] + [{code: [c]} for c, _p in pairs]
        if question.allow_other:
            cases.append({code: ["other"], f"{code}.other": "x"})
        return cases
    if question.kind in CHOICE_KINDS:
        cases = [{}] + [{code: c, f"{code}.points": p} for c, p in pairs]
        if question.allow_other:
            cases.append({code: "other", f"{code}.other": "x"})
        return cases
    if question.kind == "nps":
        return [{}] + [{code: float(n), f"{code}.points": float(n)} for n in range(11)]
    return [{}, {code: "x"}] + [{code: value} for value in literals if isinstance(value, str)]


def _cases(parts, index, outline, literals, never):
    if parts[0] in never:
        return [{}]  # never asked: its answer is always null
    if parts[0] in ROOTS:
        key = ".".join(parts)
        values = [v for v in literals if isinstance(v, str)]
        return [{}] + [{key: v} for v in values] + ([{key: values}] if parts[-1] == "tags" else [])
    position = index.get(parts[0])
    if position is None:
        return [{}]
    return _question_cases(outline[position], parts, literals)


def can_hold(tree, outline, never=frozenset()):
    """Whether some answers to the questions the condition names make it true (None: too many
    combinations to try). `never`: codes of questions that are never asked."""
    index = {q.code: n for n, q in enumerate(outline)}
    literals = _literals(tree)
    roots = {}
    for parts in references(tree):
        key = (
            parts[:2]
            if index.get(parts[0]) is not None and outline[index[parts[0]]].kind == "matrix"
            else parts[:1]
        )
        key = parts if parts[0] in ROOTS else key
        roots.setdefault(key, _cases(parts, index, outline, literals, never))
    total = 1
    for cases in roots.values():
        total *= len(cases)
        if total > MAX_COMBINATIONS:
            return None
    for combination in itertools.product(*roots.values()):
        values = {}
        for case in combination:
            values.update(case)
        if holds(tree, values):
            return True
    return False


def _unreachable(outline, trees):
    findings = []
    pk = {q.code: q.pk for q in outline}
    never = set()
    for (code, option), tree in trees.items():  # in question order: earlier findings feed later
        if can_hold(tree, outline, frozenset(never)) is False:
            if not option:
                never.add(code)
            if option:
                message = _(
                    "Option %(option)s of %(code)s is never offered: its condition is false for every answer."
                )
            else:
                message = _("%(code)s is never asked: its condition is false for every answer.")
            findings.append(
                Finding(code, pk.get(code), option, "unreachable", message % {"code": code, "option": option})
            )
    return findings
