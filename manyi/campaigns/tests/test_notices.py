"""The advance notice (seed 004: "提前3-5天向客户发送调查邀请,说明目的、预计耗时及保密承诺,提升配合度。")
goes through a real SMTP server (aiosmtpd) and is read back."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.campaigns import tasks, workflow
from manyi.campaigns.choices import Channel, InvitationStatus
from manyi.campaigns.models import Campaign, Invitation, OptOut
from manyi.surveys.models import Question, Questionnaire
from manyi.testing import make_campaign, make_contact, make_customer

from .test_views import form_data

PURPOSE = "了解您对2026年度交货及时性和售后服务的意见。"


@pytest.fixture
def questionnaire(db):
    questionnaire = Questionnaire.objects.create(title="客户满意度调查")
    for n in range(1, 9):  # 8 questions: 8 × 15 s = 2 minutes
        Question.objects.create(questionnaire=questionnaire, code=f"Q{n}", text=f"第{n}题", kind="text")
    return questionnaire


@pytest.fixture
def customers(db):
    return [
        make_customer(name="杭州精工机械有限公司", email="buyer@jinggong.cn"),
        make_customer(name="宁波东方泵业", email="pump@dongfang.cn"),
    ]


def started(questionnaire, people, *, invite_in, notice_days):
    campaign = make_campaign(
        questionnaire,
        channels=[Channel.EMAIL],
        purpose=PURPOSE,
        invite_at=timezone.now() + invite_in,
        notice_days=notice_days,
    )
    return workflow.start(campaign, by=people.sam)


def bodies(message):
    return (
        message.get_body(preferencelist=("plain",)).get_content(),
        message.get_body(preferencelist=("html",)).get_content(),
    )


def test_each_customer_hears_of_the_survey_days_before_and_only_once(
    questionnaire, customers, people, smtp_server
):
    campaign = started(questionnaire, people, invite_in=timedelta(days=4), notice_days=4)
    assert campaign.invitations.count() == 2

    assert tasks.run_due_jobs()["notices"] == 2

    assert sorted(r for _s, [r], _m in smtp_server.messages) == ["buyer@jinggong.cn", "pump@dongfang.cn"]
    for _sender, [recipient], message in smtp_server.messages:
        invitation = Invitation.objects.get(campaign=campaign, email=recipient)
        assert str(message["Subject"]).strip() == f"调查预告：{campaign.name}"
        optout = f"http://127.0.0.1:8000/s/{invitation.token}/optout/"
        assert str(message["List-Unsubscribe"]).strip() == f"<{optout}>"
        for body in bodies(message):
            assert PURPOSE in body
            assert "答题大约需要 2 分钟。" in body
            assert "您的回答将严格保密" in body
            # The day the link comes, in the site's time zone.
            assert timezone.localtime(campaign.invite_at).strftime("%Y-%m-%d") in body
            assert optout in body
            # No answer link: only the opt-out link carries the token.
            answer = reverse("public:answer", args=[invitation.token])
            assert body.count(invitation.token) == 1 and f"{answer}\n" not in body
            assert f'{answer}"' not in body
        assert invitation.customer.name in bodies(message)[0]
        # The invitation itself is still to come.
        assert (invitation.status, invitation.sent_at) == (InvitationStatus.ISSUED, None)
        assert invitation.notice_sent_at is not None

    # A second run sends nothing again.
    assert tasks.run_due_jobs()["notices"] == 0
    assert len(smtp_server.messages) == 2


def test_a_customer_who_opted_out_gets_no_notice(questionnaire, customers, people, smtp_server):
    campaign = started(questionnaire, people, invite_in=timedelta(days=4), notice_days=4)
    OptOut.objects.create(customer=customers[1])

    assert tasks.run_due_jobs()["notices"] == 1
    assert [r for _s, r, _m in smtp_server.messages] == [["buyer@jinggong.cn"]]
    assert not Invitation.objects.get(campaign=campaign, customer=customers[1]).notice_sent_at


def test_a_contact_person_is_addressed_by_name(questionnaire, people, smtp_server):
    customer = make_customer(name="苏州恒瑞精密", email="")
    make_contact(customer, name="周建国", email="zhou@hengrui.cn", is_primary=True)
    started(questionnaire, people, invite_in=timedelta(days=3), notice_days=4)

    assert tasks.run_due_jobs()["notices"] == 1
    [(_s, recipients, message)] = smtp_server.messages
    assert recipients == ["zhou@hengrui.cn"]
    assert "周建国" in bodies(message)[0]


def test_notices_the_mail_server_did_not_take_go_on_a_later_run(
    questionnaire, customers, people, smtp_server, settings
):
    campaign = started(questionnaire, people, invite_in=timedelta(days=4), notice_days=4)
    settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = 9, 2  # nothing listens there
    assert tasks.run_due_jobs()["notices"] == 0
    assert not campaign.invitations.filter(notice_sent_at__isnull=False).exists()

    settings.EMAIL_PORT = smtp_server.port
    assert tasks.run_due_jobs()["notices"] == 2
    assert len(smtp_server.messages) == 2


def test_without_notice_days_no_notice_goes(questionnaire, customers, people, smtp_server):
    started(questionnaire, people, invite_in=timedelta(days=4), notice_days=0)
    assert tasks.run_due_jobs()["notices"] == 0
    assert smtp_server.messages == []


def test_the_notice_waits_until_notice_days_before_the_invitation(
    questionnaire, customers, people, smtp_server
):
    campaign = started(questionnaire, people, invite_in=timedelta(days=6), notice_days=4)

    assert tasks.run_due_jobs()["notices"] == 0
    assert tasks.run_due_jobs(now=campaign.invite_at - timedelta(days=4, minutes=1))["notices"] == 0
    assert smtp_server.messages == []

    assert tasks.run_due_jobs(now=campaign.invite_at - timedelta(days=4))["notices"] == 2
    assert len(smtp_server.messages) == 2
    # Once the link has gone out there is nothing to announce.
    assert tasks.run_due_jobs(now=campaign.invite_at - timedelta(days=1))["notices"] == 0


def test_no_notice_once_the_invitations_are_due(questionnaire, customers, people, smtp_server):
    campaign = started(questionnaire, people, invite_in=timedelta(days=6), notice_days=4)
    assert tasks.run_due_jobs(now=campaign.invite_at + timedelta(minutes=1))["notices"] == 0
    assert not Invitation.objects.filter(notice_sent_at__isnull=False).exists()


def test_the_campaign_form_stores_the_notice_days_and_refuses_more_than_14(questionnaire, people, client_as):
    client = client_as(people.sam)
    response = client.post(reverse("campaigns:create"), form_data(questionnaire, notice_days="15"))
    assert response.status_code == 200
    assert "提前通知天数须为 0（不通知）到 14 天之间的整数。" in response.content.decode()
    assert not Campaign.objects.exists()

    response = client.get(reverse("campaigns:create"))
    assert "提前3-5天向客户发送调查邀请" in response.content.decode()

    invite_at = (timezone.localtime() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("campaigns:create"), form_data(questionnaire, notice_days="4", invite_at=invite_at)
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.notice_days == 4

    # A form posted without the field (an older page) keeps what is stored.
    client.post(
        reverse("campaigns:edit", args=[campaign.pk]),
        form_data(questionnaire, name="改名", invite_at=invite_at),
    )
    campaign.refresh_from_db()
    assert (campaign.name, campaign.notice_days) == ("改名", 4)


def test_an_advance_notice_needs_the_date_the_invitations_go_out(questionnaire, people, client_as):
    """Without `invitations go out at` the link goes when the campaign starts: no notice can
    come before it, and a stored notice_days would silently do nothing."""
    client = client_as(people.sam)

    response = client.post(reverse("campaigns:create"), form_data(questionnaire, notice_days="4"))

    assert response.status_code == 200
    assert "提前通知需要填写邀请发出时间" in response.content.decode()
    assert not Campaign.objects.exists()
    assert (
        client.post(reverse("campaigns:create"), form_data(questionnaire, notice_days="0")).status_code == 302
    )
