"""The detail page says whether the feedback is actionable (seed 002) and links the survey answer."""

import pytest
from django.urls import reverse

from manyi.campaigns.choices import ResponseStatus
from manyi.campaigns.models import Answer
from manyi.testing import make_campaign, make_question, make_questionnaire, make_response
from manyi.tickets import workflow
from manyi.tickets.choices import Channel
from manyi.tickets.feedback_classifier import feedback_class
from manyi.tickets.survey_rule import SurveyRule, open_ticket_for_response

from .conftest import in_english

pytestmark = pytest.mark.django_db


def phone_ticket(description):
    return workflow.open_ticket(by=None, channel=Channel.PHONE, subject="", description=description)


def remark_cell(page):
    html = page.content.decode()
    start = html.index('id="remark"')
    return html[start : html.index("</dd>", start)]


def test_concrete_feedback_is_shown_actionable_with_its_words(people, client_as):
    ticket = phone_ticket("收到的货包装破损，快递慢了三天")
    page = in_english(client_as(people.amy)).get(ticket.get_absolute_url())
    cell = remark_cell(page)
    assert ">Actionable<" in cell
    assert "包装破损" in cell


def test_generic_praise_is_shown_not_actionable(people, client_as):
    ticket = phone_ticket("挺好，不错，赞")
    page = in_english(client_as(people.sam)).get(ticket.get_absolute_url())
    cell = remark_cell(page)
    assert ">Not actionable<" in cell
    assert "挺好" in cell


@pytest.fixture
def survey_ticket(db):
    questionnaire = make_questionnaire()
    make_question(questionnaire, code="Q1", text="产品质量")
    remark = make_question(questionnaire, code="Q2", text="其他建议")
    campaign = make_campaign(questionnaire, name="2026年第三季度满意度调查")
    response = make_response(
        questionnaire,
        campaign=campaign,
        status=ResponseStatus.COMPLETED,
        item_scores={"Q1": 20.0},
        nps=8,
        index=72.0,
    )
    Answer.objects.create(response=response, question=remark, text="不错")
    ticket, _created = open_ticket_for_response(response, rule=SurveyRule())
    return ticket


def test_a_survey_ticket_is_judged_on_the_customers_answers_not_the_generated_text(survey_ticket):
    # The description names the low-scored item (产品质量), which alone would look concrete.
    assert "产品质量" in survey_ticket.description
    assert not feedback_class(survey_ticket).actionable


def test_the_survey_response_is_linked_for_those_who_may_read_answers(people, client_as, survey_ticket):
    url = reverse("entry:response", args=[survey_ticket.response_id])
    page = client_as(people.sam).get(survey_ticket.get_absolute_url())
    assert 'id="survey-response"' in page.content.decode()
    assert url in page.content.decode()
    agent_page = client_as(people.amy).get(survey_ticket.get_absolute_url())
    assert url in agent_page.content.decode()


def test_no_link_to_answers_a_role_may_not_read(people, client_as, survey_ticket):
    from manyi.campaigns.models import Campaign

    url = reverse("entry:response", args=[survey_ticket.response_id])
    # A confidential campaign's answers are for headquarters only, not for the supervisor.
    Campaign.objects.filter(pk=survey_ticket.response.campaign_id).update(confidential=True)
    page = client_as(people.sam).get(survey_ticket.get_absolute_url())
    body = page.content.decode()
    assert 'id="survey-response"' in body
    assert url not in body
