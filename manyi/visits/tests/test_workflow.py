"""Outcomes of a call, the 3-attempt policy, records, review and tickets: the verbs of workflow.py."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from manyi.campaigns.answering import AnswerForm
from manyi.campaigns.choices import Channel, ResponseStatus
from manyi.testing import make_customer
from manyi.visits import workflow
from manyi.visits.access import VisitScope
from manyi.visits.choices import Method, Outcome, ReviewStatus, TaskStatus
from manyi.visits.models import VisitAttempt, VisitRecord
from manyi.visits.workflow import VisitError

from .factories import make_task, make_visit_campaign

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def english():
    """The messages below are matched in English (the msgid language)."""
    with translation.override("en"):
        yield


def at(day, hour=10):
    return datetime(2026, 11, day, hour, 0, tzinfo=TZ)


def unsaved_record(**kwargs):
    kwargs.setdefault("visitee", "张工")
    kwargs.setdefault("method", Method.PHONE_FIRST)
    kwargs.setdefault("visited_at", at(23))
    kwargs.setdefault("about_usage", True)
    return VisitRecord(**kwargs)


def test_busy_agrees_a_callback_time_and_reason(team):
    task = make_task(agent=team.amy)
    task = workflow.record_busy(
        task, by=team.amy, callback_at=at(25, 15), reason="开会，周三下午再打", now=at(23)
    )
    assert task.status == TaskStatus.CALLBACK
    assert task.callback_at == at(25, 15) and task.callback_reason == "开会，周三下午再打"
    assert task.due_on == date(2026, 11, 25)
    assert task.attempts == 1
    attempt = VisitAttempt.objects.get()
    assert (attempt.outcome, attempt.by, attempt.callback_at) == (Outcome.BUSY, team.amy, at(25, 15))


@pytest.mark.parametrize(
    "callback_at, reason, message",
    [
        (at(23, 9), "忙", "future"),
        (at(23, 10) + timedelta(days=61), "忙", "60 days"),
        (None, "忙", "callback time"),
        (at(25), "  ", "why"),
        (datetime(2026, 11, 25, 10), "忙", "callback time"),  # no time zone
    ],
)
def test_a_bad_callback_changes_nothing(team, callback_at, reason, message):
    task = make_task(agent=team.amy)
    with pytest.raises(VisitError, match=message):
        workflow.record_busy(task, by=team.amy, callback_at=callback_at, reason=reason, now=at(23))
    task.refresh_from_db()
    assert (task.status, task.attempts, task.callback_at) == (TaskStatus.PENDING, 0, None)
    assert not VisitAttempt.objects.exists()


def test_three_different_days_without_an_answer_make_the_customer_unreachable(team):
    task = make_task(agent=team.amy, due_on=date(2026, 11, 23))
    task = workflow.record_no_answer(task, by=team.amy, now=at(23, 9))
    assert (task.status, task.unanswered_days, task.due_on) == (TaskStatus.PENDING, 1, date(2026, 11, 24))
    # A second try on the same day counts as an attempt, not as another day.
    task = workflow.record_no_answer(task, by=team.amy, now=at(23, 16))
    assert (task.attempts, task.unanswered_days) == (2, 1)
    task = workflow.record_no_answer(task, by=team.amy, note="关机", now=at(24))
    assert (task.status, task.unanswered_days, task.due_on) == (TaskStatus.PENDING, 2, date(2026, 11, 25))
    task = workflow.record_no_answer(task, by=team.amy, now=at(26))
    assert task.status == TaskStatus.UNREACHABLE
    assert task.closed_at == at(26)
    assert (task.attempts, task.unanswered_days) == (4, 3)
    assert list(task.visit_attempts.values_list("outcome", flat=True)) == [Outcome.NO_ANSWER] * 4
    with pytest.raises(VisitError, match="closed"):
        workflow.record_no_answer(task, by=team.amy, now=at(27))


def test_a_callback_not_answered_goes_back_to_the_list(team):
    task = make_task(agent=team.amy)
    task = workflow.record_busy(task, by=team.amy, callback_at=at(25, 15), reason="出差", now=at(23))
    task = workflow.record_no_answer(task, by=team.amy, now=at(25, 15))
    assert (task.status, task.callback_at, task.due_on) == (TaskStatus.PENDING, None, date(2026, 11, 26))


def test_refused_needs_a_reason_and_closes_the_task(team):
    task = make_task(agent=team.amy)
    with pytest.raises(VisitError):
        workflow.record_refused(task, by=team.amy, reason="")
    task = workflow.record_refused(task, by=team.amy, reason="不需要回访", now=at(23))
    assert (task.status, task.closed_at, task.attempts) == (TaskStatus.REFUSED, at(23), 1)


def test_done_stores_the_record_and_the_answers_as_a_phone_response_by_the_agent(team):
    campaign = make_visit_campaign()
    task = make_task(agent=team.amy, campaign=campaign)
    questions = {q.code: q for q in campaign.questionnaire.questions.all()}
    best = {code: str(q.options.get(label="很满意").pk) for code, q in questions.items() if code != "Q3"}
    form = AnswerForm(
        campaign.questionnaire,
        data={
            f"q-{questions['Q1'].pk}": best["Q1"],
            f"q-{questions['Q2'].pk}": str(questions["Q2"].options.get(label="满意").pk),
        },
    )
    assert form.is_valid(), form.errors
    record = workflow.complete(
        task,
        by=team.amy,
        record=unsaved_record(problem="说明书缺页"),
        answers=form.cleaned_data,
        now=at(23, 11),
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.attempts == 1
    assert record.review_status == ReviewStatus.SUBMITTED and record.agent == team.amy
    response = record.response
    assert (response.channel, response.agent, response.customer) == (Channel.PHONE, team.amy, task.customer)
    assert response.status == ResponseStatus.COMPLETED
    assert response.points == {"Q1": 10, "Q2": 8}
    # The index is the mean of the points on a 0-100 scale: (10 + 8) / 2 * 10.
    assert response.index == pytest.approx(90.0)
    with pytest.raises(VisitError, match="closed"):
        workflow.complete(task, by=team.amy, record=unsaved_record(), now=at(23, 12))
    assert VisitRecord.objects.count() == 1


def test_a_visit_answers_the_customers_open_invitation_of_the_campaign(team):
    """The phone call is how the invited customer's questionnaire comes back (seed 000: 电话催收):
    one returned questionnaire, counted in the response rate, not a second response beside an
    open invitation."""
    from manyi.campaigns.choices import InvitationStatus
    from manyi.campaigns.models import Invitation, Response
    from manyi.campaigns.workflow import campaign_counts

    campaign = make_visit_campaign()
    task = make_task(agent=team.amy, campaign=campaign)
    invitation = Invitation.objects.create(
        campaign=campaign, customer=task.customer, status=InvitationStatus.SENT
    )
    Invitation.objects.create(campaign=campaign, customer=make_customer(), status=InvitationStatus.SENT)
    form = AnswerForm(campaign.questionnaire, data={}, complete=False)
    assert form.is_valid(), form.errors
    record = workflow.complete(
        task, by=team.amy, record=unsaved_record(), answers=form.cleaned_data, now=at(23, 11)
    )

    invitation.refresh_from_db()
    assert record.response.invitation == invitation
    assert invitation.status == InvitationStatus.COMPLETED
    assert Response.objects.filter(campaign=campaign).count() == 1
    counts = campaign_counts(campaign)
    assert (counts["issued"], counts["returned"], counts["response_rate"]) == (2, 1, 50.0)
    assert counts["uninvited"] == []


def test_an_on_site_visit_is_stored_with_the_visit_channel(team):
    campaign = make_visit_campaign()
    task = make_task(agent=team.amy, campaign=campaign, method=Method.ON_SITE_KEY)
    form = AnswerForm(campaign.questionnaire, data={}, complete=False)
    assert form.is_valid()
    record = workflow.complete(
        task,
        by=team.amy,
        record=unsaved_record(method=Method.ON_SITE_KEY),
        answers=form.cleaned_data,
        now=at(23, 11),
    )
    assert record.response.channel == Channel.VISIT


def test_a_visit_in_the_future_is_refused(team):
    task = make_task(agent=team.amy)
    with pytest.raises(VisitError, match="future"):
        workflow.complete(task, by=team.amy, record=unsaved_record(visited_at=at(24)), now=at(23))
    assert not VisitRecord.objects.exists()
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING


def test_only_the_agent_the_teams_supervisor_and_administrators_may_act(team):
    task = make_task(agent=team.amy)
    assert VisitScope(team.amy).allows(task)
    assert VisitScope(team.sam).allows(task)  # supervisor of the service department
    assert VisitScope(team.alice).allows(task)
    for outsider in (team.bob, team.olga, team.otto, team.hank, team.ana, team.ivan):
        assert not VisitScope(outsider).allows(task), outsider
    with pytest.raises(VisitError):
        workflow.record_refused(task, by=team.bob, reason="x")
    pool = make_task()  # unassigned, no department
    assert VisitScope(team.sam).allows(pool) and VisitScope(team.olga).allows(pool)
    assert not VisitScope(team.amy).allows(pool)


def test_the_supervisor_approves_or_returns_and_the_agent_resubmits(team):
    task = make_task(agent=team.amy)
    record = workflow.complete(task, by=team.amy, record=unsaved_record(), now=at(23, 11))
    with pytest.raises(VisitError, match="指导意见"):
        workflow.review(record, by=team.sam, approve=False, comments=" ")
    with pytest.raises(VisitError):
        workflow.review(record, by=team.amy, approve=True, comments="")  # an agent cannot review
    with pytest.raises(VisitError):
        workflow.review(record, by=team.olga, approve=True, comments="")  # another team's supervisor
    record = workflow.review(
        record, by=team.sam, approve=False, comments="请补充客户对服务响应的评价", now=at(23, 14)
    )
    assert (record.review_status, record.reviewed_by, record.review_comments) == (
        ReviewStatus.RETURNED,
        team.sam,
        "请补充客户对服务响应的评价",
    )
    with pytest.raises(VisitError):
        workflow.review(record, by=team.sam, approve=True, comments="")  # not waiting for review
    with pytest.raises(VisitError):
        workflow.resubmit(record, by=team.bob)
    record.about_service = True
    record = workflow.resubmit(record, by=team.amy, now=at(23, 15))
    assert record.review_status == ReviewStatus.SUBMITTED
    record = workflow.review(record, by=team.sam, approve=True, comments="", now=at(23, 16))
    assert record.review_status == ReviewStatus.APPROVED
    assert VisitRecord.objects.get().about_service


def test_a_problem_found_opens_a_ticket_once(team):
    from manyi.tickets.choices import Channel as TicketChannel
    from manyi.tickets.choices import TicketState

    customer = make_customer()
    task = make_task(customer, agent=team.amy)
    record = workflow.complete(
        task, by=team.amy, record=unsaved_record(problem="设备异响\n需要上门检查"), now=timezone.now()
    )
    ticket = workflow.open_problem_ticket(record, by=team.amy)
    assert (ticket.customer, ticket.channel, ticket.state) == (customer, TicketChannel.PHONE, TicketState.NEW)
    assert ticket.description == "设备异响\n需要上门检查"
    assert "设备异响" in ticket.subject and "需要上门检查" not in ticket.subject
    record.refresh_from_db()
    assert record.ticket == ticket
    with pytest.raises(VisitError, match="already"):
        workflow.open_problem_ticket(record, by=team.amy)


def test_no_ticket_without_a_problem(team):
    task = make_task(agent=team.amy)
    record = workflow.complete(task, by=team.amy, record=unsaved_record(), now=timezone.now())
    with pytest.raises(VisitError, match="Describe"):
        workflow.open_problem_ticket(record, by=team.amy)


def test_assigning_stays_within_the_team(team):
    pool = make_task()
    task = workflow.assign(pool, by=team.sam, agent=team.bob)
    assert (task.agent, task.department) == (team.bob, team.service)
    with pytest.raises(VisitError, match="team"):
        workflow.assign(task, by=team.sam, agent=team.otto)
    with pytest.raises(VisitError):
        workflow.assign(task, by=team.amy, agent=team.amy)
    with pytest.raises(VisitError, match="active"):
        workflow.assign(task, by=team.sam, agent=team.ivan)
