"""Quality Markers 4, 11 and 12: the evidence moves as practitioner events and the family record are kept;
the family markers are read only by those who see the family record, and their evidence names and counts
nobody (the board pack prints it for the whole board)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from commissioning.models import SelfCheckAnswer
from markers.checks import MET, NOT_MET, PARTLY, evidence_for
from markers.people import INFORMING, INVOLVEMENT, PRACTITIONERS
from reviews.models import Review
from tests.conduct.helpers import in_progress, other_agency
from tests.conduct.people_helpers import contact, event, member
from tests.responses.helpers import agency_of

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _suggests(review, marker) -> dict[int, str]:
    return {n: e.suggests for n, e in evidence_for(review, marker).items()}


def test_practitioner_evidence_moves_as_events_are_recorded(world):
    review = in_progress(world.north_review)
    assert set(_suggests(review, PRACTITIONERS).values()) == {NOT_MET}
    police, health = agency_of(world.north_member, world.north), other_agency(world.north)
    held = event(review, counts={police: (3, 3), health: (2, 0)}, briefed_on=TODAY() - timedelta(days=20))
    evidence = evidence_for(review, PRACTITIONERS)
    assert evidence[1].suggests == MET
    assert evidence[2].summary == "3 of 5 practitioners invited attended, from 1 of the 2 agencies invited."
    assert evidence[2].suggests == PARTLY
    assert evidence[3].suggests == PARTLY  # briefed, but no support recorded
    assert evidence[4].suggests == NOT_MET
    held.support_offered, held.feedback, held.feedback_on = "Supervision", "Findings shared.", TODAY()
    held.save()
    held.attendance.filter(agency=health).update(attended=1)
    assert set(_suggests(review, PRACTITIONERS).values()) == {MET}


def test_family_evidence_moves_as_the_record_is_kept(world):
    review = in_progress(world.north_review)
    assert set(_suggests(review, INFORMING).values()) == {NOT_MET}
    assert set(_suggests(review, INVOLVEMENT).values()) == {NOT_MET}
    Review.objects.filter(pk=review.pk).update(started_on=TODAY() - timedelta(days=60))
    review.refresh_from_db()
    mother = member(
        review, told_on=TODAY() - timedelta(days=70), told_by="Business manager", told_how="visit"
    )
    father = member(review, real_name="John Smith", pseudonym="Father", relationship="Father")
    assert _suggests(review, INFORMING) == {1: PARTLY, 2: PARTLY}
    father.told_on, father.told_by, father.told_how = TODAY() - timedelta(days=65), "Lead reviewer", "letter"
    father.consent, father.not_involved_reason = "declined", "He asked not to be contacted again."
    father.save()
    assert _suggests(review, INFORMING) == {1: MET, 2: MET}

    contact(mother, method="meeting", outcome="met", views="The moves between homes.")
    mother.consent, mother.support_offered = "given", "An advocate"
    mother.save()
    evidence = evidence_for(review, INVOLVEMENT)
    assert evidence[1].suggests == MET  # contact with her; his reasons for taking no part
    assert evidence[2].suggests == PARTLY  # support offered to her only
    assert evidence[3].suggests == PARTLY  # her views, but not what they changed
    assert evidence[4].suggests == NOT_MET
    assert evidence[5].suggests == MET
    mother.influence, mother.saw_draft_on = "Housing moves added to the lines of enquiry.", TODAY()
    mother.save()
    evidence = evidence_for(review, INVOLVEMENT)
    assert evidence[3].suggests == MET and evidence[4].suggests == MET

    # Nothing of the family is said in the evidence: no name, no pseudonym, no figure
    said = " ".join(e.summary for m in (INFORMING, INVOLVEMENT) for e in evidence_for(review, m).values())
    for secret in ("Joanne", "Smith", "Mother", "Father", "advocate", "moves", "Housing"):
        assert secret not in said
    assert not re.search(r"\d", said)


def test_the_family_self_checks_are_for_the_family_record_s_keepers(client, world):
    review = in_progress(world.north_review)
    member(review)
    for name in ("family_self_check", "informing-the-family_self_check"):
        url = reverse(name, args=[review.pk])
        client.force_login(world.north_reviewer)
        assert client.get(url).status_code == 200
        for person in ("north_chair", "north_member", "north_author", "south_member"):
            client.force_login(getattr(world, person))
            assert client.get(url).status_code in (403, 404), (name, person)


def test_the_manager_records_the_board_s_view_of_practitioners_and_the_chair_reads_it(client, world):
    review = in_progress(world.north_review)
    url = reverse("practitioners_self_check", args=[review.pk])
    data = {f"status_{q.number}": "partly" for q in PRACTITIONERS.questions} | {"comment_2": "Police came."}
    client.force_login(world.north_chair)
    assert client.post(url, data).status_code == 403
    client.force_login(world.north_manager)
    assert client.post(url, data).status_code == 302
    assert SelfCheckAnswer.objects.filter(review=review, marker=11).count() == 4
    client.force_login(world.north_chair)
    assert "Police came." in client.get(url).content.decode()
