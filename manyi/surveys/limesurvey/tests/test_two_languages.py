"""A bilingual LimeSurvey survey (zh-Hans and English) keeps its English texts (issue 21).

The questionnaire's own texts are Chinese (the builder edits those); the English ones are kept in
Questionnaire.translations and shown to respondents whose page is in English: the title and
introduction, the page titles, the questions, their options and matrix rows, and the thank-you
text. The answers are the same whichever language they were given in."""

from pathlib import Path

import pytest

from manyi.campaigns.choices import CampaignState, Channel, ResponseStatus
from manyi.campaigns.models import Answer, Response
from manyi.surveys.limesurvey import mapping, reader, structure
from manyi.surveys.limesurvey.export import export_lss
from manyi.surveys.limesurvey.importing import create_questionnaire
from manyi.surveys.translations import questionnaire_text, translated_question
from manyi.testing import make_campaign, make_invitation, make_questionnaire

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


def imported(name="satisfaction_ls6.lss"):
    archive = reader.read_path(DATA / name)
    return create_questionnaire(mapping.plan_questionnaire(structure.read_survey(archive.survey)))


@pytest.mark.parametrize("name", ["satisfaction_ls2.lss", "satisfaction_ls3.lss", "satisfaction_ls6.lss"])
def test_the_english_texts_are_kept_and_only_other_languages_reported(name):
    plan = mapping.plan_questionnaire(structure.read_survey(reader.read_path(DATA / name).survey))
    english = plan.translations["en"]
    assert (english["title"], english["thanks"]) == ("Customer satisfaction survey", "Thank you!")
    q1 = english["questions"]["Q1"]
    assert q1["text"] == "Overall, how satisfied are you?"
    assert list(q1["options"].values()) == [
        "Very satisfied",
        "Satisfied",
        "Neutral",
        "Dissatisfied",
        "Very dissatisfied",
    ]
    assert english["questions"]["Q3"]["rows"] == {"SQ001": "On-time delivery", "SQ002": "Product quality"}
    assert english["pages"]["1"]["title"] == "Service and purchasing"
    lost = plan.report.unsupported.get("other_language", {}).get("examples", [])
    assert lost == (["de"] if name == "satisfaction_ls2.lss" else [])  # the 2.x file also has German


def answer_page(client, invitation, language):
    return client.get(f"/s/{invitation.token}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_a_respondent_reading_english_sees_the_english_texts_and_others_the_chinese(client):
    questionnaire = imported()
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    invitation = make_invitation(campaign)
    english = answer_page(client, invitation, "en")
    for text in ("Customer satisfaction survey", "Thank you for taking 5 minutes.", "Overall",
                 "Overall, how satisfied are you?", "Very satisfied"):  # fmt: skip
        assert text in english, text
    assert "您对我们的总体满意度如何" not in english
    chinese = answer_page(client, invitation, "zh-hans")
    assert "您对我们的总体满意度如何" in chinese and "Overall, how satisfied are you?" not in chinese


def test_the_answers_given_in_english_are_the_same_answers(client):
    questionnaire = imported()
    q1 = questionnaire.questions.get(code="Q1")
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    invitation = make_invitation(campaign)
    page = answer_page(client, invitation, "en")
    very = q1.options.get(code="A1")
    assert f'for="q-{q1.pk}-{very.pk}">Very satisfied</label>' in page
    client.post(
        f"/s/{invitation.token}/",
        {f"q-{q1.pk}": str(very.pk), "action": "save", "page": "0"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    response = Response.objects.get(invitation=invitation)
    assert response.status == ResponseStatus.IN_PROGRESS
    assert Answer.objects.get(response=response, question=q1).option.label == very.label  # the Chinese label


def test_a_question_added_later_shows_its_own_text_in_english_too(client):
    from manyi.testing import make_question

    questionnaire = imported()
    added = make_question(
        questionnaire, "Q99", text="新增的问题", page=questionnaire.pages.first(), required=False
    )
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    assert added.text in answer_page(client, make_invitation(campaign), "en")


def test_a_new_version_keeps_the_english_texts():
    questionnaire = imported()
    assert questionnaire_text(questionnaire, "thanks", "en") == "Thank you!"
    assert questionnaire_text(questionnaire, "thanks", "zh-hans") == "感谢您的参与!"
    assert questionnaire.duplicate(new_version=True).translations == questionnaire.translations
    assert export_lss(questionnaire)[0]  # the export still writes the questionnaire's own language


def test_the_export_writes_english_as_limesurveys_second_language_and_it_comes_back():
    from defusedxml import ElementTree

    questionnaire = imported()
    data, _notes = export_lss(questionnaire)
    root = ElementTree.fromstring(data, forbid_dtd=True)
    assert [el.text for el in root.findall("languages/language")] == ["zh-Hans", "en"]
    assert root.find("surveys/rows/row").findtext("additional_languages") == "en"
    ids = [row.findtext("id") for row in root.findall("question_l10ns/rows/row")]
    assert len(ids) == len(set(ids))  # one row per text and language
    again = create_questionnaire(
        mapping.plan_questionnaire(structure.read_survey(reader.read_lss_bytes(data)))
    )
    english, before = again.translations["en"], questionnaire.translations["en"]
    assert (english["title"], english["intro"], english["thanks"]) == (
        before["title"],
        before["intro"],
        before["thanks"],
    )
    assert english["pages"] == before["pages"]

    def seen_in_english(survey):  # codes LimeSurvey cannot hold are renamed: compare what is shown
        return [
            (q.text, q.help_text, [o.label for o in q.options.all()], [r.text for r in q.rows.all()])
            for q in (translated_question(q, survey.translations["en"]) for q in survey.questions_in_order())
        ]

    assert seen_in_english(again) == seen_in_english(questionnaire)
    assert [q.text for q in again.questions_in_order()] == [
        q.text for q in questionnaire.questions_in_order()
    ]


def test_the_builder_says_that_english_texts_are_kept(client_as, people):
    questionnaire = imported()
    page = client_as(people.alice).get(questionnaire.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    note = page.content.decode().split('id="english-note">', 1)[1].split("</div>", 1)[0]
    assert "English texts (from a LimeSurvey import) for 13 questions" in note
    plain = make_questionnaire(title="无英文")
    assert 'id="english-note"' not in client_as(people.alice).get(plain.get_absolute_url()).content.decode()
