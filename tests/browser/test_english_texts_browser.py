"""A respondent whose browser asks for English answers a bilingual LimeSurvey import in English
(issue 21): the title, the page, the questions and their options in English, and the answers
saved like any other."""

from pathlib import Path

from manyi.campaigns.choices import CampaignState, Channel
from manyi.surveys.limesurvey import mapping, reader, structure
from manyi.surveys.limesurvey.importing import create_questionnaire
from manyi.testing import make_campaign, make_invitation

DATA = Path(__file__).resolve().parents[2] / "manyi" / "surveys" / "limesurvey" / "tests" / "data"


def test_an_english_reader_sees_the_english_texts(browser, live_server):
    archive = reader.read_path(DATA / "satisfaction_ls6.lss")
    questionnaire = create_questionnaire(mapping.plan_questionnaire(structure.read_survey(archive.survey)))
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    invitation = make_invitation(campaign)
    context = browser.new_context(viewport={"width": 1000, "height": 900}, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{invitation.token}/")
    assert page.inner_text("#survey-title") == "Customer satisfaction survey"
    assert page.inner_text("#page-title") == "Overall"
    q1 = questionnaire.questions.get(code="Q1")
    assert "Overall, how satisfied are you?" in page.inner_text(f"#question-{q1.pk} legend")
    assert "Very satisfied" in page.inner_text(f"#question-{q1.pk}")
    from tests.browser.test_answer_pages_browser import _shot

    _shot(page, "answer-page-english-texts")
    context.close()
