"""A LimeSurvey survey (structure.Survey) as the questionnaire Manyi would create, with the report.

`plan_questionnaire(survey)` decides everything and touches no database; `create_questionnaire`
writes the plan. The table of question types is in this package's docstring (and README).
"""

import html
import re
from dataclasses import dataclass, field

from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from ..choices import QuestionKind
from .expressions import NotConverted, QuestionRef, relevance_to_condition
from .marks import DimensionMark, read_dimension_mark

TEXT_MAX = 500
LABEL_MAX = 300
TITLE_MAX = 200
CODE_MAX = 20
EXAMPLES = 5
# LimeSurvey's own fixed scales.
FIXED = {
    "Y": [("Y", ("是", "Yes")), ("N", ("否", "No"))],
    "G": [("F", ("女", "Female")), ("M", ("男", "Male"))],
    "C": [("Y", ("是", "Yes")), ("U", ("不确定", "Uncertain")), ("N", ("否", "No"))],
    "E": [("I", ("增加", "Increase")), ("S", ("不变", "Same")), ("D", ("减少", "Decrease"))],
}
POINT_SCALES = {"5": 5, "A": 5, "B": 10}
MATRIX_TYPES = {"A", "B", "C", "E", "F", "H", "1"}
SINGLE_TYPES = {"L", "!", "O", "G"}
MULTIPLE_TYPES = {"M", "P", "R"}
TABLE_TYPES = {":", ";", "K", "Q"}
TEXT_TYPES = {"S", "T", "U", "D", "|", "N"}
NOT_QUESTIONS = {"X", "*", "I"}
# A Manyi kind written by our own export (in the LimeSurvey question's cssclass attribute).
KIND_MARK = re.compile(r"\bmanyi-kind-(\w+)")
ANCHORED_MARK = re.compile(r"\bmanyi-anchored-([A-Za-z0-9_]+)")


def unsupported_labels():
    """What the import report says of each kind of thing that was not carried over as it was."""
    return {
        "text_display": _("Text display (X): its text became the next question's explanation"),
        "equation": _("Equation (*): not carried over"),
        "language_switch": _("Language switch (I): not carried over"),
        "file_upload": _("File upload (|): became an open text question"),
        "date": _("Date (D): became an open text question"),
        "numeric": _("Numeric input (N): became an open text question"),
        "unknown_type": _("Unknown question type: became an open text question"),
        "other_option": _("“Other” answer of a rating scale: not carried over"),
        "list_comment": _("Comment box of a list (O) or multiple choice (P): not carried over"),
        "ranking": _("Ranking (R): became a multiple choice; the order is not kept"),
        "dual_scale": _("Second scale of a dual-scale array (1): not carried over"),
        "array_text_rows": _(
            "Fixed rows of an array of numbers or texts: became the rows a respondent fills"
        ),
        "by_column": _("Array by column (H): shown as rows"),
        "relevance": _("Relevance equation not converted: the question stays shown"),
        "group_relevance": _("Group relevance not converted: its questions stay shown"),
        "subquestion_relevance": _("Sub-question relevance: not carried over"),
        "random_group": _(
            "Randomisation group that is not one whole question group: the questions keep their order"
        ),
        "piping": _("Piping not converted: shown as written"),
        "other_language": _("Texts in other languages: not carried over"),
        "truncated": _("Text shortened to the field's length"),
        "conditions_table": _("Conditions (old condition editor): read through the relevance equations"),
        "assessment_rules": _("Assessment rules and messages: not carried over"),
        "quota": _("Quotas: not carried over"),
        "default_values": _("Default answers: not carried over"),
        "incomplete_responses": _("Incomplete responses: not imported"),
        "unmatched_answers": _("Answers that fit no question or option: not imported"),
        "timings": _("Response timings: not imported"),
        "duplicate_codes": _("Repeated or empty answer code: given a new code"),
        "builder_rules": _(
            "Imported as it was, but the builder asks for a change before the question is edited"
        ),
    }


