"""E-mail into tickets: real messages as bytes, read from a real Maildir."""

import base64
import mailbox
import re
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from manyi.testing import make_contact, make_customer
from manyi.tickets import inbound, workflow
from manyi.tickets.attachments import Attachment, InboundMessage
from manyi.tickets.choices import Channel, TicketState
from manyi.tickets.models import Ticket, TicketEvent
from manyi.tickets.tests.sample_files import (
    PROGRAM,
    image_bytes,
    pdf_bytes,
    stored_files,
    use_attachment_root,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def attachment_root(settings, tmp_path):
    return use_attachment_root(settings, tmp_path)


def b64(text, charset):
    return base64.b64encode(text.encode(charset)).decode()


def gb18030_mail(message_id="<gb-1@mail.example.cn>", subject="快递破损，要求换货", body=None):
    """A message as a Chinese mail client writes it: subject and body labelled GB2312 but
    holding GBK characters (镕, 喆), which only the GB18030 superset decodes."""
    body = body or "您好：\r\n我是朱镕基小区的王喆，收到的冰箱外箱破损，门有凹痕。\r\n请尽快处理。\r\n"
    return (
        f"From: =?GB2312?B?{b64('王喆', 'gb18030')}?= <wangzhe@example.cn>\r\n"
        "To: service@manyi.example\r\n"
        f"Subject: =?GB2312?B?{b64(subject, 'gb18030')}?=\r\n"
        f"Message-ID: {message_id}\r\n"
        f"Date: {format_datetime(timezone.now() - timedelta(minutes=5))}\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="gb2312"\r\n'
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
    ).encode("ascii") + body.encode("gb18030")


def multipart_mail(message_id="<mp-1@example.com>", sender="li.na@example.com", subject="Broken fridge door"):
    message = EmailMessage()
    message["From"] = f"李娜 <{sender}>"
    message["To"] = "service@manyi.example"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(timezone.now())
    message.set_content("冰箱门关不严，照片和发票见附件。")
    message.add_attachment(image_bytes("PNG"), maintype="image", subtype="png", filename="门缝.png")
    message.add_attachment(pdf_bytes(), maintype="application", subtype="pdf", filename="发票.pdf")
    return message.as_bytes()


def reply_mail(reference, message_id="<reply-1@example.com>", closing_words="门还是关不严，请再派人来看看。"):
    message = EmailMessage()
    message["From"] = "li.na@example.com"
    message["To"] = "service@manyi.example"
    message["Subject"] = f"回复: Our reply to your feedback {reference}"
    message["Message-ID"] = message_id
    message["In-Reply-To"] = "<reply-from-us@manyi.example>"
    message.set_content(
        f"{closing_words}\n\n-----原始邮件-----\n发件人: service@manyi.example\n我们已安排维修。\n> 旧的引用\n",
        charset="utf-8",
    )
    return message.as_bytes()


# --------------------------------------------------------------------------- reading


def test_a_gb2312_labelled_message_with_gbk_characters_is_read():
    mail = inbound.parse(gb18030_mail())
    assert mail.subject == "快递破损，要求换货"
    assert mail.sender == "wangzhe@example.cn"
    assert mail.sender_name == "王喆"
    assert "朱镕基小区的王喆" in mail.text and "门有凹痕" in mail.text
    assert mail.message_id == "<gb-1@mail.example.cn>"


def test_an_html_only_message_becomes_text():
    raw = (
        "From: a@example.com\r\nSubject: =?UTF-8?B?" + b64("投诉", "utf-8") + "?=\r\n"
        "Message-ID: <html-1@example.com>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: text/html; charset="utf-8"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + b64(
            "<html><head><style>p{color:red}</style></head><body><p>快递&nbsp;慢了&lt;三天&gt;</p>"
            "<div>第二行<br>第三行</div><script>alert(1)</script></body></html>",
            "utf-8",
        )
    ).encode()
    mail = inbound.parse(raw)
    assert mail.subject == "投诉"
    assert mail.text == "快递 慢了<三天>\n\n第二行\n第三行"


