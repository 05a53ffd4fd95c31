"""The builder's pages (issue 21): add, edit, move and delete pages; a question's page and
shuffled options; the frozen rule (a version with answers is never changed in place)."""

import pytest

from manyi.surveys.models import Page, Question
from manyi.surveys.tests.test_builder_views import question_post
from manyi.testing import make_question, make_questionnaire, make_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    questionnaire = make_questionnaire(title="售后服务调查")
    first = Page.objects.create(questionnaire=questionnaire, position=0, title="基本情况")
    second = Page.objects.create(questionnaire=questionnaire, position=1, title="维修服务")
    make_question(questionnaire, "Q1", text="是否报修过", page=first, position=1)
    make_question(questionnaire, "Q2", text="维修服务", page=second, position=2)
    return questionnaire


def pages_of(questionnaire):
    return list(questionnaire.pages.values_list("title", "condition", "randomise_questions"))


def test_only_those_who_edit_surveys_reach_the_page_editor(client_as, people, survey):
    url = f"/surveys/{survey.pk}/pages/new/"
    for user, status in ((people.alice, 200), (people.sam, 200), (people.amy, 403), (people.ana, 403)):
        assert client_as(user).get(url).status_code == status, user
    assert client_as(people.amy).post(url, {"title": "新页"}).status_code == 403
    assert pages_of(survey) == [("基本情况", "", False), ("维修服务", "", False)]


def test_a_page_is_added_with_a_condition_on_an_earlier_question(client_as, people, survey):
    client = client_as(people.alice)
    response = client.post(
        f"/surveys/{survey.pk}/pages/new/",
        {
            "title": "总体评价",
            "description": "最后几个问题",
            "condition": 'Q1 == "A1"',
            "randomise_questions": "on",
        },
    )
    assert response.status_code == 302
    added = survey.pages.get(title="总体评价")
    assert (added.position, added.condition, added.randomise_questions) == (2, 'Q1 == "A1"', True)
    assert "总体评价" in client.get(survey.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "condition",
    ['Q1 == "A1" and', 'Q2 == "A1"', 'Q9 == "A1"'],
    ids=["does not read", "names a question of its own page", "names no question"],
)
def test_a_bad_page_condition_is_refused_and_changes_nothing(client_as, people, survey, condition):
    second = survey.pages.get(title="维修服务")
    response = client_as(people.alice).post(
        f"/surveys/{survey.pk}/pages/{second.pk}/", {"title": "改名", "condition": condition}
    )
    assert response.status_code == 400
    assert pages_of(survey) == [("基本情况", "", False), ("维修服务", "", False)]


def test_moving_a_page_moves_its_questions_for_respondents(client_as, people, survey):
    second = survey.pages.get(title="维修服务")
    client_as(people.alice).post(f"/surveys/{survey.pk}/pages/{second.pk}/up/")
    survey.refresh_from_db()
    assert [q.code for q in survey.questions_in_order()] == ["Q2", "Q1"]


def test_deleting_a_page_keeps_its_questions_first(client_as, people, survey):
    second = survey.pages.get(title="维修服务")
    client_as(people.alice).post(f"/surveys/{survey.pk}/pages/{second.pk}/delete/")
    assert pages_of(survey) == [("基本情况", "", False)]
    assert survey.questions.get(code="Q2").page is None
    assert [q.code for q in survey.questions_in_order()] == ["Q2", "Q1"]


def test_a_question_is_put_on_a_page_with_shuffled_options_and_one_kept_last(client_as, people, survey):
    second = survey.pages.get(title="维修服务")
    data = question_post(page=str(second.pk), randomise_options="on", **{"options-4-anchored": "on"})
    response = client_as(people.alice).post(f"/surveys/{survey.pk}/questions/new/", data)
    assert response.status_code == 302
    question = survey.questions.get(code="Q9")
    assert question.page == second and question.randomise_options
    assert list(question.options.values_list("label", "anchored")) == [
        ("很满意", False),
        ("满意", False),
        ("可以接受", False),
        ("不满意", False),
        ("很不满意", True),
    ]


def test_a_page_of_a_version_with_answers_is_changed_in_a_new_version(client_as, people, survey):
    make_response(survey)
    second = survey.pages.get(title="维修服务")
    response = client_as(people.alice).post(
        f"/surveys/{survey.pk}/pages/{second.pk}/", {"title": "维修与安装", "condition": 'Q1 == "A1"'}
    )
    assert response.status_code == 302
    assert pages_of(survey) == [("基本情况", "", False), ("维修服务", "", False)]  # v1 as it was answered
    newer = survey.newest_version()
    assert newer.version == 2
    assert pages_of(newer) == [("基本情况", "", False), ("维修与安装", 'Q1 == "A1"', False)]
    placed = dict(Question.objects.filter(questionnaire=newer).values_list("code", "page__title"))
    assert placed == {"Q1": "基本情况", "Q2": "维修与安装"}


def test_a_question_of_a_version_with_answers_keeps_its_page_in_the_new_version(client_as, people, survey):
    make_response(survey)
    second = survey.pages.get(title="维修服务")
    q2 = survey.questions.get(code="Q2")
    data = question_post(code="Q2", text="维修服务满意度", page=str(second.pk))
    assert client_as(people.alice).post(f"/surveys/{survey.pk}/questions/{q2.pk}/", data).status_code == 302
    newer = survey.newest_version()
    moved = newer.questions.get(code="Q2")
    assert moved.text == "维修服务满意度" and moved.page.questionnaire_id == newer.pk
    assert moved.page.title == "维修服务"
