"""The public answer pages: personal link, anonymous link, opt-out, closed and unknown links."""

import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from manyi.campaigns.choices import AnswerRefusal, CampaignState, Channel, InvitationStatus, ResponseStatus
from manyi.campaigns.models import OptOut, Response
from manyi.surveys.choices import QuestionKind
from manyi.testing import make_campaign, make_invitation, make_question, make_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    questionnaire = make_questionnaire(
        title="售后服务调查", intro="大约需要三分钟。", thanks="感谢您的宝贵意见！"
    )
    questions = [
        make_question(questionnaire, code="Q1", text="产品质量"),
        make_question(questionnaire, code="Q2", text="交货及时"),
        make_question(questionnaire, code="Q3", text="服务态度"),
    ]
    campaign = make_campaign(
        questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL, Channel.ANONYMOUS]
    )
    invitation = make_invitation(campaign)
    return campaign, invitation, questions


def answers(questions, labels=("很满意", "满意", "可以接受"), action="submit"):
    data = {
        f"q-{q.pk}": str(q.options.get(label=label).pk) for q, label in zip(questions, labels, strict=False)
    }
    data["action"] = action
    return data


def url(invitation, suffix=""):
    return f"/s/{invitation.token}/{suffix}"


def test_the_personal_link_shows_the_questionnaire_and_marks_it_opened(client, survey):
    _campaign, invitation, questions = survey
    response = client.get(url(invitation))

    assert response.status_code == 200
    page = response.content.decode()
    assert "售后服务调查" in page and "大约需要三分钟。" in page
    assert 'id="progress-total">3<' in page
    assert f'name="q-{questions[0].pk}"' in page
    invitation.refresh_from_db()
    assert invitation.opened_at is not None and invitation.status == InvitationStatus.OPENED


def test_the_page_renders_in_english_too(client, survey):
    client.cookies["django_language"] = "en"
    response = client.get(url(survey[1]))
    assert response.status_code == 200
    assert "Save and continue later" in response.content.decode()


def test_a_full_submit_stores_the_scores_and_shows_the_thanks(client, survey):
    _campaign, invitation, questions = survey
    response = client.post(url(invitation), answers(questions), follow=True)

    assert response.status_code == 200
    assert "感谢您的宝贵意见！" in response.content.decode()
    stored = Response.objects.get()
    assert stored.status == ResponseStatus.COMPLETED and stored.channel == Channel.WEB
    assert stored.index == pytest.approx(80.0) and stored.grade == "满意"
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.COMPLETED


def test_a_missing_required_answer_is_named_and_nothing_is_completed(client, survey):
    _campaign, invitation, questions = survey
    response = client.post(url(invitation), answers(questions[:2]))

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert (
        page.count("请回答第 Q3 题") + page.count("Please answer question Q3.") >= 2
    )  # summary + next to it
    assert not Response.objects.exists()
    # what was answered stays selected
    assert f'value="{questions[0].options.get(label="很满意").pk}" autocomplete="off" checked' in page


def test_the_same_post_twice_makes_one_response_and_then_says_already_answered(client, survey):
    _campaign, invitation, questions = survey
    client.post(url(invitation), answers(questions))
    again = client.post(url(invitation), answers(questions, labels=("很不满意",) * 3))

    assert Response.objects.count() == 1
    assert Response.objects.get().index == pytest.approx(80.0)
    assert 'data-page="already"' in again.content.decode()
    assert 'data-page="already"' in client.get(url(invitation)).content.decode()


def test_a_saved_draft_comes_back_filled_in(client, survey):
    _campaign, invitation, questions = survey
    saved = client.post(url(invitation), answers(questions[:1], action="save"))

    assert saved.status_code == 200
    assert 'id="saved-message"' in saved.content.decode()
    assert Response.objects.get().status == ResponseStatus.IN_PROGRESS
    page = client.get(url(invitation)).content.decode()
    chosen = questions[0].options.get(label="很满意").pk
    assert f'value="{chosen}" autocomplete="off" checked' in page
    assert 'id="progress-answered">1<' in page


def test_an_option_of_another_question_is_rejected(client, survey):
    _campaign, invitation, questions = survey
    data = answers(questions) | {f"q-{questions[0].pk}": str(questions[1].options.first().pk)}
    response = client.post(url(invitation), data)

    assert response.status_code == 400
    assert not Response.objects.exists()


def test_a_closed_campaign_says_so(client, survey):
    campaign, invitation, questions = survey
    campaign.state = CampaignState.CLOSED
    campaign.save()

    response = client.get(url(invitation))
    assert response.status_code == 410
    assert 'data-page="closed"' in response.content.decode()
    assert client.post(url(invitation), answers(questions)).status_code == 410
    assert not Response.objects.exists()


