"""Any change to a questionnaire's parts moves its `updated_at`, so cached layouts are re-read.

bulk_create sends no signal: code that bulk-creates options or rows of an existing question
saves the question in the same transaction (the builder does), which is enough.
"""

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from .models import Dimension, MatrixRow, Option, Page, Question, Questionnaire, TableColumn


def _questionnaire_changed(sender, instance, **kwargs):
    if sender in (Option, MatrixRow, TableColumn):
        owner = Question.objects.filter(pk=instance.question_id).values("questionnaire_id")
        Questionnaire.objects.filter(pk__in=owner).update(updated_at=timezone.now())
    else:
        Questionnaire.objects.filter(pk=instance.questionnaire_id).update(updated_at=timezone.now())


def connect():
    for model in (Dimension, Page, Question, Option, MatrixRow, TableColumn):
        post_save.connect(_questionnaire_changed, sender=model, dispatch_uid=f"saved-{model.__name__}")
        post_delete.connect(_questionnaire_changed, sender=model, dispatch_uid=f"deleted-{model.__name__}")
