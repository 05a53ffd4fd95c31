"""Confidential campaigns: only administrators set or lift confidentiality (and the audit log
says who lifted it, when); a confidential campaign's drafts follow the rule of its answers."""

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from manyi.accounts import permissions
from manyi.accounts.audit import describe_changes
from manyi.accounts.choices import Role
from manyi.campaigns.answering import AnswerForm, save_response
from manyi.campaigns.choices import CampaignState, Channel, ResponseStatus
from manyi.campaigns.models import Campaign, Response
from manyi.surveys.choices import QuestionKind
from manyi.testing import make_campaign, make_invitation, make_question, make_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    """These tests read the messages in English (the msgids); pages show them translated."""
    with translation.override("en"):
        yield


@pytest.fixture
def questionnaire():
    questionnaire = make_questionnaire(title="总部满意度调查")
    make_question(questionnaire, code="Q1", text="产品质量")
    make_question(
        questionnaire, code="Q2", text="还有什么建议？", kind=QuestionKind.TEXT, options=(), required=False
    )
    return questionnaire


def in_english(client):
    """The test client, asking for English pages (client_as's logout clears the cookie)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def form_data(campaign, **overrides):
    """The campaign form as the browser posts it: an unticked box is simply absent."""
    data = {
        "name": campaign.name,
        "series": "",
        "wave": "",
        "questionnaire": campaign.questionnaire_id,
        "purpose": "",
        "channels": ["email"],
        "sampling_method": "all",
        "sample_size": "",
        "sampling_seed": "1",
        "stratify_by": "",
        "volume_share": "0.8",
        "invite_at": "",
        "deadline": "",
        "reminder_days_text": "3,5",
        "target_response_rate": "70",
    }
    data.update(overrides)
    return data


def confidentiality_entries(campaign):
    return [
        entry
        for entry in LogEntry.objects.get_for_object(campaign).order_by("timestamp", "pk")
        if entry.action == LogEntry.Action.UPDATE and "confidential" in (entry.changes_dict or {})
    ]


# --------------------------------------------------------------------------- setting and lifting


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMINISTRATOR, True),
        (Role.SUPERVISOR, False),
        (Role.AGENT, False),
        (Role.HANDLER, False),
        (Role.ANALYST, False),
    ],
)
def test_only_administrators_may_set_confidentiality(role, allowed):
    assert permissions.role_can(role, permissions.SET_CAMPAIGN_CONFIDENTIALITY) is allowed


def test_a_personal_grant_to_read_confidential_answers_does_not_let_one_lift_confidentiality(people):
    people.sam.may_view_confidential_responses = True
    people.sam.may_view_personal_data = True
    assert not people.sam.can(permissions.SET_CAMPAIGN_CONFIDENTIALITY)


def test_a_supervisor_reposting_the_form_without_the_box_keeps_the_campaign_confidential(
    client_as, people, questionnaire
):
    campaign = make_campaign(questionnaire, name="总部调查", channels=["email"], confidential=True)
    response = client_as(people.sam).post(
        reverse("campaigns:edit", args=[campaign.pk]), form_data(campaign, wave="第二波")
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.wave == "第二波"  # the rest of the edit is saved
    assert campaign.confidential is True
    assert confidentiality_entries(campaign) == []


def test_a_supervisor_cannot_make_a_campaign_confidential_either(client_as, people, questionnaire):
    campaign = make_campaign(questionnaire, name="分公司调查", channels=["email"])
    client = client_as(people.sam)
    client.post(reverse("campaigns:edit", args=[campaign.pk]), form_data(campaign, confidential="on"))
    client.post(reverse("campaigns:create"), form_data(campaign, name="新调查", confidential="on"))
    assert not Campaign.objects.filter(confidential=True).exists()


def test_the_supervisors_form_has_no_box_and_says_who_may_change_it(client_as, people, questionnaire):
    campaign = make_campaign(questionnaire, name="总部调查", channels=["email"], confidential=True)
    page = (
        in_english(client_as(people.sam)).get(reverse("campaigns:edit", args=[campaign.pk])).content.decode()
    )
    assert 'name="confidential"' not in page
    assert "Only an administrator can lift it." in page
    page = client_as(people.alice).get(reverse("campaigns:edit", args=[campaign.pk])).content.decode()
    assert 'name="confidential"' in page


def test_an_administrator_sets_and_lifts_confidentiality_and_the_audit_log_says_who_and_when(
    client_as, people, questionnaire
):
    campaign = make_campaign(questionnaire, name="总部调查", channels=["email"])
    client = client_as(people.alice)
    url = reverse("campaigns:edit", args=[campaign.pk])

    assert client.post(url, form_data(campaign, confidential="on")).status_code == 302
    campaign.refresh_from_db()
    assert campaign.confidential is True

    assert client.post(url, form_data(campaign)).status_code == 302
    campaign.refresh_from_db()
    assert campaign.confidential is False

    set_entry, lift_entry = confidentiality_entries(campaign)
    assert set_entry.changes_dict["confidential"] == ["False", "True"]
    assert lift_entry.changes_dict["confidential"] == ["True", "False"]
    assert lift_entry.actor == people.alice and lift_entry.timestamp is not None
    page = client.get(reverse("audit_log"), {"q": campaign.name}).content.decode()
    assert "总部调查" in page
    with translation.override("en"):
        assert describe_changes(lift_entry) == [("confidential", "Yes", "No")]


# --------------------------------------------------------------------------- drafts


@pytest.fixture
def customers_draft(questionnaire):
    """A confidential running campaign whose customer saved a draft through their own link."""
    campaign = make_campaign(
        questionnaire,
        name="总部调查",
        state=CampaignState.RUNNING,
        channels=[Channel.WEB, Channel.PHONE],
        confidential=True,
    )
    invitation = make_invitation(campaign)
    q1, q2 = questionnaire.questions.order_by("position")
    form = AnswerForm(
        questionnaire,
        data={f"q-{q1.pk}": str(q1.options.get(label="很不满意").pk), f"q-{q2.pk}": "经理王某太差"},
        complete=False,
    )
    assert form.is_valid()
    save_response(
        campaign=campaign,
        questionnaire=questionnaire,
        cleaned_data=form.cleaned_data,
        channel=Channel.WEB,
        invitation=invitation,
        complete=False,
    )
    return campaign, invitation, (q1, q2)


def enter_url(invitation):
    return f"/campaigns/entry/invitations/{invitation.pk}/phone/"


def test_an_agent_does_not_see_a_customers_draft_of_a_confidential_survey(client_as, people, customers_draft):
    _campaign, invitation, (_q1, _q2) = customers_draft
    result = in_english(client_as(people.amy)).get(enter_url(invitation))
    assert result.status_code == 200
    page = result.content.decode()
    assert "经理王某太差" not in page
    assert " checked" not in page
    assert "This customer has saved a draft." in page
    assert 'id="save-button"' not in page


def test_who_may_read_confidential_answers_sees_the_draft(client_as, people, customers_draft):
    _campaign, invitation, (q1, _q2) = customers_draft
    page = client_as(people.alice).get(enter_url(invitation)).content.decode()
    assert "经理王某太差" in page
    assert f'value="{q1.options.get(label="很不满意").pk}" autocomplete="off" checked' in page


def test_an_agent_saving_a_draft_of_a_confidential_survey_is_refused_and_nothing_changes(
    client_as, people, customers_draft
):
    _campaign, invitation, (q1, q2) = customers_draft
    result = in_english(client_as(people.amy)).post(
        enter_url(invitation),
        {f"q-{q1.pk}": str(q1.options.get(label="很满意").pk), f"q-{q2.pk}": "改了", "action": "save"},
    )
    assert result.status_code == 400
    assert "a draft cannot be saved" in result.content.decode()
    draft = Response.objects.get()
    assert draft.status == ResponseStatus.IN_PROGRESS and draft.agent is None
    assert set(draft.answers.values_list("text", flat=True)) >= {"经理王某太差"}


def test_what_the_agent_submits_replaces_the_hidden_draft(client_as, people, customers_draft):
    _campaign, invitation, (q1, q2) = customers_draft
    result = client_as(people.amy).post(
        enter_url(invitation),
        {f"q-{q1.pk}": str(q1.options.get(label="满意").pk), f"q-{q2.pk}": "", "action": "submit"},
    )
    assert result.status_code == 302
    response = Response.objects.get()
    assert response.status == ResponseStatus.COMPLETED and response.agent == people.amy
    assert "经理王某太差" not in set(response.answers.values_list("text", flat=True))


def test_drafts_of_an_open_campaign_are_still_shown_to_agents(client_as, people, customers_draft):
    campaign, invitation, _questions = customers_draft
    campaign.confidential = False
    campaign.save()
    page = client_as(people.amy).get(enter_url(invitation)).content.decode()
    assert "经理王某太差" in page and 'id="save-button"' in page