@dataclass
class ImportReport:
    """What an import found and what it could not carry over, for the preview and --json."""

    groups: int = 0
    questions: int = 0
    subquestions: int = 0
    answers: int = 0
    languages: list = field(default_factory=list)
    language: str = ""
    db_version: int = 0
    groups_as_dimensions: bool = False
    groups_as_pages: bool = False
    unsupported: dict = field(default_factory=dict)  # key -> {"count", "examples"}
    conditions: list = field(default_factory=list)  # (question code, LimeSurvey, Manyi)
    notes: list = field(default_factory=list)
    participants: int = 0
    responses: int = 0

    def add(self, key, example="", count=1):
        entry = self.unsupported.setdefault(key, {"count": 0, "examples": []})
        entry["count"] += count
        if example and len(entry["examples"]) < EXAMPLES and example not in entry["examples"]:
            entry["examples"].append(str(example)[:120])

    def unsupported_rows(self):
        """(label, count, examples) in the order of unsupported_labels, for pages."""
        labels = unsupported_labels()
        return [
            (labels.get(key, key), entry["count"], entry["examples"])
            for key, entry in sorted(self.unsupported.items(), key=lambda item: list(labels).index(item[0]))
        ]

    def as_json(self):
        labels = unsupported_labels()
        return {
            "groups": self.groups,
            "questions": self.questions,
            "subquestions": self.subquestions,
            "answers": self.answers,
            "languages": self.languages,
            "language_used": self.language,
            "db_version": self.db_version,
            "groups_as_dimensions": self.groups_as_dimensions,
            "groups_as_pages": self.groups_as_pages,
            "unsupported": {
                key: {"label": str(labels.get(key, key)), **entry} for key, entry in self.unsupported.items()
            },
            "conditions": [
                {"question": code, "limesurvey": source, "manyi": converted}
                for code, source, converted in self.conditions
            ],
            "participants": self.participants,
            "responses": self.responses,
            "notes": [str(note) for note in self.notes],
        }


@dataclass
class PlannedOption:
    code: str
    label: str
    points: float | None = None
    condition: str = ""


@dataclass
class PlannedQuestion:
    code: str
    text: str
    kind: str
    lime_type: str
    qid: str = ""
    help_text: str = ""
    required: bool = False
    allow_other: bool = False
    options: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # (code, text, LimeSurvey code)
    columns: list = field(default_factory=list)  # (code, label, column kind)
    table_max_rows: int = 1
    subquestion_codes: dict = field(default_factory=dict)  # LimeSurvey subquestion qid -> its code
    in_dimension: bool = True  # False: outside every dimension (our export's mark)
    dimension: DimensionMark | None = None  # our export's dimension mark (marks.py)
    randomise_options: bool = False  # LimeSurvey's random_order
    anchored: tuple = ()  # option codes kept in place (our export's manyi-anchored- marks)
    random_group: str = ""  # LimeSurvey's random_group: shuffled among the group's questions
    condition: str = ""
    relevance: str = ""
    group: int = 0

    @property
    def kind_label(self):
        return QuestionKind(self.kind).label

    @property
    def scored(self):
        points = [o.points for o in self.options if o.points is not None]
        return self.kind in (QuestionKind.RATING, QuestionKind.MATRIX) and len(set(points)) >= 2


@dataclass
class PlannedGroup:
    """A question group: a page of the questionnaire (its relevance the page's condition)."""

    code: str
    title: str
    description: str
    relevance: str
    condition: str = ""
    randomise: bool = False  # all its questions in one random_group: the page shuffles them


@dataclass
class Plan:
    title: str
    description: str
    intro: str
    thanks: str
    groups: list
    questions: list
    report: ImportReport
    sid: str = ""
    dimensions: list = field(default_factory=list)  # DimensionMark, when the file carries ours
    translations: dict = field(default_factory=dict)  # {"en": texts}: Questionnaire.translations

    def makes_pages(self):
        """Whether the groups become pages: more than one group with questions, or one with a
        condition or a description (a survey of one plain group stays one untitled page)."""
        groups = [group for group, _questions in self.pages()]
        return len(groups) > 1 or any(g.condition or g.description for g in groups)

    def pages(self):
        """[(group, its questions)] in order, groups without a question left out: the pages the
        import creates (importing._pages), for the preview."""
        return [
            (group, [q for q in self.questions if q.group == index])
            for index, group in enumerate(self.groups)
            if any(q.group == index for q in self.questions)
        ]


