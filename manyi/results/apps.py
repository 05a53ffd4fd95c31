from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    """The response data every figure reads: a campaign's completed responses as columns
    (dataset.py), the filters' rows (filters.py), the figures (summary.py) and the open
    answers (open_answers.py). Dashboards, reports and improvements read it; no pages here."""

    name = "manyi.results"
    label = "results"
    verbose_name = _("Survey results")

    def ready(self):
        from auditlog.registry import auditlog

        from .models import Topic

        # Who changed the topic list, and from what (REQUIREMENTS §9), as the category tree.
        auditlog.register(Topic)
