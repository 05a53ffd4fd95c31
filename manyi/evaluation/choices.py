"""The fixed vocabularies of the evaluation (考评, seed 003: 年度满意度管理考评方案)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class IndicatorKind(models.TextChoices):
    """What an indicator measures: every one is computed from data already in Manyi."""

    SURVEY_INDEX = "survey_index", _("Satisfaction index")  # 客户满意度综合指数
    SATISFIED_RATE = "satisfied_rate", _("Satisfied rate")  # 满意率
    COMPLAINT_RATE = "complaint_rate", _("Complaint rate")  # 客户投诉率
    SLA_COMPLIANCE = "sla_compliance", _("SLA compliance")  # 及时率
    CALLBACK_SATISFACTION = "callback_satisfaction", _("Callback satisfaction")  # 回访满意度
    INSPECTION_SCORE = "inspection_score", _("Site inspection score")  # 项目品质巡检
    MYSTERY_VISIT_SCORE = "mystery_visit_score", _("Mystery-visit score")  # 神秘客户暗访
    RESPONSE_RATE = "response_rate", _("Response rate")  # 回收率


# Indicators read from chosen survey campaigns.
CAMPAIGN_KINDS = {IndicatorKind.SURVEY_INDEX, IndicatorKind.SATISFIED_RATE, IndicatorKind.RESPONSE_RATE}


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


# The usual direction of each kind (the editor's default).
DEFAULT_DIRECTION = dict.fromkeys(IndicatorKind, Direction.HIGHER) | {
    IndicatorKind.COMPLAINT_RATE: Direction.LOWER
}


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("evaluation scheme", "Draft")
    PUBLISHED = "published", pgettext_lazy("evaluation scheme", "Published")
    # A published version replaced by its corrected version (kept, with its results).
    SUPERSEDED = "superseded", pgettext_lazy("evaluation scheme", "Superseded")


class RewardKind(models.TextChoices):
    """Seed 003 (奖惩措施): 表彰, 奖金, 荣誉称号; 通报批评, 降职."""

    COMMENDATION = "commendation", _("Commendation")  # 表彰
    BONUS = "bonus", _("Bonus")  # 奖金
    TITLE = "title", _("Honorary title")  # 荣誉称号
    CRITICISM = "criticism", _("Circulated criticism")  # 通报批评
    DEMOTION = "demotion", _("Demotion")  # 降职
    OTHER = "other", pgettext_lazy("reward or penalty", "Other")


PENALTIES = {RewardKind.CRITICISM, RewardKind.DEMOTION}


# What an employee's own result holds: the indicators with a person behind them — the survey
# answers and tickets of the customers they manage (客户经理), the tickets assigned to them, the
# return visits they made. Inspections score a site, not a person.
EMPLOYEE_KINDS = {
    IndicatorKind.SURVEY_INDEX,
    IndicatorKind.SATISFIED_RATE,
    IndicatorKind.RESPONSE_RATE,
    IndicatorKind.COMPLAINT_RATE,
    IndicatorKind.SLA_COMPLIANCE,
    IndicatorKind.CALLBACK_SATISFACTION,
}