@pytest.mark.parametrize("charset", ["utf-8", "gb18030"])
def test_raw_eight_bit_headers_are_read(charset):
    raw = "From: 张三 <z@example.cn>\r\nSubject: 发票开错了\r\n\r\n请重开。\r\n".encode(charset)
    mail = inbound.parse(raw)
    assert (mail.subject, mail.sender_name, mail.text) == ("发票开错了", "张三", "请重开。")


def test_a_message_without_an_id_gets_one_from_its_bytes():
    raw = b"From: a@example.com\r\nSubject: hi\r\n\r\nbody text\r\n"
    assert inbound.parse(raw).message_id == inbound.parse(raw).message_id
    assert inbound.parse(raw).message_id != inbound.parse(raw + b"more").message_id


@pytest.mark.parametrize(
    ("subject", "text", "expected"),
    [
        ("Re: Our reply to your feedback FK-2026-000123", "", "FK-2026-000123"),
        ("回复：您的反馈 fk2026000045", "", "FK-2026-000045"),
        ("no number", "参考编号 [FK-2025-000007] 谢谢", "FK-2025-000007"),
        ("FK-2026-12 is short", "order 2026-000123", None),
    ],
)
def test_reference_numbers_are_found_in_subject_or_text(subject, text, expected):
    assert inbound.find_reference(subject, text) == expected


def test_the_quoted_earlier_message_is_cut_from_a_reply():
    text = "好的，谢谢。\n\n在 2026年11月20日 10:00，客服 写道：\n> 我们已安排维修。"
    assert inbound.strip_quoted(text) == "好的，谢谢。"


# --------------------------------------------------------------------------- processing


def test_a_new_message_opens_an_email_ticket():
    outcome = inbound.process(gb18030_mail())
    assert outcome.action == "opened"
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.state, ticket.subject) == (
        Channel.EMAIL,
        TicketState.NEW,
        "快递破损，要求换货",
    )
    assert (ticket.contact_name, ticket.contact_email) == ("王喆", "wangzhe@example.cn")
    assert "门有凹痕" in ticket.description
    assert ticket.response_due is not None or ticket.sla_policy is None
    assert InboundMessage.objects.get().ticket == ticket


def test_the_customer_is_found_by_a_contact_e_mail_and_both_attachments_are_stored(attachment_root):
    customer = make_customer(name="杭州某某电器")
    make_contact(customer, name="李娜", email="Li.Na@Example.com")
    outcome = inbound.process(multipart_mail())
    ticket = outcome.ticket
    assert ticket.customer == customer
    assert ticket.description == "冰箱门关不严，照片和发票见附件。"
    assert [(a.original_name, a.content_type, a.source) for a in ticket.attachments.all()] == [
        ("门缝.png", "image/png", "email"),
        ("发票.pdf", "application/pdf", "email"),
    ]
    assert len(stored_files(attachment_root)) == 2


def test_an_address_shared_by_two_customers_names_none():
    for name in ("甲公司", "乙公司"):
        make_customer(name=name, email="li.na@example.com")
    assert inbound.process(multipart_mail()).ticket.customer is None


def test_a_disguised_program_is_refused_and_named_on_the_ticket(attachment_root):
    message = EmailMessage()
    message["From"] = "a@example.com"
    message["Subject"] = "照片"
    message["Message-ID"] = "<exe-1@example.com>"
    message.set_content("见附件")
    message.add_attachment(PROGRAM, maintype="image", subtype="jpeg", filename="photo.jpg")
    outcome = inbound.process(message.as_bytes())
    assert Attachment.objects.count() == 0 and stored_files(attachment_root) == []
    assert "“photo.jpg” is not a JPEG, PNG or WebP image or a PDF document" in outcome.ticket.description
    assert outcome.refused_files


