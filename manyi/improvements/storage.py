"""Where evidence files are kept: outside the web server's reach, handed out by a view."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def evidence_root():
    return (
        getattr(settings, "IMPROVEMENT_EVIDENCE_ROOT", None)
        or settings.MEDIA_ROOT / "private" / "improvements"
    )


class EvidenceStorage(FileSystemStorage):
    """Files under ``evidence_root()`` (read at each use), without a URL."""

    @property
    def base_location(self):
        return evidence_root()

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


storage = EvidenceStorage()
