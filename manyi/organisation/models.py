from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from .choices import UnitKind


class UnitQuerySet(models.QuerySet):
    def within(self, unit):
        """The unit and every unit below it (its subtree)."""
        return self.filter(path__startswith=unit.path)


class Unit(models.Model):
    """A part of the group company (REQUIREMENTS §10, seed 003): the group, its business units or
    regional companies, and their projects, sites or stores. Customers, campaigns, tickets, visits,
    inspections and staff belong to one.

    `path` is the chain of ids from the root ("/1/4/9/"), kept by `save()`, so that "this unit and
    everything below it" is one indexed prefix match instead of a walk of the tree."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    is_active = models.BooleanField(_("active"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")

    def __str__(self):
        return self.name

    @transaction.atomic
    def save(self, *args, **kwargs):
        old_path = self.path
        super().save(*args, **kwargs)
        prefix = self.parent.path if self.parent_id else "/"
        new_path = f"{prefix}{self.pk}/"
        if new_path != old_path:
            Unit.objects.filter(pk=self.pk).update(path=new_path)
            self.path = new_path
            if old_path:
                # Moving a unit moves its subtree: rewrite the descendants' path prefixes.
                for child in Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    Unit.objects.filter(pk=child.pk).update(path=new_path + child.path[len(old_path) :])

    @property
    def depth(self):
        return self.path.count("/") - 2

    def ancestors(self):
        """The units above this one, from the root down (not including itself)."""
        ids = [int(part) for part in self.path.strip("/").split("/")[:-1] if part]
        by_id = Unit.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]

    def clean(self):
        if self.parent_id and self.pk and self.parent.path.startswith(self.path):
            raise ValidationError(
                {"parent": _("A unit cannot be placed under itself or one of its own units.")}
            )
