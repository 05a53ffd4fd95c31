"""Reading LimeSurvey 2.x, 3.x and 6.x survey files into the questionnaire they become."""

from pathlib import Path

import pytest
from django.utils import translation

from manyi.surveys.choices import QuestionKind
from manyi.surveys.limesurvey import mapping, reader, structure
from manyi.surveys.limesurvey.importing import create_questionnaire

DATA = Path(__file__).parent / "data"


def plan_of(name):
    archive = reader.read_path(DATA / name)
    return mapping.plan_questionnaire(structure.read_survey(archive.survey))


@pytest.fixture(params=["satisfaction_ls2.lss", "satisfaction_ls3.lss", "satisfaction_ls6.lss"])
def plan(request):
    return plan_of(request.param)


def by_code(plan):
    return {q.code: q for q in plan.questions}


def test_both_versions_give_the_same_questions_kinds_and_codes(plan):
    kinds = {code: q.kind for code, q in by_code(plan).items()}
    assert kinds == {
        "Q1": QuestionKind.RATING if plan.report.db_version >= 400 else QuestionKind.SINGLE,
        "Q2": QuestionKind.TEXT,
        "Q3": QuestionKind.MATRIX,
        "Q4": QuestionKind.MATRIX,
        "Q5": QuestionKind.MULTIPLE,
        "Q6": QuestionKind.NPS,
        "Q7": QuestionKind.TEXT,
        "Q8": QuestionKind.MULTIPLE,
        "Q9": QuestionKind.RATING,
        "Q11": QuestionKind.TEXT,
        "Q12": QuestionKind.YES_NO,
        "Q13": QuestionKind.TABLE,
        "Q14": QuestionKind.TEXT,
    }
    assert plan.report.groups == 2 and plan.report.questions == 15 and plan.report.subquestions == 13


def test_chinese_texts_are_taken_english_kept_and_the_other_language_reported(plan):
    assert plan.report.language == "zh-Hans"
    others = {"en", "de"} if plan.report.db_version < 200 else {"en"}  # the 2.x file also has German
    assert set(plan.report.languages) == {"zh-Hans", *others}
    reported = plan.report.unsupported.get("other_language", {"examples": []})["examples"]
    assert set(reported) == others - {"en"}  # English is kept (test_two_languages.py)
    assert set(plan.translations) == {"en"}
    assert plan.title == "客户满意度调查"
    assert plan.intro == "感谢您抽出5分钟参加本次调查,您的回答将严格保密。" and plan.thanks == "感谢您的参与!"
    assert by_code(plan)["Q1"].text == "您对我们的总体满意度如何?"


def test_answer_codes_and_assessment_values_become_option_codes_and_points():
    questions = by_code(plan_of("satisfaction_ls6.lss"))
    options = [(o.code, o.label, o.points) for o in questions["Q1"].options]
    assert options == [
        ("A1", "很满意", 5),
        ("A2", "满意", 4),
        ("A3", "一般", 3),
        ("A4", "不满意", 2),
        ("A5", "很不满意", 1),
    ]
    assert questions["Q1"].scored
    # A dual scale's first scale; answers without assessment values carry no points.
    assert [(o.code, o.points) for o in questions["Q4"].options] == [("1", None), ("2", None), ("3", None)]
    assert [o.points for o in questions["Q9"].options] == [1, 2, 3, 4, 5]


def test_subquestions_become_matrix_rows_or_options(plan):
    questions = by_code(plan)
    assert [(code, text) for code, text, _lime in questions["Q3"].rows] == [
        ("SQ001", "交付及时"),
        ("SQ002", "产品质量"),
    ]
    # Row codes are unique in a questionnaire: the second array's SQ001 takes its question's code.
    assert [code for code, _t, _l in questions["Q4"].rows] == ["Q4_SQ001", "Q4_SQ002"]
    assert [(o.code, o.label) for o in questions["Q5"].options] == [
        ("SQ001", "价格"),
        ("SQ002", "服务"),
        ("SQ003", "交期"),
    ]
    assert questions["Q5"].allow_other
    assert [c[:2] for c in questions["Q13"].columns] == [("SC1", "公司名称"), ("SC2", "优势")]
    assert questions["Q13"].table_max_rows == 2


