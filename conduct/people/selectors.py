"""Reads of practitioners' involvement and the family record: an event or a family member for a page
(404 unless it is the review's), the review's events with their attendance, its family members with their
contacts, the figures the self-checks read, and the names the report check looks for in a draft."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from reviews.models import Agency, Child, Review

from ..models import FamilyContact, FamilyMember, PractitionerAttendance, PractitionerEvent


def agencies_of(review: Review) -> QuerySet[Agency]:
    """The agencies of the review's lead board: whose practitioners are invited."""
    return Agency.objects.filter(boards=review.lead_board_id).order_by("name")


def events_of(review: Review) -> list[PractitionerEvent]:
    """The review's practitioner events by date, each with its attendance (two queries)."""
    return list(
        review.practitioner_events.prefetch_related(
            Prefetch("attendance", queryset=PractitionerAttendance.objects.select_related("agency"))
        ).order_by("held_on", "pk")
    )


def event_of(review: Review, event_pk: int) -> PractitionerEvent:
    return get_object_or_404(PractitionerEvent, review=review, pk=event_pk)


def children_of(review: Review) -> QuerySet[Child]:
    return Child.objects.filter(review=review).order_by("pseudonym")


def members_of(review: Review) -> list[FamilyMember]:
    """The review's family members by pseudonym, each with its child and contacts (two queries)."""
    return list(
        review.family_members.select_related("child")
        .prefetch_related(Prefetch("contacts", queryset=FamilyContact.objects.order_by("contacted_on", "pk")))
        .order_by("pseudonym", "pk")
    )


def member_of(review: Review, member_pk: int) -> FamilyMember:
    member = get_object_or_404(FamilyMember.objects.select_related("child"), review=review, pk=member_pk)
    member.review = review
    return member


def family_names(review: Review) -> list[tuple[str, str]]:
    """(real name, pseudonym) of each family member of the review: what the report check looks for in a
    draft (the real names must not appear; the pseudonyms are used)."""
    return list(review.family_members.order_by("pseudonym", "pk").values_list("real_name", "pseudonym"))


# The self-checks' figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PractitionerFigures:
    events: int
    interviews: int
    briefed: int  # events held whose briefing is recorded
    held: int  # events held by today
    with_support: int
    with_feedback: int
    invited: int
    attended: int
    agencies_invited: int
    agencies_attended: int


def practitioner_figures(review: Review, today) -> PractitionerFigures:
    events = list(review.practitioner_events.all())
    held = [e for e in events if e.held_on <= today]
    rows = list(
        PractitionerAttendance.objects.filter(event__review=review).values("agency_id", "invited", "attended")
    )
    return PractitionerFigures(
        events=sum(1 for e in events if e.kind == PractitionerEvent.Kind.EVENT),
        interviews=sum(1 for e in events if e.kind == PractitionerEvent.Kind.INTERVIEW),
        briefed=sum(1 for e in held if e.briefed_on),
        held=len(held),
        with_support=sum(1 for e in events if e.support_offered.strip()),
        with_feedback=sum(1 for e in held if e.feedback.strip()),
        invited=sum(r["invited"] for r in rows),
        attended=sum(r["attended"] for r in rows),
        agencies_invited=len({r["agency_id"] for r in rows if r["invited"]}),
        agencies_attended=len({r["agency_id"] for r in rows if r["attended"]}),
    )
