"""The improvement's state machine: every step, who may take it, and refusals that change nothing."""

import datetime

import pytest
from django.utils import timezone

from manyi.accounts.choices import Role
from manyi.improvements import workflow
from manyi.improvements.choices import EventKind, Source, Status
from manyi.improvements.models import ImprovementAction, ImprovementEvent
from manyi.improvements.workflow import ImprovementError
from manyi.testing import make_user

pytestmark = pytest.mark.django_db


def snapshot(improvement):
    row = ImprovementAction.objects.values().get(pk=improvement.pk)
    return row, improvement.events.count(), sorted(improvement.tickets.values_list("pk", flat=True))


def test_raising_gives_a_reference_the_owners_department_and_a_first_event(people, raise_one):
    first, second = raise_one(), raise_one()
    year = timezone.localdate().year
    assert first.reference == f"GJ-{year}-0001"
    assert second.reference == f"GJ-{year}-0002"
    assert first.status == Status.PLANNED
    assert first.department == people.quality  # hank's
    event = first.events.get()
    assert (event.kind, event.by, event.to_status) == (EventKind.CREATED, people.sam, Status.PLANNED)


def test_the_full_path_records_who_when_and_why(people, raise_one):
    improvement = raise_one()
    workflow.apply(improvement, people.hank, "start")
    assert improvement.started_at is not None
    workflow.apply(improvement, people.hank, "complete", "专线已开通，排班表见客服部记录。")
    assert improvement.status == Status.DONE
    assert "专线已开通" in improvement.evidence
    assert improvement.done_at is not None
    workflow.apply(improvement, people.sam, "verify_effective", "抽查20单，均2小时内响应。")
    workflow.apply(improvement, people.alice, "close")
    improvement.refresh_from_db()
    assert improvement.status == Status.CLOSED and improvement.closed_at is not None
    steps = [
        (e.from_status, e.to_status, e.by.username, e.note)
        for e in improvement.events.filter(kind=EventKind.TRANSITION)
    ]
    assert steps == [
        (Status.PLANNED, Status.IN_PROGRESS, "hank", ""),
        (Status.IN_PROGRESS, Status.DONE, "hank", "专线已开通，排班表见客服部记录。"),
        (Status.DONE, Status.EFFECTIVE, "sam", "抽查20单，均2小时内响应。"),
        (Status.EFFECTIVE, Status.CLOSED, "alice", ""),
    ]


def test_not_effective_goes_back_to_work_then_can_be_closed(people, raise_one):
    improvement = raise_one()
    for name, by, note in (
        ("start", people.hank, ""),
        ("complete", people.hank, "第一次整改"),
        ("verify_not_effective", people.sam, "响应时间仍超过4小时"),
        ("rework", people.hank, ""),
    ):
        workflow.apply(improvement, by, name, note)
    assert improvement.status == Status.IN_PROGRESS
    assert improvement.done_at is None  # done again later counts from then
    workflow.apply(improvement, people.hank, "complete", "第二次整改")
    workflow.apply(improvement, people.sam, "verify_not_effective", "仍无效")
    workflow.apply(improvement, people.sam, "close")
    assert ImprovementAction.objects.get(pk=improvement.pk).status == Status.CLOSED


@pytest.mark.parametrize("status_path", [(), ("start",), ("start", "complete")])
def test_cancelling_needs_a_reason_and_is_final(people, raise_one, status_path):
    improvement = raise_one()
    for name in status_path:
        workflow.apply(improvement, people.hank, name, "做了")
    before = snapshot(improvement)
    with pytest.raises(ImprovementError, match="reason for cancelling"):
        workflow.apply(improvement, people.sam, "cancel", "  ")
    assert snapshot(improvement) == before
    workflow.apply(improvement, people.sam, "cancel", "与另一措施合并")
    assert improvement.cancel_reason == "与另一措施合并"
    for name in workflow.TRANSITIONS:
        assert workflow.refusal(improvement, people.sam, name) is not None


def test_every_transition_from_the_wrong_status_is_refused_and_changes_nothing(people, raise_one):
    improvement = raise_one()
    for name in ("complete", "verify_effective", "verify_not_effective", "rework", "close"):
        before = snapshot(improvement)
        with pytest.raises(ImprovementError, match="cannot be changed"):
            workflow.apply(improvement, people.alice, name, "x")
        assert snapshot(improvement) == before


@pytest.mark.parametrize("name", ["verify_effective", "verify_not_effective", "close", "cancel"])
def test_the_owner_may_not_verify_close_or_cancel(people, raise_one, name):
    improvement = raise_one()
    workflow.apply(improvement, people.hank, "start")
    workflow.apply(improvement, people.hank, "complete", "做了")
    if name == "close":
        workflow.apply(improvement, people.sam, "verify_effective")
    before = snapshot(improvement)
    with pytest.raises(ImprovementError, match="Your role does not allow"):
        workflow.apply(improvement, people.hank, name, "理由")
    assert snapshot(improvement) == before


@pytest.mark.parametrize("who", ["amy", "ana", "ivan"])
def test_agents_analysts_and_disabled_users_change_nothing(people, raise_one, who):
    improvement = raise_one()
    user = getattr(people, who)
    for name in workflow.TRANSITIONS:
        assert workflow.refusal(improvement, user, name) is not None
    with pytest.raises(ImprovementError):
        workflow.apply(improvement, user, "start")
    with pytest.raises(ImprovementError):
        workflow.update_improvement(improvement, user, {"measures": "改了"})
    with pytest.raises(ImprovementError, match="raising"):
        workflow.raise_improvement(
            by=user, title="t", problem="p", measures="m", owner=people.hank, deadline=timezone.localdate()
        )
    assert ImprovementAction.objects.get(pk=improvement.pk).status == Status.PLANNED


