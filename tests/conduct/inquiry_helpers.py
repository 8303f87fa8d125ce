"""Makers for the analysis (lines of enquiry, key practice episodes) of a review in progress. Plain
functions, usable from fixtures and authorization-walk rows."""

from __future__ import annotations

from datetime import date

from conduct.models import ChronologyEntry, EnquiryLine, PracticeEpisode
from reviews.models import Membership, Review, Role


def _someone(review: Review):
    return Membership.objects.filter(board=review.lead_board, role=Role.BUSINESS_MANAGER).first().user


def line(review: Review, question: str = "How did agencies share what they knew?", **fields) -> EnquiryLine:
    return EnquiryLine.objects.create(
        review=review,
        question=question,
        why=fields.pop("why", "The family moved between areas three times."),
        created_by=fields.pop("created_by", None) or _someone(review),
        **fields,
    )


def episode(
    review: Review,
    title: str = "The move to the new flat",
    *,
    entries: list[ChronologyEntry] = (),
    lines: list[EnquiryLine] = (),
    **fields,
) -> PracticeEpisode:
    made = PracticeEpisode.objects.create(
        review=review,
        title=title,
        starts_on=fields.pop("starts_on", date(2025, 1, 1)),
        ends_on=fields.pop("ends_on", date(2025, 6, 30)),
        summary=fields.pop("summary", "Visits stopped after the move."),
        analysis=fields.pop("analysis", "Caseloads doubled that spring; no one owned the transfer."),
        created_by=fields.pop("created_by", None) or _someone(review),
        **fields,
    )
    made.entries.set(entries)
    made.lines.set(lines)
    return made
