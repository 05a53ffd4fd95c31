"""Files that no web server serves: ticket attachments and improvement evidence.

Both are checked by ``manyi.tickets.attachments.check_uploads`` (by their bytes, never their
name), stored by :func:`save_checked_files` under a random name in a :class:`PrivateStorage`
folder, and handed out only by :func:`serve_private_file`, after the download view has
checked that the user may see the ticket or improvement.
"""

import hashlib
import os
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import timezone


class PrivateStorage(FileSystemStorage):
    """Files under the folder ``root()`` gives, without a URL: they leave it only through a
    download view. The folder is asked for at each use, so that a changed setting (tests
    give each their own folder) takes effect at once."""

    def __init__(self, root):
        super().__init__()
        self.root = root

    @property
    def base_location(self):
        return self.root()

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


def random_file_name(filename):
    """year/month/random.ext: the stored name says nothing about the customer's file."""
    now = timezone.now()
    extension = filename.rsplit(".", 1)[-1]
    return f"{now:%Y}/{now:%m}/{secrets.token_hex(16)}.{extension}"


def save_checked_files(model, checked_files, *, record, **fields):
    """Save ``CheckedFile``s as rows of ``model`` (a model with a private ``file`` field and
    the file's name, type, size and hash), then call ``record(rows)`` for the timeline; all or
    nothing. ``fields``: the rest of each row (its ticket or improvement, who, when).

    Files written before a failure are removed again, so that no file is left without its row.
    """
    written, rows = [], []
    try:
        with transaction.atomic():
            for checked in checked_files:
                row = model(
                    original_name=checked.name,
                    content_type=checked.content_type,
                    size=checked.size,
                    sha256=hashlib.sha256(checked.data).hexdigest(),
                    **fields,
                )
                row.file.save(f"upload.{checked.extension}", ContentFile(checked.data), save=False)
                written.append((row.file.storage, row.file.name))
                row.save()
                rows.append(row)
            record(rows)
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise
    return rows


# The files come from customers: a browser must never run them as a page of this site, nor
# guess a type other than the one found when they were checked, nor keep a copy on disk.
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private, no-store",
}


def serve_private_file(stored_file, *, content_type, filename, as_attachment):
    """A streaming response for a checked file (a ``FieldFile``); ``Http404`` if it is gone.

    ``content_type`` is the type found by the checks, never what the upload claimed;
    ``filename`` is the customer's name for it, display text only.
    """
    try:
        handle = stored_file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, content_type=content_type, as_attachment=as_attachment, filename=filename)
    for header, value in DOWNLOAD_HEADERS.items():
        response[header] = value
    return response
