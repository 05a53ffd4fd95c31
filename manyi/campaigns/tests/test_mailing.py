"""Invitations and reminders go through a real SMTP server (aiosmtpd) and are read back."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from manyi.campaigns import mailing, tasks
from manyi.campaigns.choices import CampaignState, Channel, InvitationStatus
from manyi.campaigns.models import Campaign, CampaignEvent, Invitation, OptOut
from manyi.surveys.models import Question, Questionnaire
from manyi.testing import make_contact, make_customer


@pytest.fixture
def campaign(db):
    questionnaire = Questionnaire.objects.create(title="客户满意度调查")
    for n in range(1, 9):
        Question.objects.create(questionnaire=questionnaire, code=f"Q{n}", text=f"第{n}题", kind="text")
    return Campaign.objects.create(
        name="2026年第四季度客户满意度调查",
        questionnaire=questionnaire,
        state=CampaignState.RUNNING,
        channels=[Channel.EMAIL],
        purpose="了解您对我们产品和服务的意见。",
        invite_at=timezone.now() - timedelta(minutes=1),
        deadline=timezone.now() + timedelta(days=7),
        reminder_days=[3, 5],
    )


def invite(campaign, name, email, **kwargs):
    customer = make_customer(name=name, email=email, **kwargs)
    return Invitation.objects.create(campaign=campaign, customer=customer, email=email, channel=Channel.EMAIL)


def link_in(message, kind):
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(rf"http://\S+/s/\S+{kind}", text)


def test_an_invitation_reaches_the_customer_with_a_personal_link_and_an_opt_out(campaign, smtp_server):
    invitation = invite(campaign, "杭州精工机械有限公司", "buyer@jinggong.cn")

    assert mailing.send_invitations(campaign) == (1, 0)

    [(sender, recipients, message)] = smtp_server.messages
    assert sender == "manyi@localhost"
    assert recipients == ["buyer@jinggong.cn"]
    assert str(message["Subject"]).strip() == "邀请：2026年第四季度客户满意度调查"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "杭州精工机械有限公司" in text and "8" in text
    assert f"/s/{invitation.token}/" in text and f"/s/{invitation.token}/" in html
    assert f"/s/{invitation.token}/optout/" in text
    assert str(message["List-Unsubscribe"]).strip() == f"<http://127.0.0.1:8000/s/{invitation.token}/optout/>"
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT and invitation.sent_at is not None


def test_the_link_in_the_e_mail_opens_the_questionnaire(campaign, smtp_server, client):
    invitation = invite(campaign, "宁波东方泵业", "pump@dongfang.cn")
    mailing.send_invitations(campaign)
    text = smtp_server.messages[0][2].get_body(preferencelist=("plain",)).get_content()
    path = re.search(r"http://127\.0\.0\.1:8000(/s/[^\s]+/)\s", text)[1]
    assert path == f"/s/{invitation.token}/"
    response = client.get(path)
    assert response.status_code == 200
    assert "客户满意度调查" in response.content.decode()


def test_a_contact_person_is_addressed_by_name(campaign, smtp_server):
    invitation = invite(campaign, "苏州恒瑞精密", "info@hengrui.cn")
    invitation.contact = make_contact(invitation.customer, name="周建国", email="zhou@hengrui.cn")
    invitation.save()
    mailing.send_invitations(campaign)
    assert "周建国" in smtp_server.messages[0][2].get_body(preferencelist=("plain",)).get_content()


def test_sending_twice_sends_each_invitation_once(campaign, smtp_server):
    for n in range(3):
        invite(campaign, f"客户{n}", f"c{n}@example.cn")
    assert mailing.send_invitations(campaign) == (3, 0)
    assert mailing.send_invitations(campaign) == (0, 0)
    assert len(smtp_server.messages) == 3


def test_opted_out_and_unreachable_customers_are_never_invited(campaign, smtp_server):
    invite(campaign, "愿意参加", "yes@example.cn")
    opted = invite(campaign, "已退订", "no@example.cn")
    OptOut.objects.create(customer=opted.customer)
    invite(campaign, "不同意联系", "noconsent@example.cn", consent_to_contact=False)
    assert mailing.send_invitations(campaign) == (1, 0)
    assert [r for _s, r, _m in smtp_server.messages] == [["yes@example.cn"]]


def test_reminders_go_to_non_responders_on_the_reminder_days_only_once(campaign, smtp_server):
    waiting = invite(campaign, "未回复", "wait@example.cn")
    answered = invite(campaign, "已回复", "done@example.cn")
    mailing.send_invitations(campaign)
    Invitation.objects.filter(pk=answered.pk).update(status=InvitationStatus.COMPLETED)
    sent_at = Invitation.objects.get(pk=waiting.pk).sent_at

    assert mailing.send_reminders(campaign, now=sent_at + timedelta(days=2)) == (0, 0)
    assert mailing.send_reminders(campaign, now=sent_at + timedelta(days=3, hours=1)) == (1, 0)
    assert mailing.send_reminders(campaign, now=sent_at + timedelta(days=4)) == (0, 0)
    assert mailing.send_reminders(campaign, now=sent_at + timedelta(days=5, hours=1)) == (1, 0)
    reminders = [m for _s, r, m in smtp_server.messages if "wait@example.cn" in r][1:]
    assert [str(m["Subject"]).strip()[:3] for m in reminders] == ["提醒："] * 2
    assert not any("done@example.cn" in r for _s, r, m in smtp_server.messages[2:])


def test_an_address_the_server_refuses_is_marked_failed_and_the_others_still_go(campaign, smtp_server):
    from tests.test_emails import refusing

    smtp_server.handle_RCPT = refusing("gone@example.cn")
    first = invite(campaign, "甲", "a@example.cn")
    gone = invite(campaign, "乙", "gone@example.cn")
    last = invite(campaign, "丙", "c@example.cn")
    assert mailing.send_invitations(campaign) == (2, 1)
    assert sorted(r for _s, rcpts, _m in smtp_server.messages for r in rcpts) == [
        "a@example.cn",
        "c@example.cn",
    ]
    gone.refresh_from_db()
    assert gone.status == InvitationStatus.FAILED and "mailbox unavailable" in gone.error
    assert {i.status for i in Invitation.objects.filter(pk__in=[first.pk, last.pk])} == {
        InvitationStatus.SENT
    }


def test_an_unreachable_mail_server_leaves_invitations_for_a_later_run(campaign, settings):
    invitation = invite(campaign, "客户", "c@example.cn")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    assert mailing.send_invitations(campaign) == (0, 0)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ISSUED and invitation.sent_at is None


def test_the_periodic_job_closes_campaigns_past_their_deadline(campaign):
    Campaign.objects.filter(pk=campaign.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    assert tasks.run_due_jobs()["closed"] == 1
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.CLOSED
    event = CampaignEvent.objects.get(campaign=campaign)
    # The history reads in the site's language (it said "deadline passed" in the Chinese UI).
    assert (event.to_state, event.note) == (CampaignState.CLOSED, "截止时间已到。")


@pytest.mark.django_db(transaction=True)
def test_the_periodic_job_queues_sending_and_the_database_worker_sends(campaign, smtp_server):
    invite(campaign, "客户甲", "a@example.cn")
    invite(campaign, "客户乙", "b@example.cn")
    call_command("periodic")
    assert smtp_server.messages == []  # only queued so far
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert sorted(r[0] for _s, r, _m in smtp_server.messages) == ["a@example.cn", "b@example.cn"]


def test_a_connection_lost_mid_batch_keeps_the_sent_and_gives_back_only_the_rest(
    campaign, smtp_server, settings
):
    """The server hangs up on the third message of the second batch: the four messages it took
    stay sent, the rest go back for a later run, and that run invites each customer once."""
    settings.EMAIL_BATCH_SIZE = 3
    invitations = [invite(campaign, f"客户{n}", f"c{n}@example.cn") for n in range(8)]
    accept = smtp_server.handle_DATA

    async def hang_up_on_the_fifth(server, session, envelope):
        if len(smtp_server.messages) == 4:
            server.transport.close()
            return "421 4.4.2 connection dropped"
        return await accept(server, session, envelope)

    smtp_server.handle_DATA = hang_up_on_the_fifth
    assert mailing.send_invitations(campaign) == (4, 0)
    statuses = [Invitation.objects.get(pk=i.pk).status for i in invitations]
    assert statuses == [InvitationStatus.SENT] * 4 + [InvitationStatus.ISSUED] * 4

    smtp_server.handle_DATA = accept
    assert mailing.send_invitations(campaign) == (4, 0)
    received = sorted(r for _s, rcpts, _m in smtp_server.messages for r in rcpts)
    assert received == sorted(f"c{n}@example.cn" for n in range(8))


@pytest.mark.parametrize(
    ("intro", "questions", "minutes"),
    [
        ("本调查共 10 个评价项目，填写约需 5 分钟。", 13, 5),  # the introduction's promise, not 13 × 15 s
        ("问卷约需 8–10 分钟。", 30, 10),  # a range: the longer
        ("诚邀您参与约 5 分钟的满意度调研", 3, 5),
        ("感谢您的支持。", 13, 4),  # nothing stated: about 15 s a question, rounded up
        ("", 1, 1),
    ],
)
def test_the_invitation_states_the_time_the_answer_page_states(intro, questions, minutes):
    from manyi.campaigns.mailing import answering_minutes
    from manyi.surveys.models import Questionnaire

    assert answering_minutes(Questionnaire(title="调查", intro=intro), questions) == minutes


def test_the_mailed_invitation_promises_what_the_introduction_promises(campaign, smtp_server):
    campaign.questionnaire.intro = "本调查共 8 题，填写约需 6 分钟。"
    campaign.questionnaire.save()
    invite(campaign, "杭州精工机械有限公司", "buyer@jinggong.cn")
    assert mailing.send_invitations(campaign) == (1, 0)
    [(_sender, _recipients, message)] = smtp_server.messages
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "问卷共 8 题，大约需要 6 分钟。" in text  # 8 × 15 s would have said 2


def test_a_reminder_the_server_refuses_leaves_the_invitation_it_accepted_sent(campaign, smtp_server):
    """The invitation itself was accepted: a refused reminder (the mailbox full or gone since)
    says so on the invitation but does not make it failed, as for SMS."""
    from tests.test_emails import refusing

    invitation = invite(campaign, "甲", "a@example.cn")
    mailing.send_invitations(campaign)
    sent_at = Invitation.objects.get(pk=invitation.pk).sent_at
    smtp_server.handle_RCPT = refusing("a@example.cn")

    assert mailing.send_reminders(campaign, now=sent_at + timedelta(days=3, hours=1)) == (0, 1)

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT and invitation.reminders_sent == 1
    assert invitation.delivery_status == "failed" and "mailbox unavailable" in invitation.error


def test_the_periodic_job_queues_reminders_only_while_one_is_due(campaign, smtp_server):
    """Once the reminders of the day are out, the job stops queueing a reminder task on every
    run (each one read every open invitation of the campaign to find nothing)."""
    invitation = invite(campaign, "甲", "a@example.cn")
    mailing.send_invitations(campaign)
    sent_at = Invitation.objects.get(pk=invitation.pk).sent_at
    day3, day4, day5 = (sent_at + timedelta(days=d, hours=1) for d in (3, 4, 5))

    assert mailing.due_work(campaign, sent_at + timedelta(days=2)) == (False, False)
    assert mailing.due_work(campaign, day3) == (False, True)
    mailing.send_reminders(campaign, now=day3)
    assert mailing.due_work(campaign, day4) == (False, False)
    assert mailing.due_work(campaign, day5) == (False, True)
    mailing.send_reminders(campaign, now=day5)
    assert mailing.due_work(campaign, day5 + timedelta(days=1)) == (False, False)
