"""Our .lss export against what LimeSurvey 6's importer requires of a survey file.

The rules below restate, in our words, what LimeSurvey/LimeSurvey checks when it imports a
.lss (read at application/helpers/admin/import_helper.php, XMLImportSurvey(), and the models
it saves through, application/models/Question.php rules() and Answer.php rules()):

- the document is a "Survey" (LimeSurveyDocType) whose <languages> list the survey's base
  language; a languagesettings row in a language not listed is skipped, so the survey would
  have no title (XMLImportSurvey: "Import survey languagesettings table");
- <surveys> holds the survey's row ("Missing or malformed element of type 'survey'" otherwise);
- from DBVersion 400 the texts live in group_l10ns, question_l10ns and answer_l10ns, joined
  by gid / qid / aid; a row naming an unknown id is skipped (so a text would be lost);
- a question's gid must be a group of the file (a question of group 0 is skipped); a
  subquestion's parent_qid must be a question of the file;
- question codes (title): 1-20 characters, a letter then letters and digits, unique in the
  survey, not one of Expression Manager's reserved words (LANG, SID, SAVEDID, TOKEN, QID, GID,
  SGQ, self, that, this); otherwise LimeSurvey renames them ("Question code %s was updated");
- subquestion codes: letters and digits, unique per parent and scale regardless of case, never
  "time", never "other" when the parent offers "other", never ending in "comment" under a
  multiple choice with comments (P);
- other Y/N, mandatory Y/S/N, encrypted Y/N, question_order / scale_id / same_default integers,
  type one character;
- answers: code of 1-5 letters and digits, unique per question and scale, sortorder and
  assessment_value whole numbers.
"""

import re

import pytest
from defusedxml import ElementTree

from manyi.surveys import loader
from manyi.surveys.choices import QuestionKind
from manyi.surveys.limesurvey import mapping, reader, structure
from manyi.surveys.limesurvey.export import export_lss
from manyi.surveys.models import Dimension, Page
from manyi.testing import make_question, make_questionnaire

pytestmark = pytest.mark.django_db

RESERVED = {"LANG", "SID", "SAVEDID", "TOKEN", "QID", "GID", "SGQ", "self", "that", "this"}
LIMESURVEY_TYPES = set("15ABCDEFGHIKLMNOPQRSTUXY!:;|*")
QUESTION_CODE = re.compile(r"[A-Za-z][A-Za-z0-9]*")
SUBQUESTION_CODE = re.compile(r"[A-Za-z0-9]+")
ANSWER_CODE = re.compile(r"[A-Za-z0-9]{1,5}")
WHOLE = re.compile(r"-?[0-9]+")


def _rows(root, section):
    return [{child.tag: (child.text or "") for child in row} for row in root.findall(f"{section}/rows/row")]


def limesurvey_import_problems(data):
    """What LimeSurvey 6's import would refuse, rename or skip in an .lss (see the docstring)."""
    root = ElementTree.fromstring(data, forbid_dtd=True)
    languages = [el.text for el in root.findall("languages/language")]
    groups = {g["gid"] for g in _rows(root, "groups")}
    questions = {q["qid"]: q for q in _rows(root, "questions")}
    subquestions = _rows(root, "subquestions")
    answers = _rows(root, "answers")
    problems = _survey_problems(root, languages)
    problems += _question_problems(questions, groups)
    problems += _subquestion_problems(subquestions, questions, groups)
    problems += _answer_problems(answers, questions)
    problems += _l10n_problems(root, languages, groups, questions, subquestions, answers)
    for attribute in _rows(root, "question_attributes"):
        if attribute.get("qid") not in questions:
            problems.append(f"attribute {attribute.get('attribute')}: its question is not in the file")
    return problems


def _survey_problems(root, languages):
    problems = []
    if root.findtext("LimeSurveyDocType") != "Survey":
        problems.append("not a Survey document")
    if int(root.findtext("DBVersion") or 0) < 400:
        problems.append("DBVersion below 400: the l10n sections would be read the old way")
    surveys = _rows(root, "surveys")
    if len(surveys) != 1 or surveys[0].get("language") not in languages:
        problems.append("not exactly one survey row in a language of <languages>")
    settings = _rows(root, "surveys_languagesettings")
    if not settings or any(s.get("surveyls_language") not in languages for s in settings):
        problems.append("a languagesettings row in a language not listed")
    if any(not s.get("surveyls_title") for s in settings):
        problems.append("a survey without a title")
    return problems


