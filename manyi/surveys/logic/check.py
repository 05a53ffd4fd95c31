"""The static check of a condition against its questionnaire (the builder's "显示条件").

Pure: works on an outline (QuestionInfo in respondent order), not on the database. A condition
may name only earlier questions (their answers are known when it is evaluated), never its own
question or a later one, and only the parts a question has (Q3.points for a choice, Q5.R2 for a
matrix row, Q7.other when "other" is offered).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .context import FIELDS, fields_of, value_code
from .parser import ROOTS, parse

CHOICE_KINDS = ("rating", "single", "multiple", "yes_no")
POINTS_KINDS = ("rating", "single", "yes_no", "nps")


@dataclass(frozen=True)
class QuestionInfo:
    """What the check and the visibility rule need of one question."""

    code: str
    kind: str
    pk: int | None = None
    options: tuple[str, ...] = ()  # option codes in order
    rows: tuple[str, ...] = ()  # matrix row codes
    allow_other: bool = False
    condition: str = ""
    option_conditions: tuple[tuple[str, str], ...] = field(default=())  # (option code, text)
    points: tuple[float | None, ...] = ()  # the options' points, in the order of `options`
    text: str = ""


def _root_problem(parts):
    """A customer.* / invitation.* reference outside the whitelist of context.py."""
    root, rest = parts[0], parts[1:]
    allowed = fields_of(root)
    if len(rest) != 1 or rest[0] not in allowed:
        return _("%(ref)s: use one of %(fields)s.") % {
            "ref": ".".join(parts),
            "fields": ", ".join(f"{root}.{name}" for name in allowed),
        }
    return None


def _part_problem(parts, question):
    """A problem with the parts after a question's code (Q3.points, Q5.R2, Q7.other)."""
    ref = ".".join(parts)
    rest = parts[1:]
    if question.kind == "matrix":
        if not rest:
            return _("%(code)s is a matrix: name one of its rows, e.g. %(code)s.%(row)s.") % {
                "code": question.code,
                "row": question.rows[0] if question.rows else "R1",
            }
        if rest[0] not in question.rows:
            return _("%(ref)s: the matrix %(code)s has no row %(row)s.") % {
                "ref": ref,
                "code": question.code,
                "row": rest[0],
            }
        rest = rest[1:]
        if rest and rest != ("points",):
            return _("%(ref)s: after a row only “.points” may follow.") % {"ref": ref}
        return None
    if not rest:
        return None
    if rest == ("points",) and question.kind in POINTS_KINDS:
        return None
    if rest == ("other",) and question.allow_other:
        return None
    return _("%(ref)s: question %(code)s has no part “%(part)s”.") % {
        "ref": ref,
        "code": question.code,
        "part": ".".join(rest),
    }


def reference_problems(tree, outline, own_code, *, values=True):
    """Messages for references a condition of question `own_code` may not make (with `values`,
    also the compared values the named questions or fields never have: value_problems)."""
    from .parser import references

    index = {question.code: n for n, question in enumerate(outline)}
    own = index.get(own_code, len(outline))
    problems = []
    for parts in references(tree):
        root = parts[0]
        if root in ROOTS:
            problem = _root_problem(parts)
        elif root == own_code:
            problem = _("%(code)s is this question itself: a condition can only use earlier answers.") % {
                "code": root
            }
        elif root not in index:
            problem = _("%(code)s is not a question of this questionnaire.") % {"code": root}
        elif index[root] > own:
            problem = _("%(code)s comes after this question: its answer is not known yet.") % {"code": root}
        else:
            problem = _part_problem(parts, outline[index[root]])
        if problem and problem not in problems:
            problems.append(problem)
    if values:
        problems.extend(p for p in value_problems(tree, outline) if p not in problems)
    return problems


