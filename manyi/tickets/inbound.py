"""E-mail into tickets (issue 5, point 1): a raw RFC 822 message in, a ticket opened or added to.

Reading (``parse``) is pure: it takes the bytes of one message and returns an ``InboundMail``
with the sender, the subject and the text decoded, and the attached files. Chinese mail comes
in many charsets: GB2312 and GBK labels are read as GB18030 (their superset: mail labelled
GB2312 often holds GBK characters), a missing or wrong label falls back to UTF-8, then
GB18030. HTML-only mail is turned into plain text.

Processing (``process``):

* a Message-ID already in ``InboundMessage`` is never processed again (a message without one
  gets an id from the hash of its bytes);
* automatic mail (out-of-office replies, bounces, lists: ``Auto-Submitted``, ``Precedence``,
  mailer daemons) is logged and ignored, so that two robots cannot write to each other forever;
* a reference number (FK-2026-000123) in the subject, or else in the text, adds the text to
  that ticket's timeline as the customer's message. The system cannot reopen a closed ticket
  (the workflow lets only ticket managers reopen): mail about a closed ticket opens a
  follow-up ticket that names it, and the closed ticket's timeline points to the follow-up;
* otherwise a new ticket with channel e-mail is opened, the customer found by the sender's
  address (the customer's or a contact's e-mail; used only when exactly one customer matches).
  The sender gets the acknowledgement e-mail of the feedback page (number and check code),
  marked as an automatic reply and threaded to their message.

Attached files go through the same checks as uploads (``attachments.check_file``); refused
ones are named on the timeline and not stored. Everything for one message happens in one
transaction with its ``InboundMessage`` row.
"""

import email
import hashlib
import html
import imaplib
import logging
import mailbox
import os
import re
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.header import decode_header
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from manyi.links import absolute_url

from .mail import send_acknowledgement

MAX_TEXT = 4000  # workflow.MAX_NOTE: a ticket's description and a timeline note
REFERENCE = re.compile(r"\bFK-?(\d{4})-?(\d{6})\b", re.IGNORECASE)
# Lines that start the quoted earlier message in a reply (Outlook, Foxmail, QQ, Gmail, Apple).
QUOTE_START = re.compile(
    r"^\s*(-{2,}\s*(原始邮件|Original Message|回复的原邮件)\s*-{2,}"
    r"|On .{5,200} wrote:\s*$"
    r"|在\s?.{5,200}写道[:：]\s*$"
    r"|发件人[:：]|From:\s.+@)",
    re.IGNORECASE | re.MULTILINE,
)
# Charset labels read as a wider charset that contains them.
CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "ascii": "utf-8",
    "us-ascii": "utf-8",
}
AUTOMATIC_SENDERS = ("mailer-daemon@", "postmaster@", "no-reply@", "noreply@")

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- reading


@dataclass
class InboundMail:
    message_id: str
    sender: str  # the address, lower case
    sender_name: str
    subject: str
    text: str
    date: datetime | None
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (name, bytes)
    automatic: bool = False


def _charset(label):
    label = (label or "").strip().lower()
    return CHARSET_ALIASES.get(label, label) or "utf-8"


def decode_bytes(data, label=None):
    """Text from bytes in the labelled charset, else UTF-8, else GB18030, else with replacements."""
    for charset in (_charset(label), "utf-8", "gb18030"):
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", errors="replace")


def decode_header_text(value):
    """A header's text: RFC 2047 words (=?GB2312?B?...?=) decoded with the aliases above."""
    if value is None:
        return ""
    value = str(value)
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        # Raw 8-bit bytes in the header (no RFC 2047 words): the parser kept them as
        # surrogates; read them as UTF-8, else GB18030.
        value = decode_bytes(value.encode("ascii", "surrogateescape"))
    parts = []
    for chunk, label in decode_header(value):
        parts.append(decode_bytes(chunk, label) if isinstance(chunk, bytes) else chunk)
    return " ".join("".join(parts).split())


