"""Waves of a repeated survey: the next wave's name and dates (plain functions, no queries).

REQUIREMENTS §3: "Waves: the same survey repeated (monthly, quarterly, yearly) to track change."
The seeds name the rhythms: "营销部每年进行一次顾客满意度问卷调查" and "每年第四季度,营销策划部发送
《客户满意度调查表》" (seed 003), "建议至少每季度进行一次调查" (seed 003), "按项目的实施时间每半年一次
向用户发放服务满意度调查表" (seed 003), "供销科每月对《销售统计表》上得分进行统计" (seed 000). Waves are
named by their period, as the campaign form suggests ("2026年第四季度").
"""

import calendar
import re
from datetime import date, datetime

from django.utils import timezone

from .choices import Recurrence

# Months from one wave to the next.
STEP_MONTHS = {
    Recurrence.MONTHLY: 1,
    Recurrence.QUARTERLY: 3,
    Recurrence.HALF_YEARLY: 6,
    Recurrence.YEARLY: 12,
}

QUARTERS = "一二三四"
HALVES = ("上半年", "下半年")

_QUARTER = re.compile(r"(\d{4})\s*年\s*第?\s*([一二三四1-4])\s*季度")
_HALF = re.compile(r"(\d{4})\s*年\s*(上半年|下半年)")
_MONTH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")
_YEAR = re.compile(r"(\d{4})\s*(年度|年)")
_YEAR_SPAN = re.compile(r"\d{4}\s*年")


def _local(moment):
    """An aware datetime in the site's time zone (TIME_ZONE, Asia/Shanghai): the database gives
    them back in UTC, where the 1st of a month at local midnight is still the day before."""
    if isinstance(moment, datetime) and timezone.is_aware(moment):
        return timezone.localtime(moment)
    return moment


def add_months(moment, months):
    """The same day and time `months` later by the local calendar; the 31st becomes the
    month's last day."""
    if moment is None:
        return None
    moment = _local(moment)
    total = moment.month - 1 + months
    year, month = moment.year + total // 12, total % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def shift_day(day, months):
    """A target rule's date (YYYY-MM-DD) `months` later, a month's last day staying the last
    day ("2026-03-31" + 3 → "2026-06-30", "2026-06-30" + 3 → "2026-09-30"); other text as it was."""
    try:
        moment = date.fromisoformat(day)
    except (TypeError, ValueError):
        return day
    moved = add_months(moment, months)
    if moment.day == calendar.monthrange(moment.year, moment.month)[1]:
        moved = moved.replace(day=calendar.monthrange(moved.year, moved.month)[1])
    return moved.isoformat()


def wave_period(wave):
    """(kind, year, number) of a wave named by its period, or None for another name.

    kind is "quarter" (number 1-4), "half" (1-2), "month" (1-12) or "year" (number 0):
    "2026年第四季度" → ("quarter", 2026, 4); "2026年上半年" → ("half", 2026, 1);
    "2026年3月" → ("month", 2026, 3); "2026年" or "2026年度" → ("year", 2026, 0).
    """
    wave = wave or ""
    if found := _QUARTER.search(wave):
        quarter = found.group(2)
        number = QUARTERS.index(quarter) + 1 if quarter in QUARTERS else int(quarter)
        return "quarter", int(found.group(1)), number
    if found := _HALF.search(wave):
        return "half", int(found.group(1)), HALVES.index(found.group(2)) + 1
    if found := _MONTH.search(wave):
        month = int(found.group(2))
        return ("month", int(found.group(1)), month) if 1 <= month <= 12 else None
    if found := _YEAR.search(wave):
        return "year", int(found.group(1)), 0
    return None


PERIOD_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


def period_label(kind, year, number):
    if kind == "quarter":
        return f"{year}年第{QUARTERS[number - 1]}季度"
    if kind == "half":
        return f"{year}年{HALVES[number - 1]}"
    if kind == "month":
        return f"{year}年{number}月"
    return f"{year}年"


def _period_of(kind, moment):
    """The period of `kind` that contains the date `moment`."""
    if kind == "quarter":
        return kind, moment.year, (moment.month - 1) // 3 + 1
    if kind == "half":
        return kind, moment.year, 1 if moment.month <= 6 else 2
    if kind == "month":
        return kind, moment.year, moment.month
    return "year", moment.year, 0


KIND_OF_STEP = {1: "month", 3: "quarter", 6: "half", 12: "year"}


def step_months(recurrence, wave):
    """Months between this wave and the next: the recurrence's, else the period the wave is
    named by ("2026年第四季度": 3), else None (no rhythm known)."""
    if recurrence in STEP_MONTHS:
        return STEP_MONTHS[recurrence]
    period = wave_period(wave)
    return PERIOD_MONTHS[period[0]] if period else None


def next_wave_label(wave, months, start=None):
    """The suggested name of the wave `months` after `wave`.

    A wave named by its period moves on by `months` ("2026年第四季度" + 3 → "2027年第一季度";
    "2026年" + 12 → "2027年"; the rest of the name is kept: "2026年度调查" → "2027年度调查").
    Otherwise the period of the recurrence that holds `start` (the next wave's invitation
    date) names it; "" when neither is known.
    """
    period = wave_period(wave)
    if period and months:
        kind, year, number = period
        first_month = {"quarter": (number - 1) * 3 + 1, "half": (number - 1) * 6 + 1, "month": number}.get(
            kind, 1
        )
        moved = add_months(date(year, first_month, 1), months)
        new = period_label(*_period_of(kind, moved))
        old = _span(wave, kind)
        return wave.replace(old, new, 1) if old else new
    if months in KIND_OF_STEP and start is not None:
        moment = _local(start).date() if isinstance(start, datetime) else start
        return period_label(*_period_of(KIND_OF_STEP[months], moment))
    return ""


def _span(wave, kind):
    pattern = {"quarter": _QUARTER, "half": _HALF, "month": _MONTH}.get(kind)
    found = (pattern or _YEAR_SPAN).search(wave)
    return found.group(0) if found else ""
