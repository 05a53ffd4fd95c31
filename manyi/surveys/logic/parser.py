"""Condition expressions (issue 21): text → a small JSON-able syntax tree, and back.

The syntax is the contract in /work/tools/EXPRESSIONS.md. A tokenizer and a recursive-descent
parser; nothing here evaluates anything (see evaluate.py), and Python's eval / ast / exec /
compile are never used. Limits (text length, node count, nesting) are enforced before or while
the work is done, so no input can take long or exhaust the stack.

Trees are lists, the first element naming the node:

    ["num", 3]  ["str", "A1"]  ["bool", true]  ["null"]  ["list", node, ...]
    ["ref", "Q3"]  ["ref", "Q3", "points"]  ["ref", "Q5", "R2", "points"]
    ["not", node]  ["neg", node]  ["and", node, node, ...]  ["or", node, node, ...]
    ["==", a, b]  ["!=", a, b]  ["<", a, b]  ["<=", a, b]  [">", a, b]  [">=", a, b]  ["in", a, b]
    ["+", a, b]  ["-", a, b]  ["*", a, b]  ["/", a, b]
    ["call", "answered", node, ...]
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from django.utils.translation import gettext as _

MAX_LENGTH = 2000
MAX_NODES = 200
MAX_DEPTH = 30

KEYWORDS = {"and", "or", "not", "true", "false", "null", "in"}
# name -> (fewest arguments, most arguments or None)
FUNCTIONS = {
    "answered": (1, 1),
    "empty": (1, 1),
    "count": (1, None),
    "any_of": (2, None),
    "all_of": (2, None),
    "contains": (2, 2),
    "len": (1, 1),
    "sum": (1, None),
    "min": (1, None),
    "max": (1, None),
}
COMPARISONS = ("==", "!=", "<", "<=", ">", ">=", "in")
ARITHMETIC = ("+", "-", "*", "/")
ROOTS = ("customer", "invitation")  # references that are not question codes

NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
NUMBER_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?")
SYMBOLS = (
    "==",
    "!=",
    "<=",
    ">=",
    "&&",
    "||",
    "<",
    ">",
    "!",
    "+",
    "-",
    "*",
    "/",
    "(",
    ")",
    "[",
    "]",
    ",",
    ".",
    "=",
)
SPACE = " \t\r\n\u3000"


class ExpressionError(ValueError):
    """A condition that cannot be read; `position` is the 1-based character it concerns."""

    def __init__(self, message, position=None):
        self.message = message
        self.position = position
        if position is not None:
            message = _("Character %(position)s: %(message)s") % {"position": position, "message": message}
        super().__init__(message)


class Token:
    __slots__ = ("kind", "position", "value")

    def __init__(self, kind, value, position):
        self.kind = kind  # "num", "str", "name", "kw", "sym", "end"
        self.value = value
        self.position = position  # 1-based

    def is_sym(self, *values):
        return self.kind == "sym" and self.value in values

    def is_kw(self, *values):
        return self.kind == "kw" and self.value in values


def _read_string(text, start):
    """The string literal starting at text[start] (a quote) and the index after it."""
    quote = text[start]
    out = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if char == quote:
            return "".join(out), i + 1
        out.append(char)
        i += 1
    raise ExpressionError(_("the text in quotes is not closed."), start + 1)


def tokenize(text):
    """The tokens of `text`, ending with an "end" token."""
    tokens = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in SPACE:
            i += 1
            continue
        if char in "'\"":
            value, end = _read_string(text, i)
            tokens.append(Token("str", value, i + 1))
            i = end
            continue
        match = NUMBER_RE.match(text, i)
        if match:
            raw = match.group()
            tokens.append(Token("num", float(raw) if "." in raw else int(raw), i + 1))
            i = match.end()
            continue
        match = NAME_RE.match(text, i)
        if match:
            word = match.group()
            if word.lower() in KEYWORDS:
                tokens.append(Token("kw", word.lower(), i + 1))
            else:
                tokens.append(Token("name", word, i + 1))
            i = match.end()
            continue
        symbol = next((s for s in SYMBOLS if text.startswith(s, i)), None)
        if symbol is None:
            raise ExpressionError(_("“%(char)s” cannot be used here.") % {"char": char}, i + 1)
        tokens.append(Token("sym", symbol, i + 1))
        i += len(symbol)
    tokens.append(Token("end", None, len(text) + 1))
    return tokens


class _Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.index = 0
        self.nodes = 0
        self.depth = 0

    # -- helpers -------------------------------------------------------------------------
    @property
    def token(self):
        return self.tokens[self.index]

    def advance(self):
        token = self.tokens[self.index]
        self.index += 1
        return token

    def node(self, *parts):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ExpressionError(
                _("the condition is too long (at most %(max)s parts).") % {"max": MAX_NODES},
                self.token.position,
            )
        return list(parts)

    def enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(
                _("the condition is nested too deeply (at most %(max)s levels).") % {"max": MAX_DEPTH},
                self.token.position,
            )

    def leave(self):
        self.depth -= 1

    def expect_sym(self, value, message):
        if not self.token.is_sym(value):
            raise ExpressionError(message, self.token.position)
        return self.advance()

    # -- grammar -------------------------------------------------------------------------
    def parse(self):
        if self.token.kind == "end":
            raise ExpressionError(_("the condition is empty."), 1)
        tree = self.or_()
        if self.token.kind != "end":
            raise ExpressionError(self._unexpected(), self.token.position)
        return tree

    def _unexpected(self):
        token = self.token
        if token.is_sym(")"):
            return _("there is a closing parenthesis without an opening one.")
        if token.is_sym("="):
            return _("use “==” to compare (a single “=” is not allowed).")
        return _("expected “and”, “or” or the end of the condition.")

    def _chain(self, kind, words, symbol, operand):
        first = operand()
        if not (self.token.is_kw(words) or self.token.is_sym(symbol)):
            return first
        items = [first]
        while self.token.is_kw(words) or self.token.is_sym(symbol):
            self.advance()
            items.append(operand())
        return self.node(kind, *items)

    def or_(self):
        return self._chain("or", "or", "||", self.and_)

    def and_(self):
        return self._chain("and", "and", "&&", self.not_)

    def not_(self):
        if self.token.is_kw("not") or self.token.is_sym("!"):
            self.advance()
            self.enter()
            operand = self.not_()
            self.leave()
            return self.node("not", operand)
        return self.comparison()

    def comparison(self):
        left = self.sum_()
        token = self.token
        if token.is_sym("="):
            raise ExpressionError(_("use “==” to compare (a single “=” is not allowed)."), token.position)
        if not (token.is_sym(*COMPARISONS) or token.is_kw("in")):
            return left
        self.advance()
        right = self.sum_()
        if self.token.is_sym(*COMPARISONS) or self.token.is_kw("in"):
            raise ExpressionError(
                _("two comparisons in a row need “and” or “or” between them."), self.token.position
            )
        return self.node(token.value, left, right)

    def sum_(self):
        left = self.term()
        while self.token.is_sym("+", "-"):
            op = self.advance().value
            left = self.node(op, left, self.term())
        return left

    def term(self):
        left = self.unary()
        while self.token.is_sym("*", "/"):
            op = self.advance().value
            left = self.node(op, left, self.unary())
        return left

    def unary(self):
        if self.token.is_sym("-"):
            self.advance()
            self.enter()
            operand = self.unary()
            self.leave()
            return self.node("neg", operand)
        return self.atom()

    def atom(self):
        token = self.token
        if token.kind == "num":
            self.advance()
            return self.node("num", token.value)
        if token.kind == "str":
            self.advance()
            return self.node("str", token.value)
        if token.is_kw("true", "false"):
            self.advance()
            return self.node("bool", token.value == "true")
        if token.is_kw("null"):
            self.advance()
            return self.node("null")
        if token.is_sym("("):
            return self.parenthesised()
        if token.is_sym("["):
            return self.list_()
        if token.kind == "name":
            if self.tokens[self.index + 1].is_sym("("):
                return self.call()
            return self.reference()
        raise ExpressionError(self._missing_operand(), token.position)

    def _missing_operand(self):
        token = self.token
        if token.kind == "end":
            return _("the condition ends too early.")
        if token.kind == "kw":
            return _("“%(word)s” cannot be used here.") % {"word": token.value}
        return _("expected a question code, a value or “(”.")

    def parenthesised(self):
        self.advance()
        self.enter()
        inner = self.or_()
        self.expect_sym(")", _("missing closing parenthesis."))
        self.leave()
        return inner

    def list_(self):
        self.advance()
        self.enter()
        items = []
        if not self.token.is_sym("]"):
            items.append(self.or_())
            while self.token.is_sym(","):
                self.advance()
                items.append(self.or_())
        self.expect_sym("]", _("missing closing bracket “]”."))
        self.leave()
        return self.node("list", *items)

    def call(self):
        name_token = self.advance()
        name = name_token.value
        if name.lower() not in FUNCTIONS:
            raise ExpressionError(_("there is no function “%(name)s”.") % {"name": name}, name_token.position)
        name = name.lower()
        self.advance()  # "("
        self.enter()
        args = []
        if not self.token.is_sym(")"):
            args.append(self.or_())
            while self.token.is_sym(","):
                self.advance()
                args.append(self.or_())
        self.expect_sym(")", _("missing closing parenthesis."))
        self.leave()
        fewest, most = FUNCTIONS[name]
        if len(args) < fewest or (most is not None and len(args) > most):
            raise ExpressionError(
                _("%(name)s() takes %(count)s.") % {"name": name, "count": _arity_text(fewest, most)},
                name_token.position,
            )
        return self.node("call", name, *args)

    def reference(self):
        parts = [self.advance().value]
        while self.token.is_sym("."):
            self.advance()
            token = self.token
            if token.kind not in ("name", "kw"):
                raise ExpressionError(_("expected a name after “.”."), token.position)
            parts.append(self.advance().value if token.kind == "name" else token.value)
            if len(parts) > 3:
                raise ExpressionError(
                    _("a reference has at most three parts (Q5.R2.points)."), token.position
                )
        return self.node("ref", *parts)


def _arity_text(fewest, most):
    if most == fewest:
        return _("exactly %(n)s value(s)") % {"n": fewest}
    return _("at least %(n)s value(s)") % {"n": fewest}


def parse(text):
    """The syntax tree of a condition's text; ExpressionError (with the position) otherwise."""
    if not isinstance(text, str):
        raise ExpressionError(_("the condition must be text."))
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            _("the condition is too long (at most %(max)s characters).") % {"max": MAX_LENGTH}, MAX_LENGTH + 1
        )
    return _Parser(tokenize(text)).parse()


