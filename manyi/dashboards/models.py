from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SavedPathModel(models.Model):
    """The satisfaction model (PLS path model) an analyst saved for a questionnaire.

    One per questionnaire version, in the JSON form of manyi.analytics.pls.PathModel; every
    campaign of the questionnaire is estimated with it, so waves are compared on one model.
    Without one the page proposes a model from the questionnaire (dashboards.path_model.propose).
    """

    questionnaire = models.OneToOneField(
        "surveys.Questionnaire", on_delete=models.CASCADE, related_name="saved_path_model"
    )
    spec = models.JSONField(_("model"))
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(_("saved at"), default=timezone.now)

    class Meta:
        verbose_name = _("saved satisfaction model")
        verbose_name_plural = _("saved satisfaction models")

    def __str__(self):
        return str(self.questionnaire)
