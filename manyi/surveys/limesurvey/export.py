"""A Manyi questionnaire as a LimeSurvey 6 survey structure file (.lss), so nobody is locked in.

The file has the sections and fields of LimeSurvey 6's own exports (DBVersion 640): answers,
answer_l10ns, groups, group_l10ns, questions, subquestions, question_l10ns,
question_attributes, surveys and surveys_languagesettings, every value in CDATA.

    Manyi                    LimeSurvey
    rating, single, yes/no   L list (radio); options -> answers, points -> assessment values;
                             the Manyi kind in the cssclass attribute (manyi-kind-rating …)
    multiple                 M multiple choice; options -> subquestions
    matrix                   F array; rows -> subquestions, options -> answers
    nps                      N numerical input, 0 to 10
    text                     T long free text
    table                    ; array of texts (: of numbers when every column is a number);
                             columns -> subquestions of scale 1, one row per fillable row
    pages                    question groups (title, description, condition -> group relevance)
    dimensions               without pages: question groups (the survey then uses assessments);
                             questions outside any dimension in a last group, marked
                             manyi-no-dimension in their cssclass so that our import leaves them
                             outside; with or without pages, each question of a dimension carries
                             its dimension's code, title and weight in its cssclass (marks.py)
    condition                relevance equation (EXPRESSIONS.md, back the other way)
    codes                    as LimeSurvey's importer takes them (RESERVED_CODES below): renamed
                             codes are said in the notes and the conditions naming them follow
    shuffling                a question's shuffled options -> random_order (options kept in
                             place marked manyi-anchored-<code>); a page's shuffled questions ->
                             one random_group for the page's questions
    intro / thanks           welcome / end text
    English texts            (Questionnaire.translations, a bilingual import's) the additional
                             language "en": a second row of every *_l10ns and language setting
"""

import re

from django.utils.translation import gettext as _

from ..choices import QuestionKind
from ..logic.parser import ExpressionError, parse, unparse
from ..translations import page_texts, translated_question
from .expressions import NotConverted, condition_to_relevance
from .marks import dimension_mark

DB_VERSION = 640
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CJK = re.compile("[\u3400-\u9fff]")

QUESTION_FIELDS = [
    "qid", "parent_qid", "sid", "gid", "type", "title", "preg", "other", "mandatory", "encrypted",
    "question_order", "scale_id", "same_default", "relevance", "question_theme_name", "modulename",
    "same_script",
]  # fmt: skip
SURVEY_DEFAULTS = {
    "gsid": "1", "admin": "Manyi", "adminemail": "", "anonymized": "N", "format": "G",
    "savetimings": "N", "template": "fruity_twentythree", "additional_languages": "",
    "datestamp": "Y", "usecookie": "N", "allowregister": "N", "allowsave": "Y",
    "autonumber_start": "0", "autoredirect": "N", "allowprev": "Y", "printanswers": "N",
    "ipaddr": "N", "ipanonymize": "N", "refurl": "N", "showsurveypolicynotice": "0",
    "publicstatistics": "N", "publicgraphs": "N", "listpublic": "N", "htmlemail": "Y",
    "sendconfirmation": "N", "tokenanswerspersistence": "N", "usecaptcha": "N", "usetokens": "N",
    "tokenlength": "15", "showxquestions": "Y", "showgroupinfo": "B", "shownoanswer": "Y",
    "showqnumcode": "X", "showwelcome": "Y", "showprogress": "Y", "questionindex": "0",
    "navigationdelay": "0", "nokeyboard": "N", "alloweditaftercompletion": "N",
}  # fmt: skip
THEMES = {"L": "listradio", "M": "multiplechoice", "F": "arrays/array", "N": "numerical", "T": "longfreetext",
          ";": "arrays/texts", ":": "arrays/multiflexi"}  # fmt: skip


