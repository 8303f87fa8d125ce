"""Reads of boards and reviews, always scoped to what the person may see, at the query."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from scr_portal.permissions import require

from .models import Appointment, Board, Membership, ParticipatingBoard, Review, participant_board_ids


def boards_visible_to(user) -> QuerySet[Board]:
    """Boards on which the person takes part (business manager, board member or chair)."""
    if not user.is_authenticated:
        return Board.objects.none()
    return Board.objects.filter(pk__in=participant_board_ids(user))


def board_for(user, pk: int, action: str = "view_board") -> Board:
    """The board, or 404 when the person cannot see it; 403 when they can but may not do `action`."""
    board = get_object_or_404(boards_visible_to(user).select_related("independent_chair"), pk=pk)
    require(user, action, board)
    return board


def board_memberships(board: Board) -> QuerySet[Membership]:
    return board.memberships.active().select_related("user", "agency").order_by("role", "user__full_name")


def reviews_visible_to(user) -> QuerySet[Review]:
    return Review.objects.visible_to(user)


def review_list_for(user) -> QuerySet[Review]:
    """Visible reviews with what a list shows, in a fixed number of queries."""
    return (
        reviews_visible_to(user)
        .select_related("lead_board")
        .prefetch_related(
            Prefetch("participations", queryset=ParticipatingBoard.objects.select_related("board"))
        )
    )


def review_for(user, pk: int, action: str = "view_review") -> Review:
    """The review, or 404 when the person cannot see it; 403 when they can but may not do `action`."""
    review = get_object_or_404(
        reviews_visible_to(user)
        .select_related("lead_board")
        .prefetch_related(
            Prefetch("participations", queryset=ParticipatingBoard.objects.select_related("board")),
            Prefetch(
                "appointments",
                queryset=Appointment.objects.filter(ended_at__isnull=True).select_related("reviewer"),
                to_attr="current_appointments",
            ),
        ),
        pk=pk,
    )
    require(user, action, review)
    return review


def board_summaries_for(user) -> QuerySet[Board]:
    """The person's boards with counts for the home page; counts only include reviews they may see."""
    visible = reviews_visible_to(user).values("pk")
    return boards_visible_to(user).annotate(
        review_count=Count("led_reviews", filter=Q(led_reviews__in=visible), distinct=True),
        member_count=Count("memberships", filter=Q(memberships__is_active=True), distinct=True),
    )
