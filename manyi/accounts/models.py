from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import permissions
from .choices import Role


class Department(models.Model):
    """A unit of the company (客服部, 质量部 …) that owns customers, visits and tickets."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.CharField(_("code"), max_length=30, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name


class ManyiUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMINISTRATOR)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A member of staff. Customers never log in; they answer through token links."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    # The organisation unit the user works in (集团, 区域公司, 项目): what they see follows it
    # (manyi/organisation/access.py); none = the whole company.
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("organisation unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text=_("Leave empty for the whole company; a region's staff see only their region."),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # Granted by an administrator to one person whose role lacks it (e.g. a handler).
    may_view_personal_data = models.BooleanField(
        _("may view personal data"),
        default=False,
        help_text=_("Lets this user see phone numbers and e-mail addresses unmasked."),
    )

    may_view_confidential_responses = models.BooleanField(
        _("may view confidential answers"),
        default=False,
        help_text=_("Lets this user read individual answers of confidential campaigns."),
    )

    objects = ManyiUserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        full = f"{self.last_name}{self.first_name}".strip()
        return full or self.username

    @property
    def display_name(self):
        return str(self)

    def can(self, capability):
        if not self.is_active:
            return False
        granted = {
            permissions.VIEW_PERSONAL_DATA: self.may_view_personal_data,
            permissions.VIEW_CONFIDENTIAL_RESPONSES: self.may_view_confidential_responses,
        }
        if granted.get(capability):
            return True
        return permissions.role_can(self.role, capability)

    def save(self, *args, **kwargs):
        # The Django admin site is the administrators' tool for users, departments and
        # settings; the role decides, so that demoting someone also takes the admin site away.
        self.is_staff = self.is_superuser = self.role == Role.ADMINISTRATOR
        super().save(*args, **kwargs)


class RateCounter(models.Model):
    """Requests counted for a rate limit (see manyi/accounts/ratelimit.py).

    In the database, not in a process's memory, so that every worker and every server counts
    into the same number."""

    key = models.CharField(max_length=200, primary_key=True)
    window_started = models.FloatField()  # seconds since the epoch
    count = models.PositiveIntegerField()

    def __str__(self):
        return f"{self.key}: {self.count}"
