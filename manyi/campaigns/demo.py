"""Demo survey data for `manage.py load_demo`: two waves of the annual satisfaction survey.

Answers go through the same form and `save_response` as a customer's, so the demo dashboard
shows what real use would. Answers follow a per-customer satisfaction level with regional
differences, so the dashboard has something to say.
"""

import math
from datetime import timedelta

from django.utils import timezone

from manyi.surveys import loader
from manyi.surveys.choices import QuestionKind
from manyi.surveys.models import Question
from manyi.surveys.naming import field_name

from .answering import AnswerForm, save_response
from .choices import CampaignState, Channel, DeliveryStatus, InvitationStatus
from .models import Campaign, CampaignEvent, Invitation

TEMPLATE = "iso9001_weighted_dimensions"
SERIES = "年度顾客满意度调查"
REGION_EFFECT = {
    "华东": 0.35,
    "华南": 0.2,
    "华北": 0.0,
    "华中": -0.1,
    "西南": -0.25,
    "西北": -0.4,
    "东北": -0.3,
}
PRAISE = [
    "产品质量稳定，交货及时",
    "售后服务响应速度快，服务态度好",
    "技术支持很专业",
    "挺好的，继续保持",
    "性价比高",
]
COMPLAINTS = [
    "交货期经常延误，希望改进",
    "价格偏高，希望有更多优惠",
    "售后服务响应速度太慢",
    "包装破损，产品有划痕",
    "技术文档不够详细",
]
SUGGESTIONS = ["希望增加上门培训", "希望客服热线延长服务时间", "建议提供在线订单查询", ""]


def load_demo_surveys(customers, users, rng, today=None):
    """Create the questionnaire and two waves (last year's closed, this year's running).

    `customers`: Customer objects to invite; `users`: {username: user}; `rng`: random.Random.
    Returns the number of responses stored."""
    now = timezone.now()
    owner = users.get("zhou") or next(iter(users.values()))
    questionnaire = loader.create_from_template(TEMPLATE, by=owner)
    Question.objects.create(
        questionnaire=questionnaire,
        code="NPS",
        text="您向同行推荐我公司的可能性有多大？（0-10分）",
        kind=QuestionKind.NPS,
        required=False,
        scored=False,
        position=100,
    )
    waves = [
        ("2025年度", now - timedelta(days=365), CampaignState.CLOSED, -0.15),
        ("2026年度", now - timedelta(days=20), CampaignState.RUNNING, 0.0),
    ]
    stored = 0
    for wave, invite_at, state, shift in waves:
        campaign = Campaign.objects.create(
            name=f"{SERIES}（{wave}）",
            series=SERIES,
            wave=wave,
            questionnaire=questionnaire,
            state=CampaignState.RUNNING,
            channels=[Channel.EMAIL, Channel.PHONE],
            purpose="了解顾客对产品质量、交货、价格、服务和技术开发能力的满意程度，找出改进方向（ISO 9001 9.1.2）。",
            invite_at=invite_at,
            deadline=invite_at + timedelta(days=30)
            if state == CampaignState.CLOSED
            else now + timedelta(days=10),
            target_index=80,
            created_by=owner,
        )
        invitations = _invite(campaign, rng.sample(customers, min(len(customers), 160)), owner)
        stored += _answer(campaign, invitations, shift, rng)
        if state == CampaignState.CLOSED:
            _close(campaign)
    return stored


def _invite(campaign, customers, owner):
    """The wave's invitations, sent when it started: by e-mail through the mail server, or
    by phone (nothing sent); the start in the campaign's history."""
    invitations = Invitation.objects.bulk_create(
        Invitation(
            campaign=campaign,
            customer=customer,
            email=customer.email,
            channel=Channel.EMAIL if customer.email else Channel.PHONE,
            status=InvitationStatus.SENT,
            sent_at=campaign.invite_at,
            delivery_status=DeliveryStatus.ACCEPTED if customer.email else DeliveryStatus.NONE,
        )
        for customer in customers
    )
    CampaignEvent.objects.create(
        campaign=campaign,
        at=campaign.invite_at,
        by=owner,
        from_state=CampaignState.DRAFT,
        to_state=CampaignState.RUNNING,
        note=f"已发放 {len(invitations)} 份邀请。",
    )
    return invitations


def _answer(campaign, invitations, shift, rng):
    """About 72% of the invited answer within 18 days; returns how many."""
    questionnaire = campaign.questionnaire
    stored = 0
    for invitation in invitations:
        if rng.random() > 0.72:
            continue  # no answer
        level = rng.gauss(0.3 + shift + REGION_EFFECT.get(invitation.customer.region, 0.0), 0.9)
        form = AnswerForm(questionnaire, data=_answers(questionnaire, level, rng))
        if not form.is_valid():
            continue
        response, _created = save_response(
            campaign=campaign,
            questionnaire=questionnaire,
            cleaned_data=form.cleaned_data,
            channel=invitation.channel,
            invitation=invitation,
        )
        when = campaign.invite_at + timedelta(days=rng.uniform(0.2, 18))
        type(response).objects.filter(pk=response.pk).update(started_at=when, completed_at=when)
        # The invitation was opened and answered then too, not when the demo was loaded.
        Invitation.objects.filter(pk=invitation.pk).update(opened_at=when, completed_at=when)
        stored += 1
    return stored


def _close(campaign):
    """Last year's wave, closed at its deadline."""
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.CLOSED)
    CampaignEvent.objects.create(
        campaign=campaign,
        at=campaign.deadline,
        from_state=CampaignState.RUNNING,
        to_state=CampaignState.CLOSED,
        note="截止时间已到",
    )
    # Last year's low scores were followed up back then: no tickets for them now.
    campaign.responses.update(ticket_pending=False)


def _answers(questionnaire, level, rng):
    layout = questionnaire.layout()
    data = {}
    for question in layout.questions:
        name = field_name(question)
        if question.kind == QuestionKind.RATING:
            options = sorted(layout.options[question.pk].items(), key=lambda item: -(item[1].points or 0))
            value = level + rng.gauss(0, 0.7)
            position = min(len(options) - 1, max(0, math.floor(1.6 - value)))
            data[name] = options[position][0]
        elif question.kind == QuestionKind.NPS:
            data[name] = str(min(10, max(0, round(7.5 + 1.8 * level + rng.gauss(0, 1)))))
        elif question.kind == QuestionKind.TEXT and rng.random() < 0.6:
            pool = PRAISE if level > 0.3 else COMPLAINTS
            data[name] = rng.choice(pool) if question.code == "Q10" else rng.choice(SUGGESTIONS)
    return data
