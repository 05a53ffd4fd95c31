"""Improvement actions (改进措施, REQUIREMENTS §8; seeds 000, 003, 004).

An improvement answers a problem found in complaints or in low survey scores: what is wrong,
why, what will be done, by whom and by when, the evidence that it was done, and whether it
worked (the score of the item in the next wave). Status changes go through
:mod:`manyi.improvements.workflow` only; each is recorded as an ``ImprovementEvent``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from manyi.accounts.models import Department
from manyi.private_files import StoredFile, random_file_name
from manyi.sequences import YearlySequence

from .choices import OPEN_STATUSES, EventKind, NoticeChannel, Source, Status

REFERENCE_PREFIX = "GJ"  # 改进


class ImprovementSequence(YearlySequence):
    """GJ-2026-0042."""

    prefix = REFERENCE_PREFIX
    width = 4


class ImprovementQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today):
        """Not carried out yet and the deadline has passed."""
        return self.open().filter(deadline__lt=today)

    def for_user(self, user):
        """What the user may see: everything with ``improvements.view_all``; otherwise (a
        handler) their own and their department's."""
        from manyi.accounts.permissions import VIEW_ALL_IMPROVEMENTS, VIEW_IMPROVEMENTS
        from manyi.organisation.access import unit_condition

        if not user.is_authenticated or not user.can(VIEW_IMPROVEMENTS):
            return self.none()
        # By organisation unit: the user's unit's and its subtree's, and those of the units
        # above it (the group's improvements concern its regions too).
        units = unit_condition(user, "unit", shared=True)
        if not user.can(VIEW_ALL_IMPROVEMENTS):
            mine = Q(owner=user)
            if user.department_id is not None:
                mine |= Q(department_id=user.department_id) & units
            return self.filter(mine)
        return self.filter(units)


class ImprovementAction(models.Model):
    """One improvement action (改进措施): problem, cause, measures, owner, deadline, effect."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    title = models.CharField(pgettext_lazy("improvement", "title"), max_length=200)
    problem = models.TextField(_("problem statement"))
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.PLANNED, editable=False
    )
    source = models.CharField(_("raised from"), max_length=20, choices=Source.choices, default=Source.OTHER)
    category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("complaint category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="improvements",
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("survey campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="improvements",
    )
    # The rated item (question or matrix row code) or the dimension code the survey source names.
    item_key = models.CharField(_("item or dimension code"), max_length=40, blank=True)
    item_label = models.CharField(_("item or dimension"), max_length=300, blank=True)
    tickets = models.ManyToManyField(
        "tickets.Ticket", verbose_name=_("linked tickets"), blank=True, related_name="improvements"
    )
    root_cause = models.TextField(_("root cause"), blank=True)
    measures = models.TextField(_("planned measures"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="improvements",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="improvements",
    )
    # The organisation unit the improvement is for; none = the whole company.
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("organisation unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="improvements",
    )
    deadline = models.DateField(_("deadline"))
    evidence = models.TextField(_("evidence"), blank=True)
    expected_effect = models.TextField(_("expected effect"), blank=True)
    baseline_score = models.FloatField(_("score before"), null=True, blank=True)
    target_score = models.FloatField(_("target score"), null=True, blank=True)
    measured_campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("measured in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    measured_score = models.FloatField(_("score after"), null=True, blank=True)
    measured_effect = models.TextField(_("measured effect"), blank=True)
    customer_message = models.TextField(
        _("what we tell customers"),
        blank=True,
        help_text=_("For example: 我们已优化售后响应流程，目前平均响应时间缩短至1.5小时内。"),
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = ImprovementQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("improvements:detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    def is_overdue(self, today=None):
        return self.is_open and self.deadline < (today or timezone.localdate())

    def finished_on_time(self):
        """Done by the deadline (None while not done)."""
        if self.done_at is None:
            return None
        return timezone.localdate(self.done_at) <= self.deadline

    @property
    def score_change(self):
        if self.baseline_score is None or self.measured_score is None:
            return None
        return self.measured_score - self.baseline_score


class ImprovementEvent(models.Model):
    """Every change of an improvement: who, when, from which status to which, why."""

    improvement = models.ForeignKey(ImprovementAction, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(max_length=12, choices=EventKind.choices, default=EventKind.TRANSITION)
    from_status = models.CharField(max_length=15, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=15, choices=Status.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.improvement.reference}: {self.from_status} → {self.to_status}"


class CustomerNotice(models.Model):
    """A customer told what changed (seed 004: 向客户反馈改进成果), by e-mail or by phone.

    One per customer (or, for feedback without a customer record, per e-mail address or, without
    one, per phone number), so a second “notify” tells only those not told yet.
    """

    improvement = models.ForeignKey(ImprovementAction, on_delete=models.CASCADE, related_name="notices")
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="improvement_notices",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=NoticeChannel.choices)
    told_at = models.DateTimeField(_("told at"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["told_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["improvement", "customer"],
                condition=Q(customer__isnull=False),
                name="improvement_notice_once_per_customer",
            ),
            models.UniqueConstraint(
                fields=["improvement", "email", "phone"],
                condition=Q(customer__isnull=True),
                name="improvement_notice_once_per_address",
            ),
        ]

    def __str__(self):
        return f"{self.improvement.reference} → {self.name or self.email}"


def _evidence_storage():
    from .storage import storage

    return storage


def _evidence_upload_to(instance, filename):
    # Named in the migrations, hence kept here; the names are made as for ticket attachments.
    return random_file_name(filename)


class EvidenceFile(StoredFile):
    """A photo or PDF showing the improvement was carried out; checked by its content like a
    ticket attachment, kept outside the web server's reach, handed out by the download view."""

    improvement = models.ForeignKey(ImprovementAction, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(storage=_evidence_storage, upload_to=_evidence_upload_to, max_length=200)

    class Meta(StoredFile.Meta):
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
