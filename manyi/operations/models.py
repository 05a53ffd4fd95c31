"""The company the installation serves: its name and industry (公司设置), one row.

The industry decides the complaint categories, call scripts and questionnaire templates the
company starts with (``operations.company.apply_industry``); administrators edit them afterwards.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Industry


class Company(models.Model):
    """The one company of this installation (a second row is never made: ``current()``)."""

    name = models.CharField(_("company name"), max_length=100)
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices)
    set_up_at = models.DateTimeField(_("set up at"), auto_now=True)
    set_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set up by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("company")

    def __str__(self):
        return self.name

    @classmethod
    def current(cls):
        """The company, or None before the first setup."""
        return cls.objects.order_by("pk").first()
