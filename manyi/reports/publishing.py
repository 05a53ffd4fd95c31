"""Drafts and publishing of reports: the rules, without HTTP."""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import ReportKind, ReportStatus
from .figures import report_figures
from .models import Report


class PublishError(Exception):
    pass


def default_title(campaign, unit=None):
    name = campaign.wave or campaign.name
    if unit is not None:
        name = f"{unit.name} {name}"
    return _("%(name)s customer satisfaction analysis report") % {"name": name}


def new_draft(campaign, *, by=None, based_on=None, kind=ReportKind.ANALYSIS, unit=None):
    """A draft report of the campaign (of one organisation unit's customers: `unit`); from a
    published one: its unit, kind, title, number and conclusions."""
    unit = based_on.unit if based_on else unit
    return Report.objects.create(
        campaign=campaign,
        unit=unit,
        kind=based_on.kind if based_on else kind,
        title=based_on.title if based_on else default_title(campaign, unit),
        number=based_on.number if based_on else "",
        conclusions=based_on.conclusions if based_on else "",
        created_by=by,
    )


def publish(report, *, by=None, now=None):
    """Freeze the draft: its figures of this moment, the next version number of the campaign's
    reports and the questionnaire version they cover. Publishing twice is refused."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Report.objects.select_for_update().select_related("campaign__questionnaire").get(pk=report.pk)
        )
        if locked.is_published:
            raise PublishError(_("This report is published already."))
        figures = report_figures(locked.campaign, now=now, unit=locked.unit)
        if not figures["overall"]["valid"]:
            raise PublishError(_("There are no valid responses to report on yet."))
        latest = Report.objects.filter(campaign=locked.campaign).aggregate(v=Max("version"))["v"] or 0
        locked.version = latest + 1
        locked.status = ReportStatus.PUBLISHED
        locked.snapshot = figures
        locked.questionnaire = locked.campaign.questionnaire
        locked.published_by = by
        locked.published_at = now
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError as clash:  # another publication took the number at the same moment
            raise PublishError(_("Another version was published at the same moment; try again.")) from clash
    report.refresh_from_db()
    return report


def file_name(report, extension):
    suffix = f"v{report.version}" if report.version else "draft"
    return f"report-{report.campaign_id}-{suffix}.{extension}"
