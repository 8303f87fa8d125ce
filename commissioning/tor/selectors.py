"""Reads for the terms of reference of one review the caller has already been allowed to see. Each page
is read in a fixed number of queries, however many versions and comments there are."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from commissioning.models import ToRComment, ToRSection, ToRVersion
from reviews.models import Review


def versions_of(review: Review) -> QuerySet[ToRVersion]:
    """The review's versions, newest first, with how many comments each has and how many await an answer."""
    top_level = Q(sections__comments__parent__isnull=True)
    return (
        ToRVersion.objects.filter(review=review)
        .select_related("created_by", "approved_by")
        .annotate(
            comment_count=Count("sections__comments", distinct=True),
            unaddressed=Count(
                "sections__comments",
                filter=top_level & Q(sections__comments__addressed_at__isnull=True),
                distinct=True,
            ),
        )
        .order_by("-number")
    )


def version_of(review: Review, number: int) -> ToRVersion:
    """One version of the review's terms of reference by its number, or 404."""
    return get_object_or_404(
        ToRVersion.objects.select_related("created_by", "approved_by"), review=review, number=number
    )


def latest_version(review: Review) -> ToRVersion | None:
    return ToRVersion.objects.filter(review=review).order_by("-number").first()


def sections_of(version: ToRVersion) -> list[ToRSection]:
    return list(ToRSection.objects.filter(version=version).order_by("order"))


def sections_with_threads(version: ToRVersion) -> list[ToRSection]:
    """The version's sections, each with `threads`: its top-level comments, oldest first, each with its
    replies and their authors (three queries in all)."""
    replies = ToRComment.objects.select_related("author").order_by("created_at", "pk")
    threads = (
        ToRComment.objects.filter(parent__isnull=True)
        .select_related("author", "addressed_by")
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="thread_replies"))
        .order_by("created_at", "pk")
    )
    return list(
        ToRSection.objects.filter(version=version)
        .prefetch_related(Prefetch("comments", queryset=threads, to_attr="threads"))
        .order_by("order")
    )


def comment_of(version: ToRVersion, pk: int) -> ToRComment:
    """A comment on this version (404 for a comment on any other version, of any review)."""
    return get_object_or_404(
        ToRComment.objects.select_related("section", "author"), pk=pk, section__version=version
    )


def unaddressed_count(version: ToRVersion) -> int:
    """How many of the version's comments (threads' first comments) are not yet marked addressed."""
    return ToRComment.objects.filter(
        section__version=version, parent__isnull=True, addressed_at__isnull=True
    ).count()