def _cdata(value):
    text = _INVALID_XML.sub("", str(value))
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def write_document(sections, languages, doc_type="Survey", db_version=DB_VERSION):
    """LimeSurvey XML for [(section, fields, rows)], rows as dicts (missing or "" fields empty)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<document>",
        f" <LimeSurveyDocType>{doc_type}</LimeSurveyDocType>",
        f" <DBVersion>{db_version}</DBVersion>",
    ]
    if languages:
        lines += [" <languages>", *(f"  <language>{code}</language>" for code in languages), " </languages>"]
    for name, fields, rows in sections:
        if not rows:
            continue
        lines += [
            f" <{name}>",
            "  <fields>",
            *(f"   <fieldname>{f}</fieldname>" for f in fields),
            "  </fields>",
        ]
        lines.append("  <rows>")
        for row in rows:
            lines.append("   <row>")
            for f in fields:
                value = row.get(f, "")
                lines.append(f"    <{f}/>" if value in ("", None) else f"    <{f}>{_cdata(value)}</{f}>")
            lines.append("   </row>")
        lines += ["  </rows>", f" </{name}>"]
    lines.append("</document>")
    return ("\n".join(lines) + "\n").encode("utf-8")


# What LimeSurvey's importer checks of codes (LimeSurvey/LimeSurvey application/models/Question.php
# rules(), Answer.php rules(); see tests/test_export_limesurvey_rules.py): a question code is a
# letter then letters and digits, at most 20, unique in the survey and not one of Expression
# Manager's reserved words; a subquestion code is letters and digits, unique per question and
# scale regardless of case, never "time" nor, when the question offers "other", "other"; an
# answer code 1-5 letters and digits, unique per question and scale.
RESERVED_CODES = {"LANG", "SID", "SAVEDID", "TOKEN", "QID", "GID", "SGQ", "self", "that", "this"}
RESERVED_SUBQUESTION_CODES = {"time", "other"}


def _alnum(code, fallback, limit=20):
    cleaned = re.sub(r"[^A-Za-z0-9]", "", code or "")[:limit]
    return cleaned if cleaned and cleaned[0].isalpha() else fallback


def _unique(code, seen, limit=20, reserved=()):
    """`code`, or with a number after it when an earlier one took it or it is reserved
    (LimeSurvey codes are unique regardless of case)."""
    candidate, n = code[:limit], 1
    while candidate.lower() in seen or candidate in reserved or candidate.lower() in reserved:
        n += 1
        candidate = f"{code[: limit - len(str(n))]}{n}"
    seen.add(candidate.lower())
    return candidate


def _option_code(option, position, seen, reserved=()):
    fallback = f"A{position + 1}"
    return _unique(_alnum(getattr(option, "code", "") or fallback, fallback, limit=5), seen, 5, reserved)


class _Exporter:
    def __init__(self, questionnaire, texts=None, language=None):
        """texts: the questionnaire's texts in `language` (Questionnaire.translations), for the
        second language's rows; without them its own texts, in the language they are written in."""
        self.questionnaire = questionnaire
        self.texts = texts or {}
        self.notes = []
        self.sid = str(100000 + questionnaire.pk % 800000)
        sample = " ".join(
            [questionnaire.title, questionnaire.intro] + [q.text for q in questionnaire.questions.all()]
        )
        self.language = language or ("zh-Hans" if _CJK.search(sample) else "en")
        self.rows = {name: [] for name in ("answers", "answer_l10ns", "groups", "group_l10ns", "questions",
                                           "subquestions", "question_l10ns", "question_attributes")}  # fmt: skip
        self.next_id = 0
        self.has_dimensions = questionnaire.dimensions.exists()
        questions = [translated_question(q, self.texts) for q in questionnaire.questions_in_order()]
        self.multiple_codes = {q.code for q in questions if q.kind == QuestionKind.MULTIPLE}
        self.questions = questions
        self._plan_codes()

    def _plan_codes(self):
        """The LimeSurvey code of every question, option and matrix row, decided before anything
        is written, so that a condition naming a renamed one is written with the new name."""
        self.codes, self.option_codes, self.row_codes = {}, {}, {}
        seen = set()
        for order, question in enumerate(self.questions):
            self.codes[question.code] = _unique(
                _alnum(question.code, f"Q{order + 1}"), seen, reserved=RESERVED_CODES
            )
            reserved = RESERVED_SUBQUESTION_CODES if question.kind == QuestionKind.MULTIPLE else ()
            taken = set()
            self.option_codes[question.pk] = [
                _option_code(option, position, taken, reserved)
                for position, option in enumerate(question.options.all())
            ]
            taken = set()
            self.row_codes[question.pk] = (
                [
                    _unique(
                        _alnum(row.code, f"SQ{position + 1:03d}"), taken, reserved=RESERVED_SUBQUESTION_CODES
                    )
                    for position, row in enumerate(question.rows.all())
                ]
                if question.kind == QuestionKind.MATRIX
                else []
            )
        self.renames = self._renames()

    def _renames(self):
        """{question code: (new code, {option code: new}, {row code: new})} of what changed."""
        renames = {}
        for question in self.questions:
            options = {
                o.code: new
                for o, new in zip(question.options.all(), self.option_codes[question.pk], strict=True)
                if o.code and o.code != new
            }
            rows = {
                r.code: new
                for r, new in zip(question.rows.all(), self.row_codes[question.pk], strict=False)
                if r.code != new
            }
            new_code = self.codes[question.code]
            if new_code != question.code or options or rows:
                renames[question.code] = (new_code, options, rows)
                for old, new in options.items():
                    self.notes.append(
                        _("%(code)s: option code %(old)s is written as %(new)s.")
                        % {"code": question.code, "old": old, "new": new}
                    )
        return renames

    def _multiple_lime_codes(self):
        return {self.codes.get(code, code) for code in self.multiple_codes}

    def _renamed(self, condition):
        """The condition with renamed questions, rows and option codes (unchanged when none)."""
        if not self.renames or not (condition or "").strip():
            return condition
        try:
            tree = parse(condition)
        except ExpressionError:
            return condition
        return unparse(_rename(tree, self.renames))

    def new_id(self):
        self.next_id += 1
        return str(self.next_id)

    def _text(self, name):
        """The questionnaire's title, description, intro or thanks in this export's language."""
        value = self.texts.get(name)
        return value if isinstance(value, str) and value.strip() else getattr(self.questionnaire, name)

    def build(self):
        survey, settings = self._fill()
        languages = [self.language]
        english = (getattr(self.questionnaire, "translations", None) or {}).get("en")
        if english and self.language != "en":
            # the English texts of a bilingual import, as LimeSurvey's additional language
            other = _Exporter(self.questionnaire, texts=english, language="en")
            _survey, other_settings = other._fill()
            for name in ("answer_l10ns", "group_l10ns", "question_l10ns"):
                self.rows[name] += [
                    {**row, "id": str(int(row["id"]) + self.next_id)} for row in other.rows[name]
                ]
            survey["additional_languages"] = "en"
            settings = [*settings, *other_settings]
            languages.append("en")
        return self._document(survey, settings, languages)

    def _fill(self):
        """Write the rows; ({surveys row}, [surveys_languagesettings row])."""
        q = self.questionnaire
        pages = list(q.pages.all()) if hasattr(q, "pages") else []
        if pages:
            groups = self._page_groups(pages)
            group_of = [groups[getattr(question, "page_id", None)] for question in self.questions]
        else:
            groups = self._groups()
            group_of = [groups[question.dimension_id] for question in self.questions]
        for order, question in enumerate(self.questions):
            self._question(question, group_of[order], order)
        survey = {**SURVEY_DEFAULTS, "sid": self.sid, "language": self.language,
                  "assessments": "Y" if q.dimensions.exists() and not pages else "N"}  # fmt: skip
        settings = {
            "surveyls_survey_id": self.sid,
            "surveyls_language": self.language,
            "surveyls_title": self._text("title"),
            "surveyls_description": self._text("description"),
            "surveyls_welcometext": self._text("intro"),
            "surveyls_endtext": self._text("thanks"),
            "surveyls_dateformat": "6" if self.language == "zh-Hans" else "9",
            "surveyls_numberformat": "0",
        }
        return survey, [settings]

    def _document(self, survey, settings, languages):
        sections = [
            (
                "answers",
                ["aid", "qid", "code", "sortorder", "assessment_value", "scale_id"],
                self.rows["answers"],
            ),
            ("answer_l10ns", ["id", "aid", "answer", "language"], self.rows["answer_l10ns"]),
            (
                "groups",
                ["gid", "sid", "group_order", "randomization_group", "grelevance"],
                self.rows["groups"],
            ),
            ("group_l10ns", ["id", "gid", "group_name", "description", "language"], self.rows["group_l10ns"]),
            ("questions", QUESTION_FIELDS, self.rows["questions"]),
            ("subquestions", QUESTION_FIELDS, self.rows["subquestions"]),
            (
                "question_l10ns",
                ["id", "qid", "question", "help", "script", "language"],
                self.rows["question_l10ns"],
            ),
            (
                "question_attributes",
                ["qid", "attribute", "value", "language"],
                self.rows["question_attributes"],
            ),
            ("surveys", ["sid", *SURVEY_DEFAULTS, "language", "assessments"], [survey]),
            ("surveys_languagesettings", list(settings[0]), settings),
        ]
        return write_document(sections, languages)

    def _groups(self):
        """Dimension pk (None for questions outside any) -> LimeSurvey gid, groups written."""
        groups = {}
        english = self.texts.get("dimensions") or {}
        titled = [(d.pk, english.get(d.code) or d.title) for d in self.questionnaire.dimensions.all()]
        if any(q.dimension_id is None for q in self.questions) or not titled:
            titled.append((None, self._text("title")))
        if self.questionnaire.dimensions.exists():
            self.notes.append(
                _(
                    "Dimension weights are not part of a LimeSurvey survey; the groups keep the titles, "
                    "and each question's CSS class keeps its dimension for Manyi's import."
                )
            )
        for order, (pk, title) in enumerate(titled):
            gid = self.new_id()
            groups[pk] = gid
            self.rows["groups"].append(
                {"gid": gid, "sid": self.sid, "group_order": order + 1, "grelevance": "1"}
            )
            self.rows["group_l10ns"].append(
                {"id": gid, "gid": gid, "group_name": title, "language": self.language}
            )
        return groups

    def _add_group(self, order, title, description="", relevance="1"):
        gid = self.new_id()
        self.rows["groups"].append(
            {"gid": gid, "sid": self.sid, "group_order": order + 1, "grelevance": relevance}
        )
        self.rows["group_l10ns"].append(
            {
                "id": gid,
                "gid": gid,
                "group_name": title,
                "description": description,
                "language": self.language,
            }
        )
        return gid

    def _page_groups(self, pages):
        """Page pk (None for the questions on no page, which come first) -> gid: a LimeSurvey
        question group is a page, its relevance the page's condition."""
        groups = {}
        if any(getattr(question, "page_id", None) is None for question in self.questions):
            groups[None] = self._add_group(0, self._text("title"))
        for page in pages:
            relevance = "1"
            if page.condition.strip():
                try:
                    relevance = condition_to_relevance(
                        self._renamed(page.condition), self._multiple_lime_codes()
                    )
                except NotConverted:
                    self.notes.append(
                        _("Page %(page)s: its condition has no LimeSurvey equivalent and was left out.")
                        % {"page": page.title or page.position + 1}
                    )
            title, description = page_texts(self.texts, page)
            title = title or _("Page %(number)s") % {"number": len(groups) + 1}
            groups[page.pk] = self._add_group(len(groups), title, description, relevance)
        if self.has_dimensions:
            self.notes.append(
                _(
                    "The question groups are the questionnaire's pages; the dimensions (code, title, "
                    "weight) are kept in each question's CSS class (manyi-dimension-…), which LimeSurvey "
                    "keeps and Manyi's import reads back; the options keep their points."
                )
            )
        return groups

    def _relevance(self, question):
        condition = self._renamed(getattr(question, "condition", ""))
        try:
            return condition_to_relevance(condition, self._multiple_lime_codes())
        except NotConverted:
            self.notes.append(
                _("%(code)s: its condition has no LimeSurvey equivalent and was left out.")
                % {"code": question.code}
            )
            return "1"

    def _question(self, question, gid, order):
        lime_type = _TYPES.get(question.kind, "T")
        if question.kind == getattr(QuestionKind, "TABLE", None):
            columns = list(question.columns.all())
            lime_type = ":" if columns and all(c.kind == "number" for c in columns) else ";"
        qid = self.new_id()
        code = self.codes[question.code]
        if code != question.code:
            self.notes.append(_("%(code)s is written as %(lime)s (LimeSurvey codes are letters and digits).")
                              % {"code": question.code, "lime": code})  # fmt: skip
        self.rows["questions"].append(
            self._row(qid, "0", gid, lime_type, code, order + 1, question, other=question.allow_other)
        )
        self.rows["question_l10ns"].append(
            {
                "id": qid,
                "qid": qid,
                "question": question.text,
                "help": question.help_text,
                "language": self.language,
            }
        )
        # Marks our import reads back (LimeSurvey only adds them as CSS classes): the Manyi kind of
        # a list, a table's column kinds, a question outside every dimension.
        marks = []
        if question.kind in (QuestionKind.RATING, QuestionKind.SINGLE, QuestionKind.YES_NO):
            marks.append(f"manyi-kind-{question.kind}")
        if lime_type in (";", ":"):
            marks += [
                "manyi-kind-table",
                *(f"manyi-column-{c.code}-{c.kind}" for c in question.columns.all()),
            ]
        if question.dimension_id is None and self.has_dimensions:
            marks.append("manyi-no-dimension")
        if question.dimension_id is not None:
            marks.append(dimension_mark(question.dimension))
        marks += self._shuffling(question, qid)
        if marks:
            self._attribute(qid, "cssclass", " ".join(marks))
        if question.kind == QuestionKind.NPS:
            self._attribute(qid, "min_num_value_n", "0")
            self._attribute(qid, "max_num_value_n", "10")
        _CHILDREN.get(lime_type, lambda *args: None)(self, question, qid, gid)

    def _shuffling(self, question, qid):
        """LimeSurvey's random_order (shuffled options) and random_group (a page that shuffles
        its questions); returns the cssclass marks of the options kept in place."""
        marks = []
        if getattr(question, "randomise_options", False):
            # LimeSurvey shuffles the answers (subquestions) of a question with random_order; it has
            # no option that keeps its place, so those are marked for our import
            marks += [
                f"manyi-anchored-{code}"
                for option, code in zip(question.options.all(), self.option_codes[question.pk], strict=True)
                if option.anchored
            ]
            self._attribute(qid, "random_order", "1")
            if any(option.anchored for option in question.options.all()):
                self.notes.append(
                    _(
                        "%(code)s: LimeSurvey shuffles every option; those kept in place here are shuffled there too."
                    )
                    % {"code": question.code}
                )
        page = getattr(question, "page", None) if getattr(question, "page_id", None) else None
        if page is not None and page.randomise_questions:
            # the questions of one random_group change places among themselves
            self._attribute(qid, "random_group", f"manyipage{page.position + 1}")
        return marks

    def _row(
        self, qid, parent, gid, lime_type, code, order, question=None, scale=0, other=False, relevance=None
    ):
        return {
            "qid": qid, "parent_qid": parent, "sid": self.sid, "gid": gid, "type": lime_type, "title": code,
            "other": "Y" if other else "N", "mandatory": "Y" if question is not None and question.required else "N",
            "encrypted": "N", "question_order": order, "scale_id": scale, "same_default": "0",
            "relevance": relevance or (self._relevance(question) if question is not None else "1"),
            "question_theme_name": THEMES.get(lime_type, ""), "same_script": "0",
        }  # fmt: skip

    def _attribute(self, qid, name, value):
        self.rows["question_attributes"].append({"qid": qid, "attribute": name, "value": value})

    def _sub(self, parent_qid, gid, lime_type, code, text, order, scale=0, relevance="1"):
        qid = self.new_id()
        row = self._row(qid, parent_qid, gid, lime_type, code, order, scale=scale, relevance=relevance)
        self.rows["subquestions"].append(row)
        self.rows["question_l10ns"].append(
            {"id": qid, "qid": qid, "question": text, "language": self.language}
        )

    def answers(self, question, qid, gid):
        if any(getattr(option, "condition", "") for option in question.options.all()):
            # LimeSurvey's answers have no relevance (only subquestions do)
            self.notes.append(_("%(code)s: an option's condition was left out.") % {"code": question.code})
        for position, option in enumerate(question.options.all()):
            aid = self.new_id()
            points = option.points
            if points is not None and points != int(points):
                self.notes.append(_("%(code)s: points %(points)s rounded (LimeSurvey assessment values are whole numbers).")
                                  % {"code": question.code, "points": points})  # fmt: skip
            value = "0" if points is None else str(round(points))
            code = self.option_codes[question.pk][position]
            self.rows["answers"].append({"aid": aid, "qid": qid, "code": code,
                                         "sortorder": position, "assessment_value": value, "scale_id": 0})  # fmt: skip
            self.rows["answer_l10ns"].append(
                {"id": aid, "aid": aid, "answer": option.label, "language": self.language}
            )

    def multiple(self, question, qid, gid):
        for position, option in enumerate(question.options.all()):
            relevance = "1"
            if getattr(option, "condition", ""):
                try:
                    relevance = condition_to_relevance(
                        self._renamed(option.condition), self._multiple_lime_codes()
                    )
                except NotConverted:
                    self.notes.append(
                        _("%(code)s: an option's condition was left out.") % {"code": question.code}
                    )
            self._sub(
                qid,
                gid,
                "T",
                self.option_codes[question.pk][position],
                option.label,
                position,
                relevance=relevance,
            )

    def matrix(self, question, qid, gid):
        self.answers(question, qid, gid)
        for position, row in enumerate(question.rows.all()):
            self._sub(qid, gid, "T", self.row_codes[question.pk][position], row.text, position)

    def table(self, question, qid, gid):
        for position in range(question.table_max_rows):
            self._sub(qid, gid, "T", f"R{position + 1}", str(position + 1), position)
        seen = set()
        for position, column in enumerate(question.columns.all()):
            code = _unique(_alnum(column.code, f"C{position + 1}"), seen, reserved=RESERVED_SUBQUESTION_CODES)
            self._sub(qid, gid, "T", code, column.label, position, scale=1)


