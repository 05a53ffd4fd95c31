from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementsConfig(AppConfig):
    name = "manyi.improvements"
    label = "improvements"
    verbose_name = _("Improvement actions")

    def ready(self):
        from manyi.customers import timeline

        from . import timeline as improvement_timeline

        timeline.register(improvement_timeline.improvements)
