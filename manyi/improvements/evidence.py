"""Evidence files of improvements: photos (JPEG, PNG, WebP) and PDF documents.

The checks are the ticket attachments' (``manyi.tickets.attachments.check_uploads``), and so
is the storing (``manyi.private_files``): a file is accepted by its bytes, never by its name,
and a batch is stored whole or not at all. Files live under ``IMPROVEMENT_EVIDENCE_ROOT``
(default ``MEDIA_ROOT/private/improvements``), which no web server serves;
``views.evidence_download`` hands them to users who may see the improvement.
"""

from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from manyi.private_files import save_checked_files

from .choices import EventKind
from .models import EvidenceFile, ImprovementEvent
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

    def record(stored):
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

    return save_checked_files(
        EvidenceFile, checked_files, record=record, improvement=improvement, uploaded_by=by, uploaded_at=now
    )
