"""Vocabularies of tickets. Chinese terms of the seeds in the comments; labels are English msgids."""

from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TicketState(models.TextChoices):
    NEW = "new", pgettext_lazy("ticket state", "New")  # 接收
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("ticket state", "Acknowledged")  # 受理
    ASSIGNED = "assigned", pgettext_lazy("ticket state", "Assigned")  # 分派责任部门
    INVESTIGATING = "investigating", pgettext_lazy("ticket state", "Investigating")  # 原因分析
    ACTION = "action", pgettext_lazy("ticket state", "Corrective action")  # 纠正预防措施
    REPLIED = "replied", pgettext_lazy("ticket state", "Replied")  # 答复客户
    VERIFIED = "verified", pgettext_lazy("ticket state", "Verified")  # 跟踪验证
    CLOSED = "closed", pgettext_lazy("ticket state", "Closed")  # 闭单
    INVALID = "invalid", pgettext_lazy("ticket state", "Closed as invalid")  # 投诉不成立 / 非正常投诉
    DUPLICATE = "duplicate", pgettext_lazy("ticket state", "Closed as duplicate")


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
    PHONE = "phone", pgettext_lazy("ticket channel", "Phone")  # 电话
    ON_SITE = "on_site", pgettext_lazy("ticket channel", "On site")  # 来人 / 现场
    WECHAT = "wechat", pgettext_lazy("ticket channel", "WeChat / app")  # 微信平台 / APP
    SOCIAL = "social", pgettext_lazy("ticket channel", "Social media")  # 网络平台
    EMAIL = "email", pgettext_lazy("ticket channel", "E-mail")  # 电子邮件
    WEB = "web", pgettext_lazy("ticket channel", "Web form")  # 在线
    SURVEY = "survey", pgettext_lazy("ticket channel", "Survey answer")  # 满意度调查的负面评价 (seed 004)
    API = "api", pgettext_lazy("ticket channel", "API")


class Severity(models.TextChoices):
    """Seed 002 (顾客投诉的分类), mildest first."""

    GENERAL = (
        "general",
        pgettext_lazy("complaint severity", "General"),
    )  # 一般: no quality problem; remarks and suggestions (产品太甜、价格太贵)
    MINOR = (
        "minor",
        pgettext_lazy("complaint severity", "Minor"),
    )  # 次要: slight quality problem, harms nobody (开裂、数量不足、漏气)
    MAJOR = (
        "major",
        pgettext_lazy("complaint severity", "Major"),
    )  # 主要: quality problem that can harm the consumer (异物、发霉)
    SPECIAL = (
        "special",
        pgettext_lazy("complaint severity", "Special"),
    )  # 特殊: no quality problem, complaint for gain (恶性投诉)
    SERIOUS = (
        "serious",
        pgettext_lazy("complaint severity", "Serious"),
    )  # 严重: serious consequences or harm to the customer


class Validity(models.TextChoices):
    """Seed 002 (投诉判定): blank until someone has judged it."""

    VALID = "valid", pgettext_lazy("complaint validity", "Valid")  # 投诉成立 / 正常投诉
    INVALID = "invalid", pgettext_lazy("complaint validity", "Not valid")  # 投诉不成立 (保存不当、个人体质 …)
    ABNORMAL = (
        "abnormal",
        pgettext_lazy("complaint validity", "Abnormal claim"),
    )  # 非正常投诉: claims beyond the rules or the law


class Demand(models.TextChoices):
    """What the customer asks for (客户诉求, seed 002: 派人到现场、补货、换货、退货、索赔)."""

    REPAIR = "repair", pgettext_lazy("customer demand", "Repair")  # 维修
    REPLACEMENT = "replacement", pgettext_lazy("customer demand", "Replacement")  # 补货 / 换货
    RETURN = "return", pgettext_lazy("customer demand", "Return")  # 退货
    COMPENSATION = "compensation", pgettext_lazy("customer demand", "Compensation")  # 索赔 / 赔偿
    ON_SITE_VISIT = "on_site_visit", pgettext_lazy("customer demand", "On-site visit")  # 派人到现场
    EXPLANATION = "explanation", pgettext_lazy("customer demand", "Explanation")  # 解释说明


class CustomerMatch(models.TextChoices):
    """How the ticket's customer was found. Blank: chosen by the staff (or no customer)."""

    # The public form's phone or e-mail is the customer's or a contact's in the archive.
    CONTACT = "contact", pgettext_lazy("customer match", "Phone or e-mail matches the archive")
    # Only the code or company name typed on the public form matched: anyone can type those, so
    # the staff confirm who it is before replying (workflow.refusal refuses the reply until then).
    TYPED = "typed", pgettext_lazy("customer match", "Only the code or name typed; not confirmed")
    CONFIRMED = "confirmed", pgettext_lazy("customer match", "Confirmed by the staff")


class Priority(models.IntegerChoices):
    LOW = 1, pgettext_lazy("ticket priority", "Low")
    NORMAL = 2, pgettext_lazy("ticket priority", "Normal")
    HIGH = 3, pgettext_lazy("ticket priority", "High")
    URGENT = 4, pgettext_lazy("ticket priority", "Urgent")


