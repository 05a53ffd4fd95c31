"""Who may open each builder page: viewing needs surveys.view, every change surveys.edit."""

import pytest
from django.urls import reverse

from manyi.surveys.models import Dimension, Questionnaire
from manyi.testing import make_question, make_questionnaire

pytestmark = pytest.mark.django_db

VIEWERS = {"alice", "sam", "amy", "ana"}
EDITORS = {"alice", "sam"}
ROLES = ["alice", "sam", "amy", "hank", "ana", "ivan"]


@pytest.fixture
def survey():
    questionnaire = make_questionnaire(title="权限测试")
    dimension = Dimension.objects.create(questionnaire=questionnaire, code="D1", title="服务", position=1)
    make_question(questionnaire, "Q1", dimension=dimension)
    make_question(questionnaire, "Q2", dimension=dimension)
    return questionnaire


def pages(survey):
    d = survey.dimensions.get()
    q = survey.questions.get(code="Q2")
    return {
        # name: (method, url, who may)
        "list": ("get", reverse("surveys:list"), VIEWERS),
        "templates": ("get", reverse("surveys:templates"), VIEWERS),
        "detail": ("get", reverse("surveys:detail", args=[survey.pk]), VIEWERS),
        "preview": ("get", reverse("surveys:preview", args=[survey.pk]), VIEWERS),
        "use_template": ("post", reverse("surveys:use_template", args=["iso9001_ten_items"]), EDITORS),
        "create": ("get", reverse("surveys:create"), EDITORS),
        "settings": ("get", reverse("surveys:settings", args=[survey.pk]), EDITORS),
        "copy": ("post", reverse("surveys:copy", args=[survey.pk]), EDITORS),
        "archive": ("post", reverse("surveys:archive", args=[survey.pk]), EDITORS),
        "dimension_create": ("get", reverse("surveys:dimension_create", args=[survey.pk]), EDITORS),
        "dimension_edit": ("get", reverse("surveys:dimension_edit", args=[survey.pk, d.pk]), EDITORS),
        "dimension_delete": ("post", reverse("surveys:dimension_delete", args=[survey.pk, d.pk]), EDITORS),
        "dimension_move": (
            "post",
            reverse("surveys:dimension_move", args=[survey.pk, d.pk, "down"]),
            EDITORS,
        ),
        "question_create": ("get", reverse("surveys:question_create", args=[survey.pk]), EDITORS),
        "question_edit": ("get", reverse("surveys:question_edit", args=[survey.pk, q.pk]), EDITORS),
        "question_delete": ("post", reverse("surveys:question_delete", args=[survey.pk, q.pk]), EDITORS),
        "question_move": ("post", reverse("surveys:question_move", args=[survey.pk, q.pk, "up"]), EDITORS),
    }


PAGE_NAMES = [
    "list", "templates", "detail", "preview", "use_template", "create", "settings", "copy", "archive",
    "dimension_create", "dimension_edit", "dimension_delete", "dimension_move",
    "question_create", "question_edit", "question_delete", "question_move",
]  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_each_role_gets_exactly_the_pages_its_capabilities_allow(client_as, people, survey, name, role):
    method, url, allowed = pages(survey)[name]
    user = getattr(people, role)
    response = getattr(client_as(user), method)(url)
    if role in allowed:
        assert response.status_code in (200, 302), (name, role, response.status_code)
        if response.status_code == 302:
            assert "/accounts/login/" not in response.url
    elif role == "ivan":
        # A disabled account is not logged in at all.
        assert response.status_code in (302, 403)
    else:
        assert response.status_code == 403, (name, role, response.status_code)


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_anonymous_visitors_are_sent_to_the_login_page(client_as, survey, name):
    method, url, _allowed = pages(survey)[name]
    response = getattr(client_as(None), method)(url)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["amy", "ana", "hank"])
def test_refused_changes_change_nothing(client_as, people, survey, role):
    q = survey.questions.get(code="Q2")
    client = client_as(getattr(people, role))
    client.post(reverse("surveys:question_delete", args=[survey.pk, q.pk]))
    client.post(reverse("surveys:archive", args=[survey.pk]))
    client.post(reverse("surveys:copy", args=[survey.pk]))
    survey.refresh_from_db()
    assert survey.questions.count() == 2 and not survey.is_archived and Questionnaire.objects.count() == 1


def test_people_who_only_view_see_no_edit_buttons(client_as, people, survey):
    page = client_as(people.ana).get(survey.get_absolute_url()).content.decode()
    assert reverse("surveys:question_create", args=[survey.pk]) not in page
    assert 'name="bands_text"' not in page
    page = client_as(people.alice).get(survey.get_absolute_url()).content.decode()
    assert reverse("surveys:question_create", args=[survey.pk]) in page
