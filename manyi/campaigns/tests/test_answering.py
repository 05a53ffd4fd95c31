"""Answer form, saving responses safely, and scoring them (no HTTP)."""

import uuid

import pytest

from manyi.campaigns.answering import (
    AnswerForm,
    can_see_individual_answers,
    initial_from_response,
    save_response,
)
from manyi.campaigns.choices import CampaignState, Channel, InvitationStatus, ResponseStatus
from manyi.campaigns.models import Answer, Response
from manyi.surveys.choices import QuestionKind
from manyi.testing import make_campaign, make_invitation, make_question, make_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    """These tests read the messages in English (the msgids); pages show them translated."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def survey():
    questionnaire = make_questionnaire(title="售后服务调查")
    q1 = make_question(questionnaire, code="Q1", text="产品质量")
    q2 = make_question(questionnaire, code="Q2", text="交货及时")
    q3 = make_question(questionnaire, code="Q3", text="服务态度")
    nps = make_question(
        questionnaire, code="Q4", text="推荐", kind=QuestionKind.NPS, options=(), scored=False
    )
    text = make_question(
        questionnaire, code="Q5", text="建议", kind=QuestionKind.TEXT, options=(), required=False
    )
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    invitation = make_invitation(campaign)
    return questionnaire, campaign, invitation, (q1, q2, q3, nps, text)


def option(question, label):
    return str(question.options.get(label=label).pk)


def full_answers(questions):
    q1, q2, q3, nps, text = questions
    return {
        f"q-{q1.pk}": option(q1, "很满意"),
        f"q-{q2.pk}": option(q2, "满意"),
        f"q-{q3.pk}": option(q3, "可以接受"),
        f"q-{nps.pk}": "9",
        f"q-{text.pk}": "送货再快一点",
    }


def submit(survey, data, complete=True, **kwargs):
    questionnaire, campaign, invitation, _ = survey
    form = AnswerForm(questionnaire, data=data, complete=complete)
    assert form.is_valid(), form.errors
    return save_response(
        campaign=campaign,
        questionnaire=questionnaire,
        cleaned_data=form.cleaned_data,
        channel=Channel.WEB,
        invitation=kwargs.pop("invitation", invitation),
        complete=complete,
        **kwargs,
    )


def test_a_full_answer_stores_the_scores_worked_out_by_hand(survey):
    response, created = submit(survey, full_answers(survey[3]))

    response.refresh_from_db()
    assert created
    assert response.status == ResponseStatus.COMPLETED and response.completed_at
    # 10/8/6 on a 10-point ratio scale → 100, 80, 60; mean 80 → 满意 (75 ≤ 80 < 90), satisfied (≥ 70)
    assert response.item_scores == {"Q1": 100.0, "Q2": 80.0, "Q3": 60.0}
    assert response.index == pytest.approx(80.0)
    assert response.grade == "满意"
    assert response.satisfied is True and response.valid is True
    assert response.nps == 9
    assert response.answers.count() == 5
    assert response.answers.get(question__code="Q5").text == "送货再快一点"
    # What the dashboards read: the points of the options chosen (很满意 10, 满意 8, 可以接受 6).
    assert response.points == {"Q1": 10, "Q2": 8, "Q3": 6}
    assert response.importance == {}


def test_stated_importance_is_stored_by_item(survey):
    _questionnaire, _campaign, _invitation, questions = survey
    q1 = questions[0]
    q1.ask_importance = True
    q1.save()
    data = full_answers(questions) | {f"q-{q1.pk}-importance": "5"}

    response, _created = submit(survey, data)

    response.refresh_from_db()
    assert response.importance == {"Q1": 5}


def test_the_invitation_counts_as_completed(survey):
    submit(survey, full_answers(survey[3]))
    invitation = survey[2]
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.COMPLETED
    assert invitation.started_at and invitation.completed_at


def test_a_missing_required_answer_names_the_question_and_nothing_is_saved(survey):
    questionnaire, *_, questions = survey
    data = full_answers(questions)
    del data[f"q-{questions[2].pk}"]
    form = AnswerForm(questionnaire, data=data)

    assert not form.is_valid()
    assert form.question_errors()[questions[2].pk] == ["Please answer question Q3."]
    assert form.error_summary() == ["Please answer question Q3."]
    assert not Response.objects.exists()


def test_a_draft_does_not_need_the_required_answers_and_is_not_scored(survey):
    questions = survey[3]
    response, created = submit(survey, {f"q-{questions[0].pk}": option(questions[0], "满意")}, complete=False)

    assert created and response.status == ResponseStatus.IN_PROGRESS
    assert response.index is None and response.valid is None
    survey[2].refresh_from_db()
    assert survey[2].status == InvitationStatus.STARTED


def test_a_draft_comes_back_as_the_form_values_and_completing_it_keeps_one_response(survey):
    questions = survey[3]
    first = {f"q-{questions[0].pk}": option(questions[0], "满意"), f"q-{questions[3].pk}": "7"}
    draft, _ = submit(survey, first, complete=False)

    initial = initial_from_response(draft)
    assert initial[f"q-{questions[0].pk}"] == first[f"q-{questions[0].pk}"]
    assert initial[f"q-{questions[3].pk}"] == "7"

    final, created = submit(survey, full_answers(questions))
    assert created and final.pk == draft.pk
    assert Response.objects.count() == 1
    assert Answer.objects.filter(response=final).count() == 5


def test_a_second_submit_returns_the_completed_response_unchanged(survey):
    questions = survey[3]
    first, _ = submit(survey, full_answers(questions))
    worse = full_answers(questions) | {f"q-{questions[0].pk}": option(questions[0], "很不满意")}

    again, created = submit(survey, worse)

    assert not created and again.pk == first.pk
    assert Response.objects.count() == 1
    again.refresh_from_db()
    assert again.item_scores["Q1"] == 100.0


def test_the_same_anonymous_submission_id_twice_makes_one_response(survey):
    submission = uuid.uuid4()
    first, created = submit(survey, full_answers(survey[3]), invitation=None, submission_id=submission)
    second, created_again = submit(survey, full_answers(survey[3]), invitation=None, submission_id=submission)

    assert created and not created_again
    assert first.pk == second.pk
    assert Response.objects.count() == 1


def test_an_option_of_another_question_is_rejected(survey):
    questionnaire, *_, questions = survey
    data = full_answers(questions) | {f"q-{questions[0].pk}": option(questions[1], "很满意")}
    form = AnswerForm(questionnaire, data=data)

    assert not form.is_valid()
    assert "Q1" in form.question_errors()[questions[0].pk][0]


def test_the_shared_answer_fields_keep_each_language_s_messages(survey):
    # The form's fields are built once per questionnaire layout and language, then shared.
    from django.utils import translation

    questionnaire, *_, questions = survey
    wrong = full_answers(questions) | {f"q-{questions[0].pk}": option(questions[1], "很满意")}
    forms_in = {}
    for language in ("en", "zh-hans", "en", "zh-hans"):
        with translation.override(language):
            form = AnswerForm(questionnaire, data=wrong)
            assert not form.is_valid()
            forms_in.setdefault(language, []).append(form.question_errors()[questions[0].pk][0])

    assert forms_in["en"] == ["Question Q1: that answer is not one of its options."] * 2
    chinese = forms_in["zh-hans"]
    assert chinese[0] == chinese[1] and "Q1" in chinese[0] and chinese[0] != forms_in["en"][0]
    assert AnswerForm(questionnaire).fields is not AnswerForm(questionnaire).fields


def test_an_nps_answer_outside_0_to_10_is_rejected(survey):
    questionnaire, *_, questions = survey
    form = AnswerForm(questionnaire, data=full_answers(questions) | {f"q-{questions[3].pk}": "11"})
    assert not form.is_valid()


def test_matrix_rows_are_scored_by_row_code_and_a_missing_row_is_an_error():
    questionnaire = make_questionnaire()
    matrix = make_question(
        questionnaire,
        code="M",
        kind=QuestionKind.MATRIX,
        rows=[("M1", "包装"), ("M2", "运输")],
        ask_importance=True,
    )
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING)
    rows = list(matrix.rows.all())
    ten, six = option(matrix, "很满意"), option(matrix, "可以接受")

    incomplete = AnswerForm(questionnaire, data={f"q-{matrix.pk}-{rows[0].pk}": ten})
    assert not incomplete.is_valid()
    assert incomplete.error_summary() == ["Please answer question M."]

    form = AnswerForm(
        questionnaire,
        data={
            f"q-{matrix.pk}-{rows[0].pk}": ten,
            f"q-{matrix.pk}-{rows[1].pk}": six,
            f"q-{matrix.pk}-{rows[1].pk}-importance": "5",
        },
    )
    assert form.is_valid(), form.errors
    response, _ = save_response(
        campaign=campaign, questionnaire=questionnaire, cleaned_data=form.cleaned_data, channel=Channel.PAPER
    )
    assert response.item_scores == {"M1": 100.0, "M2": 60.0}
    assert response.index == pytest.approx(80.0)
    assert response.answers.get(row=rows[1]).importance == 5


def test_multiple_choice_with_other_keeps_the_other_text():
    questionnaire = make_questionnaire()
    question = make_question(
        questionnaire,
        code="Q1",
        kind=QuestionKind.MULTIPLE,
        options=[("价格", None, False), ("质量", None, False)],
        allow_other=True,
        scored=False,
    )
    campaign = make_campaign(questionnaire)
    without_text = AnswerForm(questionnaire, data={f"q-{question.pk}": ["other"]})
    assert not without_text.is_valid()

    form = AnswerForm(
        questionnaire,
        data={f"q-{question.pk}": [option(question, "价格"), "other"], f"q-{question.pk}-other": "售后"},
    )
    assert form.is_valid(), form.errors
    response, _ = save_response(
        campaign=campaign, questionnaire=questionnaire, cleaned_data=form.cleaned_data, channel=Channel.WEB
    )
    assert sorted(a.text or a.option.label for a in response.answers.all()) == ["价格", "售后"]
    assert initial_from_response(response)[f"q-{question.pk}-other"] == "售后"


def test_individual_answers_of_a_confidential_campaign_need_the_confidential_right(people, survey):
    campaign = survey[1]
    assert can_see_individual_answers(people.amy, campaign)
    campaign.confidential = True
    assert not can_see_individual_answers(people.amy, campaign)
    assert not can_see_individual_answers(people.sam, campaign)
    assert can_see_individual_answers(people.ana, campaign)
    assert can_see_individual_answers(people.alice, campaign)
    assert not can_see_individual_answers(people.hank, campaign)


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_the_same_moment_store_one_response(settings):
    """Two requests for one link race: one stores the answers, the other gets its response.

    Real concurrency needs a server database (SQLite serialises writers before they race)."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions (PostgreSQL)")
    questionnaire = make_questionnaire(title="并发")
    questions = [make_question(questionnaire, code=f"Q{n}", text=f"题{n}") for n in range(1, 4)]
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    invitation = make_invitation(campaign)
    data = {f"q-{q.pk}": option(q, "满意") for q in questions}
    barrier = threading.Barrier(2)
    results, errors = [], []

    def one_request():
        try:
            form = AnswerForm(questionnaire, data=data)
            assert form.is_valid()
            barrier.wait(timeout=10)
            results.append(
                save_response(
                    campaign=campaign,
                    questionnaire=questionnaire,
                    cleaned_data=form.cleaned_data,
                    channel=Channel.WEB,
                    invitation=invitation,
                )
            )
        except Exception as error:  # reported below, a thread cannot fail the test itself
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one_request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(created for _response, created in results) == [False, True]
    assert len({response.pk for response, _created in results}) == 1
    assert Response.objects.filter(invitation=invitation).count() == 1
    assert Answer.objects.filter(response__invitation=invitation).count() == 3


def test_a_submit_after_a_saved_draft_completes_that_draft(survey):
    """The first insert meets the draft's row; the draft is then completed in place."""
    draft, created = submit(survey, {f"q-{survey[3][0].pk}": option(survey[3][0], "满意")}, complete=False)
    assert created and draft.status == ResponseStatus.IN_PROGRESS

    completed, created = submit(survey, full_answers(survey[3]))

    assert created and completed.pk == draft.pk
    completed.refresh_from_db()
    assert completed.status == ResponseStatus.COMPLETED and completed.index is not None
    assert Response.objects.count() == 1 and Answer.objects.count() == 5


def test_the_migration_fills_points_of_responses_stored_before_them(survey):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("manyi.campaigns.migrations.0003_response_points")
    response, _created = submit(survey, full_answers(survey[3]))
    Response.objects.filter(pk=response.pk).update(points={}, importance={})

    migration.fill_points(apps, None)

    response.refresh_from_db()
    assert response.points == {"Q1": 10, "Q2": 8, "Q3": 6}
