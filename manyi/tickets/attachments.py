"""Attachments of tickets: photos (JPEG, PNG, WebP) and PDF documents (issue 5, point 2).

A file is accepted by what it contains, never by its name: the first bytes must be those of
one of the allowed types, and an image must really open with Pillow as that type. A file
that claims to be an image but is a program or a web page is refused, and so is a file over
``TICKET_ATTACHMENT_MAX_BYTES`` or a batch of more than ``TICKET_ATTACHMENT_MAX_FILES``.
Either every file of a batch is stored or none is.

Stored files get a random name under ``TICKET_ATTACHMENT_ROOT`` (default
``MEDIA_ROOT/private/tickets``): no web server serves that folder, and the name the customer
gave is kept only as display text. Files are handed out by ``attachment_views.download``,
which checks that the user may see the ticket.

Also here: ``InboundMessage``, the log of e-mails read into tickets (see ``inbound``), so that
a message is never processed twice.
"""

import io
import unicodedata
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from manyi.private_files import PrivateStorage, StoredFile, random_file_name, save_checked_files

from .choices import EventKind
from .photo_metadata import strip_metadata

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_FILES = 5
# Pillow refuses images over this many pixels (decompression bombs): ample for a phone photo.
MAX_PIXELS = 60_000_000

# content type → (file extension, Pillow format or None for documents)
ALLOWED_TYPES = {
    "image/jpeg": ("jpg", "JPEG"),
    "image/png": ("png", "PNG"),
    "image/webp": ("webp", "WEBP"),
    "application/pdf": ("pdf", None),
}


