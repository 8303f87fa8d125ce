"""Reads for the terms of reference of one review the caller has already been allowed to see. Each page
is read in a fixed number of queries, however many versions and comments there are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404

from commissioning.models import (
    ToRAgreement,
    ToRAgreementWaiver,
    ToRCitedFactor,
    ToRComment,
    ToRSection,
    ToRVersion,
)
from reviews.models import Board, ParticipatingBoard, Review


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


@dataclass
class CommentRow:
    """A comment as the comments page shows it, read as plain values (a version has hundreds); the view
    adds when it was written and the links the person may follow."""

    pk: int
    author_name: str
    text: str
    created_at: datetime
    addressed_at: datetime | None
    addressed_by_name: str
    addressed_how: str
    replies: list[CommentRow] = field(default_factory=list)
    written: str = ""
    addressed_on: str = ""
    reply_url: str = ""
    address_url: str = ""


def _name(full_name: str | None, email: str | None) -> str:
    return full_name or email or ""  # as User.get_full_name(); nothing when there is no such person


def sections_with_threads(version: ToRVersion) -> list[ToRSection]:
    """The version's sections, each with `threads`: its top-level comments, oldest first, each with its
    `replies`, oldest first (two queries in all: the sections, then every comment with its people's
    names)."""
    sections = sections_of(version)
    threads_of: dict[int, list[CommentRow]] = {}
    for section in sections:
        section.threads = threads_of[section.pk] = []
    values = (
        ToRComment.objects.filter(section_id__in=list(threads_of))
        .order_by("created_at", "pk")
        .values(
            "pk",
            "section_id",
            "parent_id",
            "text",
            "created_at",
            "addressed_at",
            "addressed_how",
            author_full_name=F("author__full_name"),
            author_email=F("author__email"),
            addressed_by_full_name=F("addressed_by__full_name"),
            addressed_by_email=F("addressed_by__email"),
        )
    )
    threads: dict[int, CommentRow] = {}
    replies: list[tuple[int, CommentRow]] = []
    for v in values:
        row = CommentRow(
            pk=v["pk"],
            author_name=_name(v["author_full_name"], v["author_email"]),
            text=v["text"],
            created_at=v["created_at"],
            addressed_at=v["addressed_at"],
            addressed_by_name=_name(v["addressed_by_full_name"], v["addressed_by_email"]),
            addressed_how=v["addressed_how"],
        )
        if v["parent_id"] is None:
            threads[row.pk] = row
            threads_of[v["section_id"]].append(row)
        else:
            replies.append((v["parent_id"], row))
    for parent_id, row in replies:
        # Replies hang from a thread's first comment (services.tor_comment_add); a reply to a reply, which
        # the portal never makes, is not shown.
        if parent_id in threads:
            threads[parent_id].replies.append(row)
    return sections


def comment_of(version: ToRVersion, pk: int) -> ToRComment:
    """A comment on this version (404 for a comment on any other version, of any review)."""
    return get_object_or_404(
        ToRComment.objects.select_related("section", "author"), pk=pk, section__version=version
    )


def cited_factors_of(version: ToRVersion) -> list[ToRCitedFactor]:
    """The factors the version's own rationale relied on when it was made, case factors first."""
    return list(ToRCitedFactor.objects.filter(version=version).order_by("kind", "order", "pk"))


def cited_kinds_of(version: ToRVersion) -> set[str]:
    """The kinds of factor (case, context) the version's own rationale cites."""
    return set(ToRCitedFactor.objects.filter(version=version).values_list("kind", flat=True))


def unaddressed_count(version: ToRVersion) -> int:
    """How many of the version's comments (threads' first comments) are not yet marked addressed."""
    return ToRComment.objects.filter(
        section__version=version, parent__isnull=True, addressed_at__isnull=True
    ).count()


# Cross-border reviews: the participating boards' agreement to a version ------------------------------


@dataclass
class BoardPosition:
    """A board taking part, and its chair's agreement or objection to the version (None: not yet)."""

    board: Board
    agreement: ToRAgreement | None


def positions_on(version: ToRVersion) -> list[BoardPosition]:
    """Each board taking part in the review, by name, with what its chair recorded on this version."""
    boards = [
        p.board
        for p in ParticipatingBoard.objects.filter(review_id=version.review_id)
        .select_related("board")
        .order_by("board__name")
    ]
    recorded = {
        a.board_id: a for a in ToRAgreement.objects.filter(version=version).select_related("recorded_by")
    }
    return [BoardPosition(board, recorded.get(board.pk)) for board in boards]


def boards_not_heard(version: ToRVersion) -> list[Board]:
    """The boards taking part whose chair has recorded neither agreement nor objection on this version."""
    return [p.board for p in positions_on(version) if p.agreement is None]


def waiver_of(version: ToRVersion) -> ToRAgreementWaiver | None:
    """The lead chair's reason for approving without every board's answer, when recorded."""
    return ToRAgreementWaiver.objects.filter(version=version).select_related("recorded_by").first()
