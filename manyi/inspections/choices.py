"""Vocabularies of inspections (REQUIREMENTS §10, seed 003). Labels are English msgids."""

from django.db import models
from django.utils.translation import pgettext_lazy


class TemplateKind(models.TextChoices):
    """Seed 003, 4.1.2: 项目品质巡检和神秘客户暗访."""

    SITE_INSPECTION = "site", pgettext_lazy("inspection kind", "Site quality inspection")  # 项目品质巡检
    MYSTERY_VISIT = "mystery", pgettext_lazy("inspection kind", "Mystery-customer visit")  # 神秘客户暗访


class Scoring(models.TextChoices):
    """How an item is answered: points from 0 to its maximum, or pass / fail (pass: the maximum)."""

    POINTS = "points", pgettext_lazy("checklist item scoring", "Points")
    PASS_FAIL = "pass_fail", pgettext_lazy("checklist item scoring", "Pass or fail")


class TemplateStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("checklist status", "Draft")  # editable, not yet assignable
    ACTIVE = "active", pgettext_lazy("checklist status", "In use")  # assignable; frozen once used
    ARCHIVED = "archived", pgettext_lazy("checklist status", "Archived")  # a newer version replaced it


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("inspection status", "Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("inspection status", "In progress")
    SUBMITTED = "submitted", pgettext_lazy("inspection status", "Submitted")
    REVIEWED = "reviewed", pgettext_lazy("inspection status", "Reviewed")
    CANCELLED = "cancelled", pgettext_lazy("inspection status", "Cancelled")


OPEN_INSPECTION_STATUSES = (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)
# The scores count once the inspector has submitted (and after review).
SCORED_STATUSES = (InspectionStatus.SUBMITTED, InspectionStatus.REVIEWED)


class Answer(models.TextChoices):
    """A pass/fail item's answer; a points item is answered with its points (or not applicable)."""

    PASS = "pass", pgettext_lazy("inspection answer", "Pass")
    FAIL = "fail", pgettext_lazy("inspection answer", "Fail")
    NOT_APPLICABLE = "na", pgettext_lazy("inspection answer", "Not applicable")


class FindingStatus(models.TextChoices):
    """A finding is open until a re-inspection finds the item passing (整改复查)."""

    OPEN = "open", pgettext_lazy("finding status", "Open")
    RESOLVED = "resolved", pgettext_lazy("finding status", "Verified by re-inspection")
