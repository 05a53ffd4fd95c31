"""One customer, one voice: a customer who answered a campaign twice counts once, with the
latest answer, in every figure; the campaign can choose to count every answer instead."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.campaigns.choices import CampaignState, Channel, VoiceRule
from manyi.campaigns.models import Response
from manyi.dashboards.filters import Selection
from manyi.dashboards.summary import dashboard_summary
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
