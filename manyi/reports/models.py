from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manyi.campaigns.models import Campaign
from manyi.surveys.models import Questionnaire

from .choices import Frequency, ReportKind, ReportStatus


class ReportQuerySet(models.QuerySet):
    def for_user(self, user):
        """The reports the user reads: a report of a unit they see, or a whole campaign's report
        of a campaign their unit runs (every report for a user who sees everything;
        organisation/access.py)."""
        from manyi.organisation.access import visible_unit_ids

        ids = visible_unit_ids(user)
        if ids is None:
            return self
        return self.filter(
            Q(unit__in=sorted(ids)) | Q(unit__isnull=True, campaign__in=Campaign.objects.run_by(user))
        )


class Report(models.Model):
    """A satisfaction analysis report (《顾客满意度分析报告》) of one campaign (one wave).

    A draft shows the campaign's figures as they are now, with the analyst's conclusions.
    Publishing freezes it: the figures are kept in `snapshot` (JSON), so answers that arrive
    later never change a published report; it gets the next version number of the
    campaign's reports and names the questionnaire version it covers. A new draft may be
    started from a published report to issue the next version.
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="reports"
    )
    # The organisation unit the report covers (its customers and those of the units below it);
    # none: every customer of the campaign (issue 19: every report can be cut by unit).
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("organisation unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices, default=ReportKind.ANALYSIS)
    number = models.CharField(
        _("document number"), max_length=50, blank=True, help_text=_("For example QR2104 (quality records).")
    )
    conclusions = models.TextField(
        _("conclusions"),
        blank=True,
        help_text=_("The analysis in words: what the figures mean, what is done next."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), null=True, blank=True, editable=False)
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    snapshot = models.JSONField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "version"],
                condition=Q(version__isnull=False),
                name="report_version_unique",
            ),
            models.CheckConstraint(
                condition=Q(status=ReportStatus.DRAFT) | Q(version__isnull=False, snapshot__isnull=False),
                name="report_published_is_frozen",
            ),
        ]

    def __str__(self):
        if self.version:
            return f"{self.title} (v{self.version})"
        return self.title

    def get_absolute_url(self):
        return reverse("reports:detail", args=[self.pk])

    @property
    def is_published(self):
        return self.status == ReportStatus.PUBLISHED


class ReportSchedule(models.Model):
    """A report of a campaign published and e-mailed to subscribers every month or quarter.

    `manage.py send_scheduled_reports` (run from cron or the periodic jobs) publishes a new
    version of the campaign's report when `next_run` has come, e-mails each subscriber the
    link and the PDF (drawn for that reader's rights), and moves `next_run` to the start of
    the next period.
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="report_schedules"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices, default=ReportKind.ANALYSIS)
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("subscribers"), related_name="+"
    )
    next_run = models.DateField(_("next report on"))
    active = models.BooleanField(_("active"), default=True)
    last_report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["next_run", "pk"]
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")

    def __str__(self):
        return f"{self.campaign} · {self.get_frequency_display()}"