def test_a_campaign_past_its_deadline_names_the_deadline(client, survey):
    campaign, invitation, _questions = survey
    campaign.deadline = timezone.now() - timedelta(hours=1)
    campaign.save()

    response = client.get(url(invitation))
    assert response.status_code == 410
    shown = timezone.localtime(campaign.deadline).strftime("%Y-%m-%d %H:%M")
    assert shown in response.content.decode()


def test_an_unknown_link_is_a_friendly_404(client, db):
    response = client.get("/s/no-such-token/")
    assert response.status_code == 404
    assert 'data-page="unknown"' in response.content.decode()
    assert client.get("/s/a/no-such-token/").status_code == 404


def test_opting_out_is_confirmed_then_recorded(client, survey):
    _campaign, invitation, _questions = survey
    confirm = client.get(url(invitation, "optout/"))
    assert confirm.status_code == 200 and not OptOut.objects.exists()

    done = client.post(url(invitation, "optout/"))

    assert done.status_code == 200
    assert OptOut.objects.get().customer == invitation.customer
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.OPTED_OUT
    assert 'data-page="opted-out"' in client.get(url(invitation)).content.decode()


def anonymous_url(campaign):
    return f"/s/a/{campaign.public_token}/"


def submission_id(page):
    return re.search(r'name="submission_id" value="([0-9a-f-]+)"', page).group(1)


def test_the_anonymous_link_recognises_the_same_submission_twice(client, survey):
    campaign, _invitation, questions = survey
    page = client.get(anonymous_url(campaign)).content.decode()
    data = answers(questions) | {"submission_id": submission_id(page)}

    first = client.post(anonymous_url(campaign), data, follow=True)
    second = client.post(anonymous_url(campaign), data)

    assert "感谢您的宝贵意见！" in first.content.decode()
    assert 'data-page="already"' in second.content.decode()
    stored = Response.objects.get()
    assert stored.channel == Channel.ANONYMOUS and stored.invitation is None and stored.customer is None


def test_the_anonymous_link_needs_the_anonymous_channel(client, survey):
    campaign = survey[0]
    campaign.channels = [Channel.EMAIL]
    campaign.save()
    assert client.get(anonymous_url(campaign)).status_code == 404


def test_an_anonymous_post_without_a_submission_id_changes_nothing(client, survey):
    campaign, _invitation, questions = survey
    response = client.post(anonymous_url(campaign), answers(questions))
    assert response.status_code == 400
    assert not Response.objects.exists()


def test_the_anonymous_link_is_rate_limited_per_ip(client, survey, settings):
    settings.PUBLIC_SUBMIT_RATE = "2/600"
    campaign, _invitation, questions = survey
    codes = [
        client.post(
            anonymous_url(campaign), answers(questions) | {"submission_id": str(uuid.uuid4())}
        ).status_code
        for _ in range(3)
    ]

    assert codes == [302, 302, 429]
    assert Response.objects.count() == 2
    other = client.post(
        anonymous_url(campaign),
        answers(questions) | {"submission_id": str(uuid.uuid4())},
        REMOTE_ADDR="10.0.0.9",
    )
    assert other.status_code == 302


def test_a_text_answer_longer_than_2000_characters_is_refused(client, survey):
    campaign, invitation, questions = survey
    text = make_question(
        campaign.questionnaire, code="Q9", kind=QuestionKind.TEXT, options=(), required=False
    )
    response = client.post(url(invitation), answers(questions) | {f"q-{text.pk}": "长" * 2001})
    assert response.status_code == 400
    assert not Response.objects.exists()


def test_the_personal_page_offers_the_opt_out(client, survey):
    invitation = survey[1]
    assert url(invitation, "optout/") in client.get(url(invitation)).content.decode()


def test_opting_out_closes_the_customer_s_open_invitations_of_every_campaign(client, survey):
    """Never invited again means the other surveys too: an interview an agent would enter for
    the customer's invitation of another running campaign, or that campaign's own link, is
    refused; an answered invitation keeps its answer."""
    _campaign, invitation, questions = survey
    other = make_campaign(questions[0].questionnaire, state=CampaignState.RUNNING, channels=[Channel.PHONE])
    by_phone = make_invitation(other, customer=invitation.customer, channel=Channel.PHONE)
    answered = make_invitation(
        make_campaign(questions[0].questionnaire, state=CampaignState.RUNNING),
        customer=invitation.customer,
        status=InvitationStatus.COMPLETED,
    )
    stranger = make_invitation(other)

    client.post(url(invitation, "optout/"))

    by_phone.refresh_from_db()
    assert by_phone.status == InvitationStatus.OPTED_OUT
    assert by_phone.refusal_to_answer(timezone.now()) == AnswerRefusal.OPTED_OUT
    answered.refresh_from_db()
    stranger.refresh_from_db()
    assert (answered.status, stranger.status) == (InvitationStatus.COMPLETED, InvitationStatus.ISSUED)
