"""Which reviews have been kept as long as their board's retention period allows.

A review's retention period runs from the day it ended: the day it was closed (as recorded when closing
it), or, for a review withdrawn or not initiated, the day it reached that state. It is due for a decision
(anonymise or delete) once it has ended longer ago than the board's period: on the day after the
anniversary, never on the anniversary itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from reviews.models import TERMINAL_STATES, Board, Review

from .models import Disposal


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a year that has none."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def ended_on(review: Review) -> date | None:
    """The day the review ended, or None while it is open."""
    if review.state not in TERMINAL_STATES:
        return None
    return review.closed_on or timezone.localdate(review.state_changed_at)


@dataclass(frozen=True)
class Due:
    review: Review
    ended_on: date
    kept_until: date  # the last day of the retention period

    @property
    def days_overdue(self) -> int:
        return (timezone.localdate() - self.kept_until).days


def is_due(review: Review, board: Board, today: date | None = None) -> Due | None:
    """The review's retention details if its period has run out, otherwise None."""
    ended = ended_on(review)
    if ended is None:
        return None
    kept_until = add_years(ended, board.retention_years)
    if kept_until >= (today or timezone.localdate()):
        return None
    return Due(review=review, ended_on=ended, kept_until=kept_until)


def due_for_board(board: Board, today: date | None = None) -> list[Due]:
    """The board's own reviews (the ones it leads) whose retention period has run out and that have not
    been anonymised already, longest overdue first."""
    anonymised = Disposal.objects.filter(board=board, kind=Disposal.Kind.ANONYMISE).values("review_id")
    candidates = (
        Review.objects.filter(lead_board=board, state__in=TERMINAL_STATES)
        .exclude(pk__in=anonymised)
        .order_by("reference")
    )
    due = [d for review in candidates if (d := is_due(review, board, today))]
    return sorted(due, key=lambda d: (d.kept_until, d.review.reference))


def due_by_board(today: date | None = None) -> list[tuple[Board, list[Due]]]:
    """Every board with its reviews due, in board order (boards with none included)."""
    return [(board, due_for_board(board, today)) for board in Board.objects.order_by("name")]
