from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "manyi.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from auditlog.registry import auditlog

        from .models import Report, ReportSchedule

        # Who wrote the conclusions, who published which version; the frozen figures are
        # large and never change after publishing, so they stay out of the log.
        auditlog.register(Report, exclude_fields=["snapshot", "updated_at"])
        auditlog.register(ReportSchedule, m2m_fields={"recipients"})
