"""Inspections and mystery-customer visits (项目品质巡检, 神秘客户暗访; REQUIREMENTS §10, seed 003).

A checklist template (``ChecklistTemplate``) holds sections and scored items with weights. A
template is edited while it is a draft; once it is in use it is frozen (an inspection's score
must keep meaning what it meant), and a correction is a new version (``new_version``), as
questionnaires are. An ``Inspection`` is one assignment of one template version to an inspector
for a unit with a due date; its ``ItemResult`` rows hold the points, note and photos per item.
The score rule is :mod:`manyi.inspections.scoring`. A failed item becomes a ``Finding``; the
finding's corrective actions are those of a feedback ticket (``tickets.CorrectiveAction``: owner,
deadline, done, verified), so the one corrective-action workflow is the tickets' (see
``workflow``). A re-inspection (``Inspection.follow_up_of``) checks the failed items again and
closes the findings whose items now pass.

State changes go through :mod:`manyi.inspections.workflow`; who sees what is
:mod:`manyi.inspections.access`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from manyi.organisation.models import Unit
from manyi.private_files import PrivateStorage, StoredFile, random_file_name

from . import scoring
from .choices import (
    OPEN_INSPECTION_STATUSES,
    Answer,
    FindingStatus,
    InspectionStatus,
    Scoring,
    TemplateKind,
    TemplateStatus,
)


def photo_root():
    return getattr(settings, "INSPECTION_PHOTO_ROOT", None) or settings.MEDIA_ROOT / "private" / "inspections"


# The ticket attachments' kind of storage (no URL, handed out by a view), in a folder of its own.
photo_storage = PrivateStorage(photo_root, "private/inspections")


def _photo_storage():
    return photo_storage


def _photo_upload_to(instance, filename):
    # Named in the migrations, hence kept here; the names are made as for ticket attachments.
    return random_file_name(filename)


def bilingual(zh, en):
    """The text in the user's language: English when the page is English and it has one."""
    language = (get_language() or "").lower()
    return en if en and language.startswith("en") else zh


class ChecklistTemplate(models.Model):
    """A versioned checklist (物业项目品质巡检表, 售楼处神秘客户暗访表)."""

    code = models.SlugField(_("code"), max_length=40, help_text=_("The same for every version."))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    kind = models.CharField(_("kind"), max_length=10, choices=TemplateKind.choices)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TemplateStatus.choices, default=TemplateStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["kind", "code", "-version"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="checklist_code_version_unique")
        ]

    def __str__(self):
        return f"{self.title} (v{self.version})"

    def get_absolute_url(self):
        return reverse("inspections:template", args=[self.pk])

    @property
    def title(self):
        return bilingual(self.name, self.name_en)

    def is_used(self):
        return self.inspections.exists()

    def is_editable(self):
        """Frozen once used, or once a newer version replaced it (archived)."""
        return self.status != TemplateStatus.ARCHIVED and not self.is_used()

    def items(self):
        return ChecklistItem.objects.filter(section__template=self).order_by(
            "section__position", "position", "pk"
        )

    def total_weight(self):
        return sum(item.weight for item in self.items())


class ChecklistSection(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("checklist section")
        verbose_name_plural = _("checklist sections")

    def __str__(self):
        return self.label

    @property
    def label(self):
        return bilingual(self.title, self.title_en)


class ChecklistItem(models.Model):
    """One thing to check, with its weight and how it is scored."""

    section = models.ForeignKey(ChecklistSection, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("item"), max_length=300)
    text_en = models.CharField(_("item in English"), max_length=300, blank=True)
    guidance = models.TextField(_("how to check"), blank=True)
    scoring = models.CharField(_("scoring"), max_length=10, choices=Scoring.choices, default=Scoring.POINTS)
    max_points = models.PositiveSmallIntegerField(
        _("maximum points"), default=5, help_text=_("A pass/fail item counts pass as the maximum, fail as 0.")
    )
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1)
    photo_on_failure = models.BooleanField(
        _("photo required when it fails"),
        default=False,
        help_text=_("The inspector cannot submit a failed item without a photo."),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self):
        return self.label

    @property
    def label(self):
        return bilingual(self.text, self.text_en)

    @property
    def is_pass_fail(self):
        return self.scoring == Scoring.PASS_FAIL


class InspectionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_INSPECTION_STATUSES)

    def overdue(self, today):
        return self.open().filter(due_on__lt=today)


class Inspection(models.Model):
    """One inspection or mystery visit of one unit, assigned to an inspector with a due date."""

    template = models.ForeignKey(
        ChecklistTemplate, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="inspections"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="inspections"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    due_on = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED
    )
    # A re-inspection (整改复查) checks the items that failed in the inspection it follows.
    follow_up_of = models.ForeignKey(
        "self",
        verbose_name=_("re-inspection of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    instructions = models.TextField(_("instructions"), blank=True)
    inspected_at = models.DateTimeField(_("inspected at"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    score = models.FloatField(_("score"), null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    review_note = models.TextField(_("review note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-due_on", "-pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [models.Index(fields=["inspector", "status"]), models.Index(fields=["unit", "status"])]

    def __str__(self):
        return f"{self.template.title} · {self.unit} · {self.due_on}"

    def get_absolute_url(self):
        return reverse("inspections:detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status in OPEN_INSPECTION_STATUSES

    @property
    def is_follow_up(self):
        return self.follow_up_of_id is not None

    def item_scores(self):
        """(result, scoring.ItemScore) per item of this inspection, in checklist order."""
        rows = self.results.select_related("item__section").order_by(
            "item__section__position", "item__position", "item__pk"
        )
        return [(row, row.item_score()) for row in rows]

    def compute_score(self):
        """The rule of :func:`scoring.weighted_score` over this inspection's items."""
        return scoring.weighted_score(score for _row, score in self.item_scores())


class ItemResult(models.Model):
    """The answer to one item in one inspection: points (or pass/fail / not applicable), a note, photos."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="results")
    answer = models.CharField(_("answer"), max_length=4, choices=Answer.choices, blank=True)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["item__section__position", "item__position", "item__pk"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="one_result_per_inspection_item")
        ]

    def __str__(self):
        return f"{self.item}: {self.answer or self.points}"

    @property
    def not_applicable(self):
        return self.answer == Answer.NOT_APPLICABLE

    @property
    def is_answered(self):
        return self.not_applicable or self.points is not None

    def item_score(self):
        item = self.item
        return scoring.ItemScore(
            weight=float(item.weight),
            max_points=float(item.max_points),
            points=None if self.points is None else float(self.points),
            not_applicable=self.not_applicable,
        )

    @property
    def failed(self):
        return self.item_score().failed

    @property
    def share(self):
        share = self.item_score().share
        return None if share is None else 100 * share


class ItemPhoto(StoredFile):
    """A photo of an item, checked like a ticket attachment (its bytes, its size, metadata stripped)."""

    result = models.ForeignKey(ItemResult, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(storage=_photo_storage, upload_to=_photo_upload_to, max_length=200)

    class Meta(StoredFile.Meta):
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")


class FindingQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=FindingStatus.OPEN)


class Finding(models.Model):
    """A failed item of an inspection: what is wrong, corrected through a feedback ticket's
    corrective actions (owner, deadline, verification), closed by a re-inspection that finds
    the item passing."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    result = models.OneToOneField(ItemResult, on_delete=models.CASCADE, related_name="finding")
    status = models.CharField(
        _("status"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=pgettext_lazy("finding", "corrective-action ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspection_finding",
    )
    resolved_by = models.ForeignKey(
        ItemResult,
        verbose_name=_("verified in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resolved_findings",
    )
    resolved_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(resolved_at__isnull=False), name="resolved_finding_has_time"
            )
        ]

    def __str__(self):
        return f"{self.result.item.label} · {self.inspection.unit}"

    def get_absolute_url(self):
        return reverse("inspections:detail", args=[self.inspection_id]) + f"#finding-{self.pk}"

    @property
    def item(self):
        return self.result.item
