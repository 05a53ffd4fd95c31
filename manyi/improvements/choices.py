"""Vocabularies of improvement actions (改进措施, REQUIREMENTS §8)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("improvement status", "Planned")  # 计划
    IN_PROGRESS = "in_progress", pgettext_lazy("improvement status", "In progress")  # 实施中
    DONE = "done", pgettext_lazy("improvement status", "Done")  # 已完成
    EFFECTIVE = "effective", pgettext_lazy("improvement status", "Verified effective")  # 验证有效
    NOT_EFFECTIVE = "not_effective", pgettext_lazy("improvement status", "Not effective")  # 验证无效
    CLOSED = "closed", pgettext_lazy("improvement status", "Closed")  # 关闭
    CANCELLED = "cancelled", pgettext_lazy("improvement status", "Cancelled")  # 取消


# Still to be carried out: these count as overdue once the deadline has passed.
OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS, Status.NOT_EFFECTIVE)
# The work is done: the customers can be told what changed.
DELIVERED_STATUSES = (Status.DONE, Status.EFFECTIVE, Status.CLOSED)
FINISHED_STATUSES = (Status.DONE, Status.EFFECTIVE, Status.NOT_EFFECTIVE, Status.CLOSED)


class Source(models.TextChoices):
    TICKETS = "tickets", pgettext_lazy("improvement source", "Complaints (tickets)")
    CATEGORY = "category", pgettext_lazy("improvement source", "A complaint category")
    SURVEY_ITEM = "survey_item", pgettext_lazy("improvement source", "A survey item")
    SURVEY_DIMENSION = "survey_dimension", pgettext_lazy("improvement source", "A survey dimension")
    OTHER = "other", pgettext_lazy("improvement source", "Other")


SURVEY_SOURCES = (Source.SURVEY_ITEM, Source.SURVEY_DIMENSION)


class EventKind(models.TextChoices):
    CREATED = "created", pgettext_lazy("improvement event", "Created")
    TRANSITION = "transition", pgettext_lazy("improvement event", "Status changed")
    EDITED = "edited", pgettext_lazy("improvement event", "Edited")
    MEASURED = "measured", pgettext_lazy("improvement event", "Effect measured")
    NOTIFIED = "notified", pgettext_lazy("improvement event", "Customers told")


class NoticeChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
