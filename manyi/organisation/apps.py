from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "manyi.organisation"
    label = "organisation"
    verbose_name = _("Organisation")

    def ready(self):
        from auditlog.registry import auditlog

        from .models import Unit

        auditlog.register(Unit, exclude_fields=["path"])
