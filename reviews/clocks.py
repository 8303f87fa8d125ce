"""The statutory and local timescales of a review, computed from its dates and its lead board's targets,
by its regime: a Serious Case Review's (Working Together 2015) or a practice review's (2018 and 2023).

Notification and the rapid review are counted in working days (England and Wales bank holidays skipped);
the others in calendar days or months, as the guidance sets them. Each clock reads green, amber or red,
or met / missed once done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from scr_portal import workdays

from .models import TERMINAL_STATES, Decision, Regime, Review


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


# Each clock's name, and what the date it runs from is, for its rule ("within 3 months of the decision").
CLOCKS = {
    "notification": ("Notify the national panel and Ofsted", "learning of the incident"),
    "decision": ("Decide whether to hold a review", "learning of the incident"),
    "not_initiated_notice": (
        "Tell the national panel of the decision not to initiate, with reasons",
        "the decision",
    ),
    "completion": ("Receive the final report", "the decision"),
    "publication": ("Publish the report and the board's response", "receiving the report"),
    # A practice review's (Working Together 2018 and 2023)
    "incident_notification": (
        "Notify the national Panel and Ofsted of the serious incident",
        "the local authority becoming aware",
    ),
    "rapid_review": ("Complete the rapid review and send it to the Panel", "the notification"),
    "completion_target": ("Complete the review (a target, not law)", "the partners' decision"),
    "partners_publication": ("Publish the report and the partners' response", "receiving the report"),
}

# Days within which the national panel is told of a decision not to initiate a Serious Case Review
# (Working Together 2015, ch. 4 para 15); calendar days.
NOT_INITIATED_NOTICE_DAYS = 14


def review_clocks(review: Review, today: date | None = None) -> list[ReviewClock]:
    """The review's clocks under its regime, each with its due date and where it stands on `today`."""
    today = today or timezone.localdate()
    board = review.lead_board
    clocks: list[ReviewClock] = []

    def add(key: str, count: int, unit: str, start: date, done_on: date | None) -> None:
        name, since = CLOCKS[key]
        rule = f"within {count} {unit}{'s' if count != 1 else ''} of {since}"
        if unit == "working day":
            due = workdays.add_working_days(start, count)
        elif unit == "day":
            due = start + timedelta(days=count)
        else:
            due = workdays.add_months(start, count)
        clocks.append(ReviewClock(key, name, rule, due, workdays.clock(due, today, done_on=done_on)))

    if review.regime == Regime.PRACTICE_REVIEW:
        if aware := review.notification_date:
            add(
                "incident_notification",
                board.notification_working_days,
                "working day",
                aware,
                review.incident_notified_on,
            )
        if notified := review.incident_notified_on:
            add(
                "rapid_review",
                board.rapid_review_working_days,
                "working day",
                notified,
                review.sent_to_panel_on,
            )
        if review.decision == Decision.INITIATE and review.decision_date:
            add(
                "completion_target",
                board.completion_months,
                "month",
                review.decision_date,
                review.report_received_on,
            )
        if received := review.report_received_on:
            add(
                "partners_publication",
                board.publication_months,
                "month",
                received,
                review.report_published_on,
            )
        return clocks

    if review.notification_date:
        told = _both(review.national_panel_notified_on, review.inspectorate_notified_on)
        add("notification", board.notification_working_days, "working day", review.notification_date, told)
        add("decision", board.decision_months, "month", review.notification_date, review.decision_date)
    if review.decision and review.decision != Decision.INITIATE and review.decision_date:
        add(
            "not_initiated_notice",
            NOT_INITIATED_NOTICE_DAYS,
            "day",
            review.decision_date,
            review.national_panel_notified_on,
        )
    if review.decision == Decision.INITIATE and review.decision_date:
        add("completion", board.completion_months, "month", review.decision_date, review.report_received_on)
    if received := review.report_received_on:
        add("publication", board.publication_months, "month", received, review.report_published_on)
    return clocks


def rapid_review_due(review: Review) -> date | None:
    """The day a practice review's rapid review is due with the Panel (its lead partnership's working days
    from the serious incident notification), or None before the notification is recorded."""
    if review.regime != Regime.PRACTICE_REVIEW or not review.incident_notified_on:
        return None
    return workdays.add_working_days(review.incident_notified_on, review.lead_board.rapid_review_working_days)


# Clocks that still run once the review has ended: a Serious Case Review not initiated still owes the
# national panel its notice.
RUN_AFTER_THE_END = frozenset({"not_initiated_notice"})


def current_deadline(review: Review, today: date | None = None) -> ReviewClock | None:
    """The earliest clock still running: any, while the review is open; once it has ended, only a notice
    still owed."""
    ended = review.state in TERMINAL_STATES
    running = [
        c for c in review_clocks(review, today) if not c.done and (not ended or c.key in RUN_AFTER_THE_END)
    ]
    return min(running, key=lambda c: c.due) if running else None
