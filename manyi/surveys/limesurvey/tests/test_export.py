"""A questionnaire exported as a LimeSurvey 6 .lss has LimeSurvey's own structure and comes
back the same when imported again."""

import pytest
from defusedxml import ElementTree

from manyi.surveys.choices import QuestionKind
from manyi.surveys.limesurvey import mapping, reader, structure
from manyi.surveys.limesurvey.export import export_lss
from manyi.surveys.limesurvey.expressions import condition_to_relevance
from manyi.surveys.limesurvey.importing import create_questionnaire, has_field
from manyi.surveys.models import Dimension, Option, Question, TableColumn
from manyi.testing import make_question, make_questionnaire

pytestmark = pytest.mark.django_db

# The sections and fields of LimeSurvey's own survey exports (LimeSurvey 5/6, e.g. its
# tests/data/surveys/survey-dual-scale-question-api-test.lss and 6.x files with DBVersion 640).
LIMESURVEY_FIELDS = {
    "answers": ["aid", "qid", "code", "sortorder", "assessment_value", "scale_id"],
    "answer_l10ns": ["id", "aid", "answer", "language"],
    "groups": ["gid", "sid", "group_order", "randomization_group", "grelevance"],
    "group_l10ns": ["id", "gid", "group_name", "description", "language"],
    "questions": [
        "qid", "parent_qid", "sid", "gid", "type", "title", "preg", "other", "mandatory", "encrypted",
        "question_order", "scale_id", "same_default", "relevance", "question_theme_name", "modulename", "same_script",
    ],
    "question_l10ns": ["id", "qid", "question", "help", "script", "language"],
    "question_attributes": ["qid", "attribute", "value", "language"],
}  # fmt: skip
LIMESURVEY_FIELDS["subquestions"] = LIMESURVEY_FIELDS["questions"]
SCALE = [
    ("很满意", 10, False),
    ("满意", 8, False),
    ("一般", 6, True),
    ("不满意", 4, False),
    ("很不满意", 2, False),
]


@pytest.fixture
def questionnaire():
    questionnaire = make_questionnaire(title="年度客户满意度调查", intro="感谢参与,约5分钟。", thanks="谢谢!")
    quality = Dimension.objects.create(questionnaire=questionnaire, code="D1", title="产品质量", position=1)
    make_question(
        questionnaire, "Q1", text="总体满意度", kind=QuestionKind.RATING, options=SCALE, dimension=quality
    )
    make_question(
        questionnaire, "Q2", text="您从哪里了解到我们?", kind=QuestionKind.SINGLE, help_text="单选",
        options=[("展会", None, False), ("网络", None, False)], allow_other=True, scored=False, required=False,
    )  # fmt: skip
    make_question(
        questionnaire,
        "Q3",
        text="是否续约?",
        kind=QuestionKind.YES_NO,
        options=[("是", None, False), ("否", None, False)],
    )
    make_question(questionnaire, "Q4", text="您关注哪些方面?", kind=QuestionKind.MULTIPLE,
                  options=[("价格", None, False), ("交期", None, False)], allow_other=True)  # fmt: skip
    make_question(questionnaire, "Q5", text="请评价:", kind=QuestionKind.MATRIX, options=SCALE,
                  rows=[("R1", "交付及时"), ("R2", "包装完好")], dimension=quality)  # fmt: skip
    make_question(questionnaire, "Q6", text="推荐意愿", kind=QuestionKind.NPS, options=[])
    make_question(questionnaire, "Q7", text="其他建议", kind=QuestionKind.TEXT, options=[], required=False)
    table = make_question(
        questionnaire, "Q8", text="主要供应商", kind=QuestionKind.TABLE, options=[], table_max_rows=3
    )
    TableColumn.objects.create(question=table, position=0, code="C1", label="公司")
    TableColumn.objects.create(question=table, position=1, code="C2", label="份额", kind="percent")
    return questionnaire


def sections(data):
    root = ElementTree.fromstring(data, forbid_dtd=True)
    return root, {child.tag: child for child in root}


def test_the_export_has_the_sections_and_fields_of_limesurvey_6_files(questionnaire):
    data, _notes = export_lss(questionnaire)
    root, found = sections(data)
    assert root.findtext("LimeSurveyDocType") == "Survey" and 600 <= int(root.findtext("DBVersion")) < 700
    assert [el.text for el in root.findall("languages/language")] == ["zh-Hans"]
    for name, fields in LIMESURVEY_FIELDS.items():
        assert [f.text for f in found[name].findall("fields/fieldname")] == fields, name
        for row in found[name].findall("rows/row"):
            assert [child.tag for child in row] == fields, name
    survey = found["surveys"].find("rows/row")
    assert survey.findtext("language") == "zh-Hans" and survey.findtext("assessments") == "Y"
    settings = found["surveys_languagesettings"].find("rows/row")
    assert settings.findtext("surveyls_title") == "年度客户满意度调查"
    assert settings.findtext("surveyls_welcometext") == "感谢参与,约5分钟。"


