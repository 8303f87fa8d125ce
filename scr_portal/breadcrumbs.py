"""Breadcrumbs, built one way for every page: a list of (label, url) pairs from Home to the page itself. The
last crumb is the current page and is never a link (base.html marks it `aria-current="page"`)."""

from __future__ import annotations

from django.urls import reverse

Crumb = tuple[str, str | None]


def link(label: str, url_name: str, *args) -> Crumb:
    """A crumb linking to a named URL."""
    return (label, reverse(url_name, args=args))


def crumbs(*trail: Crumb) -> list[Crumb]:
    """Home › …trail."""
    pairs = [link("Home", "home"), *trail]
    label, _ = pairs[-1]
    pairs[-1] = (label, None)
    return pairs


def review_crumbs(review, *trail: Crumb) -> list[Crumb]:
    """Home › Reviews › the review's reference › …trail."""
    return crumbs(link("Reviews", "review_list"), link(review.reference, "review_detail", review.pk), *trail)


def board_crumbs(board, *trail: Crumb) -> list[Crumb]:
    """Home › Your boards › the board's name › …trail."""
    return crumbs(link("Your boards", "board_list"), link(board.name, "board_detail", board.pk), *trail)
