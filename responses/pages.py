"""What every response page shares: the response crumb of its breadcrumbs and the plain form page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from reviews.models import Review
from scr_portal.breadcrumbs import Crumb, link, review_crumbs


def response_crumb(review: Review) -> Crumb:
    """The crumb of the review's response page, which every response page's trail passes, in the review's
    words ("Response" for a board's, "Partners' response" for a partnership's)."""
    return link(review.words.response_page, "response", review.pk)


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
        "breadcrumbs": crumb_trail or review_crumbs(review, response_crumb(review), (heading, None)),
        **extra,
    }
    return render(request, template, ctx)
