"""Files that no web server serves: ticket attachments and improvement evidence.

Both are checked by ``manyi.tickets.attachments.check_uploads`` (by their bytes, never their
name), stored by :func:`save_checked_files` under a random name in a :class:`PrivateStorage`
folder, and handed out only by :func:`serve_private_file`, after the download view has
checked that the user may see the ticket or improvement.
"""

import functools
import hashlib
import json
import secrets
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import models, transaction
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy

LOCAL_DISK = "django.core.files.storage.FileSystemStorage"


class _LocalFolder(FileSystemStorage):
    """A folder on this machine's disk without a URL."""

    def url(self, name):
        raise ValueError(
            "This file is not accessible via a URL: private files leave through a download view."
        )


@functools.lru_cache(maxsize=16)
def _local(root):
    return _LocalFolder(location=root, base_url=None)


@functools.lru_cache(maxsize=16)
def _object_storage(config, folder):
    settings_ = json.loads(config)
    options = settings_.get("OPTIONS", {})
    location = "/".join(part for part in (options.get("location", ""), folder) if part)
    return storages.create_storage({**settings_, "OPTIONS": {**options, "location": location}})


class PrivateStorage(Storage):
    """Files without a public URL: they leave only through a download view.

    On the local disk (the default storage is ``FileSystemStorage``) they are under the folder
    ``root()`` gives; in an S3-compatible bucket (``STORAGES["default"]``, see settings) under
    ``folder`` in the bucket, so that every app server finds every file. Both are asked for at
    each use, so that a changed setting (tests give each their own folder or bucket) takes
    effect at once."""

    def __init__(self, root, folder):
        super().__init__()
        self.root = root
        self.folder = folder

    def backend(self):
        config = settings.STORAGES["default"]
        if config["BACKEND"] == LOCAL_DISK:
            return _local(str(Path(self.root()).resolve()))
        return _object_storage(json.dumps(config, sort_keys=True, default=str), self.folder)

    def is_local(self):
        return isinstance(self.backend(), FileSystemStorage)

    # Storage's interface, each handed to the storage in use.
    def _open(self, name, mode="rb"):
        return self.backend().open(name, mode)

    def _save(self, name, content):
        return self.backend().save(name, content)

    def get_available_name(self, name, max_length=None):
        return self.backend().get_available_name(name, max_length=max_length)

    def get_valid_name(self, name):
        return self.backend().get_valid_name(name)

    def generate_filename(self, filename):
        return self.backend().generate_filename(filename)

    def delete(self, name):
        return self.backend().delete(name)

    def exists(self, name):
        return self.backend().exists(name)

    def listdir(self, path):
        return self.backend().listdir(path)

    def size(self, name):
        return self.backend().size(name)

    def path(self, name):
        return self.backend().path(name)

    def url(self, name):
        raise ValueError(
            "This file is not accessible via a URL: private files leave through a download view."
        )

    def presigned_url(self, name, *, parameters, expire):
        return self.backend().url(name, parameters=parameters, expire=expire)

    def get_modified_time(self, name):
        return self.backend().get_modified_time(name)


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
    """The response for a checked file (a ``FieldFile``); ``Http404`` if it is gone.

    Streamed from the storage, or with PRIVATE_FILES_DELIVERY=presigned and a bucket, a
    redirect to a link valid for PRIVATE_FILES_URL_SECONDS that makes the bucket answer with the
    same type, name and headers. Either way only after the view checked the user's right.
    ``content_type`` is the type found by the checks, never what the upload claimed;
    ``filename`` is the customer's name for it, display text only.
    """
    storage = stored_file.storage
    if getattr(settings, "PRIVATE_FILES_DELIVERY", "stream") == "presigned" and not storage.is_local():
        return _presigned_redirect(
            stored_file, content_type=content_type, filename=filename, as_attachment=as_attachment
        )
    try:
        handle = stored_file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, content_type=content_type, as_attachment=as_attachment, filename=filename)
    for header, value in DOWNLOAD_HEADERS.items():
        response[header] = value
    return response


def _presigned_redirect(stored_file, *, content_type, filename, as_attachment):
    if not stored_file.storage.exists(stored_file.name):
        raise Http404
    # The disposition header FileResponse would write, for the bucket to send back.
    disposition = content_disposition_header(as_attachment, filename)
    url = stored_file.storage.presigned_url(
        stored_file.name,
        parameters={
            "ResponseContentType": content_type,
            "ResponseContentDisposition": disposition,
            "ResponseCacheControl": DOWNLOAD_HEADERS["Cache-Control"],
        },
        expire=getattr(settings, "PRIVATE_FILES_URL_SECONDS", 60),
    )
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = DOWNLOAD_HEADERS["Cache-Control"]
    return response


class StoredFile(models.Model):
    """What is kept of a checked file besides its bytes: the name the sender gave it (display
    text only), its sniffed type, size and checksum, who uploaded it and when. Each kind of
    private file (ticket attachment, improvement evidence, inspection photo, forum minutes) adds
    its ``file`` field with its own folder and what it belongs to."""

    original_name = models.CharField(gettext_lazy("file name"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(gettext_lazy("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    @property
    def is_image(self):
        return self.content_type.startswith("image/")
