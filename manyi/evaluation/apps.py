from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "manyi.evaluation"
    verbose_name = _("Evaluation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from auditlog.registry import auditlog

        from .models import EvaluationScheme, Indicator, RewardPenalty

        auditlog.register(EvaluationScheme)
        auditlog.register(Indicator)
        auditlog.register(RewardPenalty)
