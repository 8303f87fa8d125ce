"""The response overview: where the board stands on each part of its response."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from reviews.access import can
from reviews.selectors import review_for
from scr_portal.breadcrumbs import review_crumbs

from .actions.workflow import rag_for
from .document import workflow as document_workflow
from .models import Action, EngagementActivity, Finding, Meeting, Rag, ResponseVersion


def overview(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_response")
    findings = Finding.objects.filter(review=review).aggregate(
        total=Count("pk"), positioned=Count("pk", filter=~Q(position=""))
    )
    meetings = Meeting.objects.filter(review=review).aggregate(
        total=Count("pk"), minutes=Sum("minutes_given")
    )
    rag = dict.fromkeys(Rag, 0)
    for status, due_on, until in Action.objects.filter(review=review).values_list(
        "status", "due_on", "deferred_until"
    ):
        rag[rag_for(status, due_on, until)] += 1
    versions = ResponseVersion.objects.filter(review=review).select_related("signed_by").order_by("-number")
    ctx = {
        "review": review,
        "findings": findings,
        "meetings": meetings,
        "actions_total": sum(rag.values()),
        "rag": [(r, rag[r]) for r in Rag],
        "engagement": EngagementActivity.objects.filter(review=review).exclude(status="cancelled").count(),
        "latest": versions.first(),
        "latest_signed": versions.filter(document_workflow.SIGNED).first(),
        "can_manage": can(request.user, "manage_response", review),
        "breadcrumbs": review_crumbs(review, (review.words.response_page, None)),
    }
    return render(request, "responses/overview.html", ctx)
