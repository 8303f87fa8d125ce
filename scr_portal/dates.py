"""Dates as the portal writes them in sentences, timeline entries and notifications: "7 March 2026"; and
moments as lists show them: "7 Mar 2026 14:05".

A list formatting hundreds of moments passes `tz=timezone.get_current_timezone()`, looked up once: Django's
lookup of the current time zone costs more than the formatting."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from django.utils import timezone


def long_date(value: date | None, missing: str = "") -> str:
    """The day without a leading zero, the month's name and the year; `missing` when there is no date."""
    return f"{value.day} {value:%B %Y}" if value else missing


def long_datetime(value: datetime | None, missing: str = "") -> str:
    """A moment in local time as sentences write it, "7 March 2026, 14:05" (the portal's DATETIME_FORMAT,
    written directly: a history page writes dozens)."""
    if value is None:
        return missing
    local = timezone.localtime(value)
    return f"{long_date(local)}, {local:%H:%M}"


MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_datetime(
    value: datetime | None, missing: str = "", *, separator: str = " ", tz: tzinfo | None = None
) -> str:
    """A moment in local time as lists show it, "7 Mar 2026 14:05" (Django's `date:"j M Y H:i"`, written
    directly: a page listing hundreds of comments formats hundreds of them); `separator=", "` gives
    "7 Mar 2026, 14:05" (`date:"j M Y, H:i"`), as history tables write it."""
    if value is None:
        return missing
    local = timezone.localtime(value, tz)
    return (
        f"{local.day} {MONTH_ABBREVIATIONS[local.month - 1]} {local.year}"
        f"{separator}{local.hour:02d}:{local.minute:02d}"
    )


def short_date(value: datetime | None, missing: str = "", *, tz: tzinfo | None = None) -> str:
    """The local day of a moment as lists show it, "7 Mar 2026" (Django's `date:"j M Y"`)."""
    if value is None:
        return missing
    local = timezone.localtime(value, tz)
    return f"{local.day} {MONTH_ABBREVIATIONS[local.month - 1]} {local.year}"
