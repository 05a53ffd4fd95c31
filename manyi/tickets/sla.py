"""SLA arithmetic: deadlines in calendar time or in working hours, and the time left.

Pure functions on aware datetimes and a frozen :class:`WorkCalendar`; no Django, no database.

Rules
-----
- Every datetime given must be timezone-aware (a naive one raises ``ValueError``); results are
  aware datetimes in the calendar's zone (``Asia/Shanghai`` by default, ``settings.TIME_ZONE``
  in the app).
- Working hours are given per weekday (Monday = 0) as intervals of minutes after local
  midnight, ``[start, end)`` with ``0 <= start < end <= 1440``: 08:30-12:00 is (510, 720).
- A date in ``holidays`` (法定节假日, e.g. 国庆 1-7 October) has no working hours, whatever its
  weekday. A date in ``workdays`` (调休: a Saturday or Sunday worked to make up for a holiday)
  has ``makeup_hours`` (the app passes the Monday hours). A date cannot be both.
- ``add_working(start, d)`` is the first instant at which the working time in ``[start, t)``
  reaches ``d``: 1 h from Friday 17:00 with hours ending 17:30 is Monday 09:00 (30 min on
  Friday, 30 min on Monday from 08:30); a deadline never falls in the gap after a working
  interval, it ends the interval instead (2 h from 15:30 is 17:30 the same day). Zero → start.
- ``working_time(start, end)`` is the working time in ``[start, end)``, negative when end is
  before start; ``time_left(now, due)`` is positive before the deadline and negative (overdue)
  after it, measured in the same clock as the deadline.
- Intervals are turned into instants with the zone's rules (``datetime.combine`` with the
  zone, fold 0), so a zone with daylight saving time gets the right instants outside the
  switch hour; China has no DST.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"
MINUTES_PER_DAY = 24 * 60
# Looking further than this for working time means the calendar has (almost) none.
MAX_SEARCH_DAYS = 3 * 366

Interval = tuple[int, int]

_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def _check_intervals(intervals: Iterable[Sequence[int]]) -> tuple[Interval, ...]:
    result = tuple(sorted((int(start), int(end)) for start, end in intervals))
    previous_end = -1
    for start, end in result:
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise ValueError(f"Working hours must lie within one day and end after they start: {start}-{end}")
        if start < previous_end:
            raise ValueError("Working hours of one day must not overlap.")
        previous_end = end
    return result


def parse_hours(text: str) -> Interval:
    """ "08:30-12:00" → (510, 720); "24:00" is allowed as an end."""
    match = _HOURS.match(text or "")
    if not match:
        raise ValueError(f"Not a time range like 08:30-12:00: {text!r}")
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
        raise ValueError(f"Not a time of day: {text!r}")
    return _check_intervals([(h1 * 60 + m1, h2 * 60 + m2)])[0]


def format_hours(interval: Interval) -> str:
    start, end = interval
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


@dataclass(frozen=True)
class WorkCalendar:
    """Weekly working hours with holidays and make-up working days (调休)."""

    week: tuple[tuple[Interval, ...], ...]
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    makeup_hours: tuple[Interval, ...] | None = None
    zone: str = DEFAULT_ZONE
    tz: ZoneInfo = field(init=False, repr=False, compare=False)
    # Working time of whole dates, filled as they are asked for: a ticket months overdue adds
    # one length per day, and hashing the whole calendar for each (an lru_cache keyed by it)
    # cost a quarter of a queue page.
    _day_lengths: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        if len(self.week) != 7:
            raise ValueError("Working hours need seven weekdays, Monday first.")
        week = tuple(_check_intervals(day) for day in self.week)
        makeup = _check_intervals(self.makeup_hours if self.makeup_hours is not None else week[0])
        both = set(self.holidays) & set(self.workdays)
        if both:
            raise ValueError(f"A date cannot be both a holiday and a make-up working day: {min(both)}")
        object.__setattr__(self, "week", week)
        object.__setattr__(self, "makeup_hours", makeup)
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "workdays", frozenset(self.workdays))
        object.__setattr__(self, "tz", ZoneInfo(self.zone))

    @classmethod
    def from_text(
        cls,
        week: Mapping[int, Sequence[str]],
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        zone: str = DEFAULT_ZONE,
    ) -> WorkCalendar:
        """From ``{0: ["08:30-12:00", "13:30-17:30"], …}`` (weekday → ranges; missing: day off)."""
        days = tuple(tuple(parse_hours(text) for text in week.get(day, ())) for day in range(7))
        return cls(days, frozenset(holidays), frozenset(workdays), zone=zone)

    def hours_on(self, day: date) -> tuple[Interval, ...]:
        """The working intervals of one local date."""
        if day in self.holidays:
            return ()
        if day in self.workdays:
            return self.makeup_hours
        return self.week[day.weekday()]

    def _instant(self, day: date, minute: int) -> datetime:
        if minute == MINUTES_PER_DAY:
            day, minute = day + timedelta(days=1), 0
        local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.tz)
        # Round trip through UTC so that a wall time in a DST gap becomes a real instant.
        return local.astimezone(UTC).astimezone(self.tz)

    def intervals(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        for start, end in self.hours_on(day):
            yield self._instant(day, start), self._instant(day, end)

    @property
    def has_working_time(self) -> bool:
        return any(self.week) or bool(self.workdays and self.makeup_hours)


# A calendar whose every minute is working time: working-hours arithmetic on it is calendar time.
ALWAYS = WorkCalendar((((0, MINUTES_PER_DAY),),) * 7)


def weekday_calendar(zone: str = DEFAULT_ZONE, holidays=(), workdays=()) -> WorkCalendar:
    """Monday to Friday 08:30-12:00 and 13:30-17:30 (an ordinary Chinese office day)."""
    day = ["08:30-12:00", "13:30-17:30"]
    return WorkCalendar.from_text(dict.fromkeys(range(5), day), holidays, workdays, zone)


def _aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value


def _non_negative(duration: timedelta) -> timedelta:
    if not isinstance(duration, timedelta):
        raise TypeError("duration must be a timedelta")
    if duration < timedelta(0):
        raise ValueError("duration must not be negative")
    return duration


def add_calendar(start: datetime, duration: timedelta, zone: str = DEFAULT_ZONE) -> datetime:
    """``start + duration`` in elapsed (absolute) time, shown in ``zone``."""
    _aware(start, "start")
    _non_negative(duration)
    return (start.astimezone(UTC) + duration).astimezone(ZoneInfo(zone))


def add_working(start: datetime, duration: timedelta, calendar: WorkCalendar) -> datetime:
    """The first instant at which ``duration`` of working time has passed since ``start``."""
    _aware(start, "start")
    left = _non_negative(duration)
    start = start.astimezone(calendar.tz)
    if not left:
        return start
    if not calendar.has_working_time:
        raise ValueError("The calendar has no working hours.")
    day = start.date() - timedelta(days=1)  # the previous day may end after local midnight in DST zones
    for _ in range(MAX_SEARCH_DAYS):
        for begin, end in calendar.intervals(day):
            if end <= start:
                continue
            begin = max(begin, start)
            available = end - begin
            if left <= available:
                return (begin + left).astimezone(calendar.tz)
            left -= available
        day += timedelta(days=1)
    raise ValueError("No working time found within three years; check the calendar.")


def working_time(start: datetime, end: datetime, calendar: WorkCalendar) -> timedelta:
    """Working time in ``[start, end)``; negative (−working time in ``[end, start)``) when end < start."""
    _aware(start, "start")
    _aware(end, "end")
    if end < start:
        return -working_time(end, start, calendar)
    first = start.astimezone(calendar.tz).date()
    last = end.astimezone(calendar.tz).date()

    def overlap(day):
        part = timedelta(0)
        for begin, finish in calendar.intervals(day):
            both = min(finish, end) - max(begin, start)
            if both > timedelta(0):
                part += both
        return part

    if first == last:
        return overlap(first)
    # The first and last dates are cut by start and end; every date between them lies wholly
    # inside and counts whole (its length kept per calendar and date), so months overdue cost
    # one lookup per day.
    total = overlap(first) + overlap(last)
    lengths = calendar._day_lengths
    day = first + timedelta(days=1)
    while day < last:
        length = lengths.get(day)
        if length is None:
            length = lengths[day] = sum(
                (finish - begin for begin, finish in calendar.intervals(day)), timedelta(0)
            )
        total += length
        day += timedelta(days=1)
    return total


def deadline(start: datetime, duration: timedelta, calendar: WorkCalendar | None = None) -> datetime:
    """The due instant: working hours when a calendar is given, else calendar time."""
    if calendar is None:
        return add_calendar(start, duration)
    return add_working(start, duration, calendar)


def time_left(now: datetime, due: datetime, calendar: WorkCalendar | None = None) -> timedelta:
    """Positive: time still left before ``due``; negative: how long it is overdue (same clock)."""
    _aware(now, "now")
    _aware(due, "due")
    if calendar is None:
        return due - now
    return working_time(now, due, calendar)


def is_overdue(now: datetime, due: datetime | None, done_at: datetime | None = None) -> bool:
    """Breached: done after the deadline, or not done and the deadline has passed."""
    if due is None:
        return False
    if done_at is not None:
        return _aware(done_at, "done_at") > _aware(due, "due")
    return _aware(now, "now") > _aware(due, "due")
