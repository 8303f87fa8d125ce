"""Working days and calendar months for statutory clocks (England and Wales).

Working Together to Safeguard Children sets some timescales in working days (notify the national panel
and Ofsted within 5 working days of learning of an incident) and others in calendar months (decide
whether to hold a review within 1 month; publish within months of receiving the report). This module
does that arithmetic, and turns a deadline into the green / amber / red text the portal shows.

A working day is Monday to Friday, not an England-and-Wales bank holiday. The bank holidays come from
the GOV.UK data shipped inside ``govuk-bank-holidays``; the portal never fetches them over the network,
so the arithmetic is the same in every environment and in tests. The shipped data ends in a known year
(see :func:`bank_holidays_cover`); beyond it only weekends are skipped, and callers should warn.

Pure Python, no Django: it is called for every clock on every review list, so it has to be cheap.
"""

from __future__ import annotations

import calendar
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Literal

from govuk_bank_holidays.bank_holidays import BankHolidays

__all__ = [
    "Clock",
    "ClockStatus",
    "add_months",
    "add_working_days",
    "bank_holidays_cover",
    "clock",
    "is_working_day",
    "working_days_between",
]

ClockStatus = Literal["green", "amber", "red", "met", "missed"]
# Each clock's tag colour: red when late, yellow when close, grey when met, green otherwise.
CLOCK_TAG_CLASSES = {
    "red": "govuk-tag--red",
    "missed": "govuk-tag--red",
    "amber": "govuk-tag--yellow",
    "met": "govuk-tag--grey",
}

_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=1)
def _holidays() -> frozenset[date]:
    """England-and-Wales bank holidays, loaded once per process.

    ``use_cached_holidays=True`` reads the copy shipped with the package instead of calling GOV.UK: the
    portal has no outbound network in production, and a deadline must not change because a request
    failed or succeeded.
    """
    data = BankHolidays(use_cached_holidays=True).get_holidays(division=BankHolidays.ENGLAND_AND_WALES)
    return frozenset(h["date"] for h in data)


@lru_cache(maxsize=1)
def _weekday_holidays() -> tuple[date, ...]:
    """The bank holidays that fall Monday to Friday, sorted, so ranges can be counted by bisection.

    (A bank holiday never falls at a weekend, since substitute days move them, but filtering keeps the
    count right even if the data ever said otherwise: a weekend is not subtracted twice.)
    """
    return tuple(sorted(d for d in _holidays() if d.weekday() < 5))


@lru_cache(maxsize=1)
def _covered_years() -> tuple[int, int]:
    """First and last year the shipped bank-holiday data covers."""
    years = [d.year for d in _holidays()]
    return min(years), max(years)


def _check(*values: date) -> None:
    """Refuse datetimes: ``datetime(2026, 12, 25) != date(2026, 12, 25)``, so a datetime would silently
    miss every bank holiday. Use ``timezone.localdate()``, not ``timezone.now()``."""
    for value in values:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise TypeError(f"expected a datetime.date, got {type(value).__name__}")


def _working(d: date) -> bool:
    return d.weekday() < 5 and d not in _holidays()


def bank_holidays_cover(d: date) -> bool:
    """Whether the shipped bank-holiday data covers ``d``'s year.

    Outside those years working days skip weekends only, so a deadline could land on a bank holiday;
    callers should say so (or upgrade ``govuk-bank-holidays``).
    """
    _check(d)
    first, last = _covered_years()
    return first <= d.year <= last


def is_working_day(d: date) -> bool:
    """Monday to Friday and not an England-and-Wales bank holiday."""
    _check(d)
    return _working(d)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (before it, if ``days`` is negative).

    ``start`` itself is not counted, as in "within 5 working days of learning of the incident": the
    day the board learned is day 0, so the result is always a working day. ``days == 0`` gives
    ``start`` if it is a working day, else the next one (a deadline cannot fall on a day nobody works).
    """
    _check(start)
    d = start
    if days == 0:
        while not _working(d):
            d += _ONE_DAY
        return d
    step = _ONE_DAY if days > 0 else -_ONE_DAY
    remaining = abs(days)
    while remaining:
        d += step
        if _working(d):
            remaining -= 1
    return d


def _weekdays_before(ordinal: int) -> int:
    """Monday-to-Friday days among ordinals ``1 .. ordinal - 1`` (ordinal 1, 1 Jan AD 1, is a Monday)."""
    weeks, extra = divmod(ordinal - 1, 7)
    return weeks * 5 + min(extra, 5)


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``; negative if ``end`` is before ``start``.

    Counted the same way :func:`add_working_days` steps, so that for a working day ``d``,
    ``working_days_between(d, add_working_days(d, n)) == n``. Computed arithmetically rather than by
    walking the calendar, because overdue clocks can span years.
    """
    _check(start, end)
    if end < start:
        return -working_days_between(end, start)
    # Weekdays in (start, end], less the weekday bank holidays in (start, end].
    weekdays = _weekdays_before(end.toordinal() + 1) - _weekdays_before(start.toordinal() + 1)
    holidays = _weekday_holidays()
    return weekdays - (bisect_right(holidays, end) - bisect_right(holidays, start))


def add_months(start: date, months: int) -> date:
    """``start`` moved by calendar ``months``, clamped to the last day of a shorter month.

    31 January + 1 month is 28 February (29 in a leap year): the deadline stays inside the month the
    guidance means rather than spilling into March. The result may be a weekend or bank holiday; the
    statutory months are calendar months, so it is not moved.
    """
    _check(start)
    year, month_index = divmod(start.month - 1 + months, 12)
    year += start.year
    month = month_index + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Clock:
    """A deadline as the portal shows it.

    ``days`` is working days left while running (0 when due today), working days overdue when red,
    working days late when missed, and 0 when met.
    """

    due: date
    status: ClockStatus
    days: int
    label: str

    @property
    def tag_class(self) -> str:
        """The GOV.UK tag's colour for the clock (includes/clock_tag.html's)."""
        return CLOCK_TAG_CLASSES.get(self.status, "govuk-tag--green")


def _working_days(n: int) -> str:
    return f"{n} working day{'' if n == 1 else 's'}"


def clock(due: date, today: date, *, amber_within: int = 5, done_on: date | None = None) -> Clock:
    """Describe the deadline ``due`` as of ``today``, or as finished on ``done_on``.

    Amber gives a board warning: it starts when ``amber_within`` or fewer working days are left, and
    includes the day itself. Once the due date has passed the clock is red, even over a weekend with
    no working day gone yet: the deadline is missed, and "overdue by 0 working days" would read as on
    time, so lateness is counted from 1 (the same goes for work finished late).
    """
    _check(due, today)
    if done_on is not None:
        _check(done_on)
        if done_on <= due:
            return Clock(due, "met", 0, "Met on time")
        late = max(working_days_between(due, done_on), 1)
        return Clock(due, "missed", late, f"Met {_working_days(late)} late")
    if today > due:
        overdue = max(working_days_between(due, today), 1)
        return Clock(due, "red", overdue, f"Overdue by {_working_days(overdue)}")
    if today == due:
        return Clock(due, "amber", 0, "Due today")
    left = working_days_between(today, due)
    if left == 0:
        # Due on a weekend or bank holiday with no working day before it: today is the last chance.
        return Clock(due, "amber", 0, "No working days left")
    status: ClockStatus = "amber" if left <= amber_within else "green"
    return Clock(due, status, left, f"{_working_days(left)} left")
