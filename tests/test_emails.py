"""manyi.emails.send_each against a real SMTP server (aiosmtpd, the smtp_server fixture)."""

from django.core.mail import EmailMessage

from manyi.emails import send_each


def refusing(*addresses):
    """An aiosmtpd RCPT hook that refuses these addresses as a server does an unknown mailbox."""

    async def handle_RCPT(server, session, envelope, address, rcpt_options):
        if address in addresses:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    return handle_RCPT


def messages(*addresses):
    return [EmailMessage("主题", "正文", "noreply@example.com", [address]) for address in addresses]


def test_a_refused_message_is_counted_and_the_others_still_go(smtp_server):
    smtp_server.handle_RCPT = refusing("gone@example.com")
    sent, refused = [], []
    counts = send_each(
        messages("a@example.com", "gone@example.com", "c@example.com"),
        on_sent=sent.append,
        on_refused=lambda index, error: refused.append((index, error.__class__.__name__)),
    )
    assert counts == (2, 1)
    assert sent == [0, 2]
    assert refused == [(1, "SMTPRecipientsRefused")]
    assert [rcpts for _sender, rcpts, _message in smtp_server.messages] == [
        ["a@example.com"],
        ["c@example.com"],
    ]


def test_without_a_mail_server_every_message_fails_and_no_callback_is_told(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    told = []
    counts = send_each(
        messages("a@example.com", "b@example.com"),
        on_sent=told.append,
        on_refused=lambda index, error: told.append(index),
    )
    assert counts == (0, 2)
    assert told == []


def test_nothing_to_send_is_nothing_sent(smtp_server):
    assert send_each([]) == (0, 0)
    assert smtp_server.messages == []
