from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "manyi.inspections"
    label = "inspections"
    verbose_name = _("Inspections and mystery-customer visits")

    def ready(self):
        from auditlog.registry import auditlog

        from .models import ChecklistItem, ChecklistTemplate, Inspection, ItemResult

        # Who changed what (REQUIREMENTS §9): checklists and their items while drafts, the
        # assignments, reviews and cancellations, and every answer the inspector saved.
        auditlog.register(ChecklistTemplate)
        auditlog.register(ChecklistItem)
        auditlog.register(Inspection)
        auditlog.register(ItemResult)