def test_types_and_texts_are_written_as_limesurvey_reads_them(questionnaire):
    _root, found = sections(export_lss(questionnaire)[0])
    questions = {row.findtext("title"): row for row in found["questions"].findall("rows/row")}
    assert {code: row.findtext("type") for code, row in questions.items()} == {
        "Q1": "L", "Q2": "L", "Q3": "L", "Q4": "M", "Q5": "F", "Q6": "N", "Q7": "T", "Q8": ";",
    }  # fmt: skip
    assert questions["Q2"].findtext("other") == "Y" and questions["Q2"].findtext("mandatory") == "N"
    q1 = questions["Q1"].findtext("qid")
    points = [
        r.findtext("assessment_value")
        for r in found["answers"].findall("rows/row")
        if r.findtext("qid") == q1
    ]
    assert points == ["10", "8", "6", "4", "2"]
    # Each subquestion's parent is a question of the file.
    qids = {row.findtext("qid") for row in questions.values()}
    assert all(row.findtext("parent_qid") in qids for row in found["subquestions"].findall("rows/row"))


def test_a_round_trip_keeps_kinds_codes_texts_options_points_and_rows(questionnaire):
    data, _notes = export_lss(questionnaire)
    plan = mapping.plan_questionnaire(structure.read_survey(reader.read_lss_bytes(data)))
    assert "builder_rules" not in plan.report.unsupported
    again = create_questionnaire(plan)
    assert (again.title, again.intro, again.thanks) == (
        questionnaire.title,
        questionnaire.intro,
        questionnaire.thanks,
    )

    def shape(q):
        return [
            (
                question.code, question.kind, question.text, question.help_text, question.required,
                question.allow_other, [(o.label, o.points) for o in question.options.all()],
                [(r.code, r.text) for r in question.rows.all()],
                [(c.code, c.label, c.kind) for c in question.columns.all()],
            )
            for question in q.questions_in_order()
        ]  # fmt: skip

    assert shape(again) == shape(questionnaire)
    assert again.questions.get(code="Q8").table_max_rows == 3
    # Questions outside every dimension stay outside: the scoring is the same.
    assert list(again.dimensions.values_list("title", flat=True)) == ["产品质量"]
    assert [q.code for q in again.questions.filter(dimension__isnull=False)] == ["Q1", "Q5"]
    # The same items in the same dimensions (which LimeSurvey calls G1, G2 … by their order).
    assert [
        (i.key, i.dimension is None, i.min_points, i.max_points, i.neutral_points)
        for i in again.scoring_scheme().items
    ] == [
        (i.key, i.dimension is None, i.min_points, i.max_points, i.neutral_points)
        for i in questionnaire.scoring_scheme().items
    ]


def test_conditions_go_to_relevance_and_come_back():
    cases = {
        'Q1 == "A4"': 'Q1.NAOK == "A4"',
        "Q1.points <= 4": "Q1.valueNAOK <= 4",
        'Q5.R2 == "A1"': 'Q5_R2.NAOK == "A1"',
        "empty(Q7) or not answered(Q6)": "is_empty(Q7.NAOK) or !!is_empty(Q6.NAOK)",
        'any_of(Q4, "A1", "A2")': '(Q4_A1.NAOK == "Y" or Q4_A2.NAOK == "Y")',
    }
    for condition, relevance in cases.items():
        assert condition_to_relevance(condition, {"Q4"}) == relevance


@pytest.mark.skipif(not has_field(Question, "condition"), reason="conditions arrive with migration 0007")
def test_a_round_trip_keeps_conditions_and_option_codes(questionnaire):
    q7 = questionnaire.questions.get(code="Q7")
    q7.condition = 'Q1 == "A4" or Q1 == "A5"'
    q7.save()
    data, _notes = export_lss(questionnaire)
    plan = mapping.plan_questionnaire(structure.read_survey(reader.read_lss_bytes(data)))
    again = create_questionnaire(plan)
    assert again.questions.get(code="Q7").condition == q7.condition
    if has_field(Option, "code"):
        assert list(again.questions.get(code="Q1").options.values_list("code", flat=True)) == list(
            questionnaire.questions.get(code="Q1").options.values_list("code", flat=True)
        )


def test_codes_limesurvey_cannot_hold_are_written_unique_and_said(questionnaire):
    make_question(questionnaire, "Q1_2", text="补充", kind=QuestionKind.TEXT, options=[])
    make_question(questionnaire, "Q12", text="再补充", kind=QuestionKind.TEXT, options=[])
    data, notes = export_lss(questionnaire)
    _root, found = sections(data)
    titles = [row.findtext("title") for row in found["questions"].findall("rows/row")]
    assert len(titles) == len(set(titles)) and {"Q12", "Q122"} <= set(titles)
    assert any("Q1_2" in str(note) for note in notes)
