"""The planner's date arithmetic, without the database."""

from datetime import date

from manyi.visits.planner import (
    add_months,
    half_yearly_dates,
    month_starts,
    monthly_date,
    routine_allowed,
    week_starts,
    weekly_date,
)


def test_adding_months_keeps_the_day_or_takes_the_months_last_day():
    assert add_months(date(2026, 1, 15), 1) == date(2026, 2, 15)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)  # leap year
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 12, 1), 1) == date(2027, 1, 1)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)


def test_half_yearly_visits_fall_every_six_months_while_under_warranty():
    delivered, warranty_end = date(2025, 3, 10), date(2027, 3, 10)
    assert half_yearly_dates(delivered, warranty_end) == [
        (1, date(2025, 9, 10)),
        (2, date(2026, 3, 10)),
        (3, date(2026, 9, 10)),
        (4, date(2027, 3, 10)),  # the last one on the warranty's last day
    ]
    assert half_yearly_dates(delivered, date(2025, 9, 9)) == []
    # Within a window: the same visits, counted from the first (the planner's short cut).
    assert half_yearly_dates(delivered, warranty_end, date(2026, 3, 10), date(2026, 9, 9)) == [
        (2, date(2026, 3, 10))
    ]
    every = half_yearly_dates(date(2025, 8, 31), date(2031, 1, 1))
    for since in (
        date(2025, 1, 1),
        date(2026, 2, 28),
        date(2026, 3, 1),
        date(2028, 8, 31),
        date(2030, 12, 1),
    ):
        until = add_months(since, 7)
        assert half_yearly_dates(date(2025, 8, 31), date(2031, 1, 1), since, until) == [
            (n, due) for n, due in every if since <= due <= until
        ]


def test_months_and_weeks_overlapping_a_window():
    assert list(month_starts(date(2026, 11, 20), date(2026, 12, 2))) == [date(2026, 11, 1), date(2026, 12, 1)]
    # 2026-11-23 is a Monday.
    assert list(week_starts(date(2026, 11, 25), date(2026, 12, 1))) == [
        date(2026, 11, 23),
        date(2026, 11, 30),
    ]


def test_routine_visits_are_spread_over_the_month_and_the_working_week():
    month = date(2026, 11, 1)
    days = {monthly_date(pk, month) for pk in range(1, 200)}
    assert min(days) == date(2026, 11, 1) and max(days) == date(2026, 11, 28)
    monday = date(2026, 11, 23)
    assert {weekly_date(pk, monday).weekday() for pk in range(1, 50)} == {0, 1, 2, 3, 4}
    assert monthly_date(29, month) == date(2026, 11, 2)  # 29 % 28 = 1 day after the 1st


def test_no_routine_visits_after_the_warranty_unless_asked():
    today = date(2026, 11, 23)
    assert routine_allowed(None, False, today)  # no warranty known
    assert routine_allowed(date(2026, 11, 23), False, today)  # last day under warranty
    assert not routine_allowed(date(2026, 11, 22), False, today)
    assert routine_allowed(date(2026, 11, 22), True, today)
