"""Quality Markers 7, 8 and 9: each question's evidence moves from not met to met as the plan, the governance,
the lead reviewer's declaration, the challenge log and the parallel processes' records are kept; the board's
view is recorded beside it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from commissioning.models import SelfCheckAnswer
from conduct.plan import services
from markers.checks import MET, NOT_MET, PARTLY, evidence_for
from markers.registry import MARKERS
from reviews.models import Decision, ParallelProcess, Review
from tests.conduct.helpers import in_progress
from tests.conduct.plan_helpers import challenge_for, milestone_for

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def review(world):
    return in_progress(world.north_review)


def _suggested(review, number: int) -> dict[int, str]:
    return {n: e.suggests for n, e in evidence_for(review, MARKERS[number]).items()}


def test_governance_moves_to_met_as_its_records_are_kept(review, world):
    assert _suggested(review, 7) == {1: NOT_MET, 2: NOT_MET, 3: NOT_MET, 4: PARTLY}

    services.independence_declare(review=review, user=world.north_reviewer, independent=True)
    services.governance_save(
        review=review,
        user=world.north_manager,
        quality_assured_by="A review panel named by the board",
        quality_assurance="It reads each draft.",
        sign_off="The chair accepts it at the board.",
    )
    challenge = challenge_for(review, world.north_manager)
    assert _suggested(review, 7) == {1: MET, 2: MET, 3: MET, 4: PARTLY}

    services.challenge_resolve(
        review=review,
        user=world.north_manager,
        challenge=challenge,
        resolution="Wording agreed.",
        resolved_on=TODAY(),
        escalated=False,
    )
    assert _suggested(review, 7) == {1: MET, 2: MET, 3: MET, 4: MET}
    assert "1 resolved, 0 open" in evidence_for(review, MARKERS[7])[4].summary


def test_management_moves_from_no_plan_to_a_plan_kept_and_its_delays_told(review, world):
    Review.objects.filter(pk=review.pk).update(
        decision=Decision.INITIATE, decision_date=TODAY() - timedelta(days=20)
    )
    review.refresh_from_db()
    assert _suggested(review, 8) == {1: NOT_MET, 2: NOT_MET, 3: NOT_MET, 4: NOT_MET}

    services.plan_from_template(review=review, user=world.north_manager)
    assert _suggested(review, 8) == {1: MET, 2: MET, 3: MET, 4: MET}

    late = milestone_for(review, name="Chronologies merged", days=-2, owner=world.north_manager)
    suggested = _suggested(review, 8)
    assert suggested[2] == NOT_MET and suggested[3] == NOT_MET
    assert "1 overdue" in evidence_for(review, MARKERS[8])[2].summary

    services.milestone_save(
        review=review,
        user=world.north_manager,
        milestone=late,
        name=late.name,
        owner=world.north_manager,
        due_on=TODAY() + timedelta(days=7),
        reason="Two agencies sent late.",
    )
    suggested = _suggested(review, 8)
    assert suggested[2] == PARTLY and suggested[3] == MET
    assert "1 delay, each with its reason told to the board" in evidence_for(review, MARKERS[8])[3].summary


def test_parallel_processes_move_to_met_as_their_effects_and_disclosure_are_recorded(review, world):
    process = world.north_process
    ParallelProcess.objects.filter(pk=process.pk).update(kind=ParallelProcess.Kind.CRIMINAL)
    assert _suggested(review, 9) == {1: MET, 2: NOT_MET, 3: NOT_MET, 4: NOT_MET}

    ParallelProcess.objects.filter(pk=process.pk).update(
        timetable_effect="Interviews wait for the trial.",
        tor_effect="The night of the incident is left to the trial.",
        disclosure_agreed_on=TODAY(),
        disclosure_agreed_with="Senior investigating officer",
    )
    assert _suggested(review, 9) == {1: MET, 2: MET, 3: MET, 4: MET}


def test_a_review_with_no_parallel_process_asks_the_board_to_say_so(review, world):
    world.north_process.delete()
    suggested = _suggested(review, 9)
    assert suggested[1] == PARTLY and suggested[4] == MET


def test_the_plan_page_shows_the_three_panels(client, review, world):
    client.force_login(world.north_member)
    page = client.get(reverse("review_plan", args=[review.pk])).content.decode()
    for number in (7, 8, 9):
        assert f"Quality marker {number}," in page
    assert reverse("management_self_check", args=[review.pk]) in page


def test_the_manager_records_the_boards_view_beside_the_evidence(client, review, world):
    marker = MARKERS[8]
    client.force_login(world.north_manager)
    url = reverse("management_self_check", args=[review.pk])
    page = client.get(url).content.decode()
    assert "No plan has been made." in page
    data = {}
    for q in marker.questions:
        data[f"status_{q.number}"] = "partly"
        data[f"comment_{q.number}"] = ""
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert SelfCheckAnswer.objects.filter(review=review, marker=8).count() == len(marker.questions)


def test_a_board_member_reads_the_self_check_but_cannot_record_it(client, review, world):
    client.force_login(world.north_member)
    url = reverse("governance_self_check", args=[review.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403
