"""Who may answer an invitation now, the same on every path an answer comes in by.

The rule is Invitation.refusal_to_answer: the campaign runs and its deadline has not passed,
the customer has not opted out and has not answered yet. The customer's link, the agents'
phone and paper entry, the paper import and a return visit all ask it. Phone and paper entry
used to look at the campaign's state only, so they took answers after the deadline until the
periodic job closed the campaign; the import took rows of customers who had opted out, and a
visit answered an opted-out invitation (its status then said completed).
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.campaigns.choices import AnswerRefusal, CampaignState, Channel, InvitationStatus, ResponseStatus
from manyi.campaigns.models import Campaign, OptOut, Response
from manyi.testing import (
    answer,
    make_campaign,
    make_customer,
    make_invitation,
    make_question,
    make_questionnaire,
)
from manyi.visits.choices import Method
from manyi.visits.models import VisitTask

pytestmark = pytest.mark.django_db

STATES = ("running", "not started", "past its deadline", "closed", "answered already", "opted out")


@pytest.fixture
def invitation():
    questionnaire = make_questionnaire(title="年度满意度调查")
    for n in (1, 2, 3):
        make_question(questionnaire, code=f"Q{n}", text=f"第{n}项")
    campaign = make_campaign(
        questionnaire,
        state=CampaignState.RUNNING,
        channels=[Channel.EMAIL, Channel.PHONE, Channel.PAPER],
        deadline=timezone.now() + timedelta(days=7),
    )
    return make_invitation(campaign, make_customer(code="KH-1"), status=InvitationStatus.SENT)


def fields(campaign, labels=("很满意", "满意", "可以接受")):
    questions = campaign.questionnaire.questions.order_by("code")
    return {
        f"q-{q.pk}": str(q.options.get(label=label).pk) for q, label in zip(questions, labels, strict=True)
    }


def put_in(state, invitation):
    campaign = invitation.campaign
    if state == "not started":
        Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.DRAFT)
    elif state == "past its deadline":  # still running: the periodic job has not closed it yet
        Campaign.objects.filter(pk=campaign.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    elif state == "closed":  # closed by hand before its deadline
        Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.CLOSED)
    elif state == "answered already":
        answer(campaign, fields(campaign, ("不满意",) * 3), invitation=invitation)
    elif state == "opted out":
        OptOut.objects.create(customer=invitation.customer, invitation=invitation)
        invitation.status = InvitationStatus.OPTED_OUT
        invitation.save()
    campaign.refresh_from_db()


def by_link(client_as, people, invitation, tmp_path):
    client_as(None).post(f"/s/{invitation.token}/", {**fields(invitation.campaign), "action": "submit"})
    return Channel.WEB


def by_phone(client_as, people, invitation, tmp_path):
    url = reverse("entry:enter", args=[invitation.pk, "phone"])
    client_as(people.amy).post(url, {**fields(invitation.campaign), "action": "submit"})
    return Channel.PHONE


def by_paper(client_as, people, invitation, tmp_path):
    url = reverse("entry:enter", args=[invitation.pk, "paper"])
    client_as(people.amy).post(url, {**fields(invitation.campaign), "action": "submit"})
    return Channel.PAPER


def by_import(client_as, people, invitation, tmp_path):
    path = tmp_path / "paper.csv"
    path.write_text("客户编号,Q1,Q2,Q3\nKH-1,很满意,满意,可以接受\n", encoding="utf-8")
    with path.open("rb") as upload:
        client_as(people.amy).post(reverse("entry:import", args=[invitation.campaign.pk]), {"file": upload})
    return Channel.PAPER


def visit_task(people, invitation):
    """A return visit to the invited customer, amy's, that asks the campaign's questionnaire."""
    return VisitTask.objects.create(
        customer=invitation.customer,
        agent=people.amy,
        department=people.amy.department,
        campaign=invitation.campaign,
        purpose="交付后一个月回访",
        source_key=f"visit-{invitation.pk}",
        due_on=timezone.localdate(),
        planned_on=timezone.localdate(),
    )


def by_visit(client_as, people, invitation, tmp_path):
    task = visit_task(people, invitation)
    record = {
        "rec-visitee": "张工",
        "rec-method": Method.PHONE_FIRST,
        "rec-visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "rec-about_usage": "on",
    }
    client_as(people.amy).post(
        reverse("visits:complete", args=[task.pk]), {**record, **fields(task.campaign)}
    )
    return Channel.PHONE


def trace(invitation):
    """What answering would change: the invitation's status and times, its response."""
    invitation.refresh_from_db()
    responses = Response.objects.filter(invitation=invitation).values_list("pk", "channel", "status", "index")
    return (invitation.status, invitation.opened_at, invitation.completed_at, list(responses))


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("path", [by_link, by_phone, by_paper, by_import, by_visit])
def test_every_path_takes_an_answer_only_when_the_invitation_may_be_answered(
    client_as, people, invitation, tmp_path, path, state
):
    put_in(state, invitation)
    before = trace(invitation)

    channel = path(client_as, people, invitation, tmp_path)

    if state == "running":
        response = Response.objects.get(invitation=invitation)
        assert (response.channel, response.status) == (channel, ResponseStatus.COMPLETED)
        # 很满意 10, 满意 8, 可以接受 6 of 10 points each: 80.
        assert response.index == pytest.approx(80.0)
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.COMPLETED
    else:
        assert trace(invitation) == before


@pytest.mark.parametrize("state", STATES)
def test_the_link_shows_the_questionnaire_and_counts_it_opened_only_when_it_may_be_answered(
    client, invitation, state
):
    put_in(state, invitation)
    before = trace(invitation)

    page = client.get(f"/s/{invitation.token}/")

    if state == "running":
        assert page.status_code == 200 and 'name="q-' in page.content.decode()
        invitation.refresh_from_db()
        assert invitation.opened_at is not None and invitation.status == InvitationStatus.OPENED
    else:
        assert 'name="q-' not in page.content.decode()
        assert trace(invitation) == before


def test_a_visit_stores_no_answers_in_a_survey_that_takes_none(people, invitation):
    """The visit workflow asks the rule itself, not only the call screen that offers the form."""
    from manyi.campaigns.answering import AnswerForm
    from manyi.visits import workflow
    from manyi.visits.models import VisitRecord

    put_in("past its deadline", invitation)
    task = visit_task(people, invitation)
    form = AnswerForm(invitation.campaign.questionnaire, data=fields(invitation.campaign))
    assert form.is_valid()
    record = VisitRecord(
        visitee="张工", method=Method.PHONE_FIRST, visited_at=timezone.now(), about_usage=True
    )

    with pytest.raises(workflow.VisitError) as refused:
        workflow.complete(task, by=people.amy, record=record, answers=form.cleaned_data)

    assert str(refused.value) == str(AnswerRefusal.PAST_DEADLINE.label)

    assert not Response.objects.exists() and not VisitRecord.objects.exists()
    task.refresh_from_db()
    assert task.is_open
