"""Telling customers what changed: one e-mail per customer through a real SMTP server, once."""

import pytest
from django.conf import settings

from manyi.improvements import notify, workflow
from manyi.improvements.choices import EventKind, NoticeChannel, Source
from manyi.improvements.models import CustomerNotice
from manyi.improvements.workflow import ImprovementError
from manyi.testing import make_contact, make_customer

pytestmark = pytest.mark.django_db

MESSAGE = "我们已优化售后响应流程，目前平均响应时间缩短至1.5小时内，欢迎继续监督。"


@pytest.fixture
def customers():
    plain = make_customer(name="杭州甲公司", email="jia@example.com")
    with_contact = make_customer(name="宁波乙公司", email="office@yi.example.com")
    make_contact(with_contact, name="乙经理", email="manager@yi.example.com", is_primary=True)
    no_email = make_customer(name="温州丙公司", phone="0577-88880000")
    no_consent = make_customer(name="台州丁公司", email="ding@example.com", consent_to_contact=False)
    return plain, with_contact, no_email, no_consent


@pytest.fixture
def done_improvement(people, raise_one, make_ticket, customers):
    plain, with_contact, no_email, no_consent = customers
    tickets = [
        make_ticket(plain),
        make_ticket(plain, subject="第二次投诉"),
        make_ticket(with_contact),
        make_ticket(no_email),
        make_ticket(no_consent),
        make_ticket(None, contact_name="路人", contact_email="Walker@Example.com"),
        make_ticket(None),  # anonymous, nobody to tell
    ]
    improvement = raise_one(source=Source.TICKETS, tickets=tickets)
    workflow.apply(improvement, people.hank, "start")
    workflow.apply(improvement, people.hank, "complete", "专线已开通")
    workflow.update_improvement(improvement, people.sam, {"customer_message": MESSAGE})
    return improvement


def test_each_customer_is_told_once_by_e_mail_and_a_second_click_sends_nothing(
    people, done_improvement, smtp_server, customers
):
    plain, with_contact, no_email, no_consent = customers
    result = notify.notify_customers(done_improvement, people.sam)
    received = sorted(rcpt for _sender, rcpts, _message in smtp_server.messages for rcpt in rcpts)
    assert received == ["jia@example.com", "manager@yi.example.com", "walker@example.com"]
    assert [r.name for r in result.by_phone] == [no_email.name]
    assert [r.customer for r in result.not_contacted] == [no_consent]
    assert not result.failed

    told = CustomerNotice.objects.filter(improvement=done_improvement)
    assert told.count() == 3
    assert set(told.values_list("channel", flat=True)) == {NoticeChannel.EMAIL}
    assert {n.customer for n in told} == {plain, with_contact, None}
    assert done_improvement.events.filter(kind=EventKind.NOTIFIED).count() == 1

    again = notify.notify_customers(done_improvement, people.sam)
    assert len(smtp_server.messages) == 3
    assert not again.sent and len(again.already) == 3
    assert CustomerNotice.objects.filter(improvement=done_improvement).count() == 3
    assert done_improvement.events.filter(kind=EventKind.NOTIFIED).count() == 1


def test_the_message_says_what_changed_and_links_back_absolutely(people, done_improvement, smtp_server):
    notify.notify_customers(done_improvement, people.sam)
    by_address = {rcpts[0]: message for _sender, rcpts, message in smtp_server.messages}
    message = by_address["jia@example.com"]
    assert done_improvement.title in message["Subject"]
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert MESSAGE in text and MESSAGE in html
    references = [t.reference for t in done_improvement.tickets.filter(customer__name="杭州甲公司")]
    assert len(references) == 2 and all(reference in text for reference in references)
    assert settings.SITE_URL.rstrip("/") + "/feedback/" in text
    assert "&amp;" not in text and "&#x27;" not in text


def test_customers_are_told_only_once_the_work_is_done_and_the_message_written(
    people, raise_one, make_ticket, smtp_server
):
    improvement = raise_one(
        source=Source.TICKETS, tickets=[make_ticket(make_customer(email="a@example.com"))]
    )
    with pytest.raises(ImprovementError, match="once the improvement is done"):
        notify.notify_customers(improvement, people.sam)
    workflow.apply(improvement, people.hank, "start")
    workflow.apply(improvement, people.hank, "complete", "完成")
    with pytest.raises(ImprovementError, match="Write what we tell customers"):
        notify.notify_customers(improvement, people.sam)
    workflow.update_improvement(improvement, people.sam, {"customer_message": MESSAGE})
    with pytest.raises(ImprovementError, match="Your role"):
        notify.notify_customers(improvement, people.hank)
    assert smtp_server.messages == []
    assert not CustomerNotice.objects.exists()


