"""What each role's home page shows. Every function reads only reviews the person may see, in a fixed
number of queries whatever the number of reviews."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from scr_portal import workdays
from scr_portal.permissions import board_roles

from .models import TERMINAL_STATES, Appointment, ParticipatingBoard, Role, State
from .selectors import reviews_visible_to
from .workflow import MAIN_PATH, NEXT_STEPS

FORTNIGHT = 14


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: float  # of the largest bar, for drawing
    average_days: int | None  # average days in this stage so far


def _boards_with(user, role: str) -> list[int]:
    return [board_id for board_id, roles in board_roles(user).items() if role in roles]


def open_reviews(user) -> QuerySet:
    return reviews_visible_to(user).exclude(state__in=TERMINAL_STATES)


def stage_chart(user, today: date | None = None) -> list[Bar]:
    """Open reviews by stage, with the average time each has spent in its current stage (one query)."""
    today = today or timezone.localdate()
    rows = list(open_reviews(user).values_list("state", "state_changed_at"))
    counts = Counter(state for state, _ in rows)
    days = defaultdict(list)
    for state, since in rows:
        days[state].append((today - timezone.localdate(since)).days)
    largest = max(counts.values(), default=0)
    return [
        Bar(
            label=s.label,
            count=counts.get(s, 0),
            percent=round(100 * counts.get(s, 0) / largest, 1) if largest else 0,
            average_days=round(sum(days[s]) / len(days[s])) if days[s] else None,
        )
        for s in MAIN_PATH
        if s not in TERMINAL_STATES
    ]


@dataclass(frozen=True)
class DueItem:
    review: object
    clock: workdays.Clock
    what: str


DEADLINE_NAMES = {
    "notification": "Notify the national panel and Ofsted",
    "decision": "Decide whether to hold a review",
    "completion": "Receive the final report",
    "publication": "Publish the report and response",
}


def due_soon(user, today: date | None = None, limit: int = 20) -> tuple[list[DueItem], list[DueItem]]:
    """Overdue deadlines, and those due within a fortnight, of the person's open reviews (two queries, so
    a long overdue list never hides what falls due soon)."""
    today = today or timezone.localdate()
    reviews = (
        open_reviews(user)
        .filter(due_on__isnull=False)
        .select_related("lead_board")
        .order_by("due_on", "reference")
    )

    def items(qs) -> list[DueItem]:
        return [
            DueItem(r, workdays.clock(r.due_on, today), DEADLINE_NAMES.get(r.due_kind, "Deadline"))
            for r in qs[:limit]
        ]

    overdue = items(reviews.filter(due_on__lt=today))
    soon = items(reviews.filter(due_on__gte=today, due_on__lte=today + timedelta(days=FORTNIGHT)))
    return overdue, soon


def awaiting_chair(user) -> QuerySet:
    """Reviews on the chair's boards that wait on a chair: a decision, starting the review, the response."""
    boards = _boards_with(user, Role.CHAIR)
    return (
        reviews_visible_to(user)
        .filter(lead_board_id__in=boards, state__in=[State.DECISION, State.COMMISSIONING, State.RESPONSE])
        .select_related("lead_board")
        .order_by("state_changed_at")
    )


def for_board_member(user) -> QuerySet:
    """Reviews of the member's boards (lead or participating) where members take part now: scoping, the
    board's response and monitoring the actions."""
    boards = _boards_with(user, Role.BOARD_MEMBER)
    on_board = Q(lead_board_id__in=boards) | Exists(
        ParticipatingBoard.objects.filter(review=OuterRef("pk"), board_id__in=boards)
    )
    return (
        reviews_visible_to(user)
        .filter(on_board, state__in=[State.COMMISSIONING, State.RESPONSE, State.MONITORING])
        .select_related("lead_board")
        .order_by("state_changed_at")
    )


def for_lead_reviewer(user) -> QuerySet:
    appointed = Exists(
        Appointment.objects.filter(review=OuterRef("pk"), reviewer=user, ended_at__isnull=True)
    )
    return (
        reviews_visible_to(user)
        .filter(appointed)
        .exclude(state__in=TERMINAL_STATES)
        .select_related("lead_board")
        .order_by(F("due_on").asc(nulls_last=True), "reference")
    )


def next_step(review) -> str:
    who_what = NEXT_STEPS.get(review.state)
    return f"{who_what[0]}: {who_what[1]}" if who_what else ""


def roles_held(user) -> set[str]:
    return {role for roles in board_roles(user).values() for role in roles}