SCALE_KINDS = (QuestionKind.RATING, QuestionKind.MATRIX)


def neutral_points(options):
    """The middle of an odd-length points scale (3 of 1-5) is its neutral answer, as in the
    builder's seed scales; an even-length scale has none."""
    points = sorted({o.points for o in options if o.points is not None})
    return points[len(points) // 2] if len(points) % 2 == 1 and len(points) >= 3 else None


def plain(text, limit=None, report=None, where=""):
    """LimeSurvey's HTML as plain text (tags dropped, entities read, spaces collapsed)."""
    text = html.unescape(strip_tags(text or "")).replace("\xa0", " ")
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r"\s*\n\s*", "\n", text).strip()
    if limit and len(text) > limit:
        if report is not None:
            report.add("truncated", where)
        text = text[: limit - 1] + "…"
    return text


def pick_language(languages):
    """The language a single-language questionnaire takes: zh-Hans when present, else the first."""
    for code in languages:
        if code.lower() in ("zh-hans", "zh_hans", "zh-cn", "zh"):
            return code
    return languages[0] if languages else "en"


class _Codes:
    """Question and matrix row codes, unique in the questionnaire, ASCII, at most 20 characters."""

    def __init__(self):
        self.used = set()

    def take(self, wanted, prefix="Q"):
        code = re.sub(r"[^A-Za-z0-9_]", "", wanted or "")[:CODE_MAX]
        if not code or not code[0].isalpha():
            code = (prefix + code)[:CODE_MAX]
        base, n = code, 1
        while code.lower() in self.used:
            n += 1
            code = f"{base[: CODE_MAX - len(str(n)) - 1]}_{n}"
        self.used.add(code.lower())
        return code


