"""The portal's dates written directly (scr_portal.dates) read as Django's `date` filter writes them with
the portal's formats, in local time on both sides of a clock change, with the time zone looked up or given."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template
from django.utils import timezone
from django.utils.formats import date_format

from scr_portal.dates import long_date, long_datetime, short_date, short_datetime


def date_filter(value, format_: str) -> str:
    """What a template writes with `{{ value|date:format_ }}` (the filter converts to local time there)."""
    return Template(f'{{{{ value|date:"{format_}" }}}}').render(Context({"value": value}))


MOMENTS = [
    datetime(2026, 3, 7, 14, 5, tzinfo=UTC),  # winter: GMT
    datetime(2026, 7, 1, 23, 30, tzinfo=UTC),  # summer: BST, the next day in London
    datetime(2025, 12, 31, 23, 59, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 59, tzinfo=UTC),  # a minute before the clocks go forward
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
]


@pytest.mark.parametrize("moment", MOMENTS)
def test_moments_read_as_the_date_filter_writes_them_in_local_time(moment):
    tz = timezone.get_current_timezone()
    assert short_datetime(moment) == short_datetime(moment, tz=tz) == date_filter(moment, "j M Y H:i")
    assert short_datetime(moment, separator=", ", tz=tz) == date_filter(moment, "j M Y, H:i")
    assert short_date(moment) == short_date(moment, tz=tz) == date_filter(moment, "j M Y")
    assert long_datetime(moment) == date_format(timezone.localtime(moment), "DATETIME_FORMAT")


@pytest.mark.parametrize("day", [date(2026, 3, 7), date(2025, 12, 31), date(2026, 1, 1)])
def test_days_read_as_the_portals_date_format(day):
    assert long_date(day) == date_format(day, "DATE_FORMAT")


def test_nothing_reads_as_what_is_missing():
    assert (
        short_datetime(None, "never") == short_date(None, "never") == long_datetime(None, "never") == "never"
    )


def test_the_long_date_filter_writes_what_the_date_filter_writes():
    """`|long_date` (the home page's lists) and Django's `|date` give the same text for dates, for moments
    either side of midnight in London in summer and winter, and for nothing."""
    both = Template("{{ value|date }}|{{ value|long_date }}")
    values = [
        date(2026, 3, 7),
        date(2026, 12, 31),
        datetime(2026, 6, 30, 23, 30, tzinfo=UTC),  # 1 July in London (summer time)
        datetime(2026, 12, 31, 23, 30, tzinfo=UTC),  # still 31 December in London
        datetime(2026, 3, 28, 23, 59, tzinfo=UTC),
        None,
    ]
    for value in values:
        plain, fast = both.render(Context({"value": value})).split("|")
        assert fast == plain, value
