"""Conditions in the questionnaire builder (issue 21): the question form's display condition, option
codes and conditions, the chooser's questions and the logic-check panel."""

import pytest
from django.urls import reverse
from django.utils import translation

from manyi.surveys.logic.builder import chooser_data, logic_check
from manyi.surveys.logic.check import QuestionInfo
from manyi.surveys.logic.parser import parse
from manyi.surveys.logic.report import can_hold, logic_findings
from manyi.surveys.models import Dimension, Option
from manyi.surveys.tests.test_builder_views import question_post, snapshot
from manyi.testing import make_question, make_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def survey():
    questionnaire = make_questionnaire(title="售后服务调查")
    service = Dimension.objects.create(questionnaire=questionnaire, code="D1", title="服务", position=1)
    quality = Dimension.objects.create(questionnaire=questionnaire, code="D2", title="质量", position=2)
    make_question(questionnaire, "Q1", dimension=service, text="服务态度", position=1)
    make_question(questionnaire, "Q2", dimension=service, text="响应速度", position=2)
    make_question(questionnaire, "Q3", dimension=quality, text="产品质量", position=3)
    return questionnaire


def post(client, questionnaire, question=None, **overrides):
    url = (
        reverse("surveys:question_edit", args=[questionnaire.pk, question.pk])
        if question
        else reverse("surveys:question_create", args=[questionnaire.pk])
    )
    return client.post(url, question_post(**overrides))


def test_a_new_question_is_saved_with_its_display_condition(client_as, people, survey):
    result = post(client_as(people.alice), survey, code="Q9", condition=' Q1 == "A4" or Q1.points <= 2 ')
    assert result.status_code == 302
    assert survey.questions.get(code="Q9").condition == 'Q1 == "A4" or Q1.points <= 2'


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ('Q1 == "A4', "第 7 个字符：引号中的文字没有结束引号。"),
        ("answered(Q7)", "Q7 不是本问卷中的题目。"),
        ("answered(Q9)", "Q9 就是本题：条件只能引用前面题目的回答。"),
        ('Q1 == "A9"', "Q1 没有选项 A9（现有选项：A1, A2, A3, A4, A5）。"),
    ],
)
def test_a_condition_that_cannot_hold_is_refused_and_changes_nothing(
    client_as, people, survey, condition, message
):
    before = snapshot(survey)
    result = post(client_as(people.alice), survey, code="Q9", condition=condition)
    assert result.status_code == 400
    assert message in result.context["form"].errors["condition"]
    assert snapshot(survey) == before


def test_a_question_may_not_name_a_later_one_even_in_an_earlier_dimension(client_as, people, survey):
    q1 = survey.questions.get(code="Q1")
    d1 = survey.dimensions.get(code="D1")
    result = post(
        client_as(people.alice), survey, q1, code="Q1", dimension=str(d1.pk), condition="answered(Q3)"
    )
    assert result.status_code == 400
    assert result.context["form"].errors["condition"] == ["Q3 位于本题之后：作答到本题时还不知道它的回答。"]
    # Moved out of the dimensions, Q1 comes last: Q3 is earlier then.
    result = post(client_as(people.alice), survey, q1, code="Q1", condition="answered(Q3)")
    assert result.status_code == 302
    # A new question in D1 comes before Q3 (in D2): Q3 is later for it too.
    result = post(client_as(people.alice), survey, code="Q9", dimension=str(d1.pk), condition="answered(Q3)")
    assert result.status_code == 400
    result = post(client_as(people.alice), survey, code="Q9", dimension=str(d1.pk), condition="answered(Q2)")
    assert result.status_code == 302


def test_option_codes_and_conditions_are_kept_when_a_question_is_edited(client_as, people, survey):
    q3 = survey.questions.get(code="Q3")
    client = client_as(people.alice)
    overrides = {"code": "Q3", "options-0-code": "VS", "options-4-condition": 'Q1 == "A5"'}
    assert post(client, survey, q3, **overrides).status_code == 302
    assert [(o.code, o.condition) for o in q3.options.all()] == [
        ("VS", ""),
        ("A1", ""),
        ("A2", ""),
        ("A3", ""),
        ("A4", 'Q1 == "A5"'),
    ]
    page = client.get(reverse("surveys:question_edit", args=[survey.pk, q3.pk])).content.decode()
    assert 'value="VS"' in page and 'value="Q1 == &quot;A5&quot;"' in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"options-0-code": "A2", "options-1-code": "A2"}, "同一题目中的选项编号不能重复：A2。"),
        ({"options-0-code": "A 1"}, "选项编号只能由字母、数字和“_”组成（最多 20 个字符）：A 1。"),
        ({"options-0-condition": "answered(Q9)"}, "选项 很满意：Q9 就是本题"),
    ],
)
def test_bad_option_codes_or_conditions_are_refused(client_as, people, survey, overrides, message):
    before = snapshot(survey)
    result = post(client_as(people.alice), survey, code="Q9", **overrides)
    assert result.status_code == 400
    assert any(error.startswith(message) for error in result.context["editor"].errors)
    assert snapshot(survey) == before


