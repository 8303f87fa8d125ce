"""What every response page shares: breadcrumbs and the plain form page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from reviews.models import Board, Review


def crumbs(review: Review, *tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    """Home › Reviews › reference › Response › …tail; the last crumb is the current page (no link)."""
    trail = [
        ("Home", reverse("home")),
        ("Reviews", reverse("review_list")),
        (review.reference, reverse("review_detail", args=[review.pk])),
        ("Response", reverse("response", args=[review.pk])),
        *tail,
    ]
    label, _ = trail[-1]
    trail[-1] = (label, None)
    return trail


def board_crumbs(board: Board, *tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    """Home › Boards › board › …tail."""
    trail = [
        ("Home", reverse("home")),
        ("Boards", reverse("board_list")),
        (board.name, reverse("board_detail", args=[board.pk])),
        *tail,
    ]
    label, _ = trail[-1]
    trail[-1] = (label, None)
    return trail


def form_page(
    request: HttpRequest,
    review: Review,
    form,
    heading: str,
    *,
    back: str,
    back_label: str = "Back without saving",
    crumb_trail: list | None = None,
    intro: str = "",
    template: str = "responses/form.html",
    **extra,
) -> HttpResponse:
    """A one-form page: error summary, caption, heading, optional introduction, the form, a way back."""
    ctx = {
        "review": review,
        "form": form,
        "heading": heading,
        "intro": intro,
        "back": back,
        "back_label": back_label,
        "breadcrumbs": crumb_trail or crumbs(review, (heading, None)),
        **extra,
    }
    return render(request, template, ctx)