class Planner:
    """Turns a structure.Survey into a Plan (see plan_questionnaire)."""

    def __init__(self, survey, language=None, kept=()):
        self.survey = survey
        self.language = language or pick_language(survey.languages)
        self.kept = kept  # languages whose texts are kept besides (not reported as lost)
        self.zh = self.language.lower().startswith("zh")
        self.report = ImportReport(
            languages=list(survey.languages), language=self.language, db_version=survey.db_version
        )
        self.codes = _Codes()
        self.refs = {}  # code -> QuestionRef for the relevance converter
        self.qids = {}  # LimeSurvey qid -> Manyi code
        self.pending_help = ""

    def text(self, texts, index=None):
        value = texts.get(self.language)
        if value is None:
            value = texts.get(self.survey.base_language)
        if value is None and texts:
            value = next(iter(texts.values()))
        if value is None:
            return ""
        return value if index is None else value[index]

    def plan(self):
        survey, report = self.survey, self.report
        report.groups = len(survey.groups)
        self.marked = marked = self._dimension_marks()
        report.groups_as_dimensions = survey.uses_assessments and not marked
        self._survey_level_report(marked)
        texts = survey.texts.get(self.language) or survey.texts.get(survey.base_language) or {}
        groups = []
        for index, group in enumerate(survey.groups):
            groups.append(
                PlannedGroup(
                    code=f"G{index + 1}",
                    title=plain(self.text(group.texts, 0), TITLE_MAX, report, f"G{index + 1}")
                    or f"G{index + 1}",
                    description=plain(self.text(group.texts, 1)),
                    relevance=group.relevance,
                )
            )
        questions = []
        for index, group in enumerate(survey.groups):
            for question in group.questions:
                planned = self.question(question)
                if planned is not None:
                    planned.group = index
                    questions.append(planned)
        self._conditions(questions, groups)
        self._builder_rules(questions)
        self._shuffled_groups(questions, groups)
        plan = Plan(
            title=plain(texts.get("title", ""), TITLE_MAX)
            or _("LimeSurvey survey %(sid)s") % {"sid": survey.sid},
            description=plain(texts.get("description", "")),
            intro=plain(texts.get("welcome", "")),
            thanks=plain(texts.get("end", "")),
            groups=groups,
            questions=questions,
            report=report,
            sid=survey.sid,
            dimensions=self.marked,
        )
        report.groups_as_pages = plan.makes_pages()
        return plan

    def _shuffled_groups(self, questions, groups):
        """A group whose questions all share one random_group shuffles them (a page that
        shuffles its questions); a random group that is only part of a group, or spans groups,
        has no equivalent and is reported."""
        by_name = {}
        for planned in questions:
            if planned.random_group:
                by_name.setdefault(planned.random_group, []).append(planned)
        for name, members in by_name.items():
            group = members[0].group
            whole = [q for q in questions if q.group == group]
            if all(q.group == group for q in members) and len(members) == len(whole) and len(whole) > 1:
                groups[group].randomise = True
            else:
                self.report.add("random_group", f"{name}: {', '.join(q.code for q in members)}")

    def _dimension_marks(self):
        """Our export's dimension marks (marks.py), in the order of their positions: the
        questionnaire's dimensions when its question groups were its pages."""
        found = {}
        for group in self.survey.groups:
            for question in group.questions:
                mark = read_dimension_mark(question.attributes.get("cssclass", ""))
                if mark is not None:
                    found.setdefault(mark.code, mark)
        return sorted(found.values(), key=lambda mark: mark.position)

    def _survey_level_report(self, marked=()):
        survey, report = self.survey, self.report
        for code in survey.languages:
            if code != self.language and code not in self.kept:
                report.add("other_language", code)
        for key, section in (
            ("conditions_table", "conditions"),
            ("assessment_rules", "assessments"),
            ("quota", "quota"),
            ("default_values", "defaultvalues"),
        ):
            if survey.counts.get(section):
                report.add(key, section, survey.counts[section])
        if len(survey.groups) > 1:
            report.notes.append(
                _(
                    "Each question group becomes a page of the questionnaire (respondents go on with "
                    "“next”); a group's relevance becomes the page's condition."
                )
            )
        if marked:
            report.notes.append(
                _(
                    "The questions carry Manyi's dimension marks: the questionnaire's dimensions come "
                    "back as they were exported (%(dimensions)s)."
                )
                % {"dimensions": ", ".join(f"{mark.code} {mark.title}" for mark in marked)}
            )
        elif survey.uses_assessments:
            report.notes.append(
                _("The survey uses assessments: its question groups became the questionnaire's dimensions.")
            )
        else:
            report.notes.append(
                _(
                    "The survey uses no assessments: its question groups are layout only and were not "
                    "made dimensions of the index; the questions keep the groups' order."
                )
            )

    def question(self, question):
        """The PlannedQuestion for a LimeSurvey question (None for those that are no question)."""
        report = self.report
        report.questions += 1
        report.subquestions += len(question.subquestions)
        report.answers += len(question.answers)
        text, help_text = self.text(question.texts, 0), self.text(question.texts, 1)
        if question.type in NOT_QUESTIONS:
            key = {"X": "text_display", "*": "equation", "I": "language_switch"}[question.type]
            report.add(key, question.code)
            if question.type == "X":
                self.pending_help = plain(text)
            return None
        code = self.codes.take(question.code)
        self.qids[question.qid] = code
        planned = PlannedQuestion(
            code=code,
            text=self.piped(plain(text, TEXT_MAX, report, code), code) or code,
            help_text=plain(
                " ".join(filter(None, [self.pending_help, plain(help_text)])), TEXT_MAX, report, code
            ),
            kind=QuestionKind.TEXT,
            lime_type=question.type,
            qid=question.qid,
            required=question.mandatory,
            relevance=question.relevance,
        )
        self.pending_help = ""
        planned.subquestion_codes = {sub.qid: sub.code for sub in question.subquestions}
        builder = _BUILDERS.get(question.type, _unknown)
        builder(self, question, planned)
        self._unique_option_codes(planned)
        planned.in_dimension = "manyi-no-dimension" not in question.attributes.get("cssclass", "").split()
        planned.dimension = read_dimension_mark(question.attributes.get("cssclass", ""))
        planned.randomise_options = question.attributes.get("random_order", "").strip() in ("1", "Y")
        planned.anchored = tuple(ANCHORED_MARK.findall(question.attributes.get("cssclass", "")))
        planned.random_group = question.attributes.get("random_group", "").strip()
        marked = KIND_MARK.search(question.attributes.get("cssclass", ""))
        if (
            marked
            and marked.group(1) in QuestionKind.values
            and planned.kind in _MARK_FITS.get(marked.group(1), ())
        ):
            planned.kind = marked.group(1)
        self.refs[code] = QuestionRef(
            code=code,
            multiple=planned.kind == QuestionKind.MULTIPLE,
            subcodes={lime: mine for mine, _t, lime in planned.rows}
            | {o.code: o.code for o in planned.options if planned.kind == QuestionKind.MULTIPLE},
        )
        return planned

    def _unique_option_codes(self, planned):
        """Option codes are unique per question: a repeated or empty code (a damaged or
        hand-edited file) gets the next free A<n>, and is reported."""
        seen = set()
        for option in planned.options:
            code = re.sub(r"[^A-Za-z0-9_]", "", option.code)
            if code and code not in seen:
                option.code = code
            else:
                n = 1
                while f"A{n}" in seen or f"A{n}" in {o.code for o in planned.options}:
                    n += 1
                self.report.add("duplicate_codes", f"{planned.code}: {option.code or '—'} → A{n}")
                option.code = f"A{n}"
            seen.add(option.code)

    def piped(self, text, where):
        """LimeSurvey's {expression} piping in a text, as Manyi piping where it converts."""

        def one(match):
            try:
                return "{" + relevance_to_condition(match.group(1), self.refs, self.qids) + "}"
            except NotConverted:
                self.report.add("piping", f"{where}: {match.group(0)}")
                return "{{" + match.group(1) + "}}"

        return re.sub(r"\{([^{}]{1,200})\}", one, text)

    def answers_as_options(self, question, planned, scale=0):
        answers = [a for a in question.answers if a.scale == scale]
        carried = any(a.assessment for a in answers)  # LimeSurvey writes 0 when none was set
        for answer in answers:
            planned.options.append(
                PlannedOption(
                    code=answer.code[:CODE_MAX],
                    label=plain(self.text(answer.texts), LABEL_MAX, self.report, planned.code) or answer.code,
                    points=answer.assessment if carried and answer.assessment is not None else None,
                )
            )

    def fixed_options(self, lime_type, planned):
        for code, labels in FIXED[lime_type]:
            planned.options.append(PlannedOption(code=code, label=labels[0] if self.zh else labels[1]))

    def point_options(self, top, planned):
        for value in range(1, top + 1):
            planned.options.append(PlannedOption(code=str(value), label=str(value), points=float(value)))

    def subquestions_as_rows(self, question, planned, scale=0):
        for sub in question.subquestions:
            if sub.scale != scale:
                continue
            if sub.relevance not in ("", "1"):
                self.report.add("subquestion_relevance", f"{planned.code}_{sub.code}")
            wanted = sub.code if sub.code.lower() not in self.codes.used else f"{planned.code}_{sub.code}"
            row_code = self.codes.take(wanted, prefix="R")
            text = plain(self.text(sub.texts), LABEL_MAX, self.report, row_code) or sub.code
            planned.rows.append((row_code, text, sub.code))

    def _conditions(self, questions, groups):
        """Group relevance -> the page's condition, question relevance -> the question's."""
        for group in groups:
            try:
                group.condition = relevance_to_condition(group.relevance, self.refs, self.qids)
            except NotConverted:
                self.report.add("group_relevance", f"{group.code}: {group.relevance[:100]}")
                continue
            if group.relevance not in ("", "1"):
                self.report.conditions.append(
                    (f"{group.code} · {group.title}", group.relevance, group.condition)
                )
        for planned in questions:
            try:
                planned.condition = relevance_to_condition(planned.relevance, self.refs, self.qids)
            except NotConverted:
                self.report.add("relevance", f"{planned.code}: {planned.relevance[:100]}")
                planned.condition = ""
            self._option_conditions(planned)
            if planned.relevance not in ("", "1"):
                self.report.conditions.append((planned.code, planned.relevance, planned.condition))

    def _builder_rules(self, questions):
        """What the builder's rules (surveys.forms.check_question) will ask of each question."""
        from ..choices import ScaleMethod, ValidityRule
        from ..forms import check_question

        codes = {q.code for q in questions} | {row[0] for q in questions for row in q.rows}
        for planned in questions:
            neutral = neutral_points(planned.options) if planned.kind in SCALE_KINDS else None
            options = [
                {
                    "label": o.label,
                    "points": o.points,
                    "is_neutral": neutral is not None and o.points == neutral,
                }
                for o in planned.options
            ]
            problems = check_question(
                kind=planned.kind,
                scored=planned.scored,
                options=options,
                rows=[{"code": code, "text": text} for code, text, _lime in planned.rows],
                validity_rule=ValidityRule.ONE_MISSING_NEUTRAL,
                scale_method=ScaleMethod.RATIO,
                codes_in_use=codes - {planned.code} - {row[0] for row in planned.rows},
                code=planned.code,
            )
            for problem in problems:
                self.report.add("builder_rules", f"{planned.code}: {problem}")

    def _option_conditions(self, planned):
        for option in planned.options:
            if not option.condition:
                continue
            source = option.condition
            try:
                option.condition = relevance_to_condition(source, self.refs, self.qids)
            except NotConverted:
                option.condition = ""
                self.report.add("subquestion_relevance", f"{planned.code}_{option.code}: {source[:80]}")
                continue
            self.report.conditions.append((f"{planned.code}.{option.code}", source, option.condition))


