"""Dates as the portal writes them in sentences, timeline entries and notifications: "7 March 2026"."""

from __future__ import annotations

from datetime import date


def long_date(value: date | None, missing: str = "") -> str:
    """The day without a leading zero, the month's name and the year; `missing` when there is no date."""
    return f"{value.day} {value:%B %Y}" if value else missing
