from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "manyi.surveys"
    label = "surveys"
    verbose_name = _("Questionnaires")

    def ready(self):
        from auditlog.registry import auditlog

        from . import signals
        from .models import Dimension, Option, Question, Questionnaire

        for model in (Questionnaire, Dimension, Question, Option):
            auditlog.register(model)
        signals.connect()
