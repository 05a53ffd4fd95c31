"""The questionnaire templates shipped with the product (questionnaire_templates/*.json).

`list_templates()` reads them for the template library; `create_from_template(key, by=…)`
turns one into a Questionnaire with its dimensions, questions, options and matrix rows.
The file format is described in questionnaire_templates/SCHEMA.md.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from .choices import QuestionKind
from .logic.parser import ExpressionError, parse
from .models import Dimension, MatrixRow, Option, Question, Questionnaire, TableColumn, fill_option_codes

TEMPLATE_DIR = Path(__file__).resolve().parent / "questionnaire_templates"

# Kinds that take their options from a named scale, and kinds that list their own options.
SCALE_KINDS = {QuestionKind.RATING, QuestionKind.MATRIX}
INLINE_OPTION_KINDS = {QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.YES_NO}


@dataclass(frozen=True)
class TemplateInfo:
    key: str
    title: str
    title_en: str
    description: str
    question_count: int

    def __iter__(self):
        # Unpacks as (key, title, title_en, description, question count).
        return iter((self.key, self.title, self.title_en, self.description, self.question_count))


def _path(key, directory=None):
    directory = Path(directory or TEMPLATE_DIR)
    path = directory / f"{key}.json"
    # Keys come from URLs: only plain file names inside the template folder, and short ones
    # (a name too long for the file system makes is_file() raise, a server error).
    if not key or len(key) > 100 or "/" in key or "\\" in key or key.startswith(".") or not path.is_file():
        raise KeyError(key)
    return path


def read_template(key, directory=None):
    """The parsed JSON of one template; KeyError when there is no such template."""
    path = _path(key, directory)
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def _all_questions(data):
    for dimension in data.get("dimensions", []):
        yield from dimension.get("questions", [])
    yield from data.get("questions", [])


def list_templates(directory=None):
    """[TemplateInfo(key, title, title_en, description, question count)] sorted by key."""
    directory = Path(directory or TEMPLATE_DIR)
    templates = []
    for path in sorted(directory.glob("*.json")):
        with path.open(encoding="utf-8") as f:
            data = json.load(f)
        templates.append(
            TemplateInfo(
                key=path.stem,
                title=data.get("title", path.stem),
                title_en=data.get("title_en", ""),
                description=data.get("description", ""),
                question_count=sum(1 for _ in _all_questions(data)),
            )
        )
    return templates


def _options_for(question, data, filename):
    code = question.get("code", "?")
    kind = question["kind"]
    if kind in SCALE_KINDS:
        scale_name = question.get("scale")
        scales = data.get("scales", {})
        if scale_name not in scales:
            raise ValueError(f'{filename}: question {code}: scale {scale_name!r} is not defined in "scales"')
        return scales[scale_name]
    if kind in INLINE_OPTION_KINDS:
        return question.get("options", [])
    return []


# The questionnaire's settings a template may give (the model's defaults otherwise).
TEMPLATE_SETTINGS = (
    "scale_method",
    "validity_rule",
    "index_method",
    "satisfied_threshold",
    "bands",
    "competitor_name",
)


@transaction.atomic
def create_from_template(key, *, by=None, directory=None):
    """A new questionnaire (version 1 of a new family) built from the template `key`.

    Raises KeyError for an unknown key and ValueError (naming the file and the question) for
    an unknown question kind or a missing scale; nothing is saved then.
    """
    filename = _path(key, directory).name
    data = read_template(key, directory)
    questionnaire = Questionnaire(
        title=data["title"],
        description=data.get("description", ""),
        intro=data.get("intro", ""),
        thanks=data.get("thanks", ""),
        template_key=data.get("key", key)[:60],
        created_by=by,
        **{field: data[field] for field in TEMPLATE_SETTINGS if field in data},
    )
    questionnaire.save()
    groups = [
        (
            Dimension.objects.create(
                questionnaire=questionnaire,
                code=d["code"],
                title=d["title"],
                weight=d.get("weight", 1),
                position=i,
            ),
            d.get("questions", []),
        )
        for i, d in enumerate(data.get("dimensions", []))
    ]
    groups.append((None, data.get("questions", [])))
    position = 0
    for dimension, questions in groups:
        for q in questions:
            position += 1
            _create_question(questionnaire, dimension, position, q, data, filename)
    return questionnaire


def _create_question(questionnaire, dimension, position, q, data, filename):
    """One question of a template, with its options (inline or from a named scale) and matrix items."""
    kind = q.get("kind")
    if kind not in QuestionKind.values:
        raise ValueError(f"{filename}: question {q.get('code', '?')}: unknown kind {kind!r}")
    options = _options_for(q, data, filename)
    for text in [q.get("condition", "")] + [o.get("condition", "") for o in options]:
        try:
            parse(text) if text else None
        except ExpressionError as error:
            raise ValueError(
                f"{filename}: question {q.get('code', '?')}: condition {text!r}: {error}"
            ) from error
    question = Question.objects.create(
        questionnaire=questionnaire,
        dimension=dimension,
        position=position,
        code=q["code"],
        text=q["text"],
        help_text=q.get("help", ""),
        kind=kind,
        required=q.get("required", True),
        weight=q.get("weight", 1),
        scored=q.get("scored", kind in SCALE_KINDS),
        ask_importance=q.get("ask_importance", False),
        ask_competitor=q.get("ask_competitor", False),
        allow_other=q.get("other", False),
        outcome=q.get("outcome", False),
        condition=q.get("condition", ""),
        table_max_rows=q.get("max_rows", 5),
        table_shares_within_100=q.get("shares_within_100", False),
    )
    Option.objects.bulk_create(
        fill_option_codes(
            [
                Option(
                    question=question,
                    position=i,
                    label=o["label"],
                    points=o.get("points"),
                    is_neutral=o.get("neutral", False),
                    code=o.get("code", ""),
                    condition=o.get("condition", ""),
                )
                for i, o in enumerate(options)
            ]
        )
    )
    MatrixRow.objects.bulk_create(
        MatrixRow(question=question, position=i, code=r["code"], text=r["text"])
        for i, r in enumerate(q.get("rows", []) if kind == QuestionKind.MATRIX else [])
    )
    TableColumn.objects.bulk_create(
        TableColumn(
            question=question,
            position=i,
            code=c["code"],
            label=c["label"],
            kind=c["kind"],
            required=c["required"],
        )
        for i, c in enumerate(q.get("columns", []) if kind == QuestionKind.TABLE else [])
    )