def test_a_reply_with_the_reference_is_added_to_the_ticket():
    ticket = inbound.process(multipart_mail()).ticket
    events = ticket.events.count()
    outcome = inbound.process(reply_mail(ticket.reference))
    assert outcome.action == "appended" and outcome.ticket == ticket
    assert Ticket.objects.count() == 1
    event = ticket.events.order_by("-pk").first()
    assert ticket.events.count() == events + 1
    assert (event.by, event.kind) == (None, "message")
    assert "li.na@example.com" in event.note and "门还是关不严" in event.note
    assert "我们已安排维修" not in event.note  # the quoted earlier message is left out


def test_the_same_message_id_is_processed_once(attachment_root):
    raw = multipart_mail()
    assert inbound.process(raw).action == "opened"
    assert inbound.process(raw).action == "duplicate"
    assert inbound.process(multipart_mail()).action == "duplicate"  # same id, rebuilt bytes
    assert Ticket.objects.count() == 1
    assert Attachment.objects.count() == 2
    assert len(stored_files(attachment_root)) == 2


def test_mail_about_a_closed_ticket_opens_a_follow_up():
    ticket = inbound.process(multipart_mail()).ticket
    Ticket.objects.filter(pk=ticket.pk).update(state=TicketState.CLOSED)
    outcome = inbound.process(reply_mail(ticket.reference))
    assert outcome.action == "opened"
    follow_up = outcome.ticket
    assert follow_up.pk != ticket.pk and follow_up.channel == Channel.EMAIL
    assert f"Follow-up to the closed ticket {ticket.reference}." in follow_up.description
    assert TicketEvent.objects.filter(ticket=ticket, note__contains=follow_up.reference).exists()
    ticket.refresh_from_db()
    assert ticket.state == TicketState.CLOSED


@pytest.mark.parametrize(
    "header",
    ["Auto-Submitted: auto-replied", "Precedence: bulk", "X-Autoreply: yes"],
)
def test_automatic_replies_are_logged_and_ignored(header):
    raw = f"From: a@example.com\r\n{header}\r\nSubject: 自动回复\r\nMessage-ID: <auto@x>\r\n\r\n我在休假。\r\n".encode()
    assert inbound.process(raw).action == "ignored"
    assert Ticket.objects.count() == 0
    assert InboundMessage.objects.get().outcome == "ignored"


def test_a_date_from_the_future_is_not_believed():
    now = timezone.now()
    raw = gb18030_mail().replace(b"Date: ", b"X-Old-Date: ")
    raw = raw.replace(
        b"MIME-Version", f"Date: {format_datetime(now + timedelta(days=3))}\r\nMIME-Version".encode()
    )
    ticket = inbound.process(raw, now=now).ticket
    assert ticket.received_at == now


def test_a_long_message_is_cut_to_what_a_ticket_holds():
    body = "很长的投诉。" * 2000
    ticket = inbound.process(gb18030_mail(body=body)).ticket
    assert len(ticket.description) == workflow.MAX_NOTE


# --------------------------------------------------------------------------- the Maildir


@pytest.fixture
def maildir(tmp_path):
    return mailbox.Maildir(tmp_path / "Maildir", create=True)


def test_fetch_ticket_mail_reads_a_maildir_once(maildir, tmp_path, capsys):
    ticket_mail = maildir.add(multipart_mail())
    chinese = maildir.add(gb18030_mail())
    path = str(tmp_path / "Maildir")
    call_command("fetch_ticket_mail", maildir=path)
    assert "2 opened" in capsys.readouterr().out
    assert Ticket.objects.count() == 2
    box = mailbox.Maildir(path, create=False)
    for key in (ticket_mail, chinese):
        message = box.get_message(key)
        assert message.get_subdir() == "cur" and "S" in message.get_flags()
    assert list((tmp_path / "Maildir" / "new").iterdir()) == []
    assert inbound.parse(box.get_bytes(chinese)).subject == "快递破损，要求换货"  # kept intact
    call_command("fetch_ticket_mail", maildir=path)
    assert "nothing new" in capsys.readouterr().out
    assert Ticket.objects.count() == 2