def test_the_chooser_offers_the_earlier_questions_with_their_option_codes(survey):
    q2 = survey.questions.get(code="Q2")
    earlier = chooser_data(survey, q2)
    assert [q["code"] for q in earlier] == ["Q1"]
    assert earlier[0]["options"][3] == ["A4", "不满意"]
    assert [q["code"] for q in chooser_data(survey)] == ["Q1", "Q2", "Q3"]


def test_the_question_form_shows_the_condition_editor(client_as, people, survey):
    page = client_as(people.alice).get(reverse("surveys:question_create", args=[survey.pk])).content.decode()
    assert 'id="condition-chooser-data"' in page and "js/condition_builder.js" in page
    assert 'id="id_condition"' in page


# --------------------------------------------------------------------------- the logic check


def outline(*questions):
    return list(questions)


RATING = {"kind": "rating", "options": ("A1", "A2", "A3"), "points": (3, 2, 1)}


def test_the_check_finds_later_deleted_cycles_and_unreachable_questions():
    infos = [
        QuestionInfo("Q1", pk=1, **RATING),
        QuestionInfo("Q2", "text", pk=2, condition="Q1.points > 3"),  # points are 1-3: never
        QuestionInfo("Q3", "text", pk=3, condition='answered(Q4) or Q1 == "A1"'),
        QuestionInfo("Q4", "text", pk=4, condition="answered(Q3)"),
        QuestionInfo("Q5", "text", pk=5, condition="answered(Q2)"),  # Q2 is never asked
        QuestionInfo("Q6", "text", pk=6, condition="answered(Q0)"),  # deleted
        QuestionInfo("Q7", "single", pk=7, options=("A1", "A2"), option_conditions=(("A2", "1 > 2"),)),
    ]
    found = [(f.code, f.option, f.kind) for f in logic_findings(infos)]
    assert found == [
        ("Q2", "", "unreachable"),
        ("Q3", "", "reference"),
        ("Q3", "", "cycle"),
        ("Q5", "", "unreachable"),
        ("Q6", "", "reference"),  # not also "unreachable": the reference is the problem
        ("Q7", "A2", "unreachable"),
    ]
    messages = {(f.code, f.kind): f.message for f in logic_findings(infos)}
    assert messages[("Q3", "cycle")] == "The conditions go round in a circle: Q3 → Q4 → Q3."


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ('Q1 == "A2" and Q1 == "A3"', False),
        ('Q1 == "A2" or Q1 == "A3"', True),
        ("Q1.points >= 3 and Q1.points <= 3", True),
        ("count(Q1, Q2) == 2", True),
        ('contains(Q2, "slow")', True),
        ("Q9 < 7 and Q9 > 8", False),
        ("Q9 == 10", True),
        ("true", True),
        ("false", False),
    ],
)
def test_can_hold_tries_every_answer_the_named_questions_allow(condition, expected):
    infos = [
        QuestionInfo("Q1", pk=1, **RATING),
        QuestionInfo("Q2", "text", pk=2),
        QuestionInfo("Q9", "nps", pk=9),
    ]
    assert can_hold(parse(condition), infos) is expected


def test_the_builder_page_shows_the_logic_check_with_links(client_as, people, survey):
    make_question(survey, "Q4", text="原因", kind="text", options=(), condition="Q3.points > 20")
    make_question(survey, "Q5", text="跟进", kind="text", options=(), condition="answered(Q6)")
    page = client_as(people.alice).get(survey.get_absolute_url()).content.decode()
    assert 'id="logic-check"' in page
    q4 = survey.questions.get(code="Q4")
    assert f'href="#question-{q4.pk}"' in page
    assert "Q4 永远不会被问到：无论如何作答，其显示条件都不成立。" in page
    assert "Q6 不是本问卷中的题目。" in page
    assert "提问条件： <code>Q3.points &gt; 20</code>" in page
    assert logic_check(survey)["conditions"] == 2


def test_a_questionnaire_whose_conditions_are_fine_says_so(client_as, people, survey):
    make_question(survey, "Q4", text="原因", kind="text", options=(), condition='Q3 == "A4"')
    page = client_as(people.alice).get(survey.get_absolute_url()).content.decode()
    assert 'id="logic-check-ok"' in page


def test_a_questionnaire_without_conditions_has_no_logic_panel(client_as, people, survey):
    page = client_as(people.alice).get(survey.get_absolute_url()).content.decode()
    assert 'id="logic-check"' not in page
    assert Option.objects.filter(question__questionnaire=survey, code="").count() == 0
