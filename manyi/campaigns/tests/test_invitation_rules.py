"""The invitation's verbs: why it may not be answered now, and marking it opened."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from manyi.campaigns.choices import AnswerRefusal, CampaignState, InvitationStatus
from manyi.testing import make_campaign, make_invitation, make_questionnaire

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def invitation():
    campaign = make_campaign(
        make_questionnaire(), state=CampaignState.RUNNING, deadline=NOW + timedelta(days=7)
    )
    return make_invitation(campaign, status=InvitationStatus.SENT)


@pytest.mark.parametrize(
    ("state", "deadline", "refusal"),
    [
        (CampaignState.RUNNING, NOW + timedelta(seconds=1), None),
        (CampaignState.RUNNING, None, None),
        (CampaignState.RUNNING, NOW, AnswerRefusal.PAST_DEADLINE),  # the deadline itself is late
        (CampaignState.DRAFT, NOW + timedelta(days=1), AnswerRefusal.NOT_STARTED),
        (CampaignState.CLOSED, NOW + timedelta(days=1), AnswerRefusal.CLOSED),
        (CampaignState.CLOSED, NOW - timedelta(days=1), AnswerRefusal.CLOSED),
    ],
)
def test_a_campaign_takes_answers_while_it_runs_and_before_its_deadline(invitation, state, deadline, refusal):
    campaign = invitation.campaign
    campaign.state, campaign.deadline = state, deadline
    assert campaign.refusal_to_answer(NOW) == refusal
    assert invitation.refusal_to_answer(NOW) == refusal
    assert campaign.is_open(NOW) is (refusal is None)


@pytest.mark.parametrize(
    ("status", "refusal"),
    [
        (InvitationStatus.ISSUED, None),
        (InvitationStatus.FAILED, None),  # the mail failed; a phone call may still answer it
        (InvitationStatus.OPENED, None),
        (InvitationStatus.STARTED, None),  # a draft is finished later
        (InvitationStatus.COMPLETED, AnswerRefusal.ANSWERED),
        (InvitationStatus.OPTED_OUT, AnswerRefusal.OPTED_OUT),
    ],
)
def test_an_invitation_is_answered_once_and_never_after_an_opt_out(invitation, status, refusal):
    invitation.status = status
    assert invitation.refusal_to_answer(NOW) == refusal


def test_the_customers_own_refusal_is_said_before_the_campaigns(invitation):
    invitation.campaign.state = CampaignState.CLOSED
    invitation.status = InvitationStatus.OPTED_OUT
    assert invitation.refusal_to_answer(NOW) == AnswerRefusal.OPTED_OUT
    invitation.status = InvitationStatus.COMPLETED
    assert invitation.refusal_to_answer(NOW) == AnswerRefusal.ANSWERED


def test_the_first_opening_is_kept(invitation):
    invitation.mark_opened(NOW)
    invitation.mark_opened(NOW + timedelta(hours=1))
    invitation.refresh_from_db()
    assert (invitation.opened_at, invitation.status) == (NOW, InvitationStatus.OPENED)


@pytest.mark.parametrize("status", [InvitationStatus.STARTED, InvitationStatus.FAILED])
def test_opening_never_moves_an_invitation_back_or_hides_a_failed_mail(invitation, status):
    invitation.status = status
    invitation.save()
    invitation.mark_opened(NOW)
    invitation.refresh_from_db()
    assert (invitation.opened_at, invitation.status) == (NOW, status)
