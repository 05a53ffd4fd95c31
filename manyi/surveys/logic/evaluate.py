"""Evaluating a condition's syntax tree over the answers given so far.

The semantics of /work/tools/EXPRESSIONS.md; manyi/static/js/conditions.js is the same
evaluator for the public answer page and must stay identical (a test runs both on one table).

`values` maps a reference's dotted name ("Q3", "Q3.points", "Q5.R2", "customer.type") to its
value: None, a bool, a number, a string or a list of those. Evaluation is total: a malformed
tree, a type mismatch, a division by zero or a value of any other type gives None (or False
for comparisons), never an exception.
"""

from __future__ import annotations

import math
import re

MAX_EVAL_DEPTH = 64
_NUMERIC = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def _scalar(value):
    """A value of an answer as the evaluator knows it (anything else becomes None)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an int beyond any float
            return None
        return number if math.isfinite(number) else None
    return None


def normalise(value):
    """None, bool, finite float, str, or a flat list of those."""
    if isinstance(value, (list, tuple)):
        return [_scalar(item) for item in value]
    return _scalar(value)


def _number(value):
    """The value as a number (numbers and numeric strings such as "3" or "-2.5"), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _scalar(value)
    if isinstance(value, str) and _NUMERIC.fullmatch(value):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def truthy(value):
    if value is None or value is False:
        return False
    if value is True:
        return True
    if isinstance(value, float):
        return value != 0
    if isinstance(value, (str, list)):
        return len(value) > 0
    return False


def equal(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, list) or isinstance(b, list):
        if not (isinstance(a, list) and isinstance(b, list)) or len(a) != len(b):
            return False
        return all(equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    x, y = _number(a), _number(b)
    if x is not None and y is not None:
        return x == y
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return False


def _order(op, a, b):
    x, y = _number(a), _number(b)
    if x is None or y is None:
        if not (isinstance(a, str) and isinstance(b, str)):
            return False
        x, y = a, b  # code point order, as conditions.js compares
    if op == "<":
        return x < y
    if op == "<=":
        return x <= y
    if op == ">":
        return x > y
    return x >= y


def _contains(container, item):
    if isinstance(container, list):
        return any(equal(element, item) for element in container)
    if isinstance(container, str) and isinstance(item, str):
        return item in container
    return False


def _in(a, b):
    if isinstance(a, list):
        return any(_contains(b, element) for element in a)
    return _contains(b, a)


def _arithmetic(op, a, b):
    x, y = _number(a), _number(b)
    if x is None or y is None:
        return None
    if op == "+":
        result = x + y
    elif op == "-":
        result = x - y
    elif op == "*":
        result = x * y
    else:
        if y == 0:
            return None
        result = x / y
    return result if math.isfinite(result) else None


def _answered(value):
    return value is not None and value != "" and value != []


def _numbers(args):
    for value in args:
        for item in value if isinstance(value, list) else [value]:
            number = _number(item)
            if number is not None:
                yield number


def _sum(args):
    total = 0.0
    for number in _numbers(args):
        total += number
    return total if math.isfinite(total) else None


def _extreme(args, pick_max):
    best = None
    for number in _numbers(args):
        if best is None or (number > best if pick_max else number < best):
            best = number
    return best


def _length(value):
    if value is None:
        return 0.0
    if isinstance(value, (str, list)):
        return float(len(value))
    return None


def _call(name, args):
    if name == "answered" and len(args) == 1:
        return _answered(args[0])
    if name == "empty" and len(args) == 1:
        return not _answered(args[0])
    if name == "count" and args:
        return float(sum(1 for value in args if _answered(value)))
    if name == "any_of" and len(args) >= 2:
        return any(
            _contains(args[0], v) if isinstance(args[0], list) else equal(args[0], v) for v in args[1:]
        )
    if name == "all_of" and len(args) >= 2:
        return all(
            _contains(args[0], v) if isinstance(args[0], list) else equal(args[0], v) for v in args[1:]
        )
    if name == "contains" and len(args) == 2:
        return _contains(args[0], args[1])
    if name == "len" and len(args) == 1:
        return _length(args[0])
    if name == "sum" and args:
        return _sum(args)
    if name in ("min", "max") and args:
        return _extreme(args, name == "max")
    return None


def _literal(node):
    kind = node[0]
    if kind == "num" and len(node) == 2:
        return _scalar(node[1]) if not isinstance(node[1], (bool, str)) else None
    if kind == "str" and len(node) == 2 and isinstance(node[1], str):
        return node[1]
    if kind == "bool" and len(node) == 2 and isinstance(node[1], bool):
        return node[1]
    return None


def _reference(node, values):
    if len(node) < 2 or not all(isinstance(part, str) for part in node[1:]):
        return None
    try:
        value = values.get(".".join(node[1:]))
    except Exception:  # a mapping that misbehaves: nothing to read
        return None
    return normalise(value)


def _eval(node, values, depth):
    if not isinstance(node, list) or not node or not isinstance(node[0], str) or depth > MAX_EVAL_DEPTH:
        return None
    kind = node[0]
    if kind in ("num", "str", "bool", "null"):
        return _literal(node)
    if kind == "ref":
        return _reference(node, values)
    if kind == "call":
        if len(node) < 2 or not isinstance(node[1], str):
            return None
        return _call(node[1], [_eval(arg, values, depth + 1) for arg in node[2:]])
    args = [_eval(arg, values, depth + 1) for arg in node[1:]]
    return _operator(kind, args)


def _logical(kind, args):
    if kind == "list":
        return [item if not isinstance(item, list) else None for item in args]
    if kind == "and":
        return bool(args) and all(truthy(a) for a in args)
    if kind == "or":
        return any(truthy(a) for a in args)
    if kind == "not" and len(args) == 1:
        return not truthy(args[0])
    if kind == "neg" and len(args) == 1:
        number = _number(args[0])
        return None if number is None else -number
    return None


def _operator(kind, args):
    if kind in ("list", "and", "or", "not", "neg"):
        return _logical(kind, args)
    if len(args) != 2:
        return None
    a, b = args
    if kind == "==":
        return equal(a, b)
    if kind == "!=":
        return not equal(a, b)
    if kind in ("<", "<=", ">", ">="):
        return _order(kind, a, b)
    if kind == "in":
        return _in(a, b)
    if kind in ("+", "-", "*", "/"):
        return _arithmetic(kind, a, b)
    return None


def evaluate(tree, values):
    """The value of the tree over `values` (see the module's docstring); never raises."""
    if not hasattr(values, "get"):
        values = {}
    return _eval(tree, values, 0)


def holds(tree, values):
    """Whether a condition holds: an empty condition (None) always does."""
    if tree is None:
        return True
    return truthy(evaluate(tree, values))
