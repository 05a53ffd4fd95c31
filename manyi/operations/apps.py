from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running the product as a whole: the periodic jobs, the demo data and the company setup
    (the industry's categories, call scripts and templates). It sits above every other app (it
    calls into all of them), so no app needs to import another one above it."""

    name = "manyi.operations"
    label = "operations"
    verbose_name = _("Operations")

    def ready(self):
        from auditlog.registry import auditlog

        from manyi.surveys.limesurvey.views import register_archive_importer
        from manyi.surveys.views import register_industry_templates

        from . import limesurvey_archive
        from .company import offered_templates
        from .models import Company

        auditlog.register(Company)
        register_industry_templates(offered_templates)
        register_archive_importer(limesurvey_archive.read, limesurvey_archive.save)
