from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "manyi.visits"
    label = "visits"
    verbose_name = _("Return visits")

    def ready(self):
        from auditlog.registry import auditlog

        from manyi.customers import timeline

        from . import timeline as visit_timeline
        from .models import VisitPlan, VisitRecord, VisitRule, VisitScript

        timeline.register(visit_timeline.visits)
        # Who changed what (REQUIREMENTS §9): a record corrected after the supervisor returned
        # it keeps its old values in the trail; rules, scripts and plan rows keep their history.
        auditlog.register(VisitRecord)
        auditlog.register(VisitRule)
        auditlog.register(VisitScript, exclude_fields=["updated_at"])
        auditlog.register(VisitPlan)
