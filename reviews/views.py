"""Boards and reviews as their people see them. Each view starts by loading its object through a scoping
selector (404 when invisible) that also checks the action (403 when not allowed)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from scr_portal.audit import history_entries
from scr_portal.permissions import can, roles_on_board, roles_on_review

from . import selectors, services
from .models import Agency, Appointment, Board, Membership, ParticipatingBoard, Review, Role

User = get_user_model()
PAGE_SIZE = 25


def _label(labels: dict, model, pk) -> str:
    return labels.get((model, pk), f"#{pk}")


@require_GET
def board_list(request: HttpRequest) -> HttpResponse:
    boards = selectors.board_summaries_for(request.user).order_by("name")
    ctx = {"boards": boards, "breadcrumbs": [("Home", reverse("home")), ("Your boards", None)]}
    return render(request, "reviews/board_list.html", ctx)


@require_GET
def board_detail(request: HttpRequest, pk: int) -> HttpResponse:
    board = selectors.board_for(request.user, pk)
    ctx = {
        "board": board,
        "memberships": selectors.board_memberships(board),
        "agencies": board.agencies.order_by("name"),
        "my_roles": sorted(Role(r).label for r in roles_on_board(request.user, board)),
        "can_view_history": can(request.user, "view_board_history", board),
        "breadcrumbs": [
            ("Home", reverse("home")),
            ("Your boards", reverse("board_list")),
            (board.name, None),
        ],
    }
    return render(request, "reviews/board_detail.html", ctx)


@require_GET
def board_history(request: HttpRequest, pk: int) -> HttpResponse:
    board = selectors.board_for(request.user, pk, "view_board_history")
    entries = history_entries(
        (Board.history.filter(id=board.pk), lambda row, labels: f"Board {row.name}"),
        (
            Membership.history.filter(board_id=board.pk),
            lambda row, labels: f"{row.get_role_display()}: {_label(labels, User, row.user_id)}",
        ),
        (Agency.history.filter(id__in=board.agencies.values("pk")), lambda row, labels: f"Agency {row.name}"),
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    ctx = {
        "board": board,
        "page": page,
        "breadcrumbs": [
            ("Home", reverse("home")),
            ("Your boards", reverse("board_list")),
            (board.name, reverse("board_detail", args=[board.pk])),
            ("History", None),
        ],
    }
    return render(request, "reviews/history.html", {**ctx, "heading": f"History of {board.name}"})


@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(
        selectors.review_list_for(request.user).order_by("-created_at", "pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    ctx = {"page": page, "breadcrumbs": [("Home", reverse("home")), ("Reviews", None)]}
    return render(request, "reviews/review_list.html", ctx)


@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_for(request.user, pk)
    services.review_access_record(review=review, user=request.user, request=request)
    ctx = {
        "review": review,
        "my_roles": sorted(Role(r).label for r in roles_on_review(request.user, review)),
        "can_view_history": can(request.user, "view_review_history", review),
        "breadcrumbs": [
            ("Home", reverse("home")),
            ("Reviews", reverse("review_list")),
            (review.reference, None),
        ],
    }
    return render(request, "reviews/review_detail.html", ctx)


@require_GET
def review_history(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_for(request.user, pk, "view_review_history")
    entries = history_entries(
        (Review.history.filter(id=review.pk), lambda row, labels: f"Review {row.reference}"),
        (
            ParticipatingBoard.history.filter(review_id=review.pk),
            lambda row, labels: f"Participating board: {_label(labels, Board, row.board_id)}",
        ),
        (
            Appointment.history.filter(review_id=review.pk),
            lambda row, labels: f"Lead reviewer: {_label(labels, User, row.reviewer_id)}",
        ),
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    accesses = review.accesses.select_related("user")[:50]
    ctx = {
        "review": review,
        "page": page,
        "accesses": accesses,
        "heading": f"History of {review.reference}",
        "breadcrumbs": [
            ("Home", reverse("home")),
            ("Reviews", reverse("review_list")),
            (review.reference, reverse("review_detail", args=[review.pk])),
            ("History", None),
        ],
    }
    return render(request, "reviews/history.html", ctx)
