"""SMS invitations through each gateway's local fake (sms_fakes.py), which checks every request
as Aliyun or Tencent Cloud would: sending, at most once, refusals, an unreachable gateway,
reminders, delivery receipts and replies (回复TD退订)."""

import importlib
import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from manyi.campaigns import channels, tasks
from manyi.campaigns.channels import sms
from manyi.campaigns.choices import CampaignState, Channel, DeliveryStatus, InvitationStatus
from manyi.campaigns.models import Campaign, Invitation, OptOut, SmsReply
from manyi.surveys.models import Question, Questionnaire
from manyi.testing import make_contact, make_customer

from .conftest import CALLBACK_SECRET


@pytest.fixture
def campaign(db):
    questionnaire = Questionnaire.objects.create(title="客户满意度调查")
    Question.objects.create(questionnaire=questionnaire, code="Q1", text="总体满意度", kind="text")
    return Campaign.objects.create(
        name="2026年第四季度客户满意度调查",
        questionnaire=questionnaire,
        state=CampaignState.RUNNING,
        channels=[Channel.EMAIL, Channel.SMS],
        invite_at=timezone.now() - timedelta(minutes=1),
        deadline=timezone.make_aware(timezone.datetime(2026, 12, 20, 18, 0)),
        reminder_days=[3],
    )


def invite(campaign, name, phone, **kwargs):
    customer = make_customer(name=name, phone=phone, **kwargs)
    return Invitation.objects.create(campaign=campaign, customer=customer, phone=phone, channel=Channel.SMS)


def push(client, gateway, kind, items, secret=CALLBACK_SECRET, provider=None):
    body = items if isinstance(items, (bytes, str)) else json.dumps(items, ensure_ascii=False)
    return client.post(
        f"/s/sms/{provider or gateway.provider}/{kind}/{secret}/", body, content_type="application/json"
    )


def test_an_invitation_reaches_the_mobile_with_a_short_link_and_the_opt_out_words(
    campaign, sms_gateway, client
):
    invitation = invite(campaign, "杭州精工机械有限公司", "13812345678")

    assert channels.send_invitations(campaign) == (1, 0)

    [message] = sms_gateway.messages
    assert message.phone == "13812345678"
    assert message.reference == str(invitation.pk)
    invitation.refresh_from_db()
    short = f"http://127.0.0.1:8000/s/{invitation.short_code}"
    assert re.fullmatch(r"[2-9a-zA-Z]{8}", invitation.short_code)
    assert message.text == (
        f"【满意度调查】杭州精工机械有限公司您好，诚邀您参加满意度调查，约5分钟：{short} ，12-20截止。回复TD退订"
    )
    assert message.parts <= 2
    assert invitation.status == InvitationStatus.SENT and invitation.sent_at is not None
    assert invitation.delivery_status == DeliveryStatus.PENDING
    assert invitation.provider_message_id == message.message_id
    response = client.get(f"/s/{invitation.short_code}")
    assert response.status_code == 302 and response["Location"] == f"/s/{invitation.token}/"
    assert client.get(response["Location"]).status_code == 200


def test_a_contact_person_is_named_and_a_long_name_is_cut_to_keep_the_message_short(campaign, sms_gateway):
    invitation = invite(campaign, "中国第一重型机械集团公司大连加氢反应器制造有限公司", "13900001111")
    long_name = invite(campaign, "苏州工业园区恒瑞精密机械制造有限责任公司", "13900002222")
    invitation.contact = make_contact(invitation.customer, name="周建国", phone="13900001111")
    invitation.save()

    channels.send_invitations(campaign)

    texts = {m.phone: m.text for m in sms_gateway.messages}
    assert texts["13900001111"].startswith("【满意度调查】周建国您好")
    assert texts["13900002222"].startswith("【满意度调查】苏州工业园区恒瑞精密机械您好")  # 12 characters
    assert long_name.customer.name[:12] == "苏州工业园区恒瑞精密机械"
    assert all(m.parts <= 2 for m in sms_gateway.messages)


