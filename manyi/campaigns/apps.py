from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "manyi.campaigns"
    label = "campaigns"
    verbose_name = _("Survey campaigns")

    def ready(self):
        from auditlog.registry import auditlog

        from manyi.customers import timeline

        from . import checks  # noqa: F401 -- registers the start-up checks
        from . import timeline as campaign_timeline
        from .models import Campaign

        auditlog.register(Campaign)
        timeline.register(campaign_timeline.invitations)
        timeline.register(campaign_timeline.responses)
