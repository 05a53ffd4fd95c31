"""Scheduled reports: publish a campaign's report every month or quarter and e-mail it.

Each due schedule is taken with a row lock (skip_locked), so two runs of the periodic job at
the same moment never send a period twice; `next_run` moves on in the same transaction as the
publication. Each subscriber gets the link and the PDF drawn for their own rights (open
answers masked or left out as rendering.document_context decides); subscribers who may no
longer read reports, or have no e-mail address, get nothing.
"""

import logging
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from manyi.accounts import permissions
from manyi.emails import build_email
from manyi.links import absolute_url

from . import publishing, rendering
from .choices import Frequency
from .models import Report, ReportSchedule

logger = logging.getLogger(__name__)


def next_period_start(day, frequency):
    """The first day of the month (or quarter) after `day`'s."""
    months = 3 if frequency == Frequency.QUARTERLY else 1
    first_month = (day.month - 1) // months * months + 1
    month = first_month + months
    return date(day.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def period_label(day, frequency):
    """The period a report sent on `day` covers: the one that has just ended."""
    if frequency == Frequency.QUARTERLY:
        quarter = (day.month - 1) // 3  # 0 = the first quarter: the one before it has ended
        year = day.year if quarter else day.year - 1
        return _("%(year)s Q%(quarter)s") % {"year": year, "quarter": quarter or 4}
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return _("%(year)s-%(month)02d") % {"year": year, "month": month}


def send_due_reports(today=None):
    """Publish and send every schedule whose day has come; returns (reports, e-mails)."""
    today = today or timezone.localdate()
    reports = emails = 0
    while True:
        with transaction.atomic():
            schedule = (
                ReportSchedule.objects.select_for_update(skip_locked=True)
                .select_related("campaign__questionnaire")
                .filter(active=True, next_run__lte=today)
                .first()
            )
            if schedule is None:
                return reports, emails
            schedule.next_run = next_period_start(today, schedule.frequency)
            report = _publish(schedule, today)
            schedule.last_report = report or schedule.last_report
            schedule.save(update_fields=["next_run", "last_report"])
        if report is not None:
            reports += 1
            emails += _send(schedule, report)


def _publish(schedule, today):
    campaign = schedule.campaign
    draft = publishing.new_draft(campaign, kind=schedule.kind)
    draft.title = f"{draft.title}（{period_label(today, schedule.frequency)}）"
    base = schedule.last_report
    if base is not None:
        draft.number, draft.conclusions = base.number, ""
    draft.save()
    try:
        return publishing.publish(draft)
    except publishing.PublishError as problem:
        logger.info("Scheduled report of %s not published: %s", campaign, problem)
        draft.delete()
        return None


def _send(schedule, report):
    sent = 0
    link = absolute_url(report.get_absolute_url())
    for user in schedule.recipients.filter(is_active=True).exclude(email=""):
        if not user.can(permissions.VIEW_REPORTS):
            continue
        if not Report.objects.for_user(user).filter(pk=report.pk).exists():
            continue  # not a report of their units (organisation/access.py): not sent to them
        pdf = rendering.pdf_bytes(report, user)
        message = build_email(
            "report_delivery",
            {"report": report, "user": user, "link": link, "schedule": schedule},
            to=[user.email],
        )
        message.attach(publishing.file_name(report, "pdf"), pdf, "application/pdf")
        message.send()
        sent += 1
    return sent