# Which kinds a question's own mark may restore (our export writes every choice kind as a list).
_MARK_FITS = {
    QuestionKind.RATING: {QuestionKind.RATING, QuestionKind.SINGLE},
    QuestionKind.SINGLE: {QuestionKind.RATING, QuestionKind.SINGLE},
    QuestionKind.YES_NO: {QuestionKind.RATING, QuestionKind.SINGLE},
}


def _single(planner, question, planned):
    if question.type == "G":
        planner.fixed_options("G", planned)
    else:
        planner.answers_as_options(question, planned)
    points = [o.points for o in planned.options if o.points is not None]
    planned.kind = QuestionKind.RATING if len(set(points)) >= 2 else QuestionKind.SINGLE
    planned.allow_other = question.other and planned.kind == QuestionKind.SINGLE
    if question.other and not planned.allow_other:
        planner.report.add("other_option", planned.code)
    if question.type == "O":
        planner.report.add("list_comment", planned.code)


def _yes_no(planner, question, planned):
    planned.kind = QuestionKind.YES_NO
    planner.fixed_options("Y", planned)


def _five_point(planner, question, planned):
    planned.kind = QuestionKind.RATING
    planner.point_options(5, planned)


def _multiple(planner, question, planned):
    planned.kind = QuestionKind.MULTIPLE
    planned.allow_other = question.other
    if question.type == "R":
        planner.report.add("ranking", planned.code)
        planner.answers_as_options(question, planned)
        return
    if question.type == "P":
        planner.report.add("list_comment", planned.code)
    for sub in question.subquestions:
        planned.options.append(
            PlannedOption(
                code=sub.code[:CODE_MAX],
                label=plain(planner.text(sub.texts), LABEL_MAX, planner.report, planned.code) or sub.code,
                condition=sub.relevance if sub.relevance not in ("", "1") else "",
            )
        )


