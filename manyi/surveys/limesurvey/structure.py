"""A LimeSurvey survey document as plain objects, whatever LimeSurvey version wrote it.

LimeSurvey 2.x and 3.x (DBVersion below 400) keep the texts in the rows: one <questions> row,
one <answers> row and one <groups> row per language, with `question`, `answer`, `group_name`
and `language` fields. LimeSurvey 4, 5 and 6 (DBVersion 4xx-6xx) keep one row per question,
answer and group, and the texts in question_l10ns, answer_l10ns and group_l10ns (answers then
have an `aid`). Both are read into the same objects here.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .reader import LimeSurveyFileError, db_version, table


@dataclass
class Answer:
    code: str
    order: int
    assessment: float | None
    scale: int
    texts: dict = field(default_factory=dict)  # language -> label


@dataclass
class SubQuestion:
    qid: str
    code: str
    order: int
    scale: int
    relevance: str
    texts: dict = field(default_factory=dict)


@dataclass
class Question:
    qid: str
    gid: str
    type: str
    code: str
    order: int
    mandatory: bool
    other: bool
    relevance: str
    texts: dict = field(default_factory=dict)  # language -> (question, help)
    subquestions: list = field(default_factory=list)
    answers: list = field(default_factory=list)
    attributes: dict = field(default_factory=dict)  # name -> value (the base language's)


@dataclass
class Group:
    gid: str
    order: int
    relevance: str
    texts: dict = field(default_factory=dict)  # language -> (name, description)
    questions: list = field(default_factory=list)


@dataclass
class Survey:
    sid: str
    db_version: int
    base_language: str
    languages: list
    uses_assessments: bool
    texts: dict  # language -> {"title", "description", "welcome", "end"}
    groups: list
    counts: dict  # other sections: conditions, assessments, quota, question_attributes …

    @property
    def questions(self):
        return [q for g in self.groups for q in g.questions]


def _int(value, default=0):
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _l10n(root, name, key):
    """key id -> {language: row} from a LimeSurvey 4+ *_l10ns section."""
    found = {}
    for row in table(root, name):
        found.setdefault(row.get(key, ""), {})[row.get("language", "")] = row
    return found


def _languages(root, survey_row):
    base = survey_row.get("language", "").strip()
    listed = [el.text.strip() for el in root.findall("languages/language") if el.text and el.text.strip()]
    extra = survey_row.get("additional_languages", "").split()
    languages = []
    for code in [base, *listed, *extra]:
        if code and code not in languages:
            languages.append(code)
    return (base or (languages[0] if languages else "en")), languages or ["en"]


def read_survey(root):
    """A Survey from the <document> of a .lss file."""
    surveys = table(root, "surveys")
    if not surveys:  # LimeSurvey refuses such a file too ("Missing or malformed element of type 'survey'")
        raise LimeSurveyFileError(
            _(
                "The file holds no survey (its “surveys” part is missing). Please export it again from LimeSurvey."
            )
        )
    survey_row = surveys[0]
    base, languages = _languages(root, survey_row)
    texts = {
        row.get("surveyls_language", base): {
            "title": row.get("surveyls_title", ""),
            "description": row.get("surveyls_description", ""),
            "welcome": row.get("surveyls_welcometext", ""),
            "end": row.get("surveyls_endtext", ""),
        }
        for row in table(root, "surveys_languagesettings")
    }
    groups = _groups(root)
    questions = _questions(root, base)
    by_gid = {g.gid: g for g in groups}
    for question in questions:
        group = by_gid.get(question.gid)
        if group is None:  # a question in a group the file does not have: keep it in one
            group = by_gid.setdefault(question.gid, Group(gid=question.gid, order=10**6, relevance=""))
            groups.append(group)
        group.questions.append(question)
    for group in groups:
        group.questions.sort(key=lambda q: (q.order, _int(q.qid)))
    groups.sort(key=lambda g: (g.order, _int(g.gid)))
    counts = {
        name: len(table(root, name))
        for name in (
            "conditions",
            "assessments",
            "quota",
            "quota_members",
            "defaultvalues",
            "survey_url_parameters",
        )
    }
    return Survey(
        sid=survey_row.get("sid", ""),
        db_version=db_version(root),
        base_language=base,
        languages=languages,
        uses_assessments=survey_row.get("assessments", "N").upper() == "Y",
        texts=texts,
        groups=groups,
        counts=counts,
    )


def _groups(root):
    groups = {}
    l10n = _l10n(root, "group_l10ns", "gid")
    for row in table(root, "groups"):
        gid = row.get("gid", "")
        group = groups.get(gid)
        if group is None:
            group = groups[gid] = Group(
                gid=gid, order=_int(row.get("group_order")), relevance=row.get("grelevance", "").strip()
            )
        if "group_name" in row:  # LimeSurvey 2.x / 3.x: one row per language
            group.texts[row.get("language", "")] = (row.get("group_name", ""), row.get("description", ""))
    for gid, by_language in l10n.items():
        if gid in groups:
            for language, row in by_language.items():
                groups[gid].texts[language] = (row.get("group_name", ""), row.get("description", ""))
    return list(groups.values())


def _questions(root, base):
    questions, subquestions = {}, {}
    l10n = _l10n(root, "question_l10ns", "qid")
    for section in ("questions", "subquestions"):
        for row in table(root, section):
            _question_row(row, questions, subquestions)
    for qid, by_language in l10n.items():
        target = questions.get(qid) or subquestions.get(qid, (None,))[0]
        if target is None:
            continue
        for language, row in by_language.items():
            if isinstance(target, Question):
                target.texts[language] = (row.get("question", ""), row.get("help", ""))
            else:
                target.texts[language] = row.get("question", "")
    for sub in subquestions.values():
        parent = questions.get(sub[1])
        if parent is not None:
            parent.subquestions.append(sub[0])
    for question in questions.values():
        question.subquestions.sort(key=lambda s: (s.scale, s.order, _int(s.qid)))
    _answers(root, questions)
    _attributes(root, questions, base)
    return list(questions.values())


def _question_row(row, questions, subquestions):
    qid = row.get("qid", "")
    parent = row.get("parent_qid", "0") or "0"
    language = row.get("language", "")
    if parent != "0":
        entry = subquestions.get(qid)
        if entry is None:
            sub = SubQuestion(
                qid=qid,
                code=row.get("title", "").strip(),
                order=_int(row.get("question_order")),
                scale=_int(row.get("scale_id")),
                relevance=row.get("relevance", "").strip(),
            )
            entry = subquestions[qid] = (sub, parent)
        if "question" in row:
            entry[0].texts[language] = row.get("question", "")
        return
    question = questions.get(qid)
    if question is None:
        question = questions[qid] = Question(
            qid=qid,
            gid=row.get("gid", ""),
            type=row.get("type", "").strip(),
            code=row.get("title", "").strip(),
            order=_int(row.get("question_order")),
            mandatory=row.get("mandatory", "N").upper() in ("Y", "S"),
            other=row.get("other", "N").upper() == "Y",
            relevance=row.get("relevance", "").strip(),
        )
    if "question" in row:
        question.texts[language] = (row.get("question", ""), row.get("help", ""))


def _answers(root, questions):
    l10n = _l10n(root, "answer_l10ns", "aid")
    found, seen = {}, {}
    for row in table(root, "answers"):
        question = questions.get(row.get("qid", ""))
        if question is None:
            continue
        # One answer per aid (LimeSurvey 4+); before, one row per language, so the nth row of a
        # code in a language is the nth answer with that code (a repeated code stays two answers).
        base = (row.get("qid"), row.get("code", ""), _int(row.get("scale_id")))
        occurrence = (*base, row.get("language", ""))
        seen[occurrence] = seen.get(occurrence, 0) + 1
        key = ("aid", row["aid"]) if row.get("aid") else (*base, seen[occurrence])
        answer = found.get(key)
        if answer is None:
            answer = found[key] = Answer(
                code=row.get("code", "").strip(),
                order=_int(row.get("sortorder")),
                assessment=_number(row.get("assessment_value")),
                scale=_int(row.get("scale_id")),
            )
            question.answers.append(answer)
        if "answer" in row:
            answer.texts[row.get("language", "")] = row.get("answer", "")
        for language, text_row in l10n.get(row.get("aid", ""), {}).items() if row.get("aid") else ():
            answer.texts[language] = text_row.get("answer", "")
    for question in questions.values():
        question.answers.sort(key=lambda a: (a.scale, a.order))


def _attributes(root, questions, base):
    for row in table(root, "question_attributes"):
        question = questions.get(row.get("qid", ""))
        language = row.get("language", "")
        if question is not None and language in ("", base):
            question.attributes[row.get("attribute", "")] = row.get("value", "")
