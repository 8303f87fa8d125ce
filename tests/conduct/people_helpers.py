"""Makers for practitioners' involvement and the family record: an event with attendance, a family member
with contacts. Plain functions (usable from fixtures and authorization-walk rows)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from conduct.models import FamilyContact, FamilyMember, PractitionerAttendance, PractitionerEvent
from reviews.models import Child, Membership, Review, Role
from tests.conduct.helpers import in_progress


def manager_of(review: Review):
    return Membership.objects.filter(board=review.lead_board, role=Role.BUSINESS_MANAGER).first().user


def event(review: Review, held_on: date | None = None, *, counts=None, **fields) -> PractitionerEvent:
    """A learning event of the review (held a fortnight ago unless told), with `counts`: {agency: (invited,
    attended)}."""
    made = PractitionerEvent.objects.create(
        review=review,
        kind=fields.pop("kind", "event"),
        purpose=fields.pop("purpose", "What practitioners knew of the home."),
        held_on=held_on or timezone.localdate() - timedelta(days=14),
        recorded_by=manager_of(review),
        **fields,
    )
    for agency, (invited, attended) in (counts or {}).items():
        PractitionerAttendance.objects.create(event=made, agency=agency, invited=invited, attended=attended)
    return made


def child(review: Review, pseudonym: str = "Child A") -> Child:
    return Child.objects.get_or_create(review=review, pseudonym=pseudonym, defaults={"outcome": "died"})[0]


def member(
    review: Review, real_name: str = "Joanne Smith", pseudonym: str = "Mother", **fields
) -> FamilyMember:
    return FamilyMember.objects.create(
        review=review,
        real_name=real_name,
        pseudonym=pseudonym,
        relationship=fields.pop("relationship", "Mother"),
        child=fields.pop("child", child(review)),
        **fields,
    )


def contact(member: FamilyMember, **fields) -> FamilyContact:
    return FamilyContact.objects.create(
        member=member,
        review_id=member.review_id,
        contacted_on=fields.pop("contacted_on", timezone.localdate() - timedelta(days=3)),
        method=fields.pop("method", "letter"),
        outcome=fields.pop("outcome", "no_reply"),
        recorded_by=manager_of(member.review),
        **fields,
    )


def north_event(w) -> PractitionerEvent:
    review = in_progress(w.north_review)
    return review.practitioner_events.first() or event(review)


def north_member(w) -> FamilyMember:
    review = in_progress(w.north_review)
    return review.family_members.first() or member(review)
