"""The response overview and its self-check."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from reviews.selectors import review_for


def overview(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_response")
    return render(request, "responses/overview.html", {"review": review})


def self_check(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_response")
    return render(request, "responses/self_check.html", {"review": review})