def test_relevance_equations_become_conditions_and_the_rest_is_reported(plan):
    questions = by_code(plan)
    assert questions["Q2"].condition == '((Q1 == "A4" or Q1 == "A5"))'
    assert questions["Q8"].condition == 'any_of(Q5, "SQ001")'
    assert questions["Q9"].condition == "!empty(Q6) and Q6 >= 9"
    assert questions["Q12"].condition == 'Q3.SQ002 == "A5"'
    assert questions["Q11"].condition == ""
    assert plan.report.unsupported["relevance"]["examples"] == ["Q11: regexMatch('/^1/', Q7)"]


def test_types_without_an_equivalent_are_reported_never_dropped_silently(plan):
    unsupported = plan.report.unsupported
    assert unsupported["text_display"]["examples"] == ["Q10"]
    assert unsupported["equation"]["examples"] == ["Q15"]
    assert unsupported["dual_scale"]["examples"] == ["Q4"]
    assert unsupported["list_comment"]["examples"] == ["Q5"]
    assert unsupported["numeric"]["examples"] == ["Q7"]
    assert unsupported["date"]["examples"] == ["Q14"]
    # The text display's words are kept as the next question's explanation.
    assert by_code(plan)["Q11"].help_text == "以下问题关于交付。"
    reported = {e.split(":")[0] for entry in unsupported.values() for e in entry["examples"]}
    carried = set(by_code(plan))
    assert {f"Q{n}" for n in range(1, 16)} <= carried | reported


def test_questions_the_builder_would_ask_to_change_are_reported():
    with translation.override("en"):
        plan = plan_of("satisfaction_ls6.lss")
    # Q4's answers carry no assessment values: a matrix needs points before it is edited.
    examples = plan.report.unsupported["builder_rules"]["examples"]
    assert {example.split(":")[0] for example in examples} == {"Q4"}
    assert "each with points" in examples[0]


def test_groups_become_dimensions_only_when_the_survey_uses_assessments():
    assert plan_of("satisfaction_ls6.lss").report.groups_as_dimensions
    assert not plan_of("satisfaction_ls3.lss").report.groups_as_dimensions


@pytest.mark.django_db
def test_the_plan_is_written_as_a_questionnaire_that_scores():
    plan = plan_of("satisfaction_ls6.lss")
    questionnaire = create_questionnaire(plan)
    assert list(questionnaire.dimensions.values_list("code", "title")) == [
        ("G1", "总体评价"),
        ("G2", "服务与采购"),
    ]
    q1 = questionnaire.questions.get(code="Q1")
    assert q1.dimension.code == "G1" and q1.required and q1.kind == QuestionKind.RATING
    assert list(q1.options.values_list("label", "points", "is_neutral")) == [
        ("很满意", 5, False), ("满意", 4, False), ("一般", 3, True), ("不满意", 2, False), ("很不满意", 1, False),
    ]  # fmt: skip
    assert list(questionnaire.questions.get(code="Q3").rows.values_list("code", flat=True)) == [
        "SQ001",
        "SQ002",
    ]
    keys = [item.key for item in questionnaire.scoring_scheme().items]
    assert keys == ["Q1", "SQ001", "SQ002", "Q9"]
    assert questionnaire.questions.get(code="Q13").columns.count() == 2


@pytest.mark.django_db
def test_conditions_and_answer_codes_are_stored_and_pass_the_logic_check():
    from manyi.surveys.logic.builder import logic_check

    questionnaire = create_questionnaire(plan_of("satisfaction_ls6.lss"))
    conditions = dict(questionnaire.questions.exclude(condition="").values_list("code", "condition"))
    assert conditions == {
        "Q2": '((Q1 == "A4" or Q1 == "A5"))',
        "Q8": 'any_of(Q5, "SQ001")',
        "Q9": "!empty(Q6) and Q6 >= 9",
        "Q12": 'Q3.SQ002 == "A5"',
    }
    assert list(questionnaire.questions.get(code="Q1").options.values_list("code", flat=True)) == [
        "A1", "A2", "A3", "A4", "A5",
    ]  # fmt: skip
    assert list(questionnaire.questions.get(code="Q5").options.values_list("code", flat=True)) == [
        "SQ001", "SQ002", "SQ003",
    ]  # fmt: skip
    check = logic_check(questionnaire)
    assert check["conditions"] == 4 and check["findings"] == []
