"""The company's topic list (主题) for open answers and tickets, and the retraining record.

Which text goes under which topic is :mod:`manyi.analytics.topics` (pure); the list it reads
is :class:`Topic` (company set-up edits it; the data migration starts it with the ten seed
topics), and the examples it learns from are written by :class:`TopicTraining`'s retraining
(``results/topics.py``). Here because open answers (results) and tickets both need it and
results sits below tickets, dashboards and reports.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TopicQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Topic(models.Model):
    """One topic of the company's list: names, code, the keywords and seed phrases the rule
    looks for, whether it is offered, its place in lists."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    keywords = models.TextField(
        _("keywords and seed phrases"),
        blank=True,
        help_text=_("One a line (or separated by commas): words customers write about this topic."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name

    @property
    def name(self):
        """The name in the active language (Chinese unless English is active and given)."""
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name_zh

    def keyword_list(self):
        """The keywords, one per entry, blanks dropped, duplicates kept once, in order."""
        words = self.keywords.replace(",", "\n").replace("，", "\n").replace("、", "\n").splitlines()
        return list(dict.fromkeys(w.strip() for w in words if w.strip()))


class TopicTraining(models.Model):
    """One retraining of the topic rule's learned part: when, by whom, from how many examples.

    The examples are the shipped labelled reviews' training part and the topics handlers chose
    on tickets up to ``trained_at``; the model is refitted from them in each process (a few
    hundred milliseconds), so no copy of customers' words is kept here."""

    trained_at = models.DateTimeField(_("trained at"), default=timezone.now)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trained by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    shipped_examples = models.PositiveIntegerField(_("labelled reviews"), default=0)
    confirmed_examples = models.PositiveIntegerField(_("topics chosen by handlers"), default=0)
    held_out_accuracy = models.FloatField(_("accuracy on the held-out reviews"), null=True, blank=True)

    class Meta:
        ordering = ["-trained_at", "-pk"]
        verbose_name = _("topic model training")
        verbose_name_plural = _("topic model trainings")

    def __str__(self):
        return f"{self.trained_at:%Y-%m-%d %H:%M} ({self.shipped_examples} + {self.confirmed_examples})"
