from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "manyi.evidence"
    verbose_name = _("ISO 9001 evidence")
    default_auto_field = "django.db.models.BigAutoField"
