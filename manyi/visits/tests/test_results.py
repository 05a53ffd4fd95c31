"""Where a visit's questionnaire answers go (results.py): the customer's open invitation of the
survey, else the visit programme's own results (回访结果), never into the survey's figures."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from manyi.campaigns.answering import AnswerForm
from manyi.campaigns.choices import CampaignState, Channel, InvitationStatus, VoiceRule
from manyi.campaigns.models import Campaign, CampaignEvent, Invitation, Response
from manyi.campaigns.workflow import campaign_counts
from manyi.testing import answer, make_customer
from manyi.visits import workflow
from manyi.visits.choices import Method, RuleKind
from manyi.visits.models import VisitPlan, VisitRecord, VisitResults, VisitRule
from manyi.visits.planner import plan_by_hand

from .factories import make_task, make_visit_campaign

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
VISITED = datetime(2026, 11, 23, 11, tzinfo=TZ)


def rated(campaign, q1="很满意", q2="满意"):
    """The page's fields for Q1 and Q2 of make_visit_campaign's questionnaire."""
    questions = {q.code: q for q in campaign.questionnaire.questions.all()}
    return {
        f"q-{questions['Q1'].pk}": str(questions["Q1"].options.get(label=q1).pk),
        f"q-{questions['Q2'].pk}": str(questions["Q2"].options.get(label=q2).pk),
    }


def visit(task, agent, method=Method.PHONE_FIRST, when=VISITED, **answers):
    form = AnswerForm(task.campaign.questionnaire, data=rated(task.campaign, **answers))
    assert form.is_valid(), form.errors
    record = VisitRecord(visitee="张工", method=method, visited_at=when, about_usage=True)
    return workflow.complete(task, by=agent, record=record, answers=form.cleaned_data, now=when)


@pytest.fixture
def survey(team):
    """A wave that invited two customers; one of them answered by the link already."""
    campaign = make_visit_campaign()
    Campaign.objects.filter(pk=campaign.pk).update(
        name="年度满意度调查（2026年度）",
        series="年度满意度调查",
        wave="2026年度",
        deadline=VISITED + timedelta(days=10),
        target_index=85,
        confidential=True,
        voice=VoiceRule.CONTACT,
        created_by=team.sam,
    )
    campaign.refresh_from_db()
    campaign.answered = make_customer(name="已答卷客户")
    invitation = Invitation.objects.create(
        campaign=campaign, customer=campaign.answered, status=InvitationStatus.SENT
    )
    answer(campaign, rated(campaign, "可以接受", "不满意"), invitation=invitation)
    campaign.invited = make_customer(name="未答卷客户")
    Invitation.objects.create(campaign=campaign, customer=campaign.invited, status=InvitationStatus.SENT)
    return campaign


def test_a_visit_to_a_customer_outside_the_sample_goes_to_the_visit_results_not_the_survey(team, survey):
    record = visit(make_task(make_customer(name="未抽中客户"), agent=team.amy, campaign=survey), team.amy)

    # The wave keeps its own sample: 2 issued, 1 returned, nothing without an invitation.
    counts = campaign_counts(survey)
    assert (counts["issued"], counts["returned"], counts["completed"], counts["uninvited"]) == (2, 1, 1, [])
    assert counts["response_rate"] == 50.0
    results = VisitResults.objects.get(survey=survey).campaign
    response = record.response
    assert (response.campaign, response.invitation, response.channel) == (results, None, Channel.PHONE)
    assert response.questionnaire == survey.questionnaire
    # Its own counts: no invitation issued, one phone answer, no response rate to speak of.
    counts = campaign_counts(results)
    assert (counts["issued"], counts["completed"], counts["response_rate"]) == (0, 1, None)
    assert [(row["channel"], row["completed"]) for row in counts["uninvited"]] == [(Channel.PHONE, 1)]


def test_a_customer_who_answered_the_survey_already_is_not_a_second_voice_in_it(team, survey):
    record = visit(make_task(survey.answered, agent=team.amy, campaign=survey), team.amy)
    assert Response.objects.filter(campaign=survey).count() == 1
    assert record.response.campaign == VisitResults.objects.get(survey=survey).campaign


def test_a_visit_to_an_invited_customer_still_answers_the_invitation(team, survey):
    record = visit(make_task(survey.invited, agent=team.amy, campaign=survey), team.amy)
    assert record.response.campaign == survey
    assert record.response.invitation.customer == survey.invited
    assert campaign_counts(survey)["returned"] == 2
    assert not VisitResults.objects.exists()


def test_the_visit_results_are_made_once_with_the_surveys_rules_and_a_clear_name(team, survey):
    first = visit(make_task(agent=team.amy, campaign=survey), team.amy).response.campaign
    on_site = make_task(agent=team.bob, campaign=survey, method=Method.ON_SITE_KEY)
    second = visit(on_site, team.bob, method=Method.ON_SITE_KEY, when=VISITED + timedelta(hours=2))
    assert second.response.campaign == first
    assert second.response.channel == Channel.VISIT
    assert Campaign.objects.count() == 2
    assert first.name == "年度满意度调查（2026年度） · 回访结果"
    assert first.series == ""  # not a wave of the survey's series, nor of any
    assert (first.wave, first.questionnaire, first.state) == (
        "2026年度",
        survey.questionnaire,
        CampaignState.RUNNING,
    )
    assert (first.deadline, first.target_index, first.confidential, first.voice) == (
        survey.deadline,
        85,
        True,
        VoiceRule.CONTACT,
    )
    assert (first.created_by, first.created_at, first.target_response_rate) == (team.sam, VISITED, 0)
    assert survey.name in first.purpose
    event = CampaignEvent.objects.get(campaign=first)
    assert (event.at, event.to_state) == (VISITED, CampaignState.RUNNING)


def test_the_visit_results_reopen_with_their_survey(team, survey):
    results = visit(make_task(agent=team.amy, campaign=survey), team.amy).response.campaign
    # Both closed at the deadline by the periodic job, then the survey reopened for a week more.
    Campaign.objects.filter(pk=results.pk).update(state=CampaignState.CLOSED)
    later = survey.deadline + timedelta(days=7)
    Campaign.objects.filter(pk=survey.pk).update(deadline=later)
    visit(make_task(agent=team.amy, campaign=survey), team.amy, when=VISITED + timedelta(days=11))
    results.refresh_from_db()
    assert (results.state, results.deadline) == (CampaignState.RUNNING, later)
    reopened = CampaignEvent.objects.filter(campaign=results, from_state=CampaignState.CLOSED).get()
    assert reopened.to_state == CampaignState.RUNNING


def test_a_long_survey_name_still_fits_the_results_name(team, survey):
    Campaign.objects.filter(pk=survey.pk).update(name="调" * 200)
    survey.refresh_from_db()
    results = visit(make_task(agent=team.amy, campaign=survey), team.amy).response.campaign
    assert len(results.name) == 200 and results.name.endswith(" · 回访结果")


def test_rules_and_plan_rows_ask_surveys_not_visit_results(team, survey, client_as):
    results = visit(make_task(agent=team.amy, campaign=survey), team.amy).response.campaign
    Campaign.objects.filter(pk=survey.pk).update(state=CampaignState.RUNNING)
    page = client_as(team.sam).get(reverse("visits:rule_new"))
    offered = set(page.context["form"].fields["campaign"].queryset)
    assert survey in offered and results not in offered
    page = client_as(team.sam).get(reverse("visits:plan_new"))
    assert results not in set(page.context["form"].fields["campaign"].queryset)


def test_the_plan_table_the_rules_and_the_record_link_the_visit_results(team, survey, client_as):
    Campaign.objects.filter(pk=survey.pk).update(state=CampaignState.RUNNING)
    record = visit(make_task(agent=team.amy, campaign=survey), team.amy)
    results = record.response.campaign
    plan = VisitPlan.objects.create(
        customer=make_customer(),
        method=Method.PHONE_FIRST,
        purpose="例行回访",
        planned_on=VISITED.date(),
        agent=team.amy,
        campaign=survey,
    )
    plan_by_hand(plan)
    VisitRule.objects.create(
        name="交付后回访", kind=RuleKind.AFTER_DELIVERY, days=30, purpose="回访", campaign=survey
    )
    dashboard = reverse("dashboards:campaign", args=[results.pk])
    client = client_as(team.sam)
    for page in (
        client.get(reverse("visits:plans") + f"?month={VISITED:%Y-%m}"),
        client.get(reverse("visits:rules")),
    ):
        assert page.context["answer_surveys"] == [(survey, results)]
        assert dashboard in page.content.decode()
    page = client.get(reverse("visits:record", args=[record.pk])).content.decode()
    assert results.get_absolute_url() in page and results.name in page


def test_the_call_screen_says_where_the_answers_will_go(team, survey, client_as):
    Campaign.objects.filter(pk=survey.pk).update(state=CampaignState.RUNNING, deadline=None)
    outside = make_task(agent=team.amy, campaign=survey)
    invited = make_task(survey.invited, agent=team.amy, campaign=survey)
    client = client_as(team.amy)
    assert client.get(reverse("visits:task", args=[outside.pk])).context["answers_invitation"] is None
    page = client.get(reverse("visits:task", args=[invited.pk]))
    assert page.context["answers_invitation"].customer == survey.invited


def test_the_survey_page_and_its_visit_results_page_link_each_other(team, survey, client_as):
    results = visit(make_task(agent=team.amy, campaign=survey), team.amy).response.campaign
    client = client_as(team.sam)
    page = client.get(survey.get_absolute_url()).content.decode()
    assert results.get_absolute_url() in page
    page = client.get(results.get_absolute_url()).content.decode()
    assert survey.get_absolute_url() in page


def test_a_visit_to_one_person_answers_only_that_persons_invitation(team, survey):
    """The survey asks each contact person (彩管: the key people of each customer): the visit to
    the buyer answers the buyer's invitation, never the engineer's; a visit to someone with no
    invitation of their own goes to the visit results."""
    from manyi.testing import make_contact

    company = make_customer(name="丙公司")
    buyer, engineer, manager = (make_contact(company, name=n) for n in ("采购", "技术", "经理"))
    theirs = Invitation.objects.create(campaign=survey, customer=company, contact=engineer, status="sent")
    mine = Invitation.objects.create(campaign=survey, customer=company, contact=buyer, status="sent")
    record = visit(make_task(company, agent=team.amy, campaign=survey, contact=buyer), team.amy)
    assert record.response.invitation == mine
    theirs.refresh_from_db()
    assert theirs.status == "sent"  # still the engineer's to answer
    record = visit(make_task(company, agent=team.amy, campaign=survey, contact=manager), team.amy)
    assert record.response.invitation is None
    assert record.response.campaign == VisitResults.objects.get(survey=survey).campaign
