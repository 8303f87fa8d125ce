"""The self-check page of every quality marker: the marker's questions, the evidence the portal holds for
each, and the board's view, which the business manager records and everyone else on the review reads."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from reviews.access import can, require
from reviews.selectors import review_for
from scr_portal.breadcrumbs import link, review_crumbs

from .checks import answers_for, evidence_for, self_check_save
from .forms import SelfCheckForm
from .registry import MARKERS


@require_http_methods(["GET", "POST"])
def self_check(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    review = review_for(request.user, pk, MARKERS[number].view_rule)
    marker = MARKERS[number].in_words(review)
    if request.method == "POST":
        require(request.user, marker.change_rule, review)
    answers = answers_for(review, marker)
    form = SelfCheckForm(
        request.POST if request.method == "POST" else None, questions=marker.questions, answers=answers
    )
    if request.method == "POST" and form.is_valid():
        self_check_save(review=review, user=request.user, marker=marker, answers=form.answers())
        messages.success(request, "Self-check saved.")
        return redirect(marker.url_name, review.pk)
    ctx = {
        "review": review,
        "marker": marker,
        "form": form,
        "blocks": form.blocks(evidence_for(review, marker), answers),
        "can_change": can(request.user, marker.change_rule, review),
        "back_url": reverse(marker.page, args=[review.pk]),
        "part": marker.part_of(review),
        "breadcrumbs": review_crumbs(
            review, link(marker.part_of(review), marker.page, review.pk), ("Quality marker self-check", None)
        ),
    }
    return render(request, "markers/self_check.html", ctx)
