"""The customer's preferred contact method decides how each invitation goes when a campaign
starts (workflow.invitation_channel), and a started campaign sends by e-mail and SMS at once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from manyi.campaigns import workflow
from manyi.campaigns.choices import CampaignState, Channel, DeliveryStatus, VoiceRule
from manyi.campaigns.models import Invitation
from manyi.testing import make_campaign, make_contact, make_customer, make_question, make_questionnaire


@pytest.fixture
def campaign(db):
    questionnaire = make_questionnaire(title="客户满意度调查")
    make_question(questionnaire)
    return make_campaign(
        questionnaire,
        name="2026年第四季度",
        channels=[Channel.EMAIL, Channel.SMS, Channel.PHONE],
        deadline=timezone.now() + timedelta(days=7),
    )


CUSTOMERS = [
    # name, e-mail, phone, preferred method → channel with SMS on, with SMS off
    ("邮件客户", "buyer@a.cn", "13800000001", "", Channel.EMAIL, Channel.EMAIL),
    ("偏好短信", "buyer@b.cn", "13800000002", "sms", Channel.SMS, Channel.EMAIL),
    ("无邮箱", "", "138 0000 0003", "", Channel.SMS, Channel.PHONE),
    ("偏好微信", "buyer@d.cn", "13800000004", "wechat", Channel.WEB, Channel.WEB),
    ("偏好上门", "", "13800000005", "visit", Channel.WEB, Channel.WEB),
    ("偏好邮件无邮箱", "", "+86 13800000006", "email", Channel.SMS, Channel.PHONE),
    ("偏好电话", "buyer@g.cn", "13800000007", "phone", Channel.PHONE, Channel.PHONE),
    ("座机", "", "0571-88886666", "sms", Channel.PHONE, Channel.PHONE),
]


@pytest.mark.parametrize("sms_on", [True, False], ids=["sms-configured", "sms-off"])
def test_the_preferred_contact_method_decides_the_channel(campaign, sms_gateway, settings, sms_on):
    if not sms_on:
        settings.SMS_PROVIDER = ""
    for name, email, phone, preferred, *_channels in CUSTOMERS:
        make_customer(name=name, email=email, phone=phone, preferred_contact_method=preferred)

    workflow.issue_invitations(campaign)

    got = dict(Invitation.objects.values_list("customer__name", "channel"))
    wanted = {name: (on if sms_on else off) for name, _e, _p, _m, on, off in CUSTOMERS}
    assert got == wanted
    assert Invitation.objects.get(customer__name="无邮箱").phone == "13800000003"
    assert Invitation.objects.get(customer__name="座机").phone == ""


def test_without_the_sms_channel_a_customer_without_e_mail_gets_the_personal_link(campaign, sms_gateway):
    campaign.channels = [Channel.EMAIL]
    campaign.save()
    make_customer(name="无邮箱", phone="13800000003", preferred_contact_method="sms")

    workflow.issue_invitations(campaign)

    assert Invitation.objects.get().channel == Channel.WEB


def test_each_contact_person_is_reached_on_their_own_mobile(campaign, sms_gateway):
    campaign.voice = VoiceRule.CONTACT
    campaign.save()
    customer = make_customer(name="恒瑞精密", phone="13800000010", preferred_contact_method="sms")
    make_contact(customer, name="周建国", phone="13900000011", is_primary=True)
    make_contact(customer, name="李静", phone="")

    workflow.issue_invitations(campaign)

    phones = dict(Invitation.objects.values_list("contact__name", "phone"))
    assert phones == {"周建国": "13900000011", "李静": "13800000010"}


def test_starting_a_campaign_sends_its_e_mails_and_text_messages(
    campaign, sms_gateway, smtp_server, people, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    make_customer(name="邮件客户", email="buyer@a.cn", phone="13800000001")
    make_customer(name="无邮箱", phone="13800000003")
    make_customer(name="偏好微信", phone="13800000004", preferred_contact_method="wechat")

    workflow.start(campaign, by=people.sam)

    campaign.refresh_from_db()
    assert campaign.state == CampaignState.RUNNING
    assert [m.phone for m in sms_gateway.messages] == ["13800000003"]
    assert [recipients for _sender, recipients, _message in smtp_server.messages] == [["buyer@a.cn"]]
    delivery = dict(Invitation.objects.values_list("customer__name", "delivery_status"))
    assert delivery == {
        "邮件客户": DeliveryStatus.ACCEPTED,
        "无邮箱": DeliveryStatus.PENDING,
        "偏好微信": DeliveryStatus.NONE,  # staff share the personal link
    }