class _TextFromHtml(HTMLParser):
    BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self._skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head"):
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup):
    parser = _TextFromHtml()
    parser.feed(markup)
    parser.close()
    text = html.unescape("".join(parser.parts)).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _raw_header(message, name):
    """The header as it came (before the email package decoded it with its own charset table)."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return None


def _part_text(part):
    payload = part.get_payload(decode=True) or b""
    return decode_bytes(payload, part.get_content_charset())


def _filename(part):
    raw = part.get_param("filename", header="content-disposition") or part.get_param("name")
    if raw is None:
        return None
    if isinstance(raw, tuple):  # RFC 2231: (charset, language, text)
        return email.utils.collapse_rfc2231_value(raw)
    return decode_header_text(raw)


def strip_quoted(text):
    """The new part of a reply: up to the quoted earlier message (not for a new ticket's mail)."""
    match = QUOTE_START.search(text)
    kept = text[: match.start()] if match and match.start() > 0 else text
    lines = [line for line in kept.splitlines() if not line.lstrip().startswith(">")]
    return "\n".join(lines).strip() or text.strip()


def parse(raw):
    """Read one message (bytes) into an ``InboundMail``."""
    message = email.message_from_bytes(raw, policy=policy.default)
    text, files = _body(message)
    sender_name, sender = "", ""
    addresses = getaddresses([_raw_header(message, "From") or ""])
    if addresses:
        sender_name, sender = addresses[0]
    message_id = (_raw_header(message, "Message-ID") or "").strip()
    if not message_id:
        message_id = f"<sha256-{hashlib.sha256(raw).hexdigest()}@manyi>"
    return InboundMail(
        message_id=message_id[:255],
        sender=sender.strip().lower(),
        sender_name=decode_header_text(sender_name),
        subject=decode_header_text(_raw_header(message, "Subject")),
        text=text.replace("\r\n", "\n").strip(),
        date=_sent_at(message),
        files=files,
        automatic=_is_automatic(message, sender),
    )


def _body(message):
    """The message's text (its plain parts, else its HTML parts as text) and its files
    (attachments, and named parts that are not text) as (name, bytes)."""
    plain, markup, files = [], [], []
    for part in message.walk():
        if part.is_multipart():
            continue
        name = _filename(part)
        content_type = part.get_content_type()
        if part.get_content_disposition() == "attachment" or (name and not content_type.startswith("text/")):
            files.append((name or "attachment", part.get_payload(decode=True) or b""))
        elif content_type == "text/plain":
            plain.append(_part_text(part))
        elif content_type == "text/html":
            markup.append(_part_text(part))
    text = "\n\n".join(t.strip() for t in plain if t.strip())
    if not text and markup:
        text = "\n\n".join(html_to_text(m) for m in markup)
    return text, files


def _sent_at(message):
    """The Date header as an aware datetime; None when missing, unreadable or without a zone."""
    try:
        date = parsedate_to_datetime(_raw_header(message, "Date") or "")
    except (TypeError, ValueError, IndexError):
        return None
    return None if date is None or timezone.is_naive(date) else date


def _is_automatic(message, sender):
    """An auto-reply, a bounce or a list mail (RFC 3834 headers, and the usual senders)."""
    auto = (_raw_header(message, "Auto-Submitted") or "no").strip().lower()
    precedence = (_raw_header(message, "Precedence") or "").strip().lower()
    return (
        auto != "no"
        or precedence in ("bulk", "junk", "list", "auto_reply")
        or sender.lower().startswith(AUTOMATIC_SENDERS)
        or bool(_raw_header(message, "X-Autoreply") or _raw_header(message, "X-Autorespond"))
    )


def find_reference(subject, text):
    """The first reference number in the subject, else in the text, as FK-2026-000123."""
    for where in (subject, text):
        match = REFERENCE.search(where or "")
        if match:
            return f"FK-{match.group(1)}-{match.group(2)}"
    return None


def _clip(text, limit=MAX_TEXT):
    if len(text) <= limit:
        return text
    marker = "\n…"
    return text[: limit - len(marker)] + marker


# --------------------------------------------------------------------------- processing


@dataclass
class Outcome:
    action: str  # "opened", "appended", "ignored", "duplicate"
    ticket: object = None
    refused_files: list[str] = field(default_factory=list)


def _customer_for(address):
    from manyi.customers.models import Customer

    if not address:
        return None
    matches = list(
        Customer.objects.filter(erased_at__isnull=True)
        .filter(Q(email__iexact=address) | Q(contacts__email__iexact=address))
        .distinct()[:2]
    )
    return matches[0] if len(matches) == 1 else None


def _check_files(files):
    from .attachments import AttachmentError, check_file, max_files

    checked, refused = [], []
    for index, (name, data) in enumerate(files):
        if index >= max_files():
            refused.append(_("“%(name)s”: more than %(count)s files.") % {"name": name, "count": max_files()})
            continue
        try:
            checked.append(check_file(name, data))
        except AttachmentError as error:
            refused.append(str(error))
    return checked, refused


def _received_at(mail, now):
    # A Date header from the future (a wrong clock) or from long ago (a resent message) says
    # less than the moment the message is read.
    from .workflow import CLOCK_SKEW

    if mail.date is None or mail.date > now + CLOCK_SKEW or (now - mail.date).days > 30:
        return now
    return min(mail.date, now)


def _known_sender(ticket, address):
    known = {ticket.contact_email.strip().lower()}
    if ticket.customer_id:
        customer = ticket.customer
        known.add(customer.email.strip().lower())
        known |= {email.strip().lower() for email in customer.contacts.values_list("email", flat=True)}
    return bool(address) and address in known - {""}


def _append(ticket, mail, checked, refused, now):
    from .attachments import Source
    from .workflow import add_customer_message, attach

    header = _("E-mail from the customer (%(sender)s): %(subject)s") % {
        "sender": mail.sender or "?",
        "subject": mail.subject or "—",
    }
    if not _known_sender(ticket, mail.sender):
        # Anyone who knows a number can write to it: the staff should see it is someone else.
        header = " ".join((header, _("(Not the ticket's contact address.)")))
    text = "\n\n".join(filter(None, (strip_quoted(mail.text), "\n".join(refused))))
    add_customer_message(ticket, None, _clip(text or _("(The e-mail has no text.)")), heading=header, now=now)
    attach(ticket, None, checked, source=Source.EMAIL, now=now)


def _open(mail, checked, refused, now, follow_up_of=None):
    from .attachments import Source
    from .choices import Channel
    from .workflow import attach, open_ticket

    text = mail.text or _("(The e-mail has no text.)")
    if follow_up_of is not None:
        text = "\n\n".join(
            (
                _("Follow-up to the closed ticket %(reference)s.") % {"reference": follow_up_of.reference},
                strip_quoted(text),
            )
        )
    if refused:
        text = "\n\n".join((text, *refused))
    ticket = open_ticket(
        by=None,
        channel=Channel.EMAIL,
        subject=mail.subject,
        description=_clip(text),
        received_at=_received_at(mail, now),
        customer=follow_up_of.customer if follow_up_of is not None else _customer_for(mail.sender),
        contact_name=mail.sender_name,
        contact_email=mail.sender if "@" in mail.sender else "",
        now=now,
    )
    attach(ticket, None, checked, source=Source.EMAIL, now=now)
    return ticket


def _give_check_code(ticket):
    """A check code for the status page, kept as a keyed hash like the feedback page's."""
    from .models import Ticket
    from .public_codes import hash_check_code, new_check_code

    code = new_check_code()
    ticket.check_code_hash = hash_check_code(ticket.reference, code)
    Ticket.objects.filter(pk=ticket.pk).update(check_code_hash=ticket.check_code_hash)
    return code


def _acknowledge(ticket, code, mail):
    status_url = absolute_url(reverse("feedback:status"))
    with translation.override(settings.LANGUAGE_CODE):
        send_acknowledgement(ticket, code, status_url, in_reply_to=mail.message_id)


def process(raw, now=None):
    """Read one message into the tickets; an ``Outcome``. Safe to call again with the same bytes."""
    from .attachments import InboundMessage
    from .choices import CLOSED_STATES, EventKind
    from .models import Ticket

    now = now or timezone.now()
    mail = parse(raw)
    if InboundMessage.objects.filter(message_id=mail.message_id).exists():
        return Outcome("duplicate")
    log = {"message_id": mail.message_id, "sender": mail.sender[:254], "subject": mail.subject[:200]}
    try:
        with transaction.atomic():
            if mail.automatic:
                InboundMessage.objects.create(**log, outcome=InboundMessage.Outcome.IGNORED, processed_at=now)
                return Outcome("ignored")
            checked, refused = _check_files(mail.files)
            reference = find_reference(mail.subject, mail.text)
            # Locked: the choice between adding to it and a follow-up holds until the commit.
            ticket = (
                Ticket.objects.select_for_update().filter(reference=reference).first() if reference else None
            )
            if ticket is not None and ticket.state not in CLOSED_STATES:
                _append(ticket, mail, checked, refused, now)
                outcome = InboundMessage.Outcome.APPENDED
            else:
                closed = ticket
                ticket = _open(mail, checked, refused, now, follow_up_of=closed)
                code = _give_check_code(ticket)
                outcome = InboundMessage.Outcome.OPENED
                if closed is not None:
                    closed.record_event(
                        EventKind.MESSAGE,
                        _("The customer wrote again by e-mail: follow-up ticket %(reference)s.")
                        % {"reference": ticket.reference},
                        at=now,
                    )
            InboundMessage.objects.create(
                **log, ticket=ticket, outcome=outcome, note="\n".join(refused), processed_at=now
            )
    except IntegrityError:
        # The same message read at the same moment by a second worker: that one recorded it.
        if InboundMessage.objects.filter(message_id=mail.message_id).exists():
            return Outcome("duplicate")
        raise
    if outcome == InboundMessage.Outcome.OPENED and ticket.contact_email:
        # After the commit: the number in the mail is one that exists. A failure is logged
        # (the ticket is recorded either way).
        _acknowledge(ticket, code, mail)
    return Outcome(str(outcome), ticket, refused)


# --------------------------------------------------------------------------- mailboxes


@dataclass(frozen=True)
class MailConfig:
    """Where ticket mail is read from: ``TICKET_MAIL_*`` environment variables (none: nowhere)."""

    maildir: str = ""
    imap_host: str = ""
    imap_port: int = 0
    imap_user: str = ""
    imap_password: str = ""
    imap_ssl: bool = True
    imap_folder: str = "INBOX"

    @classmethod
    def from_env(cls, environ=None):
        env = os.environ if environ is None else environ
        use_ssl = env.get("TICKET_MAIL_IMAP_SSL", "true").strip().lower() not in ("0", "false", "no", "off")
        port = env.get("TICKET_MAIL_IMAP_PORT", "").strip()
        return cls(
            maildir=env.get("TICKET_MAIL_MAILDIR", "").strip(),
            imap_host=env.get("TICKET_MAIL_IMAP_HOST", "").strip(),
            imap_port=int(port) if port.isdigit() else (993 if use_ssl else 143),
            imap_user=env.get("TICKET_MAIL_IMAP_USER", ""),
            imap_password=env.get("TICKET_MAIL_IMAP_PASSWORD", ""),
            imap_ssl=use_ssl,
            imap_folder=env.get("TICKET_MAIL_IMAP_FOLDER", "").strip() or "INBOX",
        )

    @property
    def configured(self):
        return bool(self.maildir or self.imap_host)


def _count(counts, outcome):
    counts[outcome.action] = counts.get(outcome.action, 0) + 1


def fetch_maildir(path, now=None):
    """Process the messages of a Maildir not yet marked seen; each is moved to cur/ with flag S.

    A message that fails stays unseen and is tried again next time (its Message-ID keeps it
    from being recorded twice). Returns counts per outcome.
    """
    box = mailbox.Maildir(path, factory=None, create=False)
    counts = {}
    for key in sorted(box.keys()):
        message = box.get_message(key)
        if "S" in message.get_flags():
            continue
        try:
            outcome = process(box.get_bytes(key), now=now)
        except Exception:
            logger.exception("Ticket mail %s in %s not processed", key, path)
            counts["failed"] = counts.get("failed", 0) + 1
            continue
        message.set_subdir("cur")
        message.add_flag("S")
        box[key] = message
        _count(counts, outcome)
    return counts


def fetch_imap(config, now=None):
    """Process the unseen messages of an IMAP folder and mark them \\Seen (same rules as above)."""
    connect = imaplib.IMAP4_SSL if config.imap_ssl else imaplib.IMAP4
    counts = {}
    with connect(config.imap_host, config.imap_port, timeout=60) as imap:
        if not config.imap_ssl and "STARTTLS" in imap.capabilities:
            imap.starttls(ssl.create_default_context())
        imap.login(config.imap_user, config.imap_password)
        status, _data = imap.select(config.imap_folder)
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot open the folder {config.imap_folder}")
        _status, found = imap.uid("SEARCH", None, "UNSEEN")
        for uid in (found[0] or b"").split():
            _status, parts = imap.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((part[1] for part in parts if isinstance(part, tuple)), None)
            if raw is None:
                continue
            try:
                outcome = process(raw, now=now)
            except Exception:
                logger.exception("Ticket mail UID %s not processed", uid.decode())
                counts["failed"] = counts.get("failed", 0) + 1
                continue
            imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            _count(counts, outcome)
    return counts


def fetch(config=None, now=None):
    """Read every configured mailbox once; counts per outcome (empty when none is configured)."""
    config = config or MailConfig.from_env()
    counts = {}
    if config.maildir:
        for key, value in fetch_maildir(config.maildir, now).items():
            counts[key] = counts.get(key, 0) + value
    if config.imap_host:
        for key, value in fetch_imap(config, now).items():
            counts[key] = counts.get(key, 0) + value
    return counts


def describe(counts):
    """“2 opened, 1 appended” for the commands' output."""
    return ", ".join(f"{count} {outcome}" for outcome, count in sorted(counts.items())) or "nothing new"


def fetch_configured(now=None):
    """For the periodic job: read the configured mailboxes (None when there are none).

    A mailbox that cannot be reached is logged, not raised: the other periodic work goes on.
    """
    config = MailConfig.from_env()
    if not config.configured:
        return None
    try:
        return fetch(config, now)
    except (OSError, mailbox.Error, imaplib.IMAP4.error):
        logger.exception("Ticket mail not read")
        return {"unreachable": 1}
