"""LimeSurvey Expression Manager relevance equations to Manyi conditions, and back.

The conversion table is the one in the shared contract (EXPRESSIONS.md, "LimeSurvey Expression
Manager → this syntax"):

    Q3.NAOK == "A1"            -> Q3 == "A1"          (.NAOK / .value / .code dropped)
    Q3.valueNAOK               -> Q3.points           (the answer's assessment value)
    Q3.shown                   -> Q3
    Q5_SQ001.NAOK              -> Q5.SQ001            (an array's row)
    Q6_SQ001 == "Y"            -> any_of(Q6, "SQ001") (a multiple choice's option chosen)
    12345X2X7SQ001             -> Q5.SQ001            (the old SGQA names, by question id)
    is_empty(x)                -> empty(x)            !is_empty(x) -> !empty(x)
    count / sum / min / max    -> the same
    eq ne lt le gt ge and or   -> == != < <= > >= and or
    "1" (always)               -> no condition

Anything else (regexMatch, if(), string functions, TOKEN:, self / that, assignments) is not
converted: the caller lists it in the import report and the question stays shown.
"""

import re
from dataclasses import dataclass, field

MAX_LENGTH = 2_000

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<number>\d+(?:\.\d+)?(?![\w]))
      | (?P<name>(?:\d+X\d+X\d+\w*|[A-Za-z_]\w*)(?:[.:][A-Za-z_#][\w#]*)*)
      | (?P<op>==|!=|<=|>=|&&|\|\||[<>!+\-*/(),\[\]=])
    )""",
    re.VERBOSE,
)
_WORD_OPS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "and": "and", "or": "or"}
_KEEP_FUNCTIONS = {"count": "count", "sum": "sum", "min": "min", "max": "max", "is_empty": "empty"}
_DROPPED_SUFFIXES = {"", "NAOK", "value", "code", "shown"}
_SGQA = re.compile(r"^\d+X\d+X(\d+)(\w*)$")


class NotConverted(ValueError):
    """The equation uses something outside the common subset; the message says what."""


@dataclass
class QuestionRef:
    """What the converter knows of a question: its code, Manyi kind and sub-question codes."""

    code: str
    multiple: bool = False
    subcodes: dict = field(default_factory=dict)  # LimeSurvey sub-question code -> row or option code


def tokenize(text):
    tokens, at = [], 0
    text = text.strip()
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None or match.end() == at:
            if text[at:].strip() == "":
                break
            raise NotConverted(f"unexpected “{text[at : at + 10]}”")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        at = match.end()
    return tokens


class _Converter:
    def __init__(self, questions, qids):
        self.questions = questions  # code -> QuestionRef
        self.qids = qids  # LimeSurvey qid -> code

    def reference(self, name):
        """(Manyi reference, multiple-choice option code or None) of an EM variable name."""
        if ":" in name or name.split(".")[0] in ("self", "that", "this"):
            raise NotConverted(name)
        base, _dot, suffix = name.partition(".")
        if suffix not in _DROPPED_SUFFIXES and suffix != "valueNAOK":
            raise NotConverted(name)
        points = ".points" if suffix == "valueNAOK" else ""
        sgqa = _SGQA.match(base)
        if sgqa:
            code = self.qids.get(sgqa.group(1))
            if code is None:
                raise NotConverted(name)
            base = code + ("_" + sgqa.group(2) if sgqa.group(2) else "")
        if base in self.questions:
            return base + points, None
        for at in [m.start() for m in re.finditer("_", base)]:
            code, sub = base[:at], base[at + 1 :]
            question = self.questions.get(code)
            if question is not None and sub in question.subcodes:
                if question.multiple:
                    return code, question.subcodes[sub]
                return f"{code}.{question.subcodes[sub]}{points}", None
        raise NotConverted(name)

    def convert(self, text):
        tokens = tokenize(text)
        out, at = [], 0
        while at < len(tokens):
            at = self._one(tokens, at, out)
        return " ".join(out).replace("( ", "(").replace(" )", ")").replace(" ,", ",").replace("! ", "!")

    def _one(self, tokens, at, out):
        kind, value = tokens[at]
        following = tokens[at + 1][1] if at + 1 < len(tokens) else None
        if kind == "op" and value in ("=", "[", "]"):  # an assignment, or a list LimeSurvey has not
            raise NotConverted(value)
        if kind in ("op", "string", "number"):
            out.append(value)
            return at + 1
        lowered = value.lower()
        if lowered in _WORD_OPS:
            out.append(_WORD_OPS[lowered])
            return at + 1
        if lowered in ("true", "false", "null", "not"):
            out.append(lowered)
            return at + 1
        if following == "(":
            if value == "is_empty":
                return self._is_empty(tokens, at, out)
            if value not in _KEEP_FUNCTIONS:
                raise NotConverted(value + "()")
            out.append(_KEEP_FUNCTIONS[value] + "(")
            return at + 2
        ref, option = self.reference(value)
        if option is None:
            out.append(ref)
            return at + 1
        return self._option_test(tokens, at, ref, option, out)

    def _option_test(self, tokens, at, code, option, out):
        """A multiple choice's option compared with "Y" (chosen) or "" (not chosen)."""
        if at + 2 < len(tokens) and tokens[at + 1][1] in ("==", "!=", "eq", "ne"):
            literal = tokens[at + 2][1].strip("\"'") if tokens[at + 2][0] == "string" else None
            if literal in ("Y", ""):
                chosen = (literal == "Y") == (tokens[at + 1][1] in ("==", "eq"))
                out.append(("" if chosen else "not ") + f'any_of({code}, "{option}")')
                return at + 3
        raise NotConverted(tokens[at][1])

    def _is_empty(self, tokens, at, out):
        if at + 3 < len(tokens) and tokens[at + 2][0] == "name" and tokens[at + 3][1] == ")":
            ref, option = self.reference(tokens[at + 2][1])
            out.append(f'not any_of({ref}, "{option}")' if option else f"empty({ref})")
            return at + 4
        out.append("empty(")
        return at + 2


def relevance_to_condition(text, questions, qids=None):
    """The Manyi condition for a LimeSurvey relevance equation ("" for always shown).

    `questions` maps question code -> QuestionRef of the questions it may refer to; raises
    NotConverted when the equation is outside the common subset.
    """
    text = (text or "").strip()
    if text in ("", "1", "true"):
        return ""
    if len(text) > MAX_LENGTH:
        raise NotConverted("too long")
    condition = _Converter(questions, qids or {}).convert(text)
    _check_with_logic(condition, questions)
    return condition


def _check_with_logic(condition, questions):
    """Ask the condition language's own parser, when it is there, whether the text is good."""
    try:
        from manyi.surveys import logic
    except ImportError:
        return
    parse = getattr(logic, "parse", None) or getattr(logic, "parse_expression", None)
    if parse is None:
        return
    try:
        parse(condition)
    except Exception as error:  # its error class is its own; any refusal means "not converted"
        raise NotConverted(str(error)) from None


# ------------------------------------------------------------------------------- back to EM


def _arguments(tokens, at):
    """(list of argument token lists, index after the closing parenthesis) from tokens[at] == '('."""
    args, current, depth = [], [], 0
    for index in range(at, len(tokens)):
        kind, value = tokens[index]
        if value in ("(", "["):
            depth += 1
            if depth == 1:
                continue
        elif value in (")", "]"):
            depth -= 1
            if depth == 0:
                args.append(current)
                return args, index + 1
        elif value == "," and depth == 1:
            args.append(current)
            current = []
            continue
        current.append((kind, value))
    raise NotConverted("(")


def _em_name(name, multiple_codes):
    if name.split(".")[0] in ("customer", "invitation"):
        raise NotConverted(name)
    parts = name.split(".")
    points = parts[-1] == "points"
    if points:
        parts = parts[:-1]
    if len(parts) > 2:
        raise NotConverted(name)
    base = "_".join(parts)
    return base + (".valueNAOK" if points else ".NAOK")


def condition_to_relevance(condition, multiple_codes=()):
    """The LimeSurvey relevance equation for a Manyi condition ("1" for always shown)."""
    condition = (condition or "").strip()
    if not condition:
        return "1"
    tokens = tokenize(condition)
    out, at = [], 0
    while at < len(tokens):
        kind, value = tokens[at]
        lowered = value.lower() if kind == "name" else value
        nxt = tokens[at + 1][1] if at + 1 < len(tokens) else None
        if kind == "name" and nxt == "(":
            at = _em_call(tokens, at, out, set(multiple_codes))
            continue
        if kind == "name" and lowered in ("and", "or", "true", "false", "null", "not", "in"):
            if lowered == "in":
                raise NotConverted("in")
            out.append({"not": "!", "true": "1", "false": "0", "null": '""'}.get(lowered, lowered))
        elif kind == "name":
            out.append(_em_name(value, multiple_codes))
        else:
            out.append(value)
        at += 1
    return " ".join(out).replace("( ", "(").replace(" )", ")").replace(" ,", ",").replace("! ", "!")


def _em_call(tokens, at, out, multiple_codes):
    name = tokens[at][1]
    args, after = _arguments(tokens, at + 1)
    if name in ("empty", "answered"):
        if len(args) != 1 or len(args[0]) != 1:
            raise NotConverted(name)
        ref = args[0][0][1]
        prefix = "" if name == "empty" else "!"
        if ref in multiple_codes:  # LimeSurvey has no one variable for a multiple choice
            raise NotConverted(name)
        out.append(f"{prefix}is_empty({_em_name(ref, multiple_codes)})")
        return after
    if name == "any_of" and args and len(args[0]) == 1:
        ref = args[0][0][1]
        values = [a[0][1] for a in args[1:] if len(a) == 1 and a[0][0] == "string"]
        if len(values) != len(args) - 1 or not values:
            raise NotConverted(name)
        if ref in multiple_codes:
            tests = [f'{ref}_{v.strip(chr(34) + chr(39))}.NAOK == "Y"' for v in values]
        else:
            tests = [f"{_em_name(ref, multiple_codes)} == {v}" for v in values]
        out.append("(" + " or ".join(tests) + ")")
        return after
    if name in ("count", "sum", "min", "max"):
        inner = [condition_to_relevance(" ".join(v for _k, v in arg), multiple_codes) for arg in args]
        out.append(f"{name}({', '.join(inner)})")
        return after
    raise NotConverted(name + "()")
