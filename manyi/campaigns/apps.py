from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "manyi.campaigns"
    label = "campaigns"
    verbose_name = _("Survey campaigns")

    def ready(self):
        from auditlog.registry import auditlog

        from .models import Campaign

        auditlog.register(Campaign)
