"""The named response querysets every count and figure reads: drafts are never answers."""

import pytest

from manyi.campaigns.choices import ResponseStatus
from manyi.campaigns.models import Answer, Response
from manyi.testing import make_campaign, make_question, make_questionnaire, make_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def responses():
    questionnaire = make_questionnaire()
    question = make_question(questionnaire, code="Q1")
    campaign = make_campaign(questionnaire)
    made = {
        "draft": make_response(questionnaire, campaign, status=ResponseStatus.IN_PROGRESS),
        "valid": make_response(questionnaire, campaign, status=ResponseStatus.COMPLETED, valid=True),
        "invalid": make_response(questionnaire, campaign, status=ResponseStatus.COMPLETED, valid=False),
        "elsewhere": make_response(questionnaire, status=ResponseStatus.COMPLETED, valid=True),
    }
    for response in made.values():
        Answer.objects.create(response=response, question=question, option=question.options.first())
    return campaign, made


def test_completed_and_valid_leave_drafts_and_invalid_questionnaires_out(responses):
    campaign, made = responses
    mine = Response.objects.for_campaign(campaign)
    assert set(mine.completed()) == {made["valid"], made["invalid"]}
    assert set(mine.valid()) == {made["valid"]}
    assert mine.counts() == {"responses": 3, "completed": 2, "valid": 1}


def test_the_answers_read_are_those_of_completed_responses(responses):
    _campaign, made = responses
    answered = {answer.response for answer in Answer.objects.of_completed_responses()}
    assert answered == {made["valid"], made["invalid"], made["elsewhere"]}
