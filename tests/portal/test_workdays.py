"""Working-day and calendar arithmetic for the statutory clocks.

Every bank holiday named here was checked against the England-and-Wales data shipped in
govuk-bank-holidays 0.19 (``BankHolidays(use_cached_holidays=True)``), including the substitute days:
2022 Boxing Day Mon 26 Dec, Christmas Day (substitute) Tue 27 Dec; 2026 Christmas Day Fri 25 Dec,
Boxing Day (substitute) Mon 28 Dec; New Year's Day Fri 1 Jan 2027; Easter 2026 Good Friday 3 Apr and
Easter Monday 6 Apr.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scr_portal import workdays
from scr_portal.workdays import (
    Clock,
    add_months,
    add_working_days,
    bank_holidays_cover,
    clock,
    is_working_day,
    working_days_between,
)

dates_2020_2028 = st.dates(min_value=date(2020, 1, 1), max_value=date(2028, 12, 31))
working_dates = dates_2020_2028.filter(is_working_day)


class TestBankHolidayData:
    def test_loaded_once_as_a_frozenset_of_dates(self):
        holidays = workdays._holidays()
        assert isinstance(holidays, frozenset)
        assert all(type(d) is date for d in holidays)
        assert workdays._holidays() is holidays

    @pytest.mark.parametrize(
        "d",
        [
            date(2022, 12, 26),  # Boxing Day, Monday
            date(2022, 12, 27),  # Christmas Day (substitute), Tuesday
            date(2022, 9, 19),  # state funeral of Queen Elizabeth II, a one-off
            date(2026, 4, 3),  # Good Friday
            date(2026, 4, 6),  # Easter Monday
            date(2026, 12, 25),  # Christmas Day, Friday
            date(2026, 12, 28),  # Boxing Day (substitute), Monday
            date(2027, 1, 1),  # New Year's Day, Friday
            date(2028, 12, 26),  # Boxing Day, the last day in the shipped data
        ],
    )
    def test_known_bank_holidays(self, d):
        assert d in workdays._holidays()
        assert not is_working_day(d)

    def test_the_data_is_england_and_wales_not_scotland(self):
        # 2 January is a bank holiday in Scotland only; St Andrew's Day likewise.
        assert is_working_day(date(2026, 1, 2))
        assert is_working_day(date(2026, 11, 30))


class TestIsWorkingDay:
    def test_weekdays_are_working_days(self):
        # Monday 9 to Friday 13 March 2026: no bank holidays that week.
        assert all(is_working_day(date(2026, 3, day)) for day in range(9, 14))

    def test_weekends_are_not(self):
        assert not is_working_day(date(2026, 3, 7))  # Saturday
        assert not is_working_day(date(2026, 3, 8))  # Sunday

    def test_days_between_christmas_and_new_year_are_working_days(self):
        assert [is_working_day(date(2026, 12, day)) for day in range(24, 32)] == [
            True,  # Thu 24
            False,  # Fri 25 Christmas Day
            False,  # Sat 26
            False,  # Sun 27
            False,  # Mon 28 Boxing Day (substitute)
            True,  # Tue 29
            True,  # Wed 30
            True,  # Thu 31
        ]

    def test_refuses_a_datetime(self):
        # A datetime never equals a date, so it would silently miss every bank holiday.
        with pytest.raises(TypeError):
            is_working_day(datetime(2026, 12, 25, 9, 0))


class TestAddWorkingDays:
    def test_over_a_weekend(self):
        assert add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Fri -> Mon
        assert add_working_days(date(2026, 3, 5), 5) == date(2026, 3, 12)  # Thu -> next Thu

    def test_within_a_week(self):
        assert add_working_days(date(2026, 3, 9), 4) == date(2026, 3, 13)

    def test_across_christmas_and_new_year_2026(self):
        start = date(2026, 12, 24)  # Thursday
        assert add_working_days(start, 1) == date(2026, 12, 29)  # skips 25, weekend, 28
        assert add_working_days(start, 2) == date(2026, 12, 30)
        assert add_working_days(start, 3) == date(2026, 12, 31)
        assert add_working_days(start, 4) == date(2027, 1, 4)  # skips 1 Jan and the weekend
        assert add_working_days(start, 5) == date(2027, 1, 5)

    def test_across_the_2022_substitute_christmas_day(self):
        # Fri 23 Dec 2022; Mon 26 Boxing Day; Tue 27 Christmas Day (substitute).
        assert add_working_days(date(2022, 12, 23), 1) == date(2022, 12, 28)

    def test_across_easter_2026(self):
        # Thu 2 April; Good Friday 3 April; Easter Monday 6 April.
        assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
        # Wed 1 April + 5: Thu 2, Tue 7, Wed 8, Thu 9, Fri 10.
        assert add_working_days(date(2026, 4, 1), 5) == date(2026, 4, 10)

    def test_five_working_day_notification_over_christmas(self):
        # Learned on Tue 22 Dec 2026: Wed 23, Thu 24, Tue 29, Wed 30, Thu 31.
        assert add_working_days(date(2026, 12, 22), 5) == date(2026, 12, 31)

    def test_starting_on_a_non_working_day(self):
        # The start does not count, whatever it is: Sat 26 Dec 2026 + 1 is Tue 29.
        assert add_working_days(date(2026, 12, 26), 1) == date(2026, 12, 29)
        assert add_working_days(date(2026, 4, 3), 1) == date(2026, 4, 7)  # from Good Friday

    def test_zero_on_a_working_day_is_that_day(self):
        assert add_working_days(date(2026, 12, 24), 0) == date(2026, 12, 24)

    def test_zero_on_a_non_working_day_is_the_next_working_day(self):
        assert add_working_days(date(2026, 12, 25), 0) == date(2026, 12, 29)
        assert add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 9)  # Saturday

    def test_negative_counts_go_backwards(self):
        assert add_working_days(date(2026, 3, 9), -1) == date(2026, 3, 6)  # Mon -> Fri
        assert add_working_days(date(2026, 12, 29), -1) == date(2026, 12, 24)
        assert add_working_days(date(2027, 1, 4), -4) == date(2026, 12, 24)
        assert add_working_days(date(2026, 4, 7), -1) == date(2026, 4, 2)  # back over Easter
        assert add_working_days(date(2022, 12, 28), -1) == date(2022, 12, 23)

    def test_negative_from_a_non_working_day(self):
        assert add_working_days(date(2026, 12, 27), -1) == date(2026, 12, 24)  # Sunday

    def test_refuses_a_datetime(self):
        with pytest.raises(TypeError):
            add_working_days(datetime(2026, 12, 24), 1)

    @given(d=dates_2020_2028, n=st.integers(min_value=1, max_value=300))
    def test_result_is_always_a_working_day(self, d, n):
        assert is_working_day(add_working_days(d, n))
        assert is_working_day(add_working_days(d, -n))

    @given(d=dates_2020_2028)
    def test_zero_is_always_a_working_day_on_or_after_start(self, d):
        result = add_working_days(d, 0)
        assert is_working_day(result)
        assert result >= d
        assert result == d or not is_working_day(d)

    @given(d=working_dates, n=st.integers(min_value=0, max_value=300))
    def test_forward_then_back_returns_to_start(self, d, n):
        assert add_working_days(add_working_days(d, n), -n) == d


class TestWorkingDaysBetween:
    def test_same_day_is_zero(self):
        assert working_days_between(date(2026, 12, 25), date(2026, 12, 25)) == 0
        assert working_days_between(date(2026, 12, 24), date(2026, 12, 24)) == 0

    def test_start_excluded_end_included(self):
        assert working_days_between(date(2026, 3, 9), date(2026, 3, 10)) == 1
        assert working_days_between(date(2026, 3, 9), date(2026, 3, 13)) == 4

    def test_over_a_weekend(self):
        assert working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 1  # Fri -> Mon
        assert working_days_between(date(2026, 3, 6), date(2026, 3, 8)) == 0  # Fri -> Sun

    def test_across_christmas_and_new_year_2026(self):
        assert working_days_between(date(2026, 12, 24), date(2026, 12, 28)) == 0
        assert working_days_between(date(2026, 12, 24), date(2026, 12, 29)) == 1
        assert working_days_between(date(2026, 12, 24), date(2027, 1, 4)) == 4
        # December 2026: 23 weekdays, less Christmas Day and the substitute Boxing Day.
        assert working_days_between(date(2026, 11, 30), date(2026, 12, 31)) == 21

    def test_across_the_2022_substitute_christmas_day(self):
        assert working_days_between(date(2022, 12, 23), date(2022, 12, 28)) == 1

    def test_across_easter_2026(self):
        assert working_days_between(date(2026, 4, 2), date(2026, 4, 7)) == 1
        # April 2026: 22 weekdays, less Good Friday and Easter Monday.
        assert working_days_between(date(2026, 3, 31), date(2026, 4, 30)) == 20

    def test_a_whole_year(self):
        # 2026: 261 weekdays, 8 England-and-Wales bank holidays, all on weekdays.
        assert working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 253

    def test_negative_when_end_is_before_start(self):
        assert working_days_between(date(2026, 12, 29), date(2026, 12, 24)) == -1
        assert working_days_between(date(2027, 1, 4), date(2026, 12, 24)) == -4
        assert working_days_between(date(2026, 3, 9), date(2026, 3, 6)) == -1

    def test_beyond_the_data_only_weekends_are_skipped(self):
        # Christmas 2029 is not in the shipped data: Tue 25 Dec counts as a working day.
        assert working_days_between(date(2029, 12, 24), date(2029, 12, 26)) == 2

    def test_refuses_a_datetime(self):
        with pytest.raises(TypeError):
            working_days_between(date(2026, 12, 24), datetime(2026, 12, 29))

    @given(d=working_dates, n=st.integers(min_value=0, max_value=300))
    def test_consistent_with_add_working_days(self, d, n):
        assert working_days_between(d, add_working_days(d, n)) == n

    @given(d=working_dates, n=st.integers(min_value=0, max_value=300))
    def test_consistent_with_add_working_days_backwards(self, d, n):
        assert working_days_between(d, add_working_days(d, -n)) == -n

    @given(start=dates_2020_2028, span=st.integers(min_value=0, max_value=400))
    def test_matches_counting_day_by_day(self, start, span):
        end = start + timedelta(days=span)
        counted = sum(is_working_day(start + timedelta(days=i)) for i in range(1, span + 1))
        assert working_days_between(start, end) == counted
        assert working_days_between(end, start) == -counted


class TestAddMonths:
    @pytest.mark.parametrize(
        ("start", "months", "expected"),
        [
            (date(2026, 1, 31), 1, date(2026, 2, 28)),
            (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
            (date(2026, 3, 31), 1, date(2026, 4, 30)),
            (date(2026, 1, 15), 1, date(2026, 2, 15)),
            (date(2026, 11, 15), 3, date(2027, 2, 15)),  # across the year end
            (date(2026, 8, 31), 6, date(2027, 2, 28)),
            (date(2028, 2, 29), 12, date(2029, 2, 28)),
            (date(2026, 12, 31), 12, date(2027, 12, 31)),
            (date(2026, 5, 20), 0, date(2026, 5, 20)),
            (date(2026, 3, 31), -1, date(2026, 2, 28)),
            (date(2026, 1, 15), -1, date(2025, 12, 15)),
            (date(2026, 5, 31), -15, date(2025, 2, 28)),
        ],
    )
    def test_calendar_months_clamped_to_month_end(self, start, months, expected):
        assert add_months(start, months) == expected

    def test_does_not_move_off_a_weekend_or_bank_holiday(self):
        # Calendar-month timescales are calendar months: Christmas Day 2026 stays Christmas Day.
        assert add_months(date(2026, 11, 25), 1) == date(2026, 12, 25)

    def test_refuses_a_datetime(self):
        with pytest.raises(TypeError):
            add_months(datetime(2026, 1, 31), 1)


class TestBankHolidaysCover:
    def test_covered_years(self):
        assert bank_holidays_cover(date(2012, 1, 1))
        assert bank_holidays_cover(date(2026, 6, 1))
        assert bank_holidays_cover(date(2028, 12, 31))

    def test_years_outside_the_data(self):
        assert not bank_holidays_cover(date(2029, 1, 1))
        assert not bank_holidays_cover(date(2011, 12, 31))


class TestClock:
    TODAY = date(2026, 3, 9)  # Monday, no bank holidays for weeks either side

    def test_green_when_more_than_amber_within_working_days_left(self):
        c = clock(date(2026, 3, 17), self.TODAY)  # Tue next week
        assert c == Clock(due=date(2026, 3, 17), status="green", days=6, label="6 working days left")

    def test_amber_at_the_threshold(self):
        c = clock(date(2026, 3, 16), self.TODAY)
        assert (c.status, c.days, c.label) == ("amber", 5, "5 working days left")

    def test_amber_plural(self):
        c = clock(date(2026, 3, 11), self.TODAY)
        assert (c.status, c.days, c.label) == ("amber", 2, "2 working days left")

    def test_amber_singular(self):
        c = clock(date(2026, 3, 10), self.TODAY)
        assert (c.status, c.days, c.label) == ("amber", 1, "1 working day left")

    def test_due_today(self):
        c = clock(self.TODAY, self.TODAY)
        assert c == Clock(due=self.TODAY, status="amber", days=0, label="Due today")

    def test_due_today_even_when_amber_within_is_zero(self):
        assert clock(self.TODAY, self.TODAY, amber_within=0).status == "amber"

    def test_amber_within_widens_the_warning(self):
        c = clock(date(2026, 3, 17), self.TODAY, amber_within=10)
        assert (c.status, c.label) == ("amber", "6 working days left")

    def test_amber_within_zero_leaves_green_until_the_day(self):
        c = clock(date(2026, 3, 10), self.TODAY, amber_within=0)
        assert (c.status, c.days, c.label) == ("green", 1, "1 working day left")

    def test_working_days_left_skip_bank_holidays(self):
        # Thu 24 Dec 2026 to Mon 4 Jan 2027 is 11 calendar days but only 4 working days.
        c = clock(date(2027, 1, 4), date(2026, 12, 24))
        assert (c.status, c.days, c.label) == ("amber", 4, "4 working days left")

    def test_due_on_a_weekend_with_no_working_day_left(self):
        # A calendar-month deadline on Sat 14 March, seen on Fri 13 March: today is the last working day.
        c = clock(date(2026, 3, 14), date(2026, 3, 13))
        assert (c.status, c.days, c.label) == ("amber", 0, "No working days left")

    def test_red_singular(self):
        c = clock(date(2026, 12, 24), date(2026, 12, 29))
        assert c == Clock(due=date(2026, 12, 24), status="red", days=1, label="Overdue by 1 working day")

    def test_red_plural(self):
        c = clock(date(2026, 12, 24), date(2026, 12, 30))
        assert (c.status, c.days, c.label) == ("red", 2, "Overdue by 2 working days")

    def test_red_on_the_weekend_after_a_friday_deadline(self):
        # Past due with no working day gone yet still reads as overdue, never "overdue by 0".
        c = clock(date(2026, 3, 6), date(2026, 3, 7))
        assert (c.status, c.days, c.label) == ("red", 1, "Overdue by 1 working day")

    def test_red_over_christmas_holidays(self):
        c = clock(date(2026, 12, 24), date(2026, 12, 28))  # Boxing Day (substitute)
        assert (c.status, c.days, c.label) == ("red", 1, "Overdue by 1 working day")

    def test_met_on_the_due_date(self):
        c = clock(date(2026, 3, 16), self.TODAY, done_on=date(2026, 3, 16))
        assert c == Clock(due=date(2026, 3, 16), status="met", days=0, label="Met on time")

    def test_met_early(self):
        c = clock(date(2026, 3, 16), self.TODAY, done_on=date(2026, 3, 2))
        assert (c.status, c.days, c.label) == ("met", 0, "Met on time")

    def test_met_stays_met_after_the_due_date_passes(self):
        c = clock(date(2026, 3, 2), self.TODAY, done_on=date(2026, 3, 2))
        assert c.status == "met"

    def test_missed_singular(self):
        c = clock(date(2026, 12, 24), date(2027, 2, 1), done_on=date(2026, 12, 29))
        assert c == Clock(due=date(2026, 12, 24), status="missed", days=1, label="Met 1 working day late")

    def test_missed_plural_across_christmas_and_new_year(self):
        c = clock(date(2026, 12, 24), date(2027, 2, 1), done_on=date(2027, 1, 4))
        assert (c.status, c.days, c.label) == ("missed", 4, "Met 4 working days late")

    def test_missed_on_the_weekend_after_the_deadline_is_still_late(self):
        c = clock(date(2026, 3, 6), self.TODAY, done_on=date(2026, 3, 7))
        assert (c.status, c.days, c.label) == ("missed", 1, "Met 1 working day late")

    def test_clock_is_immutable(self):
        c = clock(self.TODAY, self.TODAY)
        with pytest.raises(dataclasses.FrozenInstanceError):
            c.status = "green"  # type: ignore[misc]

    def test_refuses_a_datetime(self):
        with pytest.raises(TypeError):
            clock(self.TODAY, datetime(2026, 3, 9, 12, 0))
        with pytest.raises(TypeError):
            clock(self.TODAY, self.TODAY, done_on=datetime(2026, 3, 9, 12, 0))