def test_a_message_that_fails_stays_unseen_and_the_rest_go_on(maildir, tmp_path, monkeypatch):
    maildir.add(multipart_mail())
    calls = []
    real = inbound.process

    def flaky(raw, now=None):
        calls.append(raw)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return real(raw, now)

    monkeypatch.setattr(inbound, "process", flaky)
    assert inbound.fetch_maildir(str(tmp_path / "Maildir")) == {"failed": 1}
    assert inbound.fetch_maildir(str(tmp_path / "Maildir")) == {"opened": 1}
    assert Ticket.objects.count() == 1


def test_the_environment_names_the_mailboxes():
    config = inbound.MailConfig.from_env(
        {
            "TICKET_MAIL_IMAP_HOST": "imap.example.cn",
            "TICKET_MAIL_IMAP_SSL": "false",
            "TICKET_MAIL_IMAP_USER": "kf",
        }
    )
    assert (config.imap_host, config.imap_port, config.imap_ssl, config.imap_folder) == (
        "imap.example.cn",
        143,
        False,
        "INBOX",
    )
    assert inbound.MailConfig.from_env({"TICKET_MAIL_IMAP_HOST": "h"}).imap_port == 993
    assert not inbound.MailConfig.from_env({}).configured


def test_without_a_mailbox_the_command_says_so(monkeypatch):
    from django.core.management.base import CommandError

    for name in ("TICKET_MAIL_MAILDIR", "TICKET_MAIL_IMAP_HOST"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(CommandError, match="No mailbox configured"):
        call_command("fetch_ticket_mail")


def test_the_periodic_job_reads_the_configured_maildir(maildir, tmp_path, monkeypatch, capsys):
    maildir.add(gb18030_mail())
    monkeypatch.setenv("TICKET_MAIL_MAILDIR", str(tmp_path / "Maildir"))
    monkeypatch.delenv("TICKET_MAIL_IMAP_HOST", raising=False)
    call_command("periodic")
    assert "ticket mail: 1 opened" in capsys.readouterr().out
    assert Ticket.objects.get().channel == Channel.EMAIL


def test_the_periodic_job_goes_on_when_the_mailbox_is_missing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TICKET_MAIL_MAILDIR", str(tmp_path / "nowhere"))
    call_command("periodic")
    assert "ticket mail: 1 unreachable" in capsys.readouterr().out


# --------------------------------------------------------------------------- IMAP (a real server: pymap)


@pytest.fixture(scope="module")
def imap_process():
    """pymap, a pure-Python IMAP server, in memory on a free local port (no TLS), user kf."""
    import shutil
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    pymap = shutil.which("pymap", path=str(Path(sys.executable).parent))
    if pymap is None:
        pytest.skip("pymap (requirements-dev.txt) is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [pymap, "--host", "127.0.0.1", "--port", str(port), "--no-tls", "dict", "--demo-user", "kf"]
        + ["--demo-password", "mail-pass"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("pymap did not start") from None
                time.sleep(0.1)
        yield inbound.MailConfig(
            imap_host="127.0.0.1", imap_port=port, imap_user="kf", imap_password="mail-pass", imap_ssl=False
        )
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def imap_server(imap_process):
    """The server with an empty INBOX (it starts once per module: a start takes seconds)."""
    with imap_session(imap_process) as imap:
        imap.select("INBOX")
        uids = imap.uid("SEARCH", None, "ALL")[1][0].split()
        if uids:
            imap.uid("STORE", b",".join(uids), "+FLAGS", "(\\Deleted)")
            imap.expunge()
    return imap_process


def imap_session(config):
    import imaplib

    imap = imaplib.IMAP4(config.imap_host, config.imap_port, timeout=10)
    imap.login(config.imap_user, config.imap_password)
    return imap


def test_fetch_reads_unseen_imap_mail_once_and_marks_it_seen(imap_server):
    with imap_session(imap_server) as imap:
        imap.append("INBOX", None, None, gb18030_mail())
        imap.append("INBOX", None, None, multipart_mail())
        imap.append("INBOX", "(\\Seen)", None, multipart_mail(message_id="<read-by-a-person@x>"))
    assert inbound.fetch(imap_server) == {"opened": 2}
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [
        "Broken fridge door",
        "快递破损，要求换货",
    ]
    assert Attachment.objects.count() == 2
    with imap_session(imap_server) as imap:
        imap.select("INBOX")
        assert imap.uid("SEARCH", None, "UNSEEN")[1] == [b""]
        assert len(imap.uid("SEARCH", None, "SEEN")[1][0].split()) == 3
    assert inbound.fetch(imap_server) == {}
    assert Ticket.objects.count() == 2


def test_a_wrong_imap_password_is_a_clear_command_error(imap_server, monkeypatch):
    from django.core.management.base import CommandError

    monkeypatch.setenv("TICKET_MAIL_IMAP_HOST", imap_server.imap_host)
    monkeypatch.setenv("TICKET_MAIL_IMAP_PORT", str(imap_server.imap_port))
    monkeypatch.setenv("TICKET_MAIL_IMAP_SSL", "false")
    monkeypatch.setenv("TICKET_MAIL_IMAP_USER", "kf")
    monkeypatch.setenv("TICKET_MAIL_IMAP_PASSWORD", "wrong")
    monkeypatch.delenv("TICKET_MAIL_MAILDIR", raising=False)
    with pytest.raises(CommandError, match="Reading the mailbox failed"):
        call_command("fetch_ticket_mail")
    assert Ticket.objects.count() == 0


# --------------------------------------------------------------------------- the acknowledgement


def test_the_sender_of_a_new_ticket_gets_the_number_and_a_check_code(smtp_server):
    from manyi.tickets.public_views import find_ticket

    ticket = inbound.process(gb18030_mail()).ticket
    [(_sender, recipients, message)] = smtp_server.messages
    assert recipients == ["wangzhe@example.cn"]
    assert ticket.reference in message["Subject"]
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["In-Reply-To"] == "<gb-1@mail.example.cn>"
    text = message.get_body(("plain",)).get_content()
    code = re.search(r"[A-Z0-9]{5}-[A-Z0-9]{5}", text).group(0)
    assert find_ticket(ticket.reference, code) == ticket  # the code opens the status page
    assert find_ticket(ticket.reference, "AAAAA-BBBBB") is None


def test_an_added_message_and_an_ignored_one_send_nothing(smtp_server):
    ticket = inbound.process(multipart_mail()).ticket
    assert len(smtp_server.messages) == 1
    inbound.process(reply_mail(ticket.reference))
    inbound.process(
        b"From: a@example.com\r\nAuto-Submitted: auto-replied\r\nMessage-ID: <oof@x>\r\n\r\nOOO\r\n"
    )
    assert len(smtp_server.messages) == 1


def test_a_mail_server_that_is_down_does_not_lose_the_ticket(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    outcome = inbound.process(gb18030_mail())
    assert outcome.action == "opened"
    assert Ticket.objects.filter(pk=outcome.ticket.pk).exists()
    assert InboundMessage.objects.count() == 1


def test_a_message_from_another_address_is_marked_on_the_timeline():
    ticket = inbound.process(multipart_mail()).ticket
    inbound.process(reply_mail(ticket.reference).replace(b"From: li.na@example.com", b"From: x@evil.example"))
    note = ticket.events.order_by("-pk").first().note
    assert "x@evil.example" in note and "(Not the ticket's contact address.)" in note
    inbound.process(reply_mail(ticket.reference, message_id="<reply-2@example.com>"))
    assert "(Not the ticket's contact address.)" not in ticket.events.order_by("-pk").first().note