def test_running_twice_sends_each_message_once(campaign, sms_gateway):
    invite(campaign, "宁波东方泵业", "13811110001")
    invite(campaign, "温州瓯江阀门", "13811110002")

    assert channels.send_invitations(campaign) == (2, 0)
    assert channels.send_invitations(campaign) == (0, 0)
    assert tasks.send_invitations.call(campaign.pk) == {"sent": 0, "failed": 0}

    assert sorted(m.phone for m in sms_gateway.messages) == ["13811110001", "13811110002"]
    assert sms_gateway.requests == 2


def test_a_wrong_secret_stops_sending_and_every_invitation_goes_out_once_it_is_right(
    campaign, sms_gateway, settings, caplog
):
    """A refusal every message would meet (the key is wrong) fails no invitation: runs made
    before the administrator fixes the key each try one message and stop, the reason shown on
    the invitation (without the phone number and name Aliyun's answer quotes, neither there nor
    in the log); then every invitation goes out, once."""
    settings.SMS_ACCESS_KEY_SECRET = "not-the-secret"
    first = invite(campaign, "宁波东方泵业", "13811110001")
    invite(campaign, "温州瓯江阀门", "13811110002")

    for _run in range(3):
        assert channels.send_invitations(campaign) == (0, 0)
    first.refresh_from_db()
    assert first.status == InvitationStatus.ISSUED and first.delivery_status == DeliveryStatus.NONE
    assert first.error.startswith(("SignatureDoesNotMatch", "AuthFailure.SignatureFailure"))
    for shown in (first.error, caplog.text):
        assert "13811110001" not in shown and "%E5%AE%81" not in shown and "宁波" not in shown
    assert set(campaign.invitations.values_list("status", flat=True)) == {"issued"}
    assert sms_gateway.messages == [] and sms_gateway.requests == 3

    settings.SMS_ACCESS_KEY_SECRET = sms_gateway.secret
    assert channels.send_invitations(campaign) == (2, 0)
    assert sorted(m.phone for m in sms_gateway.messages) == ["13811110001", "13811110002"]
    assert channels.send_invitations(campaign) == (0, 0)  # once each


def test_a_number_the_gateway_refuses_fails_alone(campaign, sms_gateway):
    refused = invite(campaign, "宁波东方泵业", "13811110001")
    Invitation.objects.filter(pk=refused.pk).update(phone="1381111000")  # one digit short
    invite(campaign, "温州瓯江阀门", "13811110002")

    assert channels.send_invitations(campaign) == (1, 1)

    refused.refresh_from_db()
    assert refused.status == InvitationStatus.FAILED
    assert "PhoneNumber" in refused.error or "MOBILE_NUMBER" in refused.error


def test_an_unreachable_gateway_leaves_the_invitations_for_a_later_run(campaign, sms_gateway, settings):
    invitation = invite(campaign, "宁波东方泵业", "13811110001")
    sms_gateway.stop()

    assert channels.send_invitations(campaign) == (0, 0)

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ISSUED and invitation.sent_at is None
    assert invitation.delivery_status == DeliveryStatus.NONE
    sms_gateway.start()
    settings.SMS_ENDPOINT = sms_gateway.url
    assert channels.send_invitations(campaign) == (1, 0)


def test_without_sms_settings_nothing_is_sent(campaign, sms_gateway, settings):
    settings.SMS_PROVIDER = ""
    invite(campaign, "宁波东方泵业", "13811110001")

    assert channels.send_invitations(campaign) == (0, 0)
    assert channels.due_work(campaign, timezone.now()) == (False, False)
    assert sms_gateway.requests == 0


def test_opted_out_and_unconsenting_customers_get_no_sms(campaign, sms_gateway):
    opted = invite(campaign, "宁波东方泵业", "13811110001")
    OptOut.objects.create(customer=opted.customer)
    invite(campaign, "温州瓯江阀门", "13811110002", consent_to_contact=False)
    invite(campaign, "嘉兴精密", "13811110003")

    assert channels.send_invitations(campaign) == (1, 0)
    assert [m.phone for m in sms_gateway.messages] == ["13811110003"]


