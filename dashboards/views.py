"""The home page (each person's own work, by the roles they hold) and the help page."""

from __future__ import annotations

from dataclasses import replace

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from reviews.models import Board
from scr_portal.breadcrumbs import crumbs
from scr_portal.links import url_for_each

from . import selectors, waiting


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """One page, sections for each role the person holds; every section reads only what they may see."""
    return render(request, "home.html", _linked(selectors.home_for(request.user)))


def _linked(sections: dict) -> dict:
    """The home page's sections with each listed review's links, from one `reverse` for the page rather than
    one a row (the page lists up to a hundred reviews)."""
    review_url = url_for_each("review_detail")
    response_url = url_for_each("response_version", variable=2)
    for key in ("overdue", "due_soon"):
        if key in sections:
            sections[key] = [replace(item, url=review_url(item.review.pk)) for item in sections[key]]
    for review in sections.get("awaiting_chair", ()):
        review.url = review_url(review.pk)
        review.response_url = response_url(review.pk, review.draft_response) if review.draft_response else ""
    for review in sections.get("member_reviews", ()):
        review.url = review_url(review.pk)
    for review, _ in sections.get("reviewer_reviews", ()):
        review.url = review_url(review.pk)
    return sections


WAITING_PAGE_SIZE = 50


@require_GET
def waiting_list(request: HttpRequest) -> HttpResponse:
    """Everything waiting for the person (the home page lists the oldest few), a page at a time."""
    page = Paginator(waiting.all_waiting(request.user), WAITING_PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = {
        "page": page,
        "items": waiting.described(page.object_list),
        "breadcrumbs": crumbs(("Waiting for you", None)),
    }
    return render(request, "waiting.html", ctx)


@require_GET
def help_page(request: HttpRequest) -> HttpResponse:
    """How a review runs and who does what: the same for everyone signed in, so it reads no data. (The
    benchmark in bench/ uses it as its baseline: the layout and nothing else.)"""
    targets = {f.name: f.default for f in Board._meta.get_fields() if f.name.endswith(("_days", "_months"))}
    return render(request, "help.html", {"targets": targets, "breadcrumbs": crumbs(("Help", None))})