def _question_problems(questions, groups):
    problems = []
    titles = [q["title"] for q in questions.values()]
    for q in questions.values():
        where = f"question {q['title']!r}"
        if q.get("gid") not in groups:
            problems.append(f"{where}: its group is not in the file")
        if not (QUESTION_CODE.fullmatch(q["title"]) and len(q["title"]) <= 20) or q["title"] in RESERVED:
            problems.append(f"{where}: LimeSurvey would rename the code")
        if titles.count(q["title"]) > 1:
            problems.append(f"{where}: the code is used twice")
        problems += _common_problems(q, where)
    return problems


def _subquestion_problems(subquestions, questions, groups):
    problems, seen = [], set()
    for sub in subquestions:
        parent = questions.get(sub.get("parent_qid"))
        where = f"subquestion {sub['title']!r}"
        if parent is None:
            problems.append(f"{where}: its parent is not in the file")
            continue
        key = (sub["parent_qid"], sub.get("scale_id", "0"), sub["title"].lower())
        if key in seen:
            problems.append(f"{where}: the code is used twice under {parent['title']}")
        seen.add(key)
        if not SUBQUESTION_CODE.fullmatch(sub["title"]) or sub["title"].lower() == "time":
            problems.append(f"{where}: LimeSurvey would rename the code")
        if parent.get("other") == "Y" and sub["title"].lower() == "other":
            problems.append(f"{where}: 'other' under a question offering other")
        if parent.get("type") == "P" and sub["title"].endswith("comment"):
            problems.append(f"{where}: ends in 'comment' under a P question")
        if sub.get("gid") not in groups:
            problems.append(f"{where}: its group is not in the file")
        problems += _common_problems(sub, where)
    return problems


def _answer_problems(answers, questions):
    problems, seen = [], set()
    for answer in answers:
        where = f"answer {answer.get('code')!r}"
        if answer.get("qid") not in questions:
            problems.append(f"{where}: its question is not in the file")
        if not ANSWER_CODE.fullmatch(answer.get("code", "")):
            problems.append(f"{where}: not 1-5 letters and digits")
        key = (answer.get("qid"), answer.get("scale_id", "0"), answer.get("code"))
        if key in seen:
            problems.append(f"{where}: used twice in one question and scale")
        seen.add(key)
        for name in ("sortorder", "assessment_value", "scale_id"):
            if not WHOLE.fullmatch(answer.get(name, "0") or "0"):
                problems.append(f"{where}: {name} is not a whole number")
    return problems


def _common_problems(row, where):
    problems = []
    if len(row.get("type", "")) != 1 or row["type"] not in LIMESURVEY_TYPES:
        problems.append(f"{where}: type {row.get('type')!r}")
    if row.get("other", "N") not in ("Y", "N") or row.get("encrypted", "N") not in ("Y", "N"):
        problems.append(f"{where}: other/encrypted not Y or N")
    if row.get("mandatory", "N") not in ("Y", "S", "N", ""):
        problems.append(f"{where}: mandatory not Y, S or N")
    for name in ("question_order", "scale_id", "same_default"):
        if not WHOLE.fullmatch(row.get(name, "0") or "0"):
            problems.append(f"{where}: {name} is not a whole number")
    return problems


def _l10n_problems(root, languages, groups, questions, subquestions, answers):
    problems = []
    texts = {
        "group_l10ns": ("gid", groups),
        "question_l10ns": ("qid", set(questions) | {s["qid"] for s in subquestions}),
        "answer_l10ns": ("aid", {a.get("aid") for a in answers}),
    }
    for section, (key, ids) in texts.items():
        found = {(row.get(key), row.get("language")) for row in _rows(root, section)}
        missing = {(i, language) for i in ids for language in languages} - found
        if missing:
            problems.append(f"{section}: no text for {sorted(missing)[:3]}")
        if any(i not in ids for i, _language in found):
            problems.append(f"{section}: a text for an id not in the file")
    return problems