def test_the_reminder_goes_by_sms_with_the_reminder_template_once(campaign, sms_gateway):
    invitation = invite(campaign, "宁波东方泵业", "13811110001")
    channels.send_invitations(campaign)
    sent_at = Invitation.objects.get(pk=invitation.pk).sent_at

    assert channels.send_reminders(campaign, now=sent_at + timedelta(days=2)) == (0, 0)
    assert channels.send_reminders(campaign, now=sent_at + timedelta(days=3, hours=1)) == (1, 0)
    assert channels.send_reminders(campaign, now=sent_at + timedelta(days=3, hours=2)) == (0, 0)

    _first, reminder = sms_gateway.messages
    assert reminder.template == list(sms_gateway.templates)[1]
    assert "还差您的意见" in reminder.text
    invitation.refresh_from_db()
    assert invitation.reminders_sent == 1 and invitation.provider_message_id == reminder.message_id


def test_receipts_mark_messages_delivered_or_not_once(campaign, sms_gateway, client):
    delivered = invite(campaign, "宁波东方泵业", "13811110001")
    lost = invite(campaign, "温州瓯江阀门", "13811110002")
    channels.send_invitations(campaign)
    by_phone = {m.phone: m for m in sms_gateway.messages}
    items = [
        sms_gateway.receipt(by_phone["13811110001"]),
        sms_gateway.receipt(by_phone["13811110002"], delivered=False),
    ]

    response = push(client, sms_gateway, "receipts", items)

    assert response.status_code == 200
    assert response.json() in ({"code": 0, "msg": "接收成功"}, {"result": 0, "errmsg": "OK"})
    delivered.refresh_from_db()
    lost.refresh_from_db()
    assert delivered.delivery_status == DeliveryStatus.DELIVERED
    assert timezone.localtime(delivered.delivered_at).strftime("%Y-%m-%d %H:%M:%S") == "2026-11-02 10:00:07"
    assert lost.delivery_status == DeliveryStatus.FAILED and lost.status == InvitationStatus.FAILED
    assert "空号" in lost.error

    before = list(Invitation.objects.order_by("pk").values())
    assert push(client, sms_gateway, "receipts", items).status_code == 200
    assert list(Invitation.objects.order_by("pk").values()) == before


def test_a_forged_or_malformed_push_changes_nothing(campaign, sms_gateway, client):
    invite(campaign, "宁波东方泵业", "13811110001")
    channels.send_invitations(campaign)
    [message] = sms_gateway.messages
    receipt = [sms_gateway.receipt(message)]
    other = "tencent" if sms_gateway.provider == "aliyun" else "aliyun"
    before = list(Invitation.objects.values())

    assert push(client, sms_gateway, "receipts", receipt, secret="guessed-secret-0000").status_code == 404
    assert push(client, sms_gateway, "receipts", receipt, provider=other).status_code == 404
    assert push(client, sms_gateway, "receipts", b"not json").status_code == 400
    assert push(client, sms_gateway, "receipts", [{"success": "maybe"}]).status_code == 400
    assert client.get(f"/s/sms/{sms_gateway.provider}/receipts/{CALLBACK_SECRET}/").status_code == 405
    assert list(Invitation.objects.values()) == before


def test_a_receipt_naming_another_invitation_changes_nothing(campaign, sms_gateway, client):
    first = invite(campaign, "宁波东方泵业", "13811110001")
    invite(campaign, "温州瓯江阀门", "13811110002")
    channels.send_invitations(campaign)
    receipt = sms_gateway.receipt(sms_gateway.messages[0])
    receipt["biz_id" if sms_gateway.provider == "aliyun" else "sid"] = "999999^0"

    assert push(client, sms_gateway, "receipts", [receipt]).status_code == 200

    first.refresh_from_db()
    assert first.delivery_status == DeliveryStatus.PENDING


def test_replying_td_opts_the_customer_out_and_the_next_send_skips_them(campaign, sms_gateway, client):
    invitation = invite(campaign, "宁波东方泵业", "13811110001")
    channels.send_invitations(campaign)
    later = Campaign.objects.create(
        name="2027年第一季度客户满意度调查",
        questionnaire=campaign.questionnaire,
        state=CampaignState.RUNNING,
        channels=[Channel.SMS],
    )
    Invitation.objects.create(
        campaign=later, customer=invitation.customer, phone="13811110001", channel=Channel.SMS
    )
    keeps = invite(later, "温州瓯江阀门", "13811110002")

    response = push(client, sms_gateway, "replies", [sms_gateway.reply("13811110001", " td ", 1)])

    assert response.status_code == 200
    assert OptOut.objects.filter(customer=invitation.customer).exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.OPTED_OUT
    [reply] = SmsReply.objects.all()
    assert (reply.phone, reply.text.strip(), reply.opted_out) == ("13811110001", "td", 1)
    assert channels.send_invitations(later) == (1, 0)
    assert sms_gateway.messages[-1].phone == keeps.phone