def max_bytes():
    return int(getattr(settings, "TICKET_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_files():
    return int(getattr(settings, "TICKET_ATTACHMENT_MAX_FILES", DEFAULT_MAX_FILES))


def attachment_root():
    return getattr(settings, "TICKET_ATTACHMENT_ROOT", None) or settings.MEDIA_ROOT / "private" / "tickets"


# Its own folder; the storage, the checks and the download response are shared with the
# improvements' evidence files (manyi.private_files).
_storage = PrivateStorage(attachment_root, "private/tickets")


def private_storage():
    return _storage


class AttachmentError(ValueError):
    """A file that is refused; the message (naming the file) is for the user."""


class Source(models.TextChoices):
    STAFF = "staff", pgettext_lazy("attachment source", "Staff")
    PUBLIC = "public", pgettext_lazy("attachment source", "Feedback page")
    EMAIL = "email", pgettext_lazy("attachment source", "E-mail")
    API = "api", pgettext_lazy("attachment source", "API")


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the checks, read into memory (at most ``max_bytes()``)."""

    name: str  # what the customer called it: display text only
    content_type: str
    extension: str
    data: bytes

    @property
    def size(self):
        return len(self.data)


def display_name(name):
    """The original name, reduced to something harmless to show: no path, no control characters."""
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    return name.strip()[:200] or "attachment"


def sniff(data):
    """The allowed content type the bytes start with, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def _image_opens(data, pillow_format):
    """Whether Pillow reads the whole image as the format the first bytes promised."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                # Phones save portrait and depth photos as multi-picture JPEG (MPO): still JPEG.
                if image.format != pillow_format and (pillow_format, image.format) != ("JPEG", "MPO"):
                    return False
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return False
                if pillow_format == "JPEG":
                    # Decoded at 1/8 scale: the whole stream is still read (a cut-off file
                    # fails), for an eighth of the time and a sixty-fourth of the memory.
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()  # decodes the pixels: a truncated or forged file fails here
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return False
    return True


def _image_complete(data, content_type):
    """Whether the image's bytes run to its end marker. Pillow alone cannot be trusted with
    this: WeasyPrint sets ``ImageFile.LOAD_TRUNCATED_IMAGES = True`` for the whole process
    when it is imported (report PDFs), and then a cut-off photo loads without an error."""
    if content_type == "image/jpeg":
        # Entropy-coded data never holds FF D9: an end-of-image marker after the last
        # start-of-scan means the last scan is whole (trailing bytes after it are allowed).
        return data.find(b"\xff\xd9", data.rfind(b"\xff\xda")) != -1
    if content_type == "image/png":
        return data.rfind(b"IEND\xaeB`\x82") != -1
    if content_type == "image/webp":
        return int.from_bytes(data[4:8], "little") + 8 <= len(data)
    return True


def _pdf_complete(data):
    # A PDF ends with its trailer; a file cut off in transfer (or a renamed file that only
    # starts like one) does not.
    return b"%%EOF" in data[-2048:]


def check_file(name, data):
    """Check one file's bytes; a ``CheckedFile`` or ``AttachmentError`` naming the file."""
    shown = display_name(name)
    limit = max_bytes()
    if len(data) > limit:
        raise AttachmentError(
            _("“%(name)s” is too large (%(size)s); files up to %(limit)s are accepted.")
            % {"name": shown, "size": filesizeformat(len(data)), "limit": filesizeformat(limit)}
        )
    if not data:
        raise AttachmentError(_("“%(name)s” is empty.") % {"name": shown})
    content_type = sniff(data)
    extension, pillow_format = ALLOWED_TYPES.get(content_type, (None, None))
    valid = content_type is not None and (
        _image_complete(data, content_type) and _image_opens(data, pillow_format)
        if pillow_format
        else _pdf_complete(data)
    )
    if not valid:
        raise AttachmentError(
            _(
                "“%(name)s” is not a JPEG, PNG or WebP image or a PDF document (whatever its name says); "
                "it was not accepted."
            )
            % {"name": shown}
        )
    # Only what is kept is stored: GPS position, device serials and comments are taken out
    # of the checked bytes here (see ``metadata``), so every way in stores the clean file.
    data = strip_metadata(data, content_type)
    return CheckedFile(name=shown, content_type=content_type, extension=extension, data=data)


def read_upload(upload):
    """The bytes of an uploaded file, reading at most one byte past the limit."""
    upload.seek(0)
    return upload.read(max_bytes() + 1)


def check_uploads(uploads):
    """Check a batch of uploaded files (Django ``UploadedFile``s); a list of ``CheckedFile``.

    Every problem is collected, so that the user hears about all files at once; any problem
    raises ``AttachmentError`` with the messages joined, and nothing is kept.
    """
    uploads = [upload for upload in uploads if upload is not None]
    if len(uploads) > max_files():
        raise AttachmentError(_("Send at most %(count)s files at a time.") % {"count": max_files()})
    checked, errors = [], []
    for upload in uploads:
        if upload.size is not None and upload.size > max_bytes():
            data = b"\0" * (max_bytes() + 1)  # not read into memory: the size says enough
        else:
            data = read_upload(upload)
        try:
            checked.append(check_file(upload.name, data))
        except AttachmentError as error:
            errors.append(str(error))
    if errors:
        raise AttachmentError(" ".join(errors))
    return checked


def _upload_to(instance, filename):
    # Named in the migrations, hence kept here.
    return random_file_name(filename)


class Attachment(StoredFile):
    """A checked file on a ticket; the original name is display text only."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to=_upload_to, max_length=200)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STAFF)

    class Meta(StoredFile.Meta):
        verbose_name = gettext_lazy("attachment")
        verbose_name_plural = gettext_lazy("attachments")


def store(ticket, checked_files, *, by=None, source=Source.STAFF, note="", now=None):
    """Save checked files on the ticket and record one timeline event; all or nothing."""
    if not checked_files:
        return []
    now = now or timezone.now()

    def record(attachments):
        names = ", ".join(f"{a.original_name} ({filesizeformat(a.size)})" for a in attachments)
        text = _("Attached: %(files)s") % {"files": names}
        ticket.record_event(EventKind.CHANGE, "\n".join(filter(None, (text, note))), by=by, at=now)

    return save_checked_files(
        Attachment,
        checked_files,
        record=record,
        ticket=ticket,
        source=source,
        uploaded_by=by,
        uploaded_at=now,
    )


class InboundMessage(models.Model):
    """An e-mail read into the tickets: its Message-ID is never processed twice."""

    class Outcome(models.TextChoices):
        OPENED = "opened", pgettext_lazy("inbound mail outcome", "Opened a ticket")
        APPENDED = "appended", pgettext_lazy("inbound mail outcome", "Added to a ticket")
        IGNORED = "ignored", pgettext_lazy("inbound mail outcome", "Ignored")

    message_id = models.CharField(max_length=255, unique=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_messages"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    sender = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    processed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-processed_at", "-pk"]

    def __str__(self):
        return self.message_id
