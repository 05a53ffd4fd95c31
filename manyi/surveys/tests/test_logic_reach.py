"""The builder's logic check (issue 21): every warning it gives, one test each.

A condition naming a later or a deleted question, conditions in a circle, a compared value a
choice question does not offer, a contradictory "and" of one question, and pages, questions and
options nobody reaches because the earlier question they need an answer to is hidden by its own
condition whenever theirs could hold. The scale of the examples: A1 很满意 … A3 不满意.
"""

import pytest
from django.utils import translation

from manyi.surveys.logic.builder import logic_check
from manyi.surveys.logic.check import QuestionInfo
from manyi.surveys.logic.parser import parse
from manyi.surveys.logic.report import PageInfo, logic_findings
from manyi.surveys.models import Page
from manyi.testing import make_question, make_questionnaire


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


RATING = {"kind": "rating", "options": ("A1", "A2", "A3"), "points": (3, 2, 1)}


def rating(code, pk, condition=""):
    return QuestionInfo(code, pk=pk, condition=condition, **RATING)


def text(code, pk, condition=""):
    return QuestionInfo(code, "text", pk=pk, condition=condition)


def findings(infos, pages=()):
    return [(f.code, f.option, f.kind, f.message) for f in logic_findings(infos, pages)]


def test_a_condition_naming_a_later_question_is_reported():
    infos = [rating("Q1", 1, condition='Q2 == "A1"'), rating("Q2", 2)]
    assert findings(infos) == [
        ("Q1", "", "reference", "Q2 comes after this question: its answer is not known yet.")
    ]


def test_a_condition_naming_a_question_that_is_gone_is_reported():
    infos = [rating("Q1", 1), text("Q2", 2, condition="answered(Q7)")]
    assert findings(infos) == [("Q2", "", "reference", "Q7 is not a question of this questionnaire.")]


def test_conditions_in_a_circle_are_reported_once():
    infos = [
        rating("Q1", 1),
        text("Q2", 2, condition="answered(Q3)"),
        text("Q3", 3, condition="answered(Q2)"),
    ]
    cycles = [f for f in findings(infos) if f[2] == "cycle"]
    assert cycles == [("Q2", "", "cycle", "The conditions go round in a circle: Q2 → Q3 → Q2.")]


def test_a_value_the_choice_question_does_not_offer_is_reported_and_its_question_never_asked():
    infos = [rating("Q1", 1), text("Q2", 2, condition='Q1 == "A9"'), text("Q3", 3, condition="answered(Q2)")]
    assert findings(infos) == [
        ("Q2", "", "reference", "Q1 has no option A9 (its options: A1, A2, A3)."),
        ("Q2", "", "unreachable", "Q2 is never asked: its condition is false for every answer."),
        (
            "Q3",
            "",
            "unreachable",
            "Q3 is never asked: its condition needs answers to Q2, which are not asked whenever it could hold.",
        ),
    ]


def test_a_value_not_offered_is_harmless_beside_one_that_is():
    infos = [rating("Q1", 1), text("Q2", 2, condition='Q1 == "A9" or Q1 == "A3"')]
    assert [f[2] for f in findings(infos)] == ["reference"]


def test_a_contradictory_and_of_one_question_is_never_asked():
    infos = [rating("Q1", 1), text("Q2", 2, condition='Q1 == "A1" and Q1 == "A3"')]
    assert findings(infos) == [
        ("Q2", "", "unreachable", "Q2 is never asked: its condition is false for every answer.")
    ]


def test_points_out_of_the_scale_are_never_met():
    infos = [rating("Q1", 1), text("Q2", 2, condition="Q1.points > 3 or Q1.points < 1")]
    assert [f[2] for f in findings(infos)] == ["unreachable"]


def test_a_question_needing_an_answer_to_a_question_hidden_when_it_could_hold_is_never_asked():
    # Q2 is asked only of the very satisfied; Q3 wants the dissatisfied who answered Q2.
    infos = [
        rating("Q1", 1),
        text("Q2", 2, condition='Q1 == "A1"'),
        text("Q3", 3, condition='Q1 == "A3" and answered(Q2)'),
        text("Q4", 4, condition='Q1 == "A1" and answered(Q2)'),  # fine: Q2 is asked then
        text("Q5", 5, condition='empty(Q2) and Q1 == "A3"'),  # fine: Q2 is hidden then, so empty
    ]
    assert findings(infos) == [
        (
            "Q3",
            "",
            "unreachable",
            "Q3 is never asked: its condition needs answers to Q2, which are not asked whenever it could hold.",
        )
    ]


