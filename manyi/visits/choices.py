"""Vocabularies of return visits (客户回访). The seeds' words in the comments; labels are English msgids."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RuleKind(models.TextChoices):
    AFTER_DELIVERY = "after_delivery", _("Days after delivery")  # 送货满一个月 / 三个月 (seed 003)
    AFTER_PURCHASE = "after_purchase", _("Days after purchase")
    WARRANTY_END = "warranty_end", _("At warranty end")  # 保修期满 (seed 003)
    HALF_YEARLY = "half_yearly", _("Every half year under warranty")  # 保修期内每半年 (seed 000)
    MONTHLY = "monthly", _("Monthly for active customers")  # 例行回访每月至少一次 (seed 000)
    WEEKLY_KEY = "weekly_key", _("Weekly for key accounts")  # 大客户每周至少一次 (seed 000)
    TICKET_CLOSED = "ticket_closed", _("After a ticket is closed")  # 闭单回访 (seed 003)
    # 屋面防水及设备安装工程进行季节性回访 (seed 000, 工程回访): before the rainy or the cold season.
    SEASONAL = "seasonal", _("Seasonal, on given days of the year")


# Kinds that anchor on one purchase and the days counted from it.
PURCHASE_KINDS = (RuleKind.AFTER_DELIVERY, RuleKind.AFTER_PURCHASE, RuleKind.WARRANTY_END)
# Routine visits stop when every warranty has ended, unless the customer asked (seed 000, 工程回访).
ROUTINE_KINDS = (RuleKind.HALF_YEARLY, RuleKind.MONTHLY, RuleKind.WEEKLY_KEY)


class Method(models.TextChoices):
    """回访方式 of 《客户回访计划表》: 电话(首次 / 常规), 现场(核心 / 新顾客 / 老顾客 / 问题处理)."""

    PHONE_FIRST = "phone_first", _("Phone, first visit")
    PHONE_ROUTINE = "phone_routine", _("Phone, routine")
    ON_SITE_KEY = "site_key", _("On site, key customer")
    ON_SITE_NEW = "site_new", _("On site, new customer")
    ON_SITE_OLD = "site_old", _("On site, existing customer")
    ON_SITE_PROBLEM = "site_problem", _("On site, problem handling")


PHONE_METHODS = (Method.PHONE_FIRST, Method.PHONE_ROUTINE)


class Priority(models.IntegerChoices):
    LOW = 1, pgettext_lazy("visit priority", "Low")
    NORMAL = 2, pgettext_lazy("visit priority", "Normal")
    HIGH = 3, pgettext_lazy("visit priority", "High")
    URGENT = 4, pgettext_lazy("visit priority", "Urgent")


class TaskStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("visit status", "To do")
    CALLBACK = "callback", pgettext_lazy("visit status", "Callback agreed")
    DONE = "done", pgettext_lazy("visit status", "Done")
    UNREACHABLE = "unreachable", pgettext_lazy("visit status", "Unreachable")
    REFUSED = "refused", pgettext_lazy("visit status", "Refused")
    CANCELLED = "cancelled", pgettext_lazy("visit status", "Cancelled")


OPEN_STATUSES = (TaskStatus.PENDING, TaskStatus.CALLBACK)


class Outcome(models.TextChoices):
    DONE = "done", pgettext_lazy("visit outcome", "Visit done")
    BUSY = "busy", pgettext_lazy("visit outcome", "Customer busy, callback agreed")
    NO_ANSWER = "no_answer", pgettext_lazy("visit outcome", "Not reached")
    REFUSED = "refused", pgettext_lazy("visit outcome", "Refused")
    # Not a call: the supervisor's cancellation, kept with the attempts (who, when, why).
    CANCELLED = "cancelled", pgettext_lazy("visit outcome", "Cancelled by the supervisor")


class ReviewStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("visit review", "Waiting for review")  # 提交部门主管审批
    APPROVED = "approved", pgettext_lazy("visit review", "Approved")
    RETURNED = "returned", pgettext_lazy("visit review", "Returned to the agent")