def _matrix(planner, question, planned):
    planned.kind = QuestionKind.MATRIX
    kind = question.type
    if kind in POINT_SCALES:
        planner.point_options(POINT_SCALES[kind], planned)
    elif kind in FIXED:
        planner.fixed_options(kind, planned)
    else:
        planner.answers_as_options(question, planned, scale=0)
    if kind == "1" and any(a.scale == 1 for a in question.answers):
        planner.report.add("dual_scale", planned.code)
    if kind == "H":
        planner.report.add("by_column", planned.code)
    planner.subquestions_as_rows(question, planned)


def _table(planner, question, planned):
    """Arrays of numbers or texts (fixed rows by columns), multiple numeric and multiple short
    text (one row of labelled cells) become a table: columns the respondent fills."""
    if not hasattr(QuestionKind, "TABLE"):
        return _text(planner, question, planned)
    from ..choices import TableColumnKind

    planned.kind = QuestionKind.TABLE
    number = question.type in (":", "K")
    scale = 1 if question.type in (":", ";") else 0
    column_codes = _Codes()
    for sub in question.subquestions:
        if sub.scale == scale:
            label = plain(planner.text(sub.texts), 100, planner.report, planned.code) or sub.code
            kind = TableColumnKind.NUMBER if number else TableColumnKind.TEXT
            code = column_codes.take(sub.code, prefix="C")
            marked = re.search(
                rf"\bmanyi-column-{re.escape(code)}-(\w+)", question.attributes.get("cssclass", "")
            )
            if marked and marked.group(1) in TableColumnKind.values:
                kind = marked.group(1)
            planned.columns.append((code, label, kind))
    rows = [s for s in question.subquestions if s.scale == 0] if scale == 1 else []
    planned.table_max_rows = max(1, min(20, len(rows) or 1))
    numbered = [plain(planner.text(s.texts)) for s in rows] == [str(n + 1) for n in range(len(rows))]
    if rows and not numbered:  # rows 1, 2, 3 … are a table's fillable rows (as our export writes)
        planner.report.add("array_text_rows", planned.code)
        labels = "、".join(plain(planner.text(s.texts)) or s.code for s in rows)
        planned.help_text = plain(" ".join(filter(None, [planned.help_text, labels])), TEXT_MAX)
    if not planned.columns:
        return _text(planner, question, planned)
    return None