def test_other_replies_are_kept_once_and_change_nothing(campaign, sms_gateway, client):
    invitation = invite(campaign, "宁波东方泵业", "13811110001")
    channels.send_invitations(campaign)
    item = sms_gateway.reply("13811110001", "请周一上午联系我", 2)

    assert push(client, sms_gateway, "replies", [item]).status_code == 200
    assert push(client, sms_gateway, "replies", [item]).status_code == 200

    [reply] = SmsReply.objects.all()
    assert reply.text == "请周一上午联系我" and reply.opted_out == 0
    assert not OptOut.objects.exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT


def test_a_customer_typed_with_a_country_code_is_opted_out_by_a_reply(campaign, sms_gateway, client):
    customer = make_customer(name="嘉兴精密", phone="+86 138-1111-0009")

    push(client, sms_gateway, "replies", [sms_gateway.reply("13811110009", "退订", 3)])

    assert OptOut.objects.filter(customer=customer).exists()


def test_the_periodic_job_queues_sms_invitations_and_the_worker_sends_them(campaign, sms_gateway, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    invite(campaign, "宁波东方泵业", "13811110001")

    done = tasks.run_due_jobs()

    assert done["invitations"] == 1
    assert [m.phone for m in sms_gateway.messages] == ["13811110001"]


@pytest.mark.parametrize("text", ["TD", "td", " T ", "n", "退订", "ＴＤ"])
def test_the_stop_words_are_read_in_any_case_and_width(text):
    assert sms.asks_to_stop(text)


@pytest.mark.parametrize("text", ["TD了解一下", "不要退订", "好的", ""])
def test_other_texts_do_not_stop(text):
    assert not sms.asks_to_stop(text)


@pytest.mark.parametrize(
    "typed",
    ["１３８１２３４５６７８", "+８６ １３８-１２３４-５６７８", "（+86）138 1234 5678", "86 13812345678"],
)
def test_a_number_typed_with_a_chinese_keyboard_is_read_as_ascii_digits(typed):
    """Full-width digits (typed with a Chinese input method) are the same number; the gateways
    and the opt-out matching take ASCII digits only."""
    assert sms.mobile_number(typed) == "13812345678"


@pytest.mark.parametrize("typed", ["١٣٨١٢٣٤٥٦٧٨", "138١٢٣٤٥٦٧٨", "𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖x", "0571-88886666"])
def test_other_digits_and_landlines_are_no_mobile_number(typed):
    assert sms.mobile_number(typed) == ""


def test_a_reminder_that_does_not_arrive_leaves_the_delivered_invitation_open(campaign, sms_gateway, client):
    """The invitation itself was delivered: a reminder lost on the way (a phone switched off)
    does not make the invitation failed, and the next reminder still goes out."""
    campaign.reminder_days = [3, 5]
    campaign.save()
    invitation = invite(campaign, "宁波东方泵业", "13811110001")
    channels.send_invitations(campaign)
    push(client, sms_gateway, "receipts", [sms_gateway.receipt(sms_gateway.messages[0])])
    sent_at = Invitation.objects.get(pk=invitation.pk).sent_at
    assert channels.send_reminders(campaign, now=sent_at + timedelta(days=3, hours=1)) == (1, 0)

    push(client, sms_gateway, "receipts", [sms_gateway.receipt(sms_gateway.messages[1], delivered=False)])

    invitation.refresh_from_db()
    assert invitation.delivery_status == DeliveryStatus.FAILED  # the last message's fate
    assert invitation.status == InvitationStatus.SENT
    assert channels.send_reminders(campaign, now=sent_at + timedelta(days=5, hours=1)) == (1, 0)


@pytest.mark.parametrize("text", ["退订。", "TD！", "【退订】", "td.", "“退订”"])
def test_a_stop_word_with_punctuation_around_it_still_stops(text):
    assert sms.asks_to_stop(text)


def test_a_number_over_the_gateway_s_frequency_limit_waits_for_a_later_run(campaign, sms_gateway):
    """Two customers (or contacts) reached at one mobile number: the gateway's per-number limit
    (Aliyun isv.BUSINESS_LIMIT_CONTROL, Tencent LimitExceeded.PhoneNumber…) refuses the second
    message for now; it is not failed for good, and goes out once the limit lifts."""
    first = invite(campaign, "宁波东方泵业", "13811110001")
    second = invite(campaign, "宁波东方泵业销售公司", "13811110001")
    third = invite(campaign, "温州瓯江阀门", "13811110002")
    sms_gateway.number_limit = 1

    assert channels.send_invitations(campaign) == (2, 0)

    second.refresh_from_db()
    assert second.status == InvitationStatus.ISSUED and second.sent_at is None
    assert "LIMIT" in second.error.upper()
    assert Invitation.objects.get(pk=third.pk).status == InvitationStatus.SENT  # the batch went on
    sms_gateway.number_limit = None
    assert channels.send_invitations(campaign) == (1, 0)
    assert [m.phone for m in sms_gateway.messages] == ["13811110001", "13811110002", "13811110001"]
    assert {m.reference for m in sms_gateway.messages} == {str(first.pk), str(second.pk), str(third.pk)}


def test_a_message_left_without_an_answer_stays_sent_and_is_not_sent_again(campaign, sms_gateway, settings):
    """The gateway took the message but its answer came too late (SMS_TIMEOUT): the message may
    well have reached the customer, so the invitation is not failed (it stays sent, its
    reminders carry the link again) and is never sent twice; the rest wait for a later run."""
    settings.SMS_TIMEOUT = 0.5
    slow = invite(campaign, "宁波东方泵业", "13811110001")
    later = invite(campaign, "温州瓯江阀门", "13811110002")
    sms_gateway.slow_answer = 1.5

    assert channels.send_invitations(campaign) == (0, 1)

    slow.refresh_from_db()
    assert slow.status == InvitationStatus.SENT and slow.delivery_status == DeliveryStatus.PENDING
    assert "no answer" in slow.error
    assert Invitation.objects.get(pk=later.pk).status == InvitationStatus.ISSUED
    assert channels.send_invitations(campaign) == (1, 0)
    assert [m.phone for m in sms_gateway.messages] == ["13811110001", "13811110002"]
    assert channels.send_reminders(campaign, now=slow.sent_at + timedelta(days=3, hours=1)) == (2, 0)


def test_aliyun_s_receipt_finds_its_invitation_before_its_message_id_is_kept(
    campaign, sms_gateway, client, settings, monkeypatch
):
    """Aliyun's receipt names our invitation (out_id) as well as its message (biz_id): it counts
    for a message whose answer timed out (no message id kept), and for one whose receipt came
    in between the gateway's answer and our keeping of the id, which then does not undo it."""
    if sms_gateway.provider != "aliyun":
        pytest.skip("Tencent's receipt names only its own message id")
    settings.SMS_TIMEOUT = 0.5
    timed_out = invite(campaign, "宁波东方泵业", "13811110001")
    sms_gateway.slow_answer = 1.5
    channels.send_invitations(campaign)
    assert Invitation.objects.get(pk=timed_out.pk).provider_message_id == ""

    assert (
        push(client, sms_gateway, "receipts", [sms_gateway.receipt(sms_gateway.messages[0])]).status_code
        == 200
    )
    timed_out.refresh_from_db()
    assert timed_out.delivery_status == DeliveryStatus.DELIVERED
    assert timed_out.provider_message_id == sms_gateway.messages[0].message_id

    quick = invite(campaign, "温州瓯江阀门", "13811110002")
    real_send_one = sms._send_one

    def receipt_comes_first(sender, template, invitation):
        result = real_send_one(sender, template, invitation)
        sms.record_receipts(
            sender.receipts(json.dumps([sms_gateway.receipt(sms_gateway.messages[-1])]).encode())
        )
        return result

    monkeypatch.setattr(sms, "_send_one", receipt_comes_first)
    assert channels.send_invitations(campaign) == (1, 0)
    quick.refresh_from_db()
    assert quick.delivery_status == DeliveryStatus.DELIVERED and quick.delivered_at is not None
    assert quick.provider_message_id == sms_gateway.messages[-1].message_id


def test_a_gateway_outage_page_fails_nobody_and_everything_goes_on_a_later_run(campaign, sms_gateway):
    """A 503 page instead of the gateway's JSON (an outage, a load balancer in between): nothing
    was sent, so nobody is failed for good; the batch stops and goes out on a later run."""
    first = invite(campaign, "宁波东方泵业", "13811110001")
    second = invite(campaign, "温州瓯江阀门", "13811110002")
    sms_gateway.outage = (503, b"<html><body>503 Service Temporarily Unavailable</body></html>")

    assert channels.send_invitations(campaign) == (0, 0)

    assert {i.status for i in Invitation.objects.filter(pk__in=[first.pk, second.pk])} == {
        InvitationStatus.ISSUED
    }
    assert "503" in Invitation.objects.get(pk=first.pk).error
    assert channels.send_invitations(campaign) == (2, 0)


def test_an_answer_that_is_no_gateway_s_answer_is_not_sent_again(campaign, sms_gateway, monkeypatch):
    """A 200 whose body is not the gateway's JSON, or longer than any answer of it (read only
    up to gateway.ANSWER_LIMIT): the message may have gone out, so it stays sent, once."""
    # (the module, not sms.gateway(), the function of the same name)
    monkeypatch.setattr(importlib.import_module("manyi.campaigns.channels.sms.gateway"), "ANSWER_LIMIT", 20)
    invitation = invite(campaign, "宁波东方泵业", "13811110001")

    assert channels.send_invitations(campaign) == (0, 1)

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT and invitation.delivery_status == DeliveryStatus.PENDING
    assert channels.send_invitations(campaign) == (0, 0)
    assert len(sms_gateway.messages) == 1


def test_replying_td_closes_the_customer_s_invitations_of_other_channels_too(campaign, sms_gateway, client):
    """The customer who texts 退订 is opted out of every survey: their e-mail invitation of
    another campaign no longer takes an interview or an answer either."""
    invitation = invite(campaign, "宁波东方泵业", "13811110001")
    channels.send_invitations(campaign)
    other = Campaign.objects.create(
        name="服务回访",
        questionnaire=campaign.questionnaire,
        state=CampaignState.RUNNING,
        channels=[Channel.EMAIL],
    )
    by_mail = Invitation.objects.create(
        campaign=other, customer=invitation.customer, email="a@example.cn", channel=Channel.EMAIL
    )

    push(client, sms_gateway, "replies", [sms_gateway.reply("13811110001", "TD", 7)])

    by_mail.refresh_from_db()
    assert by_mail.status == InvitationStatus.OPTED_OUT


@pytest.mark.parametrize(("status", "code"), [(503, "ServiceUnavailable"), (500, "InternalError")])
def test_the_gateway_s_own_server_error_fails_no_invitation(campaign, sms_gateway, status, code):
    """The gateway's own JSON for a server error (ServiceUnavailable, InternalError): a 503 took
    nothing, so all wait for a later run; after a 500 the message may have gone out, so it
    stays sent, once, and the rest wait. Nobody is failed for good."""
    first = invite(campaign, "宁波东方泵业", "13811110001")
    second = invite(campaign, "温州瓯江阀门", "13811110002")
    error = {"Code": code, "Message": "temporary failure"}
    body = error if sms_gateway.provider == "aliyun" else {"Response": {"Error": error, "RequestId": "x"}}
    sms_gateway.outage = (status, json.dumps(body).encode())

    channels.send_invitations(campaign)

    statuses = dict(Invitation.objects.filter(pk__in=[first.pk, second.pk]).values_list("pk", "status"))
    assert statuses[first.pk] == (InvitationStatus.ISSUED if status == 503 else InvitationStatus.SENT)
    assert statuses[second.pk] == InvitationStatus.ISSUED
