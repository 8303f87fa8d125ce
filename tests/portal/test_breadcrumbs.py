"""Breadcrumbs are built one way: from Home, the last crumb being the page itself (no link)."""

from __future__ import annotations

from pathlib import Path

from django.urls import reverse

from scr_portal.breadcrumbs import board_crumbs, crumbs, link, review_crumbs
from tests.product import PRODUCT_APPS

ROOT = Path(__file__).resolve().parents[2]


def test_the_trail_starts_at_home_and_ends_on_the_page_without_a_link():
    assert crumbs(link("Reviews", "review_list"), ("New review", "/ignored")) == [
        ("Home", reverse("home")),
        ("Reviews", reverse("review_list")),
        ("New review", None),
    ]


def test_a_review_trail_passes_the_review_list_and_the_review(world):
    review = world.north_review
    assert review_crumbs(review, link("Documents", "documents", review.pk)) == [
        ("Home", reverse("home")),
        ("Reviews", reverse("review_list")),
        (review.reference, reverse("review_detail", args=[review.pk])),
        ("Documents", None),
    ]
    assert review_crumbs(review)[-1] == (review.reference, None)


def test_a_board_trail_passes_the_board_list_and_the_board(world):
    assert board_crumbs(world.north, ("History", None)) == [
        ("Home", reverse("home")),
        ("Your boards", reverse("board_list")),
        (world.north.name, reverse("board_detail", args=[world.north.pk])),
        ("History", None),
    ]


def test_no_view_builds_a_trail_of_its_own():
    builders = [
        str(path.relative_to(ROOT))
        for app in PRODUCT_APPS
        for path in (ROOT / app).rglob("*.py")
        if "breadcrumbs" in (text := path.read_text())
        and '("Home",' in text
        and path.name != "breadcrumbs.py"
    ]
    assert not builders, f"build breadcrumbs with scr_portal.breadcrumbs instead: {builders}"