# ------------------------------------------------------------------------------------------
# Back to text

_PRECEDENCE = {"or": 1, "and": 2, "not": 3, **dict.fromkeys(COMPARISONS, 4), "+": 5, "-": 5, "*": 6, "/": 6}
_ATOM = 8


def _precedence(node):
    if node[0] in _PRECEDENCE:
        return _PRECEDENCE[node[0]]
    if node[0] == "neg":
        return 7
    return _ATOM


def _quote(value):
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _number(value):
    if isinstance(value, int):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value)}.0"
    if not math.isfinite(value):
        raise ExpressionError(_("a number cannot be written here."))
    text = repr(value)
    if "e" in text:  # 1e-07 → 0.0000001: the syntax has no exponents
        text = format(Decimal(text), "f")
    return text if "." in text else text + ".0"


def _wrap(node, minimum):
    text = unparse(node)
    return f"({text})" if _precedence(node) < minimum else text


_LEAVES = {
    "num": lambda tree: _number(tree[1]),
    "str": lambda tree: _quote(tree[1]),
    "bool": lambda tree: "true" if tree[1] else "false",
    "null": lambda tree: "null",
    "ref": lambda tree: ".".join(tree[1:]),
    "list": lambda tree: "[" + ", ".join(unparse(item) for item in tree[1:]) + "]",
    "call": lambda tree: tree[1] + "(" + ", ".join(unparse(item) for item in tree[2:]) + ")",
    "not": lambda tree: "not " + _wrap(tree[1], 3),
    "neg": lambda tree: "-" + _wrap(tree[1], 7),
}


def unparse(tree):
    """The text of a syntax tree (parse(unparse(tree)) == tree for every tree parse gives)."""
    kind = tree[0]
    if kind in _LEAVES:
        return _LEAVES[kind](tree)
    if kind in ("and", "or"):
        level = _PRECEDENCE[kind]
        return f" {kind} ".join(_wrap(item, level + 1) for item in tree[1:])
    if kind in COMPARISONS:
        return f"{_wrap(tree[1], 5)} {kind} {_wrap(tree[2], 5)}"
    if kind in ARITHMETIC:
        level = _PRECEDENCE[kind]
        return f"{_wrap(tree[1], level)} {kind} {_wrap(tree[2], level + 1)}"
    raise ExpressionError(_("unknown part “%(kind)s”.") % {"kind": kind})


def references(tree):
    """Every reference in the tree as a tuple of its parts, in the order they appear."""
    found = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if not isinstance(node, list) or not node:
            continue
        if node[0] == "ref":
            found.append(tuple(node[1:]))
        elif node[0] not in ("num", "str", "bool", "null"):
            stack.extend(reversed(node[2:] if node[0] == "call" else node[1:]))
    return found


def is_finite_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
