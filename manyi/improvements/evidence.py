"""Evidence files of improvements: photos (JPEG, PNG, WebP) and PDF documents.

The checks are the ticket attachments' (``manyi.tickets.attachments.check_uploads``): a file
is accepted by its bytes, never by its name, and a batch is stored whole or not at all. Files
live under ``IMPROVEMENT_EVIDENCE_ROOT`` (default ``MEDIA_ROOT/private/improvements``), which no
web server serves; ``views.evidence_download`` hands them to users who may see the improvement.
"""

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import EventKind
from .models import EvidenceFile, ImprovementEvent
from .storage import storage
from .workflow import EDITABLE_STATUSES, ImprovementError, may_edit


def attach(improvement, by, checked_files, now=None):
    """Store checked files as evidence (the owner or a manager, while the improvement is open to
    changes) and record one event; all or nothing."""
    now = now or timezone.now()
    if not may_edit(improvement, by):
        if improvement.status not in EDITABLE_STATUSES:
            raise ImprovementError(_("A closed or cancelled improvement cannot be changed."))
        raise ImprovementError(_("Only the owner or a manager may change this improvement."))
    if not checked_files:
        raise ImprovementError(_("Choose one or more files."))
    written, stored = [], []
    try:
        with transaction.atomic():
            for checked in checked_files:
                evidence = EvidenceFile(
                    improvement=improvement,
                    original_name=checked.name,
                    content_type=checked.content_type,
                    size=checked.size,
                    sha256=hashlib.sha256(checked.data).hexdigest(),
                    uploaded_by=by,
                    uploaded_at=now,
                )
                evidence.file.save(f"upload.{checked.extension}", ContentFile(checked.data), save=False)
                written.append(evidence.file.name)
                evidence.save()
                stored.append(evidence)
            names = ", ".join(f"{e.original_name} ({filesizeformat(e.size)})" for e in stored)
            ImprovementEvent.objects.create(
                improvement=improvement,
                by=by,
                at=now,
                kind=EventKind.EDITED,
                from_status=improvement.status,
                to_status=improvement.status,
                note=_("Evidence files: %(files)s") % {"files": names},
            )
    except BaseException:
        for name in written:
            storage.delete(name)
        raise
    return stored