def test_another_handler_may_not_work_on_hanks_improvement(people, raise_one):
    other = make_user("harry", Role.HANDLER, department=people.quality)
    improvement = raise_one()
    with pytest.raises(ImprovementError, match="Only the owner"):
        workflow.apply(improvement, other, "start")
    with pytest.raises(ImprovementError, match="Only the owner or a manager"):
        workflow.update_improvement(improvement, other, {"evidence": "我的证据"})
    assert not workflow.may_edit(improvement, other)
    assert workflow.may_edit(improvement, people.hank)


def test_the_owner_edits_only_the_owners_fields(people, raise_one):
    improvement = raise_one()
    workflow.update_improvement(
        improvement, people.hank, {"root_cause": "夜间无人值班", "evidence": "值班表"}
    )
    improvement.refresh_from_db()
    assert (improvement.root_cause, improvement.evidence) == ("夜间无人值班", "值班表")
    assert improvement.events.filter(kind=EventKind.EDITED).count() == 1
    before = snapshot(improvement)
    later = improvement.deadline + datetime.timedelta(days=60)
    with pytest.raises(ImprovementError, match="not allow changing these fields"):
        workflow.update_improvement(improvement, people.hank, {"deadline": later, "evidence": "x"})
    assert snapshot(improvement) == before


def test_a_manager_edits_everything_and_the_event_names_the_fields(people, raise_one, make_ticket):
    improvement = raise_one()
    ticket = make_ticket()
    later = improvement.deadline + datetime.timedelta(days=10)
    workflow.update_improvement(
        improvement, people.sam, {"deadline": later, "owner": people.sam}, tickets=[ticket]
    )
    improvement.refresh_from_db()
    assert improvement.deadline == later and improvement.owner == people.sam
    assert list(improvement.tickets.all()) == [ticket]
    note = improvement.events.get(kind=EventKind.EDITED).note
    assert "deadline" in note and "owner" in note and "linked tickets" in note


def test_saving_unchanged_values_records_nothing(people, raise_one):
    improvement = raise_one()
    workflow.update_improvement(improvement, people.sam, {"title": improvement.title})
    assert not improvement.events.filter(kind=EventKind.EDITED).exists()


def test_closed_improvements_cannot_be_edited(people, raise_one):
    improvement = raise_one()
    workflow.apply(improvement, people.sam, "cancel", "重复")
    with pytest.raises(ImprovementError, match="closed or cancelled"):
        workflow.update_improvement(improvement, people.sam, {"title": "新标题"})


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"title": " "}, "title"),
        ({"problem": ""}, "Describe the problem"),
        ({"measures": ""}, "planned measures"),
        ({"owner": None}, "active owner"),
        ({"deadline": None}, "deadline"),
        ({"target_score": 120.0}, "between 0 and 100"),
        ({"problem": "长" * 4001}, "under 4000"),
    ],
)
def test_bad_input_when_raising_is_refused_with_a_message(people, raise_one, changes, message):
    with pytest.raises(ImprovementError, match=message):
        raise_one(**changes)
    assert not ImprovementAction.objects.exists()
    assert not ImprovementEvent.objects.exists()


def test_a_past_deadline_an_agent_owner_or_an_inactive_owner_is_refused(people, raise_one):
    with pytest.raises(ImprovementError, match="today or later"):
        raise_one(deadline=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(ImprovementError, match="may carry out improvements"):
        raise_one(owner=people.amy)
    with pytest.raises(ImprovementError, match="active owner"):
        raise_one(owner=people.ivan)
    assert not ImprovementAction.objects.exists()


def test_the_source_needs_what_it_names(people, raise_one, make_ticket):
    with pytest.raises(ImprovementError, match="at least one ticket"):
        raise_one(source=Source.TICKETS)
    with pytest.raises(ImprovementError, match="category"):
        raise_one(source=Source.CATEGORY)
    with pytest.raises(ImprovementError, match="campaign"):
        raise_one(source=Source.SURVEY_ITEM, item_key="Q1")
    with pytest.raises(ImprovementError, match="where the improvement comes from"):
        raise_one(source="rumour")
    assert not ImprovementAction.objects.exists()
    ticket = make_ticket()
    improvement = raise_one(source=Source.TICKETS, tickets=[ticket, ticket])
    assert list(improvement.tickets.all()) == [ticket]
    assert ticket.reference in improvement.events.get().note


def test_linking_a_ticket_from_the_ticket_page_adds_it_once(people, raise_one, make_ticket):
    first, second = make_ticket(), make_ticket(subject="又一次")
    improvement = raise_one(source=Source.TICKETS, tickets=[first])
    workflow.link_ticket(improvement, people.sam, second)
    workflow.link_ticket(improvement, people.sam, second)
    assert set(improvement.tickets.all()) == {first, second}
    assert improvement.events.filter(kind=EventKind.EDITED).count() == 1
    with pytest.raises(ImprovementError):
        workflow.link_ticket(improvement, people.hank, make_ticket())


def test_overdue_means_open_and_past_the_deadline(people, raise_one):
    today = timezone.localdate()
    improvement = raise_one()
    later = improvement.deadline + datetime.timedelta(days=1)
    assert not improvement.is_overdue(today)
    assert improvement.is_overdue(later)
    assert list(ImprovementAction.objects.overdue(later)) == [improvement]
    workflow.apply(improvement, people.hank, "start")
    workflow.apply(improvement, people.hank, "complete", "完成")
    assert not improvement.is_overdue(later)
    assert not ImprovementAction.objects.overdue(later).exists()