# The priority a new ticket starts with; an escalation raises it.
SEVERITY_PRIORITY = {
    Severity.GENERAL: Priority.NORMAL,
    Severity.MINOR: Priority.NORMAL,
    Severity.MAJOR: Priority.HIGH,
    Severity.SPECIAL: Priority.NORMAL,
    Severity.SERIOUS: Priority.URGENT,
}


class EventKind(models.TextChoices):
    TRANSITION = "transition", pgettext_lazy("ticket event", "State change")
    CHANGE = "change", pgettext_lazy("ticket event", "Change")
    ACTION = "action", pgettext_lazy("ticket event", "Corrective action")
    ESCALATION = "escalation", pgettext_lazy("ticket event", "Escalation")
    CALLBACK = "callback", pgettext_lazy("ticket event", "Satisfaction callback")
    MESSAGE = "message", pgettext_lazy("ticket event", "Customer message")  # e-mail, API
    NOTE = "note", pgettext_lazy("ticket event", "Internal note")  # staff only, no state change


class ActionKind(models.TextChoices):
    CORRECTIVE = "corrective", pgettext_lazy("corrective action kind", "Corrective")  # 纠正措施
    PREVENTIVE = "preventive", pgettext_lazy("corrective action kind", "Preventive")  # 预防措施


class ActionStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("corrective action status", "Planned")
    DONE = "done", pgettext_lazy("corrective action status", "Done")
    VERIFIED = "verified", pgettext_lazy("corrective action status", "Verified effective")
    INEFFECTIVE = "ineffective", pgettext_lazy("corrective action status", "Not effective")
    CANCELLED = "cancelled", pgettext_lazy("corrective action status", "Cancelled")


# Actions the owner still has to carry out (not effective: back to the owner).
OPEN_ACTION_STATUSES = (ActionStatus.PLANNED, ActionStatus.INEFFECTIVE)
# Actions still to be carried out or checked: a ticket with one of these cannot be verified.
PENDING_ACTION_STATUSES = (*OPEN_ACTION_STATUSES, ActionStatus.DONE)


class Clock(models.TextChoices):
    CALENDAR = "calendar", _("Calendar time")  # 自然时间
    WORKING = "working", _("Working hours")  # 工作时间


class ReplyMethod(models.TextChoices):
    """How the reply reached the customer (答复方式)."""

    EMAIL = "email", pgettext_lazy("reply method", "By e-mail")
    PHONE = "phone", pgettext_lazy("reply method", "By phone")


class CallbackStatus(models.TextChoices):
    """The satisfaction callback after closing (闭单回访)."""

    NONE = "", pgettext_lazy("callback status", "None")
    DUE = "due", pgettext_lazy("callback status", "To be sent")
    SENT = "sent", pgettext_lazy("callback status", "Sent, waiting for the answer")
    PHONE = "phone", pgettext_lazy("callback status", "To be made by phone")
    ANSWERED = "answered", pgettext_lazy("callback status", "Answered")


class CallbackRating(models.IntegerChoices):
    """The one question of the callback, best first as the customer reads it."""

    VERY_SATISFIED = 5, pgettext_lazy("callback rating", "Very satisfied")  # 非常满意
    SATISFIED = 4, pgettext_lazy("callback rating", "Satisfied")  # 满意
    NEUTRAL = 3, pgettext_lazy("callback rating", "Neither satisfied nor dissatisfied")  # 一般
    DISSATISFIED = 2, pgettext_lazy("callback rating", "Dissatisfied")  # 不满意
    VERY_DISSATISFIED = 1, pgettext_lazy("callback rating", "Very dissatisfied")  # 非常不满意


# Ratings counted as satisfied in the statistics.
SATISFIED_RATINGS = (CallbackRating.VERY_SATISFIED, CallbackRating.SATISFIED)


class Deadline(NamedTuple):
    """One SLA deadline of a ticket and the Ticket fields that hold it."""

    name: str
    label: str  # a heading ("First response")
    noun: str  # inside a sentence ("first response")
    due: str  # when it falls due
    done: str  # when the step it guards was done
    breached: str  # when the sweep recorded it as missed


# The SLA deadlines in the order of a ticket's life (REQUIREMENTS §5).
DEADLINES = (
    Deadline(
        "response",
        _("First response"),
        _("first response"),
        "response_due",
        "first_response_at",
        "response_breached_at",
    ),
    # Seed 002: 接到客户反馈后半个工作日内通过电子邮件分别发送给质量部、技术部等相关部门 —
    # met when the ticket is handed to a responsible department (分派), not when acknowledged.
    Deadline(
        "forwarding",
        _("Forwarding to the department"),
        _("forwarding to the department"),
        "forwarding_due",
        "forwarded_at",
        "forwarding_breached_at",
    ),
    Deadline(
        "solution",
        _("First solution"),
        _("first solution"),
        "solution_due",
        "first_solution_at",
        "solution_breached_at",
    ),
    Deadline(
        "resolution",
        _("Resolution"),
        _("resolution"),
        "resolution_due",
        "resolved_at",
        "resolution_breached_at",
    ),
)
DEADLINE_LABELS = {deadline.name: deadline.label for deadline in DEADLINES}
DEADLINE_NOUNS = {deadline.name: deadline.noun for deadline in DEADLINES}
