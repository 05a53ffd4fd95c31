from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "manyi.visits"
    label = "visits"
    verbose_name = _("Return visits")

    def ready(self):
        from manyi.customers import timeline

        from . import timeline as visit_timeline

        timeline.register(visit_timeline.visits)
