"""The report's open answers: the first ones of each text question with the count of all, read
in a number of queries that does not grow with the number of questions."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from manyi.campaigns.choices import ResponseStatus
from manyi.campaigns.models import Answer, Response
from manyi.reports import figures
from manyi.results import dataset as dataset_module
from manyi.surveys.choices import QuestionKind
from manyi.surveys.models import Questionnaire
from manyi.testing import make_question

from .conftest import ANSWERS


def queries_of_open_answers(campaign):
    """Queries of one reading of the open answers, once the keyword cloud is in the cache."""
    campaign.refresh_from_db()
    dataset_module.forget()
    dataset = dataset_module.campaign_dataset(campaign)
    figures._open_answers(campaign, dataset)  # fills the keyword cache and the layout
    with CaptureQueriesContext(connection) as queries:
        result = figures._open_answers(campaign, dataset)
    return len(queries), result


def add_text_question(campaign, code, texts):
    """A further text question, answered by the campaign's completed responses in turn."""
    questionnaire = Questionnaire.objects.get(pk=campaign.questionnaire_id)
    question = make_question(questionnaire, code, text=f"问题{code}", kind=QuestionKind.TEXT, options=())
    responses = Response.objects.filter(campaign=campaign, status=ResponseStatus.COMPLETED).order_by("pk")
    for response, text in zip(responses, texts, strict=False):
        Answer.objects.create(response=response, question=question, text=text)
    return question


def test_the_open_answers_take_as_many_queries_for_four_questions_as_for_one(survey):
    one_question, _result = queries_of_open_answers(survey)
    add_text_question(survey, "T2", ["二号第一条", "", "二号第三条"])
    add_text_question(survey, "T3", ["三号唯一一条"])
    add_text_question(survey, "T4", [])
    four_questions, result = queries_of_open_answers(survey)
    assert four_questions == one_question
    by_code = {q["code"]: q for q in result["questions"]}
    assert list(by_code) == ["OPEN", "T2", "T3", "T4"]
    given = [text for _region, _points, _nps, text in ANSWERS if text]
    assert (by_code["OPEN"]["count"], by_code["OPEN"]["answers"]) == (len(given), given)
    assert (by_code["T2"]["count"], by_code["T2"]["answers"]) == (2, ["二号第一条", "二号第三条"])
    assert (by_code["T3"]["count"], by_code["T3"]["answers"]) == (1, ["三号唯一一条"])
    assert (by_code["T4"]["count"], by_code["T4"]["answers"]) == (0, [])


def test_only_the_first_answers_are_kept_but_all_are_counted(survey, monkeypatch):
    monkeypatch.setattr(figures, "OPEN_ANSWERS_KEPT", 3)
    add_text_question(survey, "T2", ["甲", "乙"])
    _queries, result = queries_of_open_answers(survey)
    by_code = {q["code"]: q for q in result["questions"]}
    given = [text for _region, _points, _nps, text in ANSWERS if text]
    assert (by_code["OPEN"]["count"], by_code["OPEN"]["answers"]) == (len(given), given[:3])
    assert (by_code["T2"]["count"], by_code["T2"]["answers"]) == (2, ["甲", "乙"])
