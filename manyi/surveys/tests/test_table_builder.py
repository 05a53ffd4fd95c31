"""The builder's table questions (seed 000, 快递调查 四): columns added, edited, reordered and checked,
copied with every new version, and what the 'shares at most 100%' setting changes."""

import pytest
from django.urls import reverse

from manyi.campaigns.tests.test_table_answers import COLUMNS, make_table_question
from manyi.surveys.choices import QuestionKind
from manyi.surveys.models import Question, Questionnaire, TableColumn
from manyi.surveys.table_forms import check_columns
from manyi.testing import make_question, make_questionnaire, make_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    questionnaire = make_questionnaire(title="快递服务调查")
    make_question(questionnaire, "Q1", text="派送速度")
    return questionnaire


def table_post(columns=COLUMNS, order=None, **overrides):
    """A valid POST of the question editor for a table question with `columns`."""
    data = {
        "kind": "table",
        "code": "Q4",
        "text": "目前主要合作快递公司及发件量占比?",
        "help_text": "",
        "dimension": "",
        "weight": "1",
        "table_max_rows": "5",
        "options-TOTAL_FORMS": "0",
        "options-INITIAL_FORMS": "0",
        "rows-TOTAL_FORMS": "0",
        "rows-INITIAL_FORMS": "0",
        "columns-TOTAL_FORMS": str(len(columns)),
        "columns-INITIAL_FORMS": "0",
    }
    for i, (code, label, kind, required) in enumerate(columns):
        data.update({f"columns-{i}-code": code, f"columns-{i}-label": label, f"columns-{i}-kind": kind})
        if required:
            data[f"columns-{i}-required"] = "on"
        if order:
            data[f"columns-{i}-ORDER"] = str(order[i])
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def columns_of(question):
    return [(c.code, c.label, c.kind, c.required) for c in question.columns.all()]


def test_a_table_question_is_saved_with_its_columns_in_order(client_as, people, survey):
    response = client_as(people.alice).post(
        reverse("surveys:question_create", args=[survey.pk]),
        table_post(table_max_rows="8", table_shares_within_100="on"),
    )
    assert response.status_code == 302
    question = survey.questions.get(code="Q4")
    assert question.kind == QuestionKind.TABLE and not question.scored
    assert question.table_max_rows == 8 and question.table_shares_within_100
    assert columns_of(question) == COLUMNS


def test_the_order_numbers_reorder_the_columns_and_a_deleted_one_goes(client_as, people, survey):
    client = client_as(people.alice)
    data = table_post(order=[4, 3, 2, 1])
    data["columns-1-DELETE"] = "on"  # 件量占比
    client.post(reverse("surveys:question_create", args=[survey.pk]), data)
    question = survey.questions.get(code="Q4")
    assert [c.code for c in question.columns.all()] == ["cons", "pros", "company"]


def test_the_editor_shows_the_columns_of_a_table_question(client_as, people, survey):
    question = make_table_question(survey)
    page = client_as(people.alice).get(reverse("surveys:question_edit", args=[survey.pk, question.pk]))
    html = page.content.decode()
    assert 'id="columns-editor"' in html
    assert 'name="columns-1-label" value="件量占比"' in html and 'name="columns-3-ORDER" value="4"' in html


def test_an_edit_changes_the_columns(client_as, people, survey):
    question = make_table_question(survey)
    columns = [("company", "快递公司", "text", True), ("volume", "月发件量", "number", False)]
    response = client_as(people.alice).post(
        reverse("surveys:question_edit", args=[survey.pk, question.pk]), table_post(columns=columns)
    )
    assert response.status_code == 302
    assert columns_of(Question.objects.get(pk=question.pk)) == columns


BAD = {
    "no column": ({"columns": []}, "A table question needs at least one column."),
    "same code twice": (
        {"columns": [("c", "快递公司", "text", True), ("c", "占比", "percent", False)]},
        "Column codes must be unique in the question: c",
    ),
    "a heading missing": (
        {"columns": [("c", "", "text", False)]},
        "Every column needs a code and a heading.",
    ),
    "a code with a space": (
        {"columns": [("a b", "快递公司", "text", False)]},
        "Use letters, digits and _ only",
    ),
    "100% rule without a percentage": (
        {"columns": [("c", "快递公司", "text", False)], "table_shares_within_100": "on"},
        "The rule on the sum of the percentages needs a percentage column.",
    ),
    "no rows": ({"table_max_rows": "0"}, "Ensure this value is greater than or equal to 1."),
    "too many rows": ({"table_max_rows": "21"}, "Ensure this value is less than or equal to 20."),
    "a table with options": (
        {"options-TOTAL_FORMS": "1", "options-0-label": "圆通"},
        "A table question has no options; remove them.",
    ),
    "scored": (
        {"scored": "on"},
        "Only rating, matrix and single-choice questions can count toward the index.",
    ),
}


