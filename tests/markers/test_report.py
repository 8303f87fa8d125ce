"""Quality Marker 14 (the report): its evidence moves as drafts are checked, assured, seen by the family
and accepted; the business manager records the board's view and board people read it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from commissioning.models import SelfCheckAnswer
from conduct.models import DraftAssurance, DraftFamilyFeedback
from conduct.report import services
from markers.checks import evidence_for
from markers.registry import MARKERS
from markers.report import MARKER
from tests.conduct.helpers import in_progress
from tests.conduct.report_helpers import check, draft
from tests.responses.helpers import agency_of

pytestmark = pytest.mark.django_db
Status = SelfCheckAnswer.Status


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _suggests(review) -> dict[int, str]:
    return {n: e.suggests for n, e in evidence_for(review, MARKER).items()}


def test_the_marker_is_registered_as_number_14():
    assert MARKERS[14] is MARKER and MARKER.url_name == "report_self_check"


def test_the_evidence_moves_from_nothing_to_met_as_the_report_is_worked_through(world):
    review = in_progress(world.north_review)
    assert set(_suggests(review).values()) == {Status.NOT_MET}

    made = draft(review)
    agency = agency_of(world.north_member, world.north)
    asked = check(made, agency, replied=True, comments=("Wrong date on page 2.",))
    evidence = evidence_for(review, MARKER)
    assert evidence[1].suggests == Status.MET and evidence[1].summary.endswith("1 replied.")
    assert (
        evidence[2].suggests == Status.NOT_MET
        and "1 comment from agencies; 0 dealt with" in evidence[2].summary
    )

    services.comment_respond(comment=asked.comments.get(), user=world.north_reviewer, response="Corrected.")
    DraftAssurance.objects.create(
        draft=made,
        assured_by="Panel",
        assured_on=timezone.localdate(),
        outcome="changes",
        recorded_by=world.north_manager,
    )
    assert _suggests(review)[2] == Status.MET and _suggests(review)[3] == Status.PARTLY
    DraftAssurance.objects.create(
        draft=made,
        assured_by="Panel",
        assured_on=timezone.localdate(),
        outcome="assured",
        recorded_by=world.north_manager,
    )
    DraftFamilyFeedback.objects.create(
        draft=made, seen_on=timezone.localdate(), said="Agreed.", recorded_by=world.north_manager
    )
    assert _suggests(review)[5] == Status.NOT_MET
    services.draft_accept(review=review, user=world.north_chair, draft=made, received_on=timezone.localdate())
    assert set(_suggests(review).values()) == {Status.MET}


def test_unreplied_checks_are_partly_met(world):
    review = in_progress(world.north_review)
    made = draft(review)
    check(made, agency_of(world.north_member, world.north), replied=True)
    from tests.conduct.helpers import other_agency

    check(made, other_agency(world.north))
    evidence = evidence_for(review, MARKER)
    assert evidence[1].suggests == Status.PARTLY and evidence[2].suggests == Status.MET


def test_the_questions_speak_the_regimes_words(world, partnership):
    scr = MARKER.in_words(world.north_review)
    cspr = MARKER.in_words(partnership.review)
    assert "board's panel" in scr.questions[2].text and "by the chair" in scr.questions[4].text
    assert "partnership's panel" in cspr.questions[2].text and "by the partners" in cspr.questions[4].text


def test_the_business_manager_records_the_boards_view_and_others_read_it(client, world):
    review = in_progress(world.north_review)
    url = reverse("report_self_check", args=[review.pk])
    data = {f"status_{q.number}": "partly" for q in MARKER.questions}
    client.force_login(world.north_member)
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 403
    client.force_login(world.north_manager)
    assert client.post(url, data).status_code == 302
    assert SelfCheckAnswer.objects.filter(review=review, marker=14).count() == len(MARKER.questions)
