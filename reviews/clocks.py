"""The statutory and local timescales of a review, computed from its dates and its lead board's targets.

Notification is counted in working days (England and Wales bank holidays skipped); the others in calendar
months, as the guidance sets them. Each clock reads green, amber or red, or met / missed once done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from scr_portal import workdays

from .models import TERMINAL_STATES, Decision, Review


@dataclass(frozen=True)
class ReviewClock:
    key: str
    name: str
    rule: str
    due: date
    clock: workdays.Clock

    @property
    def done(self) -> bool:
        return self.clock.status in ("met", "missed")


def _both(a: date | None, b: date | None) -> date | None:
    """Notification is done when both the national panel and the inspectorate have been told."""
    return max(a, b) if a and b else None


def review_clocks(review: Review, today: date | None = None) -> list[ReviewClock]:
    today = today or timezone.localdate()
    board = review.lead_board
    clocks: list[ReviewClock] = []

    def add(key: str, name: str, rule: str, due: date, done_on: date | None) -> None:
        clocks.append(ReviewClock(key, name, rule, due, workdays.clock(due, today, done_on=done_on)))

    if review.notification_date:
        days = board.notification_working_days
        add(
            "notification",
            "Notify the national panel and Ofsted",
            f"within {days} working day{'s' if days != 1 else ''} of learning of the incident",
            workdays.add_working_days(review.notification_date, days),
            _both(review.national_panel_notified_on, review.inspectorate_notified_on),
        )
        months = board.decision_months
        add(
            "decision",
            "Decide whether to hold a review",
            f"within {months} month{'s' if months != 1 else ''} of learning of the incident",
            workdays.add_months(review.notification_date, months),
            review.decision_date,
        )
    if review.decision == Decision.INITIATE and review.decision_date:
        months = board.completion_months
        add(
            "completion",
            "Receive the final report",
            f"within {months} month{'s' if months != 1 else ''} of the decision",
            workdays.add_months(review.decision_date, months),
            review.report_received_on,
        )
    if review.report_received_on:
        months = board.publication_months
        add(
            "publication",
            "Publish the report and the board's response",
            f"within {months} month{'s' if months != 1 else ''} of receiving the report",
            workdays.add_months(review.report_received_on, months),
            review.report_published_on,
        )
    return clocks


def current_deadline(review: Review, today: date | None = None) -> ReviewClock | None:
    """The earliest clock still running, if the review is open."""
    if review.state in TERMINAL_STATES:
        return None
    running = [c for c in review_clocks(review, today) if not c.done]
    return min(running, key=lambda c: c.due) if running else None
