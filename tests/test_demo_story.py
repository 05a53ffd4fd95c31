"""The demo tells one consistent story (issue 14, deliverable 9), checked on one load of it:
every answer given on a visit is dated at the visit, after the survey it belongs to started and
after the invitation it returns was sent; the answers of customers the wave did not invite are
the visit programme's own results, not the wave's; nothing is reviewed before it was visited;
an invitation answered by the link was opened and completed when its answer was; the
improvement quotes the scores the dashboard shows."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from manyi.campaigns.models import CampaignEvent
from manyi.campaigns.workflow import campaign_counts
from manyi.results import dataset as dataset_module
from manyi.visits.models import VisitRecord, VisitResults


@pytest.fixture
def demo(db, settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    dataset_module.forget()
    call_command("load_demo", stdout=StringIO())
    yield
    dataset_module.forget()


def _started(campaign):
    """When a campaign started taking answers: its invitations went out, or it was made (the
    visit results, which invite nobody)."""
    return campaign.invite_at or campaign.created_at


def test_the_demo_tells_one_story(demo):
    """One load of the demo (it takes a while) for every part of the story."""
    _visits_answer_after_their_survey_and_invitation_started()
    _waves_hold_only_their_sample_and_the_visit_results_their_visits()
    _invitations_were_answered_when_their_answers_were()
    _the_improvement_quotes_the_dashboards_scores()
    _campaigns_have_their_history_and_e_mails_their_delivery()


def _visits_answer_after_their_survey_and_invitation_started():
    records = list(
        VisitRecord.objects.filter(response__isnull=False).select_related(
            "task__campaign", "response__campaign", "response__invitation"
        )
    )
    assert len(records) >= 10, "the demo should show visits that asked the questionnaire"
    results_of = {link.survey_id: link.campaign_id for link in VisitResults.objects.all()}
    now = timezone.now()
    problems = []
    for record in records:
        response, survey, invitation = record.response, record.task.campaign, record.response.invitation
        label = f"visit {record.pk} ({record.visited_at:%Y-%m-%d %H:%M})"
        if response.completed_at != record.visited_at:
            problems.append(f"{label}: answers dated {response.completed_at}, not at the visit")
        if not (_started(response.campaign) <= record.visited_at <= now):
            problems.append(
                f"{label}: outside {response.campaign.name}, started {_started(response.campaign)}"
            )
        if survey.deadline and record.visited_at > survey.deadline:
            problems.append(f"{label}: after the deadline of {survey.name}")
        if invitation is not None:
            if response.campaign_id != survey.pk:
                problems.append(f"{label}: returns an invitation of another campaign")
            if invitation.sent_at is None or invitation.sent_at > record.visited_at:
                problems.append(f"{label}: returns an invitation sent at {invitation.sent_at}")
            if invitation.completed_at != record.visited_at:
                problems.append(f"{label}: its invitation completed at {invitation.completed_at}")
        elif response.campaign_id != results_of.get(survey.pk):
            problems.append(
                f"{label}: an uninvited answer in {response.campaign.name}, not the visit results"
            )
        if record.task.planned_on > timezone.localdate(record.visited_at):
            problems.append(f"{label}: visited before it was planned ({record.task.planned_on})")
        if record.reviewed_at and record.reviewed_at < record.visited_at:
            problems.append(f"{label}: reviewed at {record.reviewed_at}, before the visit")
    assert not problems, "\n".join(problems)


def _waves_hold_only_their_sample_and_the_visit_results_their_visits():
    links = list(VisitResults.objects.select_related("survey", "campaign"))
    assert links, "the demo's visits reach customers the wave did not invite"
    for link in links:
        survey, results = link.survey, link.campaign
        counts = campaign_counts(survey)
        assert counts["uninvited"] == [], f"{survey.name} holds answers without an invitation"
        assert counts["response_rate"] == pytest.approx(round(100 * counts["returned"] / counts["issued"], 1))
        answered = list(results.responses.order_by("completed_at").values_list("completed_at", flat=True))
        assert answered and results.invitations.count() == 0
        # Made at its first answer, as it would be in use: nothing dated before it.
        made = CampaignEvent.objects.get(campaign=results, from_state="")
        assert results.created_at == made.at == answered[0] == link.created_at
        assert not results.responses.filter(visit_record__isnull=True).exists(), "answers not from a visit"


def _invitations_were_answered_when_their_answers_were():
    from manyi.campaigns.models import Response

    answered = Response.objects.filter(invitation__isnull=False, status="completed").select_related(
        "invitation"
    )
    assert answered.exists()
    for response in answered:
        invitation = response.invitation
        assert invitation.completed_at == response.completed_at, response.pk
        assert invitation.opened_at is None or invitation.opened_at <= response.completed_at, response.pk


def _campaigns_have_their_history_and_e_mails_their_delivery():
    """The campaign page said 尚未开始 in the history of a running campaign and 未由系统发送 of
    every e-mail invitation the demo had sent."""
    from manyi.campaigns.choices import CampaignState, Channel, DeliveryStatus
    from manyi.campaigns.models import Campaign, Invitation

    for campaign in Campaign.objects.exclude(state=CampaignState.DRAFT).exclude(invite_at=None):
        states = list(campaign.events.order_by("at").values_list("to_state", flat=True))
        assert states[0] == CampaignState.RUNNING, campaign
        assert states[-1] == campaign.state, campaign
    emails = Invitation.objects.filter(channel=Channel.EMAIL, status__in=["sent", "opened", "completed"])
    assert emails.exists()
    assert set(emails.values_list("delivery_status", flat=True)) == {DeliveryStatus.ACCEPTED}


def _item_score(campaign, key):
    from manyi.results.filters import Selection
    from manyi.results.summary import dashboard_summary

    rows = dashboard_summary(campaign, Selection())["items"]
    return next(row["score"] for row in rows if row["key"] == key)


def _the_improvement_quotes_the_dashboards_scores():
    from manyi.improvements.models import ImprovementAction

    improvements = ImprovementAction.objects.exclude(item_key="")
    assert improvements.exists()
    for improvement in improvements:
        shown = _item_score(improvement.campaign, improvement.item_key)
        assert improvement.baseline_score == pytest.approx(shown)
        assert f"得分{shown:.1f}" in improvement.problem
        if improvement.measured_campaign_id:
            assert improvement.measured_score == pytest.approx(
                _item_score(improvement.measured_campaign, improvement.item_key)
            )