def _rename(node, renames):
    """The tree with renamed references, and option codes compared with a renamed question's answer."""
    if not isinstance(node, list) or not node:
        return node
    if node[0] == "ref":
        renamed = renames.get(node[1])
        if renamed is None:
            return node
        parts = [renamed[0], *node[2:]]
        if len(parts) > 1 and parts[1] in renamed[2]:
            parts[1] = renamed[2][parts[1]]
        return ["ref", *parts]
    if node[0] in ("num", "str", "bool", "null"):
        return node
    head = node[:2] if node[0] == "call" else node[:1]
    args = node[len(head) :]
    options = {}
    for arg in args:  # a question's answer compared with codes: the codes follow its renames
        if isinstance(arg, list) and arg and arg[0] == "ref" and arg[1] in renames:
            options = renames[arg[1]][1]
    return [*head, *(_literal_renamed(_rename(arg, renames), options) for arg in args)]


def _literal_renamed(node, options):
    if not options or not isinstance(node, list) or not node:
        return node
    if node[0] == "str" and node[1] in options:
        return ["str", options[node[1]]]
    if node[0] == "list":
        return ["list", *(_literal_renamed(item, options) for item in node[1:])]
    return node


_TYPES = {
    QuestionKind.RATING: "L",
    QuestionKind.SINGLE: "L",
    QuestionKind.YES_NO: "L",
    QuestionKind.MULTIPLE: "M",
    QuestionKind.MATRIX: "F",
    QuestionKind.NPS: "N",
    QuestionKind.TEXT: "T",
}
_CHILDREN = {"L": _Exporter.answers, "M": _Exporter.multiple, "F": _Exporter.matrix, ";": _Exporter.table,
             ":": _Exporter.table}  # fmt: skip


def export_lss(questionnaire):
    """(the .lss file's bytes, notes on what LimeSurvey cannot hold) for a questionnaire."""
    exporter = _Exporter(questionnaire)
    return exporter.build(), exporter.notes
