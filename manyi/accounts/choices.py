from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENT = "agent", _("Customer service agent")
    HANDLER = "handler", _("Department handler")
    ANALYST = "analyst", _("Analyst (read only)")
