"""Evaluation schemes (年度满意度管理考评方案), their indicators, the results per unit
(满意度考核结果) and the rewards and penalties (奖惩) given on a result — REQUIREMENTS §10, seed 003.

A scheme is edited while it is a draft; its results may be computed again and again. Publishing
computes them a last time and freezes them (values stored, never recomputed). A published scheme
is corrected by a new version (`previous` links it), as questionnaires are; publishing the new
version marks the old one superseded. The arithmetic is :mod:`manyi.evaluation.scoring`.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manyi.organisation.choices import UnitKind
from manyi.organisation.models import Unit

from .choices import Direction, IndicatorKind, RewardKind, SchemeStatus


class EvaluationScheme(models.Model):
    name = models.CharField(_("name"), max_length=200)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(
        _("status"), max_length=12, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-period_start", "-version", "-pk"]
        verbose_name = _("evaluation scheme")
        verbose_name_plural = _("evaluation schemes")

    def __str__(self):
        return f"{self.name} v{self.version}"

    def get_absolute_url(self):
        return reverse("evaluation:scheme", args=[self.pk])

    @property
    def is_editable(self):
        return self.status == SchemeStatus.DRAFT


class Indicator(models.Model):
    scheme = models.ForeignKey(
        EvaluationScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="indicators"
    )
    kind = models.CharField(_("indicator"), max_length=30, choices=IndicatorKind.choices)
    weight = models.FloatField(_("weight"))
    target = models.FloatField(_("target"))
    direction = models.CharField(_("direction"), max_length=6, choices=Direction.choices)
    # The unit kinds it applies to ([] = every kind).
    unit_kinds = models.JSONField(_("unit kinds"), default=list, blank=True)
    campaigns = models.ManyToManyField(
        "campaigns.Campaign", verbose_name=_("campaigns"), blank=True, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self):
        return self.get_kind_display()

    def applies_to(self, unit):
        return not self.unit_kinds or unit.kind in self.unit_kinds

    def unit_kind_labels(self):
        labels = dict(UnitKind.choices)
        return [labels.get(kind, kind) for kind in self.unit_kinds]


class EvaluationResult(models.Model):
    """One unit's result under a scheme: `breakdown` holds, per indicator, the value, the target,
    the score, the weight used, last period's value and the arithmetic as text."""

    scheme = models.ForeignKey(
        EvaluationScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="results"
    )
    # The unit evaluated, or the employee's unit (none: an employee of the whole company).
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # An employee's own result (none: the unit's or project team's result).
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluation_results",
    )
    total = models.FloatField(_("score"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    ranked_among = models.PositiveIntegerField(default=0)
    targets_met = models.PositiveIntegerField(default=0)
    targets_counted = models.PositiveIntegerField(default=0)
    previous_total = models.FloatField(_("last period"), null=True, blank=True)
    breakdown = models.JSONField(default=list)

    class Meta:
        ordering = ["scheme", "unit__kind", "rank", "unit__path"]
        verbose_name = _("evaluation result")
        verbose_name_plural = _("evaluation results")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "unit"], condition=models.Q(employee=None), name="evaluation_result_unit"
            ),
            models.UniqueConstraint(
                fields=["scheme", "employee"],
                condition=models.Q(employee__isnull=False),
                name="evaluation_result_employee",
            ),
        ]

    def __str__(self):
        return f"{self.scheme} · {self.employee or self.unit}"

    def get_absolute_url(self):
        return reverse("evaluation:result", args=[self.pk])

    @property
    def change(self):
        if self.total is None or self.previous_total is None:
            return None
        return self.total - self.previous_total


class RewardPenalty(models.Model):
    """A reward or penalty (奖惩) given on an evaluation result, with who approved it."""

    result = models.ForeignKey(
        EvaluationResult, verbose_name=_("result"), on_delete=models.PROTECT, related_name="rewards"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=RewardKind.choices)
    # The employee concerned (none: the unit or project team as a whole).
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluation_rewards",
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    reason = models.TextField(_("reason"))
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approver"), on_delete=models.PROTECT, related_name="+"
    )
    approved_on = models.DateField(_("approved on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-approved_on", "-pk"]
        verbose_name = _("reward or penalty")
        verbose_name_plural = _("rewards and penalties")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.result.employee or self.result.unit}"