def _text(planner, question, planned):
    planned.kind = QuestionKind.TEXT
    key = {"D": "date", "|": "file_upload"}.get(question.type)
    if key:
        planner.report.add(key, planned.code)


def _numeric(planner, question, planned):
    low = question.attributes.get("min_num_value_n", "").strip()
    high = question.attributes.get("max_num_value_n", "").strip()
    if low in ("0", "0.0") and high in ("10", "10.0"):
        planned.kind = QuestionKind.NPS
        return
    planned.kind = QuestionKind.TEXT
    planner.report.add("numeric", planned.code)


def _unknown(planner, question, planned):
    planned.kind = QuestionKind.TEXT
    planner.report.add("unknown_type", f"{planned.code} ({question.type})")


_BUILDERS = {
    **dict.fromkeys(SINGLE_TYPES, _single),
    "Y": _yes_no,
    "5": _five_point,
    **dict.fromkeys(MULTIPLE_TYPES, _multiple),
    **dict.fromkeys(MATRIX_TYPES, _matrix),
    **dict.fromkeys(TABLE_TYPES, _table),
    **dict.fromkeys({"S", "T", "U", "D", "|"}, _text),
    "N": _numeric,
}


def plan_questionnaire(survey):
    """The Plan (questionnaire, questions, report) for a structure.Survey; no database access.

    A questionnaire holds its texts in one language (zh-Hans when the survey has it) and keeps
    English besides when the survey has both (Questionnaire.translations, shown when the page
    is in English): the survey planned a second time in English gives the same codes, so its
    texts are kept by question, option, row and page."""
    language = pick_language(survey.languages)
    english = next(
        (code for code in survey.languages if code.lower().startswith("en") and code != language), None
    )
    plan = Planner(survey, kept=(english,) if english else ()).plan()
    if english:
        plan.translations = {"en": _texts_of(Planner(survey, language=english).plan())}
        plan.report.notes.append(
            _(
                "The English texts (%(language)s) are kept besides: respondents who choose English see "
                "them; the builder edits the questionnaire's own language."
            )
            % {"language": english}
        )
    return plan


def _texts_of(plan):
    """A plan's texts in the shape of Questionnaire.translations' language entry."""
    pages = [group for group, _questions in plan.pages()] if plan.makes_pages() else []
    return {
        "title": plan.title,
        "description": plan.description,
        "intro": plan.intro,
        "thanks": plan.thanks,
        "pages": {
            str(position): {"title": group.title, "description": group.description}
            for position, group in enumerate(pages)
        },
        "dimensions": {group.code: group.title for group in plan.groups}
        if plan.report.groups_as_dimensions
        else {},
        "questions": {
            question.code: {
                "text": question.text,
                "help_text": question.help_text,
                "options": {option.code: option.label for option in question.options},
                "rows": {code: text for code, text, _lime in question.rows},
            }
            for question in plan.questions
        },
    }
