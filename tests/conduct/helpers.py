"""Makers for the information from agencies: a world review put in progress, agency authors, requests at
each status and chronology entries. Plain functions (usable from fixtures and authorization-walk rows)."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from conduct.models import ChronologyEntry, InformationRequest
from reviews.models import Agency, Membership, Review, Role
from tests.factories import AgencyFactory, MembershipFactory, UserFactory
from tests.responses.helpers import PDF_BYTES, agency_of


def in_progress(review: Review) -> Review:
    """Puts `review` at the review-in-progress stage (as starting the review would)."""
    Review.objects.filter(pk=review.pk).update(state="in_progress")
    review.refresh_from_db()
    return review


def author_for(agency: Agency, board, **user_fields):
    """A person who writes for `agency` as an agency author on `board`, with no other role."""
    user_fields.setdefault("full_name", "Avery Author")
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, board=board, role=Role.AGENCY_AUTHOR, agency=agency)
    return user


def other_agency(board, name: str = "North Health Trust") -> Agency:
    """A second agency of `board`, with nobody representing it."""
    return AgencyFactory(name=name, kind=Agency.Kind.HEALTH, boards=[board])


def request_to(
    review: Review, author, agency: Agency | None = None, *, status: str = "asked", **fields
) -> InformationRequest:
    """A request to `agency` (the author's own, by default) written by `author`, at `status`."""
    if agency is None:
        agency = (
            Membership.objects.filter(user=author, role=Role.AGENCY_AUTHOR, board=review.lead_board)
            .first()
            .agency
        )
    manager = Membership.objects.filter(board=review.lead_board, role=Role.BUSINESS_MANAGER).first().user
    today = timezone.localdate()
    made = InformationRequest.objects.create(
        review=review,
        agency=agency,
        author=author,
        wants_chronology=fields.pop("wants_chronology", True),
        wants_report=fields.pop("wants_report", False),
        reason=fields.pop("reason", "The period of the review: what your agency knew and did."),
        due_on=fields.pop("due_on", today + timedelta(days=14)),
        asked_on=fields.pop("asked_on", today - timedelta(days=30)),
        asked_by=manager,
        status=status,
        submitted_at=timezone.now() if status in ("submitted", "accepted") else None,
        **fields,
    )
    return made


def entry(request: InformationRequest, on: date | None = None, **fields) -> ChronologyEntry:
    return ChronologyEntry.objects.create(
        request=request,
        review_id=request.review_id,
        agency_id=request.agency_id,
        occurred_on=on or date(2025, 3, 1),
        event=fields.pop("event", "Home visit: Child A seen."),
        source=fields.pop("source", "Case file"),
        significance=fields.pop("significance", "routine"),
        **fields,
    )


def with_report(request: InformationRequest) -> InformationRequest:
    request.report.save("agency-report.pdf", ContentFile(PDF_BYTES), save=False)
    request.report_name, request.report_size = "Agency report.pdf", len(PDF_BYTES)
    request.save()
    return request


def north_request(w, status: str = "asked") -> InformationRequest:
    """The north review (in progress) asks North's member's agency, written by the world's north author; one
    entry and a document (made once: the same request however often this is called)."""
    review = in_progress(w.north_review)
    agency = agency_of(w.north_member, w.north)
    made = InformationRequest.objects.filter(review=review, agency=agency).first()
    if made is None:
        made = with_report(request_to(review, w.north_author, agency, status=status, wants_report=True))
        entry(made)
    return made
