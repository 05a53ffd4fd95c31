"""The agent's phone and paper entry forms of a questionnaire with pages show a heading before
each page's questions, in the designed order (issue 21); a questionnaire of one page has none.
The live part (a page's heading hidden with its questions) is in
tests/browser/test_page_indicator_browser.py."""

import re

import pytest

from manyi.campaigns.choices import CampaignState, Channel
from manyi.surveys.models import Page
from manyi.testing import make_campaign, make_invitation, make_question, make_questionnaire

pytestmark = pytest.mark.django_db


def entry_page(client_as, people, questionnaire, channel):
    campaign = make_campaign(
        questionnaire, state=CampaignState.RUNNING, channels=[Channel.PHONE, Channel.PAPER]
    )
    invitation = make_invitation(campaign, channel=channel)
    response = client_as(people.amy).get(f"/campaigns/entry/invitations/{invitation.pk}/{channel}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("channel", ["phone", "paper"])
def test_each_page_has_its_heading_before_its_questions(client_as, people, channel):
    questionnaire = make_questionnaire(title="物业服务调查")
    make_question(questionnaire, "Q0", text="小区名称", kind="text", options=())  # on no page: first
    first = Page.objects.create(questionnaire=questionnaire, position=0, title="", description="")
    repair = Page.objects.create(
        questionnaire=questionnaire,
        position=1,
        title="维修服务",
        description="最近一次报修",
        condition="answered(Q1)",
    )
    make_question(questionnaire, "Q1", page=first)
    make_question(questionnaire, "Q2", page=repair)
    html = entry_page(client_as, people, questionnaire, channel)
    sections = re.findall(r'data-page-section="(\d)">\s*<h2[^>]*>([^<]+)</h2>', html)
    assert sections == [("0", "第 1 页，共 3 页"), ("1", "第 2 页，共 3 页"), ("2", "维修服务")]
    assert "最近一次报修" in html
    order = [html.index(f'data-code="{code}"') for code in ("Q0", "Q1", "Q2")]
    headings = [html.index(f'data-page-section="{n}"') for n in range(3)]
    assert headings[0] < order[0] < headings[1] < order[1] < headings[2] < order[2]


def test_a_questionnaire_of_one_page_has_no_page_headings(client_as, people):
    questionnaire = make_questionnaire(title="简短调查")
    make_question(questionnaire, "Q1")
    assert "data-page-section" not in entry_page(client_as, people, questionnaire, "phone")


def test_earlier_answers_are_piped_into_later_texts_on_the_entry_form(client_as, people):
    questionnaire = make_questionnaire(title="物业服务调查")
    q1 = make_question(questionnaire, "Q1", text="维修服务")
    make_question(questionnaire, "Q2", text="您认为维修“{Q1}”的原因是？", kind="text", options=())
    html = entry_page(client_as, people, questionnaire, "phone")
    assert '您认为维修“<span class="piped" data-pipe="Q1">—</span>”的原因是？' in html  # not answered yet
    assert "{Q1}" not in html
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.PHONE])
    invitation = make_invitation(campaign, channel="phone")
    satisfied = q1.options.get(label="满意")
    response = client_as(people.amy).post(
        f"/campaigns/entry/invitations/{invitation.pk}/phone/",
        {f"q-{q1.pk}": str(satisfied.pk), "action": "submit"},
    )
    assert response.status_code == 400  # Q2 is required: the form comes back with Q1's answer piped
    assert '<span class="piped" data-pipe="Q1">满意</span>' in response.content.decode()
