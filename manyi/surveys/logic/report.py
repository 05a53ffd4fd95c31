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

from .check import CHOICE_KINDS, reference_problems, value_problems
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


def logic_findings(outline, pages=()):
    """Every problem of the questionnaire's conditions: the pages never shown (`pages`:
    PageInfo of the pages with a condition that names only earlier pages' questions) first,
    then the questions' problems in question order."""
    findings = []
    trees = {}
    named_wrongly = set()
    for question, option, text in _conditions(outline):
        try:
            tree = parse(text)
        except ExpressionError as error:
            findings.append(Finding(question.code, question.pk, option, "syntax", str(error)))
            continue
        trees[(question.code, option)] = tree
        wrong = reference_problems(tree, outline, question.code, values=False)
        if wrong:
            named_wrongly.add((question.code, option))
        # a value the question never has (Q1 == "A9") is reported, and the condition is still
        # walked: what it hides is reported as never asked
        findings.extend(
            Finding(question.code, question.pk, option, "reference", message)
            for message in [*wrong, *(m for m in value_problems(tree, outline) if m not in wrong)]
        )
    findings.extend(_cycles(outline, trees))
    named_wrongly |= {(f.code, f.option) for f in findings if f.kind in ("syntax", "cycle")}
    findings.extend(_unreachable(outline, {k: t for k, t in trees.items() if k not in named_wrongly}, pages))
    order = {q.code: n for n, q in enumerate(outline)}
    return sorted(findings, key=lambda f: (f.code in order, order.get(f.code, len(order)), f.option))


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


def _involved(tree, index, shown_if):
    """The trees to look at: the condition's, then (transitively) the conditions of the earlier
    questions it names, since a question hidden by its own condition has no answer."""
    trees, codes, stack = [tree], [], [tree]
    while stack:
        for parts in references(stack.pop()):
            code = parts[0]
            if code in ROOTS or code not in index or code in codes:
                continue
            codes.append(code)
            condition = shown_if.get(code)
            if condition is not None and all(
                index.get(p[0], -1) < index[code] for p in references(condition) if p[0] not in ROOTS
            ):
                trees.append(condition)
                stack.append(condition)
    return trees, sorted(codes, key=index.get)


def _masked(values, codes, shown_if):
    """The values with the answers of questions their own condition hides removed (in respondent
    order: a hidden question reads null for the later ones)."""
    for code in codes:
        condition = shown_if.get(code)
        if condition is not None and not holds(condition, values):
            values = {k: v for k, v in values.items() if k != code and not k.startswith(code + ".")}
    return values


def can_hold(tree, outline, never=frozenset(), shown_if=None):
    """Whether some answers to the questions the condition names make it true (None: too many
    combinations to try). `never`: codes of questions that are never asked; `shown_if`: {code:
    syntax tree of the condition that shows the question (its page's joined)}: a named question
    whose condition does not hold for the answers tried has no answer."""
    index = {q.code: n for n, q in enumerate(outline)}
    shown_if = shown_if or {}
    trees, codes = _involved(tree, index, shown_if)
    literals = [value for each in trees for value in _literals(each)]
    roots = {}
    for each in trees:
        for parts in references(each):
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
            # too many with the named questions' own conditions: the condition alone may still
            # be false for every answer (a contradiction needs no walk back)
            if shown_if and can_hold(tree, outline, never) is False:
                return False
            return None
    for combination in itertools.product(*roots.values()):
        values = {}
        for case in combination:
            values.update(case)
        if holds(tree, _masked(values, codes, shown_if)):
            return True
    return False


@dataclass(frozen=True)
class PageInfo:
    """A page whose condition the check looks at: its label, its condition's tree (read and
    naming only questions of earlier pages) and the codes of its questions."""

    label: str
    tree: list
    codes: tuple[str, ...]


def _joined(first, second):
    if first is None or second is None:
        return second if first is None else first
    return ["and", first, second]


def _hidden_named(tree, outline, hidden):
    """The questions of `hidden` (never asked, or shown by a condition) that a condition that
    never holds needs answers to; () when it is false for every answer anyway."""
    named = tuple(dict.fromkeys(p[0] for p in references(tree) if p[0] in hidden))
    return named if named and can_hold(tree, outline) is not False else ()


def _never_message(tree, outline, hidden, *, code="", option="", page=""):
    """Why a page, a question or an option is never reached: its condition is false for every
    answer, or it needs answers to questions that are not asked whenever it could hold."""
    named = _hidden_named(tree, outline, hidden)
    values = {"code": code, "option": option, "page": page, "codes": ", ".join(named)}
    if page:
        if named:
            return (
                _(
                    "%(page)s is never shown: its condition needs answers to %(codes)s, which are not "
                    "asked whenever it could hold."
                )
                % values
            )
        return _("%(page)s is never shown: its condition is false for every answer.") % values
    if option:
        if named:
            return (
                _(
                    "Option %(option)s of %(code)s is never offered: its condition needs answers to "
                    "%(codes)s, which are not asked whenever it could hold."
                )
                % values
            )
        return (
            _("Option %(option)s of %(code)s is never offered: its condition is false for every answer.")
            % values
        )
    if named:
        return (
            _(
                "%(code)s is never asked: its condition needs answers to %(codes)s, which are not asked "
                "whenever it could hold."
            )
            % values
        )
    return _("%(code)s is never asked: its condition is false for every answer.") % values


def _unreachable(outline, trees, pages=()):
    """Pages, questions and options nobody reaches, walked in respondent order (a question on a
    page never shown, or hidden whenever its condition could hold, is never asked either)."""
    findings = []
    pk = {q.code: q.pk for q in outline}
    page_of = {code: page for page in pages for code in page.codes}
    shown_if = {
        q.code: _joined(page_of[q.code].tree if q.code in page_of else None, trees.get((q.code, "")))
        for q in outline
    }
    shown_if = {code: tree for code, tree in shown_if.items() if tree is not None}
    never, looked_at = set(), set()
    for question in outline:
        page = page_of.get(question.code)
        if page is not None and id(page) not in looked_at:
            looked_at.add(id(page))
            if can_hold(page.tree, outline, frozenset(never), shown_if) is False:
                never.update(page.codes)
                message = _never_message(page.tree, outline, never | shown_if.keys(), page=page.label)
                findings.append(Finding(page.label, None, "", "unreachable", message))
        if question.code in never:
            continue
        code = question.code
        own = trees.get((code, ""))
        if own is not None and can_hold(shown_if[code], outline, frozenset(never), shown_if) is False:
            never.add(code)
            message = _never_message(shown_if[code], outline, never | shown_if.keys(), code=code)
            findings.append(Finding(code, pk[code], "", "unreachable", message))
            continue
        for option, _text in question.option_conditions:
            tree = trees.get((code, option))
            if tree is not None and (
                can_hold(_joined(shown_if.get(code), tree), outline, frozenset(never), shown_if) is False
            ):
                joined = _joined(shown_if.get(code), tree)
                message = _never_message(joined, outline, never | shown_if.keys(), code=code, option=option)
                findings.append(Finding(code, pk[code], option, "unreachable", message))
    return findings
