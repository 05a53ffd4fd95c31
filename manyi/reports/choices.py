"""Vocabularies of reports: a report's status and kind, and how often a schedule publishes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ReportKind(models.TextChoices):
    ANALYSIS = "analysis", _("Satisfaction analysis report")  # 《顾客满意度分析报告》
    CSR = "csr", _("Full CSR report (technical, fieldwork, data, analysis)")  # seed 001


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