def _awkward():
    """A questionnaire with everything LimeSurvey's codes cannot take as they are."""
    questionnaire = make_questionnaire(title="Awkward codes")
    make_question(questionnaire, "this", text="Reserved word as a code")
    make_question(questionnaire, "SID", text="Another reserved word")
    make_question(questionnaire, "Q_1", text="Underscore")
    make_question(questionnaire, "Q1", text="Becomes the same as Q_1")
    make_question(questionnaire, "1A", text="Starts with a digit")
    multiple = make_question(
        questionnaire,
        "M1",
        text="Multiple with awkward option codes",
        kind=QuestionKind.MULTIPLE,
        options=[("a", None, False), ("b", None, False), ("c", None, False), ("d", None, False)],
        allow_other=True,
    )
    codes = ["other", "time", "Ab", "aB"]
    for option, code in zip(multiple.options.order_by("position"), codes, strict=True):
        option.code = code
        option.save()
    single = make_question(
        questionnaire,
        "S1",
        text="Single with long option codes",
        kind=QuestionKind.SINGLE,
        options=[("x", None, False), ("y", None, False)],
    )
    for option, code in zip(single.options.order_by("position"), ["ABCDEFG", "ABCDEFGH"], strict=True):
        option.code = code
        option.save()
    make_question(
        questionnaire,
        "MX",
        text="Matrix with awkward rows",
        kind=QuestionKind.MATRIX,
        rows=[("time", "Row 1"), ("R_1", "Row 2"), ("R1", "Row 3")],
    )
    return questionnaire


@pytest.mark.parametrize("template", [t.key for t in loader.list_templates()])
def test_every_template_exports_as_limesurvey_6_imports_it(template):
    questionnaire = loader.create_from_template(template)
    data, _notes = export_lss(questionnaire)
    assert limesurvey_import_problems(data) == []


def test_awkward_codes_are_written_as_limesurvey_takes_them():
    data, notes = export_lss(_awkward())
    assert limesurvey_import_problems(data) == []
    assert notes  # the renamed codes are said


def test_pages_become_groups_with_their_conditions_and_come_back():
    questionnaire = make_questionnaire(title="分页问卷")
    quality = Dimension.objects.create(questionnaire=questionnaire, code="D1", title="产品质量", position=1)
    first = Page.objects.create(
        questionnaire=questionnaire, position=0, title="基本情况", description="先问总体"
    )
    second = Page.objects.create(
        questionnaire=questionnaire, position=1, title="不满意的原因", condition='Q1 == "A4" or Q1 == "A5"'
    )
    make_question(questionnaire, "Q1", text="总体满意度", page=first, dimension=quality)
    make_question(questionnaire, "Q2", text="交付", page=first, dimension=quality)
    make_question(questionnaire, "Q3", text="原因", kind=QuestionKind.TEXT, options=(), page=second)
    data, _notes = export_lss(questionnaire)
    assert limesurvey_import_problems(data) == []
    root = ElementTree.fromstring(data, forbid_dtd=True)
    groups = _rows(root, "groups")
    names = [g["group_name"] for g in _rows(root, "group_l10ns")]
    assert names == ["基本情况", "不满意的原因"]
    assert "Q1" in groups[1]["grelevance"] and groups[0]["grelevance"] == "1"

    survey = structure.read_survey(reader.read_lss_bytes(data))
    plan = mapping.plan_questionnaire(survey)
    from manyi.surveys.limesurvey.importing import create_questionnaire

    copy = create_questionnaire(plan)
    pages = list(copy.pages.order_by("position"))
    assert [(p.title, p.condition) for p in pages] == [
        ("基本情况", ""),
        ("不满意的原因", 'Q1 == "A4" or Q1 == "A5"'),
    ]
    assert {q.code: q.page.title for q in copy.questions.all()} == {
        "Q1": "基本情况",
        "Q2": "基本情况",
        "Q3": "不满意的原因",
    }


def test_conditions_follow_the_renamed_codes_and_come_back_consistent():
    from manyi.surveys.limesurvey.importing import create_questionnaire
    from manyi.surveys.logic.builder import logic_check

    questionnaire = _awkward()
    make_question(
        questionnaire,
        "T9",
        text="Why?",
        kind=QuestionKind.TEXT,
        options=(),
        condition='S1 == "ABCDEFGH" or any_of(M1, "time") or MX.R_1 == "A4" or this.points <= 4',
    )
    data, _notes = export_lss(questionnaire)
    assert limesurvey_import_problems(data) == []
    copy = create_questionnaire(
        mapping.plan_questionnaire(structure.read_survey(reader.read_lss_bytes(data)))
    )
    condition = copy.questions.get(text="Why?").condition
    s1 = copy.questions.get(text="Single with long option codes")
    second = s1.options.order_by("position")[1].code
    assert second != "ABCDE" and f'"{second}"' in condition  # the second option, not the first
    assert "ABCDEFGH" not in condition and "R_1" not in condition
    assert logic_check(copy)["findings"] == []
