"""SLA arithmetic: hand-worked examples and a minute-by-minute reference implementation."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from manyi.tickets import sla

SHANGHAI = ZoneInfo("Asia/Shanghai")
MINUTE = timedelta(minutes=1)

# 2026 National Day and Mid-Autumn holiday as announced: 1-7 October off (Thursday to
# Wednesday), Sunday 20 September and Saturday 10 October worked instead (调休).
NATIONAL_DAY = {date(2026, 10, day) for day in range(1, 8)}
MAKEUP_DAYS = {date(2026, 9, 20), date(2026, 10, 10)}


def at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


def hours(h, m=0):
    return timedelta(hours=h, minutes=m)


@pytest.fixture
def office():
    """Monday to Friday 08:30-12:00 and 13:30-17:30, with the 2026 National Day holiday."""
    return sla.weekday_calendar(holidays=NATIONAL_DAY, workdays=MAKEUP_DAYS)


# --------------------------------------------------------------------------- hand-worked


def test_it_counts_the_rest_of_friday_then_monday_morning(office):
    # Friday 25 September 16:00: 1.5 h until 17:30, then 0.5 h from Monday 08:30.
    assert sla.add_working(at(2026, 9, 25, 16), hours(2), office) == at(2026, 9, 28, 9)


def test_it_skips_the_lunch_break(office):
    assert sla.add_working(at(2026, 9, 28, 11), hours(2), office) == at(2026, 9, 28, 14, 30)


def test_a_deadline_that_fills_an_interval_ends_it(office):
    assert sla.add_working(at(2026, 9, 28, 15, 30), hours(2), office) == at(2026, 9, 28, 17, 30)


def test_it_skips_the_national_day_holiday(office):
    # Wednesday 30 September 17:00: 0.5 h, then nothing until Thursday 8 October.
    assert sla.add_working(at(2026, 9, 30, 17), hours(1), office) == at(2026, 10, 8, 9)


def test_it_works_on_a_make_up_saturday(office):
    # Friday 9 October 17:00: 0.5 h, then Saturday 10 October is a working day (调休).
    assert sla.add_working(at(2026, 10, 9, 17), hours(1), office) == at(2026, 10, 10, 9)
    without = sla.weekday_calendar(holidays=NATIONAL_DAY)
    assert sla.add_working(at(2026, 10, 9, 17), hours(1), without) == at(2026, 10, 12, 9)


def test_it_works_on_a_make_up_sunday(office):
    assert sla.add_working(at(2026, 9, 19, 10), hours(1), office) == at(2026, 9, 20, 9, 30)


def test_twenty_four_working_hours_over_the_holiday(office):
    # 30 Sept from 09:00: 3 h + 4 h = 7 h; 8 Oct 7.5 h; 9 Oct 7.5 h; 10 Oct (调休) the last 2 h.
    assert sla.add_working(at(2026, 9, 30, 9), hours(24), office) == at(2026, 10, 10, 10, 30)


def test_a_start_outside_working_hours_waits_for_the_next_interval(office):
    assert sla.add_working(at(2026, 9, 26, 22), hours(1), office) == at(2026, 9, 28, 9, 30)
    assert sla.add_working(at(2026, 9, 28, 12, 15), hours(1), office) == at(2026, 9, 28, 14, 30)


def test_zero_duration_is_the_start_itself(office):
    assert sla.add_working(at(2026, 9, 26, 22), timedelta(0), office) == at(2026, 9, 26, 22)


def test_calendar_time_ignores_working_hours():
    assert sla.deadline(at(2026, 9, 30, 17), hours(1)) == at(2026, 9, 30, 18)
    assert sla.deadline(at(2026, 9, 30, 17), timedelta(days=7)) == at(2026, 10, 7, 17)


def test_results_are_in_the_calendar_zone(office):
    start = datetime(2026, 9, 28, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    due = sla.add_working(start, hours(1), office)
    assert due == at(2026, 9, 28, 10)
    assert due.utcoffset() == timedelta(hours=8)


def test_working_time_between_two_instants(office):
    assert sla.working_time(at(2026, 9, 25, 16), at(2026, 9, 28, 9), office) == hours(2)
    assert sla.working_time(at(2026, 9, 28, 9), at(2026, 9, 25, 16), office) == -hours(2)
    assert sla.working_time(at(2026, 10, 1, 9), at(2026, 10, 7, 18), office) == timedelta(0)


def test_time_left_before_and_after_the_deadline(office):
    due = at(2026, 9, 28, 9)
    assert sla.time_left(at(2026, 9, 25, 17), due, office) == hours(1)
    assert sla.time_left(at(2026, 9, 25, 17), due) == hours(64)
    assert sla.time_left(at(2026, 9, 28, 10), due, office) == -hours(1)
    assert sla.time_left(at(2026, 9, 28, 12, 30), due, office) == -hours(3)


def test_overdue_means_done_late_or_not_done_in_time():
    due = at(2026, 9, 28, 9)
    assert not sla.is_overdue(at(2026, 9, 28, 9), due)
    assert sla.is_overdue(at(2026, 9, 28, 9, 1), due)
    assert not sla.is_overdue(at(2026, 9, 29), due, done_at=at(2026, 9, 28, 8))
    assert sla.is_overdue(at(2026, 9, 27), due, done_at=at(2026, 9, 28, 9, 1))
    assert not sla.is_overdue(at(2026, 9, 29), None)


def test_it_rejects_naive_datetimes_and_negative_durations(office):
    with pytest.raises(ValueError):
        sla.add_working(datetime(2026, 9, 28, 9), hours(1), office)
    with pytest.raises(ValueError):
        sla.add_calendar(datetime(2026, 9, 28, 9), hours(1))
    with pytest.raises(ValueError):
        sla.add_working(at(2026, 9, 28, 9), -hours(1), office)
    with pytest.raises(ValueError):
        sla.time_left(datetime(2026, 9, 28, 9), at(2026, 9, 28, 9), office)


def test_a_calendar_without_working_hours_is_refused():
    empty = sla.WorkCalendar(((),) * 7)
    with pytest.raises(ValueError):
        sla.add_working(at(2026, 9, 28, 9), hours(1), empty)


@pytest.mark.parametrize(
    "text", ["", "8-12", "08:30-08:30", "12:00-08:30", "25:00-26:00", "08:61-09:00", "23:00-24:30"]
)
def test_bad_hours_are_refused(text):
    with pytest.raises(ValueError):
        sla.parse_hours(text)


def test_hours_parse_and_format():
    assert sla.parse_hours("08:30-12:00") == (510, 720)
    assert sla.parse_hours("22:00-24:00") == (1320, 1440)
    assert sla.format_hours((510, 720)) == "08:30-12:00"


def test_overlapping_hours_and_a_holiday_that_is_also_a_working_day_are_refused():
    with pytest.raises(ValueError):
        sla.WorkCalendar.from_text({0: ["08:00-12:00", "11:00-13:00"]})
    with pytest.raises(ValueError):
        sla.WorkCalendar.from_text(
            {0: ["08:00-12:00"]}, holidays=[date(2026, 10, 10)], workdays=[date(2026, 10, 10)]
        )


# --------------------------------------------------------------------------- reference


def reference_is_working(instant, week, holidays, workdays, tz):
    """The minute starting at ``instant`` is working time: the rule written out the slow way."""
    local = instant.astimezone(tz)
    day = local.date()
    if day in holidays:
        intervals = ()
    elif day in workdays:
        intervals = week[0]  # a make-up day keeps the Monday hours
    else:
        intervals = week[day.weekday()]
    minute = local.hour * 60 + local.minute
    return any(start <= minute < end for start, end in intervals)


def reference_add(start, minutes, week, holidays, workdays, tz):
    instant, worked = start, 0
    while worked < minutes:
        if reference_is_working(instant, week, holidays, workdays, tz):
            worked += 1
        instant += MINUTE
    return instant


def reference_between(start, end, week, holidays, workdays, tz):
    worked, instant = 0, start
    while instant < end:
        worked += reference_is_working(instant, week, holidays, workdays, tz)
        instant += MINUTE
    return timedelta(minutes=worked)


BASE = datetime(2026, 9, 24, tzinfo=UTC)


@st.composite
def day_hours(draw):
    count = draw(st.sampled_from([0, 2, 2, 4]))
    points = sorted(draw(st.sets(st.integers(0, 144).map(lambda n: n * 10), min_size=count, max_size=count)))
    return tuple((points[i], points[i + 1]) for i in range(0, count, 2))


@st.composite
def calendars(draw):
    week = tuple(draw(day_hours()) for _ in range(7))
    assume(any(week))
    days = draw(st.sets(st.integers(0, 24), max_size=10))
    split = draw(st.integers(0, len(days)))
    ordered = sorted(days)
    holidays = frozenset(BASE.date() + timedelta(days=n) for n in ordered[:split])
    workdays = frozenset(BASE.date() + timedelta(days=n) for n in ordered[split:])
    zone = draw(st.sampled_from(["Asia/Shanghai", "UTC", "Asia/Kolkata"]))
    return week, holidays, workdays, zone


def weekly_minutes(week):
    return sum(end - start for day in week for start, end in day)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    calendar=calendars(),
    offset=st.integers(0, 14 * 24 * 60),
    minutes=st.integers(0, 3000),
)
def test_add_working_agrees_with_the_minute_by_minute_reference(calendar, offset, minutes):
    week, holidays, workdays, zone = calendar
    assume(minutes <= 2 * weekly_minutes(week))
    tz = ZoneInfo(zone)
    start = BASE + timedelta(minutes=offset)
    work = sla.WorkCalendar(week, holidays, workdays, zone=zone)
    due = sla.add_working(start, timedelta(minutes=minutes), work)
    assert due == reference_add(start, minutes, week, holidays, workdays, tz)
    assert sla.working_time(start, due, work) == timedelta(minutes=minutes)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    calendar=calendars(),
    first=st.integers(0, 14 * 24 * 60),
    second=st.integers(0, 14 * 24 * 60),
)
def test_working_time_agrees_with_the_reference(calendar, first, second):
    week, holidays, workdays, zone = calendar
    work = sla.WorkCalendar(week, holidays, workdays, zone=zone)
    start, end = BASE + timedelta(minutes=first), BASE + timedelta(minutes=second)
    expected = reference_between(min(start, end), max(start, end), week, holidays, workdays, ZoneInfo(zone))
    assert sla.working_time(start, end, work) == (expected if start <= end else -expected)
    assert sla.time_left(start, end, work) == sla.working_time(start, end, work)


@settings(max_examples=100, deadline=None)
@given(
    offset=st.integers(0, 10**7),
    seconds=st.integers(0, 10**8),
)
def test_calendar_deadline_is_elapsed_time(offset, seconds):
    start = BASE + timedelta(seconds=offset)
    due = sla.deadline(start, timedelta(seconds=seconds))
    assert (due - start).total_seconds() == seconds
    assert sla.time_left(start, due) == timedelta(seconds=seconds)
