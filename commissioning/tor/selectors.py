"""Reads for the terms of reference of one review the caller has already been allowed to see. Each page
is read in a fixed number of queries, however many versions and comments there are."""

from __future__ import annotations

import hashlib
from functools import partial

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.functional import SimpleLazyObject

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
    """The version's sections, each with `fingerprint` (what its comments look like now) and `threads`: its
    top-level comments, oldest first, each with its replies and their authors.

    The comments page caches each section's rendering under its fingerprint, so the fingerprints are read
    narrowly (two queries: sections, then each comment's ids and state) and the comments themselves only
    when a section must be rendered again (two more queries, for every section at once). On a round of 200
    comments, loading them all for every view of the page took a fifth of its time."""
    sections = list(ToRSection.objects.filter(version=version).order_by("order"))
    threads: dict[int, list] = {section.pk: [] for section in sections}
    replies: dict[int, list[int]] = {}
    comments = (
        ToRComment.objects.filter(section__version=version)
        .order_by("created_at", "pk")
        .values_list("section_id", "pk", "parent_id", "addressed_at")
    )
    for section_id, pk, parent_id, addressed_at in comments:
        if parent_id is None:
            threads[section_id].append((pk, addressed_at and addressed_at.isoformat()))
        else:
            replies.setdefault(parent_id, []).append(pk)
    loaded: dict[int, list[ToRComment]] = {}

    def load(section: ToRSection) -> list[ToRComment]:
        if not loaded:
            loaded.update(_threads_by_section(version))
        return loaded.get(section.pk, [])

    for section in sections:
        state = [(pk, addressed, replies.get(pk, [])) for pk, addressed in threads[section.pk]]
        section.fingerprint = hashlib.sha256(repr((section.pk, section.body, state)).encode()).hexdigest()[
            :32
        ]
        section.threads = SimpleLazyObject(partial(load, section))
    return sections


def _threads_by_section(version: ToRVersion) -> dict[int, list[ToRComment]]:
    """Every top-level comment on the version by section, oldest first, each with `thread_replies` (two
    queries)."""
    replies = ToRComment.objects.select_related("author").order_by("created_at", "pk")
    threads = (
        ToRComment.objects.filter(section__version=version, parent__isnull=True)
        .select_related("author", "addressed_by")
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="thread_replies"))
        .order_by("created_at", "pk")
    )
    by_section: dict[int, list[ToRComment]] = {}
    for thread in threads:
        by_section.setdefault(thread.section_id, []).append(thread)
    return by_section


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