def test_the_hidden_question_may_be_several_steps_back():
    infos = [
        rating("Q1", 1),
        rating("Q2", 2, condition='Q1 == "A1"'),
        text("Q3", 3, condition='Q2 == "A2"'),  # only when Q1 is A1
        text("Q4", 4, condition='answered(Q3) and Q1 != "A1"'),
    ]
    assert [(f[0], f[2]) for f in findings(infos)] == [("Q4", "unreachable")]


def test_an_option_needing_a_hidden_answer_is_never_offered():
    infos = [
        rating("Q1", 1),
        text("Q2", 2, condition='Q1 == "A3"'),
        QuestionInfo(
            "Q3",
            "single",
            pk=3,
            options=("A1", "A2"),
            option_conditions=(("A2", 'answered(Q2) and Q1 == "A2"'),),
        ),
    ]
    assert findings(infos) == [
        (
            "Q3",
            "A2",
            "unreachable",
            "Option A2 of Q3 is never offered: its condition needs answers to Q2, which are not asked "
            "whenever it could hold.",
        )
    ]


def test_a_page_whose_condition_cannot_hold_is_never_shown_and_its_questions_not_reported_again():
    infos = [
        rating("Q1", 1),
        text("Q2", 2, condition='Q1 == "A3"'),
        text("Q3", 3, condition='Q1 == "A1"'),  # on the page never shown
        text("Q4", 4, condition="answered(Q3)"),  # after it: never asked either
    ]
    page = PageInfo("Page “维修”", parse('Q1 == "A1" and answered(Q2)'), ("Q3",))
    assert findings(infos, [page]) == [
        (
            "Page “维修”",
            "",
            "unreachable",
            "Page “维修” is never shown: its condition needs answers to Q2, which are not asked "
            "whenever it could hold.",
        ),
        (
            "Q4",
            "",
            "unreachable",
            "Q4 is never asked: its condition needs answers to Q3, which are not asked whenever it could hold.",
        ),
    ]


def test_a_question_contradicting_its_page_is_never_asked():
    infos = [rating("Q1", 1), text("Q2", 2, condition='Q1 == "A3"')]
    page = PageInfo("Page “原因”", parse('Q1 == "A1"'), ("Q2",))
    assert findings(infos, [page]) == [
        ("Q2", "", "unreachable", "Q2 is never asked: its condition is false for every answer.")
    ]


def test_a_well_made_branching_has_no_finding():
    infos = [
        rating("Q1", 1),
        text("Q2", 2, condition='Q1 == "A3"'),
        text("Q3", 3, condition="answered(Q2)"),
        rating("Q4", 4),
    ]
    page = PageInfo("Page 2", parse('Q1 != "A1"'), ("Q3",))
    assert findings(infos, [page]) == []


# --------------------------------------------------------------------------- on a questionnaire


@pytest.mark.django_db
def test_the_check_of_a_questionnaire_with_pages_reports_deleted_and_unreachable_pages():
    questionnaire = make_questionnaire(title="物业服务调查")
    first = Page.objects.create(questionnaire=questionnaire, position=0, title="基本情况")
    repair = Page.objects.create(
        questionnaire=questionnaire, position=1, title="维修", condition='Q1 == "A9"'
    )
    later = Page.objects.create(
        questionnaire=questionnaire, position=2, title="回访", condition="answered(Q2)"
    )
    make_question(questionnaire, "Q1", page=first)
    make_question(questionnaire, "Q2", page=repair)
    make_question(questionnaire, "Q3", page=later)
    make_question(questionnaire, "Q4", page=later, kind="text", options=(), condition="answered(Q9)")
    check = logic_check(questionnaire)
    assert check["conditions"] == 3
    assert [(f.code, f.kind, f.message) for f in check["findings"]] == [
        ("Page “维修”", "reference", "Q1 has no option A9 (its options: A1, A2, A3, A4, A5)."),
        (
            "Page “维修”",
            "unreachable",
            "Page “维修” is never shown: its condition is false for every answer.",
        ),
        (
            "Page “回访”",
            "unreachable",
            "Page “回访” is never shown: its condition needs answers to Q2, which are not asked whenever "
            "it could hold.",
        ),
        ("Q4", "reference", "Q9 is not a question of this questionnaire."),
    ]


def test_a_contradiction_is_found_behind_a_long_chain_of_conditions():
    # Q39's condition names Q38, whose condition walks back to Q0: too many answers to try with
    # every earlier condition, but the contradiction needs none of them.
    infos = [rating("Q0", 0)] + [rating(f"Q{n}", n, condition=f'Q{n - 1} != "A3"') for n in range(1, 39)]
    infos.append(text("Q39", 39, condition='Q38 == "A1" and Q38 == "A2"'))
    assert [(f[0], f[2]) for f in findings(infos)] == [("Q39", "unreachable")]
