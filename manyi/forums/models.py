"""Invited-customer forums (特邀客户座谈会; REQUIREMENTS §10, seed 003).

Seed 003, 评估方法 4: "特邀客户座谈会:邀请一些重要客户参加座谈会,集中听取他们的意见和建议,为企业决策提供参考。"

A ``Forum`` is one meeting of one organisation unit: its date, topic, place and host. The
customers invited come from the customer archive (``Invitation``, one a customer), each marked
as come or not once the forum has taken place. Each ``Opinion`` raised (its text, optionally the
invited customer who said it and its topic) can become a feedback ticket and an improvement
action through those apps' own verbs (``tickets.workflow.open_ticket``,
``improvements.workflow.raise_improvement``); the opinion keeps the link to what it became.
The minutes are files checked like ticket attachments (``MinutesFile``), kept in a private
folder and handed out only by a view that checks the user may see the forum.

State changes go through :mod:`manyi.forums.workflow`; who sees what is :mod:`manyi.forums.access`.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from manyi.organisation.models import Unit
from manyi.private_files import PrivateStorage, StoredFile, random_file_name


def minutes_root():
    return getattr(settings, "FORUM_MINUTES_ROOT", None) or settings.MEDIA_ROOT / "private" / "forums"


# The ticket attachments' kind of storage (no URL, handed out by a view), in a folder of its own.
minutes_storage = PrivateStorage(minutes_root, "private/forums")


def _minutes_storage():
    return minutes_storage


def _minutes_upload_to(instance, filename):
    # Named in the migrations, hence kept here; the names are made as for ticket attachments.
    return random_file_name(filename)


class ForumQuerySet(models.QuerySet):
    def held_in(self, year):
        return self.filter(held_on__year=year)


class Forum(models.Model):
    """One invited-customer forum (座谈会) of one unit."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="forums")
    held_on = models.DateField(_("date"))
    title = models.CharField(pgettext_lazy("forum", "topic"), max_length=200)
    place = models.CharField(_("place"), max_length=200)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("host"),
        on_delete=models.PROTECT,
        related_name="hosted_forums",
    )
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ForumQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("customer forum")
        verbose_name_plural = _("customer forums")
        indexes = [models.Index(fields=["unit", "held_on"])]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.title}"

    def get_absolute_url(self):
        return reverse("forums:detail", args=[self.pk])

    def has_taken_place(self, today=None):
        """Attendance, opinions and minutes are recorded from the forum's day on."""
        return self.held_on <= (today or timezone.localdate())


class Invitation(models.Model):
    """A customer invited to a forum and whether they came (None: not recorded yet)."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="invitations")
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="forum_invitations",
    )
    attended = models.BooleanField(_("came"), null=True, blank=True)

    class Meta:
        ordering = ["customer__code", "pk"]
        verbose_name = _("forum invitation")
        verbose_name_plural = _("forum invitations")
        constraints = [
            models.UniqueConstraint(fields=["forum", "customer"], name="forum_invites_a_customer_once")
        ]

    def __str__(self):
        return f"{self.forum} · {self.customer}"


class Opinion(models.Model):
    """An opinion or suggestion raised at the forum, and what it became."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="opinions")
    text = models.TextField(_("opinion"))
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=pgettext_lazy("forum opinion", "said by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="forum_opinions",
    )
    topic = models.ForeignKey(
        "results.Topic",
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="forum_opinions",
    )
    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="forum_opinion",
    )
    improvement = models.OneToOneField(
        "improvements.ImprovementAction",
        verbose_name=_("improvement action"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="forum_opinion",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("forum opinion")
        verbose_name_plural = _("forum opinions")

    def __str__(self):
        return self.text[:60]

    def get_absolute_url(self):
        return reverse("forums:detail", args=[self.forum_id]) + f"#opinion-{self.pk}"

    @property
    def is_followed_up(self):
        return self.ticket_id is not None or self.improvement_id is not None


class MinutesFile(StoredFile):
    """The minutes (会议纪要) as a file, checked like a ticket attachment (its bytes, its size)."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="minutes")
    file = models.FileField(storage=_minutes_storage, upload_to=_minutes_upload_to, max_length=200)

    class Meta(StoredFile.Meta):
        verbose_name = _("minutes file")
        verbose_name_plural = _("minutes files")
