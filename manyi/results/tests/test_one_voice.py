"""One customer, one voice: a customer who answered a campaign twice counts once, with the
latest answer, in every figure; the campaign can choose to count every answer instead."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.campaigns.choices import CampaignState, Channel, VoiceRule
from manyi.campaigns.models import Response
from manyi.results.filters import Selection
from manyi.results.summary import dashboard_summary
from manyi.testing import (
    answer,
    make_campaign,
    make_customer,
    make_invitation,
    make_question,
    make_questionnaire,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_datasets")]
LABEL = {10: "很满意", 8: "满意", 6: "可以接受", 4: "不满意", 2: "很不满意"}


@pytest.fixture
def survey():
    """Customer A answers 很不满意 by the link, then 很满意 on a return visit a week later; B
    answers 可以接受 once; an anonymous answer says 满意."""
    questionnaire = make_questionnaire(title="顾客满意度调查")
    question = make_question(questionnaire, "Q1", text="总体满意度")
    campaign = make_campaign(
        questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL, Channel.ANONYMOUS]
    )
    a, b = make_customer(code="A", name="甲公司"), make_customer(code="B", name="乙公司")

    def rated(points):
        return {f"q-{question.pk}": str(question.options.get(label=LABEL[points]).pk)}

    first = answer(campaign, rated(2), invitation=make_invitation(campaign, a))
    Response.objects.filter(pk=first.pk).update(completed_at=timezone.now() - timedelta(days=7))
    answer(campaign, rated(10), channel=Channel.VISIT, customer=a)
    answer(campaign, rated(6), invitation=make_invitation(campaign, b))
    answer(campaign, rated(8), channel=Channel.ANONYMOUS)
    return campaign


def test_a_customer_who_answered_twice_counts_once_with_the_latest_answer(survey):
    headline = dashboard_summary(survey, Selection())["headline"]
    # Counted: A's 很满意 (100), B's 可以接受 (60), the anonymous 满意 (80); A's first answer (20) not.
    assert headline["responses"] == 3
    assert headline["set_aside"] == 1
    assert headline["index"] == pytest.approx((100 + 60 + 80) / 3)
    assert headline["satisfied"]["count"] == 2  # ≥ 70: A and the anonymous customer


def test_counting_every_answer_is_the_campaigns_choice(survey):
    survey.voice = VoiceRule.RESPONSE
    survey.save()
    headline = dashboard_summary(survey, Selection())["headline"]
    assert (headline["responses"], headline["set_aside"]) == (4, 0)
    assert headline["index"] == pytest.approx((20 + 100 + 60 + 80) / 4)


def test_the_dashboard_says_how_many_answers_were_set_aside(client_as, people, survey):
    html = client_as(people.ana).get(reverse("dashboards:campaign", args=[survey.pk])).content.decode()
    assert 'id="responses">3<' in html
    assert 'id="set-aside"' in html and "1" in html


def test_the_campaign_form_stores_the_voice_rule(client_as, people, survey):
    from manyi.campaigns.forms import CampaignForm

    form = CampaignForm(instance=survey, user=people.sam)
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["channels"] = survey.channels
    data["voice"] = VoiceRule.RESPONSE
    bound = CampaignForm(data=data, instance=survey, user=people.sam)
    assert bound.is_valid(), bound.errors
    bound.save()
    survey.refresh_from_db()
    assert survey.voice == VoiceRule.RESPONSE


def test_the_export_keeps_every_answer_and_flags_the_counted_ones(survey):
    from manyi.reports.exports import build_table

    table = build_table(survey, show_personal=True)
    counted, index = table.columns["counted"], table.columns["index"]
    assert len(counted) == 4  # every answer is in the export
    # The figures, rebuilt by hand from the export: the mean index of the counted rows.
    kept = [x for flag, x in zip(counted, index, strict=True) if flag == 1.0]
    assert sorted(kept) == [60, 80, 100]


@pytest.fixture
def two_buyers():
    """One company, two people asked (the campaign asks each contact person): the buyer (采购)
    answers 很不满意 and, a week later on a return visit, 满意; the engineer (技术) answers 很满意
    once. Another company, without contacts, answers 可以接受."""
    from manyi.campaigns.workflow import issue_invitations
    from manyi.testing import make_contact

    questionnaire = make_questionnaire(title="顾客满意度调查")
    question = make_question(questionnaire, "Q1", text="总体满意度")
    campaign = make_campaign(
        questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL], voice=VoiceRule.CONTACT
    )
    company = make_customer(code="C", name="丙公司")
    make_customer(code="D", name="丁公司")
    buyer = make_contact(company, name="采购", email="cg@example.com", is_primary=True)
    engineer = make_contact(company, name="技术", email="js@example.com")
    assert issue_invitations(campaign) == 3
    invited = {i.contact_id: i for i in campaign.invitations.all()}
    assert (invited[buyer.pk].email, invited[engineer.pk].email) == ("cg@example.com", "js@example.com")

    def rated(points):
        return {f"q-{question.pk}": str(question.options.get(label=LABEL[points]).pk)}

    first = answer(campaign, rated(2), invitation=invited[buyer.pk])
    Response.objects.filter(pk=first.pk).update(completed_at=timezone.now() - timedelta(days=7))
    answer(campaign, rated(10), invitation=invited[engineer.pk])
    Response.objects.filter(invitation=invited[engineer.pk]).update(
        completed_at=timezone.now() - timedelta(days=1)
    )
    # The buyer again, on a return visit (no second invitation): the visit's own answer.
    later = answer(campaign, rated(8), channel=Channel.VISIT, customer=company)
    Response.objects.filter(pk=later.pk).update(completed_at=timezone.now())
    answer(campaign, rated(6), invitation=invited[None])
    return campaign, later


def test_one_voice_per_contact_counts_each_persons_latest_answer(two_buyers):
    campaign, _later = two_buyers
    headline = dashboard_summary(campaign, Selection())["headline"]
    # Per person: the buyer's first 20, the engineer's 100, the visit answer naming no contact
    # (the company's own voice, 80), the other company's 60: nothing answered twice.
    assert (headline["responses"], headline["set_aside"]) == (4, 0)
    assert headline["index"] == pytest.approx((20 + 100 + 80 + 60) / 4)


def test_per_customer_the_same_company_is_one_voice(two_buyers):
    campaign, _later = two_buyers
    campaign.voice = VoiceRule.CUSTOMER
    campaign.save()
    headline = dashboard_summary(campaign, Selection())["headline"]
    # The company's latest answer only (the visit's 满意) and the other company's.
    assert (headline["responses"], headline["set_aside"]) == (2, 2)
    assert headline["index"] == pytest.approx((80 + 60) / 2)
