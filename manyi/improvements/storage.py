"""Where evidence files are kept: outside the web server's reach, handed out by a view."""

from django.conf import settings

from manyi.private_files import PrivateStorage


def evidence_root():
    return (
        getattr(settings, "IMPROVEMENT_EVIDENCE_ROOT", None)
        or settings.MEDIA_ROOT / "private" / "improvements"
    )


# The ticket attachments' kind of storage, in a folder of its own.
storage = PrivateStorage(evidence_root, "private/improvements")