@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
def test_a_bad_table_question_is_refused_with_a_message_and_saves_nothing(client_as, people, survey, case):
    from django.utils import translation

    overrides, message = case
    columns = overrides.pop("columns", COLUMNS)
    with translation.override("en"):
        client = client_as(people.alice)
        client.cookies["django_language"] = "en"
        response = client.post(
            reverse("surveys:question_create", args=[survey.pk]), table_post(columns=columns, **overrides)
        )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not survey.questions.filter(code="Q4").exists() and not TableColumn.objects.exists()


def test_columns_belong_to_table_questions_only():
    from django.utils import translation

    column = {"code": "c", "label": "快递公司", "kind": "text"}
    with translation.override("en"):
        errors = check_columns(kind="text", columns=[column], options=[], shares_within_100=False, max_rows=5)
        assert [str(e) for e in errors] == ["Only table questions have columns."]
    assert (
        check_columns(kind="table", columns=[column], options=[], shares_within_100=False, max_rows=5) == []
    )


def test_an_agent_cannot_add_a_table_question(client_as, people, survey):
    for who in (people.amy, people.ana, people.hank):
        response = client_as(who).post(reverse("surveys:question_create", args=[survey.pk]), table_post())
        assert response.status_code in (302, 403)
        assert not survey.questions.filter(code="Q4").exists()


def test_a_new_version_and_a_copy_carry_the_columns_and_the_old_version_keeps_its_own(
    client_as, people, survey
):
    question = make_table_question(survey, table_max_rows=3, table_shares_within_100=True)
    make_response(survey)  # answered: frozen
    client = client_as(people.alice)
    columns = [("company", "快递公司", "text", True)]
    client.post(reverse("surveys:question_edit", args=[survey.pk, question.pk]), table_post(columns=columns))

    v2 = Questionnaire.objects.get(family=survey.family, version=2)
    assert columns_of(v2.questions.get(code="Q4")) == columns
    assert columns_of(survey.questions.get(code="Q4")) == COLUMNS  # v1 as it was answered

    copy = survey.duplicate(title="副本")
    copied = copy.questions.get(code="Q4")
    assert columns_of(copied) == COLUMNS
    assert copied.table_max_rows == 3 and copied.table_shares_within_100
    assert set(TableColumn.objects.filter(question=copied).values_list("pk", flat=True)).isdisjoint(
        question.columns.values_list("pk", flat=True)
    )


def test_a_column_changed_in_place_is_seen_by_the_next_answer_form(survey):
    from manyi.campaigns.answering import AnswerForm

    question = make_table_question(survey)
    assert len(AnswerForm(survey).fields) == 1 + 5 * 4
    TableColumn.objects.create(question=question, position=9, code="note", label="备注")
    survey.refresh_from_db()
    assert len(AnswerForm(survey).fields) == 1 + 5 * 5


def test_the_express_template_asks_point_four_as_a_table():
    """Seed 000: 四、目前主要合作快递公司及发件量占比?圆通和其他快递公司对比存在的优劣势?
    快递公司 / 件量占比 / 优势 / 劣势."""
    from manyi.surveys import loader

    questionnaire = loader.create_from_template("express_delivery_service")
    table = questionnaire.questions.get(kind=QuestionKind.TABLE)
    assert columns_of(table) == [
        ("company", "快递公司", "text", True),
        ("share", "件量占比", "percent", False),
        ("pros", "优势", "text", False),
        ("cons", "劣势", "text", False),
    ]
    assert table.table_max_rows == 5 and table.table_shares_within_100 and not table.scored
    assert table.code == "Q21"
    assert not questionnaire.questions.filter(kind=QuestionKind.TEXT, text__contains="优势").exists()


def test_the_builder_page_and_the_preview_show_the_table(client_as, people, survey):
    question = make_table_question(survey, table_max_rows=2)
    client = client_as(people.ana)
    detail = client.get(reverse("surveys:detail", args=[survey.pk])).content.decode()
    assert "快递公司 (文字) | 件量占比 (百分比（0-100）)" in detail and "最多 2 行" in detail
    preview = client.get(reverse("surveys:preview", args=[survey.pk])).content.decode()
    share = question.columns.get(code="share")
    assert f'name="preview-{question.pk}-t2-{share.pk}"' in preview
    assert f'name="preview-{question.pk}-t3-{share.pk}"' not in preview