def _compared(tree):
    """(reference parts, string literal) pairs a condition compares directly."""
    pairs = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if not isinstance(node, list) or not node or node[0] in ("num", "str", "bool", "null", "ref"):
            continue
        args = node[2:] if node[0] == "call" else node[1:]
        is_match = node[0] in ("==", "!=", "in") or (
            node[0] == "call" and node[1] in ("any_of", "all_of", "contains")
        )
        refs = [tuple(a[1:]) for a in args if isinstance(a, list) and a and a[0] == "ref"]
        if is_match and refs:
            for arg in args:
                if not (isinstance(arg, list) and arg):
                    continue
                literals = arg[1:] if arg[0] == "list" else [arg]
                pairs.extend(
                    (refs[0], lit[1]) for lit in literals if isinstance(lit, list) and lit[0] == "str"
                )
        stack.extend(args)
    return pairs


def _field_value_problem(parts, value):
    """A value a respondent's field never has (customer.type == "gold"), or its label written
    where conditions compare codes (customer.type == "VIP": the builder saves such a condition
    with the code, with_field_codes; one stored otherwise, e.g. imported, never holds)."""
    key = ".".join(parts)
    field = FIELDS.get(key)
    if field is None or field.kind != "choice" or value in field.values:
        return None
    code = value_code(key, value)
    if code is not None:
        return _(
            "%(ref)s is never “%(value)s”: write its code “%(code)s” (saving the condition again does it)."
        ) % {
            "ref": key,
            "value": value,
            "code": code,
        }
    return _("%(ref)s is never “%(value)s” (its values: %(values)s).") % {
        "ref": key,
        "value": value,
        "values": ", ".join(
            f"{code} ({label})" for code, label in zip(field.values, field.labels, strict=False)
        ),
    }


def _coded(node, key):
    """A literal (or a list of them) compared with the choice field `key`, labels as codes."""
    if isinstance(node, list) and node and node[0] == "str":
        return ["str", value_code(key, node[1]) or node[1]]
    if isinstance(node, list) and node and node[0] == "list":
        return ["list", *(_coded(item, key) for item in node[1:])]
    return node


def _with_codes(node):
    if not isinstance(node, list) or not node or node[0] in ("num", "str", "bool", "null", "ref"):
        return node
    head = node[:2] if node[0] == "call" else node[:1]
    args = [_with_codes(arg) for arg in node[len(head) :]]
    is_match = node[0] in ("==", "!=", "in") or (
        node[0] == "call" and node[1] in ("any_of", "all_of", "contains")
    )
    fields = [
        ".".join(arg[1:])
        for arg in args
        if is_match and isinstance(arg, list) and arg and arg[0] == "ref" and ".".join(arg[1:]) in FIELDS
    ]
    if fields:
        args = [_coded(arg, fields[0]) for arg in args]
    return [*head, *args]


def with_field_codes(text):
    """The condition's text with the respondent's fields compared by code: customer.type == "VIP"
    or "VIP客户" becomes customer.type == "vip" (context.value_code). The text is rewritten only
    when a label was replaced; a text that does not read is returned as it is."""
    from .parser import ExpressionError, unparse

    if not (text or "").strip():
        return text
    try:
        tree = parse(text)
    except ExpressionError:
        return text
    coded = _with_codes(tree)
    return text if coded == tree else unparse(coded)


def value_problems(tree, outline):
    """A compared option code the question does not have (Q3 == "A9"), or a value a respondent's
    field never has."""
    index = {question.code: n for n, question in enumerate(outline)}
    problems = []
    for parts, value in _compared(tree):
        if parts[0] in ROOTS:
            problem = _field_value_problem(parts, value)
            if problem and problem not in problems:
                problems.append(problem)
            continue
        position = index.get(parts[0])
        if position is None:
            continue
        question = outline[position]
        is_option = (question.kind in CHOICE_KINDS and len(parts) == 1) or (
            question.kind == "matrix" and len(parts) == 2
        )
        if is_option and question.options and value not in question.options:
            problem = _("%(code)s has no option %(value)s (its options: %(options)s).") % {
                "code": ".".join(parts),
                "value": value,
                "options": ", ".join(question.options),
            }
            if problem not in problems:
                problems.append(problem)
    return problems


def check_condition(text, outline, own_code):
    """(tree, problems) of a condition's text; ExpressionError when it cannot be read.

    An empty text is no condition: (None, []).
    """
    if not (text or "").strip():
        return None, []
    tree = parse(text)
    return tree, reference_problems(tree, outline, own_code)
