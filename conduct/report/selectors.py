"""Reads of the report: the review's drafts with everything recorded about each (a fixed number of
queries), one draft, check or comment of a review (404 otherwise), and the facts of the marker 14 self-check."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from reviews.models import Review

from ..models import AccuracyCheck, AccuracyComment, ReportDraft


def drafts_of(review: Review) -> list[ReportDraft]:
    """The review's drafts, newest first, each with its agencies' checks and their comments, its quality
    assurance and the family's feedback; each holds the review already read."""
    checks = AccuracyCheck.objects.select_related("agency", "replied_by").prefetch_related(
        Prefetch("comments", queryset=AccuracyComment.objects.select_related("responded_by"))
    )
    rows = list(
        review.report_drafts.select_related("uploaded_by", "accepted_by")
        .prefetch_related(Prefetch("accuracy_checks", queryset=checks), "assurances", "family_feedback")
        .order_by("-version")
    )
    for row in rows:
        row.review = review
        for check in row.accuracy_checks.all():
            check.review = review
    return rows


def draft_of(review: Review, draft_pk: int) -> ReportDraft:
    draft = get_object_or_404(ReportDraft, review=review, pk=draft_pk)
    draft.review = review
    return draft


def check_of(review: Review, check_pk: int) -> AccuracyCheck:
    check = get_object_or_404(
        AccuracyCheck.objects.select_related("draft", "agency"), review=review, pk=check_pk
    )
    check.review = check.draft.review = review
    return check


def comment_of(review: Review, comment_pk: int) -> AccuracyComment:
    return get_object_or_404(
        AccuracyComment.objects.select_related("check_request__agency", "check_request__draft"),
        check_request__review=review,
        pk=comment_pk,
    )


def report_facts(review: Review) -> dict:
    """What the marker 14 self-check reads: how many drafts, agencies asked and replied, comments and
    those dealt with, quality assurance, family feedback, and whether a draft was accepted."""
    drafts = review.report_drafts.all()
    checks = AccuracyCheck.objects.filter(review=review)
    comments = AccuracyComment.objects.filter(check_request__review=review)
    return {
        "drafts": drafts.count(),
        "asked": checks.count(),
        "replied": checks.filter(replied_at__isnull=False).count(),
        "comments": comments.count(),
        "dealt_with": comments.exclude(response="").count(),
        "assured": drafts.filter(assurances__outcome="assured").distinct().count(),
        "assurances": drafts.filter(assurances__isnull=False).distinct().count(),
        "family": drafts.filter(family_feedback__isnull=False).distinct().count(),
        "accepted": drafts.filter(accepted_at__isnull=False).first(),
    }
