"""Vocabularies of tickets. Chinese terms of the seeds in the comments; labels are English msgids."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketState(models.TextChoices):
    NEW = "new", _("New")  # 接收
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")  # 受理
    ASSIGNED = "assigned", _("Assigned")  # 分派责任部门
    INVESTIGATING = "investigating", _("Investigating")  # 原因分析
    ACTION = "action", _("Corrective action")  # 纠正预防措施
    REPLIED = "replied", _("Replied")  # 答复客户
    VERIFIED = "verified", _("Verified")  # 跟踪验证
    CLOSED = "closed", _("Closed")  # 闭单
    INVALID = "invalid", _("Closed as invalid")  # 投诉不成立 / 非正常投诉
    DUPLICATE = "duplicate", _("Closed as duplicate")


OPEN_STATES = (
    TicketState.NEW,
    TicketState.ACKNOWLEDGED,
    TicketState.ASSIGNED,
    TicketState.INVESTIGATING,
    TicketState.ACTION,
    TicketState.REPLIED,
    TicketState.VERIFIED,
)
CLOSED_STATES = (TicketState.CLOSED, TicketState.INVALID, TicketState.DUPLICATE)


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")  # 电话
    ON_SITE = "on_site", _("On site")  # 来人 / 现场
    WECHAT = "wechat", _("WeChat / app")  # 微信平台 / APP
    SOCIAL = "social", _("Social media")  # 网络平台
    EMAIL = "email", _("E-mail")  # 电子邮件
    WEB = "web", _("Web form")  # 在线
    SURVEY = "survey", _("Survey answer")  # 满意度调查的负面评价 (seed 004)
    API = "api", _("API")


class Severity(models.TextChoices):
    """Seed 002 (顾客投诉的分类), mildest first."""

    GENERAL = (
        "general",
        _("General"),
    )  # 一般: no quality problem; remarks and suggestions (产品太甜、价格太贵)
    MINOR = "minor", _("Minor")  # 次要: slight quality problem, harms nobody (开裂、数量不足、漏气)
    MAJOR = "major", _("Major")  # 主要: quality problem that can harm the consumer (异物、发霉)
    SPECIAL = "special", _("Special")  # 特殊: no quality problem, complaint for gain (恶性投诉)
    SERIOUS = "serious", _("Serious")  # 严重: serious consequences or harm to the customer


class Validity(models.TextChoices):
    """Seed 002 (投诉判定): blank until someone has judged it."""

    VALID = "valid", _("Valid")  # 投诉成立 / 正常投诉
    INVALID = "invalid", _("Not valid")  # 投诉不成立 (保存不当、个人体质 …)
    ABNORMAL = "abnormal", _("Abnormal claim")  # 非正常投诉: claims beyond the rules or the law


class Demand(models.TextChoices):
    """What the customer asks for (客户诉求, seed 002: 派人到现场、补货、换货、退货、索赔)."""

    REPAIR = "repair", _("Repair")  # 维修
    REPLACEMENT = "replacement", _("Replacement")  # 补货 / 换货
    RETURN = "return", _("Return")  # 退货
    COMPENSATION = "compensation", _("Compensation")  # 索赔 / 赔偿
    ON_SITE_VISIT = "on_site_visit", _("On-site visit")  # 派人到现场
    EXPLANATION = "explanation", _("Explanation")  # 解释说明


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


# The priority a new ticket starts with; an escalation raises it.
SEVERITY_PRIORITY = {
    Severity.GENERAL: Priority.NORMAL,
    Severity.MINOR: Priority.NORMAL,
    Severity.MAJOR: Priority.HIGH,
    Severity.SPECIAL: Priority.NORMAL,
    Severity.SERIOUS: Priority.URGENT,
}


class EventKind(models.TextChoices):
    TRANSITION = "transition", _("State change")
    CHANGE = "change", _("Change")
    ACTION = "action", _("Corrective action")
    ESCALATION = "escalation", _("Escalation")


class ActionKind(models.TextChoices):
    CORRECTIVE = "corrective", _("Corrective")  # 纠正措施
    PREVENTIVE = "preventive", _("Preventive")  # 预防措施


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    VERIFIED = "verified", _("Verified effective")
    INEFFECTIVE = "ineffective", _("Not effective")
    CANCELLED = "cancelled", _("Cancelled")


# Actions still to be carried out or checked: a ticket with one of these cannot be verified.
PENDING_ACTION_STATUSES = (ActionStatus.PLANNED, ActionStatus.DONE, ActionStatus.INEFFECTIVE)


class Clock(models.TextChoices):
    CALENDAR = "calendar", _("Calendar time")  # 自然时间
    WORKING = "working", _("Working hours")  # 工作时间