def test_a_customer_whose_address_is_refused_is_not_recorded_as_told(
    people, done_improvement, smtp_server, customers
):
    from tests.test_emails import refusing

    plain, with_contact, _no_email, _no_consent = customers
    smtp_server.handle_RCPT = refusing("manager@yi.example.com")
    result = notify.notify_customers(done_improvement, people.sam)
    assert [r.customer for r in result.failed] == [with_contact]
    assert len(result.sent) == 2
    told = CustomerNotice.objects.filter(improvement=done_improvement)
    assert {n.customer for n in told} == {plain, None}


def test_without_a_mail_server_nobody_is_recorded_as_told(people, done_improvement, smtp_server, settings):
    settings.EMAIL_PORT = 1  # nothing listens there
    result = notify.notify_customers(done_improvement, people.sam)
    assert len(result.failed) == 3 and not result.sent
    assert not CustomerNotice.objects.exists()


def test_a_phone_call_is_recorded_once_for_a_customer_without_e_mail(people, done_improvement, customers):
    _plain, _with_contact, no_email, no_consent = customers
    key = f"c{no_email.pk}"
    with pytest.raises(ImprovementError, match="Your role"):
        notify.record_phone_call(done_improvement, people.hank, key)
    notify.record_phone_call(done_improvement, people.amy, key)
    notice = CustomerNotice.objects.get()
    assert (notice.customer, notice.channel, notice.by) == (no_email, NoticeChannel.PHONE, people.amy)
    with pytest.raises(ImprovementError, match="told already"):
        notify.record_phone_call(done_improvement, people.amy, key)
    with pytest.raises(ImprovementError, match="not wish to be contacted"):
        notify.record_phone_call(done_improvement, people.amy, f"c{no_consent.pk}")
    with pytest.raises(ImprovementError, match="not among"):
        notify.record_phone_call(done_improvement, people.amy, "c999999")
    assert CustomerNotice.objects.count() == 1


def test_the_customers_timeline_shows_the_improvement_and_when_they_were_told(
    people, done_improvement, smtp_server, customers, client_as
):
    from manyi.customers.timeline import timeline_for

    plain = customers[0]
    notify.notify_customers(done_improvement, people.sam)
    titles = [entry.title for entry in timeline_for(plain, people.amy) if entry.kind == "improvement"]
    assert titles == [
        f"Told what changed: {done_improvement.title}",
        f"Improvement raised from their feedback: {done_improvement.title}",
    ]
    page = client_as(people.sam).get(plain.get_absolute_url()).content.decode()
    assert done_improvement.get_absolute_url() in page
    # A handler of another department sees neither.
    from manyi.accounts.choices import Role
    from manyi.testing import make_department, make_user

    outsider = make_user("olga", Role.HANDLER, department=make_department())
    assert not [e for e in timeline_for(plain, outsider) if e.kind == "improvement"]


def test_pages_show_no_address_or_phone_of_contacts_without_a_customer_record(
    people, raise_one, make_ticket, client_as
):
    walker = make_ticket(None, contact_name="路人", contact_email="walker@example.com")
    caller = make_ticket(None, contact_name="来电人", contact_phone="13900001111")
    again = make_ticket(None, contact_name="来电人", contact_phone="13900001111", subject="再次来电")
    improvement = raise_one(source=Source.TICKETS, tickets=[walker, caller, again])
    keys = [r.key for r in notify.recipients(improvement)]
    assert keys == [f"t{walker.pk}", f"t{caller.pk}"]  # the caller's two tickets: one recipient
    page = client_as(people.hank).get(improvement.get_absolute_url()).content.decode()
    assert "walker@example.com" not in page and "13900001111" not in page

    workflow.apply(improvement, people.hank, "start")
    workflow.apply(improvement, people.hank, "complete", "完成")
    notify.record_phone_call(improvement, people.amy, f"t{caller.pk}")
    notice = CustomerNotice.objects.get()
    assert (notice.customer, notice.phone, notice.channel) == (None, "13900001111", NoticeChannel.PHONE)
    told = {r.key: r.told for r in notify.recipients(improvement)}
    assert told[f"t{caller.pk}"] == notice and told[f"t{walker.pk}"] is None
