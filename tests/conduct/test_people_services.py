"""Writes for practitioners and the family: what each records, what it refuses and why, and that the
restricted family record leaves nothing on the timeline everyone reads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conduct.models import FamilyMember, PractitionerAttendance
from conduct.people import services
from conduct.people.selectors import family_names
from reviews.models import Review
from tests.conduct.people_helpers import child, member
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _event_fields(**fields) -> dict:
    return {
        "kind": "event",
        "purpose": "Hear from the practitioners who knew the family.",
        "held_on": TODAY() - timedelta(days=3),
        "briefed_on": None,
        "support_offered": "",
        "feedback": "",
        "feedback_on": None,
        "attendance": {},
    } | fields


def _member_fields(review, **fields) -> dict:
    return {
        "real_name": "Joanne Smith",
        "pseudonym": "Mother",
        "relationship": "Mother",
        "child": child(review),
        "told_on": None,
        "told_by": "",
        "told_how": "",
        "support_offered": "",
        "consent": "not_asked",
        "influence": "",
        "saw_draft_on": None,
        "draft_comments": "",
        "not_involved_reason": "",
    } | fields


def test_an_event_is_recorded_with_attendance_per_agency_and_noted_on_the_timeline(info, world):
    made = services.practitioner_event_save(
        review=info.review,
        user=world.north_manager,
        **_event_fields(attendance={info.agency.pk: (4, 3), info.health.pk: (2, 0)}),
    )
    rows = {r.agency_id: (r.invited, r.attended) for r in PractitionerAttendance.objects.filter(event=made)}
    assert rows == {info.agency.pk: (4, 3), info.health.pk: (2, 0)}
    assert info.review.timeline.filter(title__startswith="Practitioner learning event recorded").exists()

    # Changing it: an agency counted as nobody is dropped
    services.practitioner_event_save(
        review=info.review,
        user=world.north_reviewer,
        event=made,
        **_event_fields(attendance={info.agency.pk: (4, 4), info.health.pk: (0, 0)}),
    )
    assert list(made.attendance.values_list("agency_id", "attended")) == [(info.agency.pk, 4)]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"purpose": "  "}, "purpose"),
        ({"briefed_on": TODAY() - timedelta(days=1)}, "briefed_on"),  # after the event
        ({"feedback_on": TODAY() - timedelta(days=5)}, "feedback_on"),  # before the event
        ({"feedback": "Told them the findings."}, "feedback_on"),  # feedback without its date
        ({"feedback_on": TODAY() + timedelta(days=1)}, "feedback_on"),
        ({"attendance": {0: (2, 3)}}, "attendance"),
    ],
)
def test_an_event_is_refused_what_cannot_be(info, world, fields, field):
    with pytest.raises(services.PeopleRefused) as refused:
        services.practitioner_event_save(
            review=info.review, user=world.north_manager, **_event_fields(**fields)
        )
    assert refused.value.field == field
    assert not info.review.practitioner_events.exists()


def test_an_event_counts_only_the_boards_agencies_and_only_while_in_progress(info, world):
    elsewhere = AgencyFactory(name="Elsewhere Police")
    with pytest.raises(services.PeopleRefused, match="agencies of the board") as refused:
        services.practitioner_event_save(
            review=info.review, user=world.north_manager, **_event_fields(attendance={elsewhere.pk: (1, 1)})
        )
    assert refused.value.field == "attendance"
    Review.objects.filter(pk=info.review.pk).update(state="report_received")
    with pytest.raises(services.PeopleRefused, match="only while the review is in progress"):
        services.practitioner_event_save(review=info.review, user=world.north_manager, **_event_fields())


def test_a_family_member_is_kept_without_a_word_on_the_timeline(info, world):
    before = info.review.timeline.count()
    made = services.family_member_save(
        review=info.review,
        user=world.north_reviewer,
        **_member_fields(
            info.review, told_on=TODAY() - timedelta(days=40), told_by="Business manager", told_how="visit"
        ),
    )
    assert made.real_name == "Joanne Smith" and made.child.pseudonym == "Child A"
    services.family_contact_add(
        member=made,
        user=world.north_reviewer,
        contacted_on=TODAY(),
        method="meeting",
        outcome="met",
        views="She wants the review to look at the housing moves.",
    )
    assert made.contacts.count() == 1
    assert info.review.timeline.count() == before
    assert family_names(info.review) == [("Joanne Smith", "Mother")]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"real_name": " "}, "real_name"),
        ({"pseudonym": "joanne smith"}, "pseudonym"),  # the real name is no pseudonym
        ({"told_on": TODAY() + timedelta(days=1), "told_how": "letter"}, "told_on"),
        ({"told_on": TODAY()}, "told_how"),
        ({"draft_comments": "Too long."}, "saw_draft_on"),
    ],
)
def test_a_family_member_is_refused_what_cannot_be(info, world, fields, field):
    with pytest.raises(services.PeopleRefused) as refused:
        services.family_member_save(
            review=info.review, user=world.north_manager, **_member_fields(info.review, **fields)
        )
    assert refused.value.field == field
    assert not FamilyMember.objects.exists()


def test_two_family_members_never_share_a_pseudonym_and_a_child_is_the_review_s_own(info, world):
    member(info.review)
    with pytest.raises(services.PeopleRefused, match="Another family member") as refused:
        services.family_member_save(
            review=info.review,
            user=world.north_manager,
            **_member_fields(info.review, real_name="Other Person", pseudonym="MOTHER"),
        )
    assert refused.value.field == "pseudonym"
    with pytest.raises(services.PeopleRefused) as refused:
        services.family_member_save(
            review=info.review,
            user=world.north_manager,
            **_member_fields(
                info.review, pseudonym="Father", real_name="John Smith", child=child(world.south_review)
            ),
        )
    assert refused.value.field == "child"


def test_a_contact_with_no_reply_has_no_views_and_the_record_closes_with_the_review(info, world):
    made = member(info.review)
    with pytest.raises(services.PeopleRefused) as refused:
        services.family_contact_add(
            member=made,
            user=world.north_manager,
            contacted_on=TODAY(),
            method="phone",
            outcome="no_reply",
            views="x",
        )
    assert refused.value.field == "views"
    Review.objects.filter(pk=info.review.pk).update(state="report_received")
    with pytest.raises(services.PeopleRefused, match="only while the review is in progress"):
        services.family_contact_add(
            member=made,
            user=world.north_manager,
            contacted_on=TODAY(),
            method="phone",
            outcome="spoke",
            views="",
        )


def test_told_before_commissioning_compares_with_the_day_the_review_started(info):
    made = member(info.review, told_on=TODAY() - timedelta(days=10), told_how="letter")
    # The review has not started: whoever has been told was told before it.
    assert made.told_before_commissioning() is True
    assert member(info.review, "Sam Smith", "Father").told_before_commissioning() is None  # not told yet
    Review.objects.filter(pk=info.review.pk).update(started_on=TODAY() - timedelta(days=5))
    made.review.refresh_from_db()
    assert made.told_before_commissioning() is True
    made.told_on = TODAY() - timedelta(days=2)
    assert made.told_before_commissioning() is False
