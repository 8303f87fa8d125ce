"""Quality Markers 10 (assembling the information) and 13 (analysis): their evidence comes from the
requests to agencies and the lead reviewer's analysis; the business manager records the board's view and
those who read the part read it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from commissioning.models import SelfCheckAnswer
from conduct.models import InformationRequest
from markers import analysis, information
from markers.checks import evidence_for
from tests.conduct.conftest import Info
from tests.conduct.helpers import author_for, entry, in_progress, other_agency, request_to
from tests.conduct.inquiry_helpers import episode, line
from tests.responses.helpers import agency_of

pytestmark = pytest.mark.django_db
MET, PARTLY, NOT_MET = (
    SelfCheckAnswer.Status.MET,
    SelfCheckAnswer.Status.PARTLY,
    SelfCheckAnswer.Status.NOT_MET,
)


@pytest.fixture
def info(world) -> Info:
    """North's review in progress with two agencies and their authors (as tests/conduct's fixture)."""
    health = other_agency(world.north)
    return Info(
        review=in_progress(world.north_review),
        agency=agency_of(world.north_member, world.north),
        author=world.north_author,
        health=health,
        health_author=author_for(health, world.north, email="author@health.example", full_name="Hal Health"),
    )


def test_marker_10_reads_the_requests_to_agencies(info, world):
    review = info.review
    assert {e.suggests for e in evidence_for(review, information.MARKER).values()} == {NOT_MET}
    on_time = request_to(review, info.author, info.agency, status="accepted")
    late = request_to(
        review,
        info.health_author,
        info.health,
        status="submitted",
        due_on=timezone.localdate() - timedelta(days=3),
        reminded_on=timezone.localdate() - timedelta(days=4),
    )
    assert on_time.submitted_at.date() <= on_time.due_on and late.submitted_at.date() > late.due_on
    evidence = evidence_for(review, information.MARKER)
    assert evidence[1].summary.startswith("2 requests to 2 of the board's")
    assert evidence[1].suggests == MET
    assert (
        evidence[2].summary == "2 of 2 requests answered; 1 by the date asked."
        and evidence[2].suggests == PARTLY
    )
    assert (
        evidence[3].summary.startswith("1 request chased by reminder; 0 escalated")
        and evidence[3].suggests == MET
    )
    assert evidence[4].summary.startswith("1 of 2 requests accepted") and evidence[4].suggests == PARTLY
    InformationRequest.objects.filter(pk=late.pk).update(status="accepted")
    assert evidence_for(review, information.MARKER)[4].suggests == MET


def test_marker_13_reads_the_lines_episodes_and_the_agencies_they_cite(info, world):
    review = info.review
    assert {e.suggests for e in evidence_for(review, analysis.MARKER).values()} == {NOT_MET}
    police = entry(request_to(review, info.author, info.agency, status="submitted"), date(2025, 2, 1))
    gp = entry(request_to(review, info.health_author, info.health, status="accepted"), date(2025, 2, 2))
    asked = line(review, "How was risk shared?")
    line(review, "Was the child's voice heard?")
    episode(review, "February", entries=[police, gp], lines=[asked])
    episode(review, "Spring", entries=[police], analysis="")
    evidence = evidence_for(review, analysis.MARKER)
    assert (
        evidence[1].summary == "2 lines of enquiry; 1 taken up by an episode."
        and evidence[1].suggests == PARTLY
    )
    assert (
        evidence[2].summary == "2 key practice episodes, 2 of them citing chronology entries."
        and evidence[2].suggests == MET
    )
    assert evidence[3].summary == (
        "Episodes resting on entries from two agencies or more: 1 of 2; agencies that sent a chronology and are "
        "cited: 2 of 2."
    )
    assert evidence[3].suggests == PARTLY
    assert (
        evidence[4].summary == "Episodes that say why practice was as it was: 1 of 2."
        and evidence[4].suggests == PARTLY
    )


def test_the_manager_records_the_view_and_the_chair_reads_it(client, info, world):
    for marker in (information.MARKER, analysis.MARKER):
        url = reverse(marker.url_name, args=[info.review.pk])
        data = {f"status_{q.number}": "partly" for q in marker.questions}
        client.force_login(world.north_reviewer)
        assert client.post(url, data).status_code == 403
        client.force_login(world.north_manager)
        assert client.post(url, data).status_code == 302
        assert SelfCheckAnswer.objects.filter(review=info.review, marker=marker.number).count() == len(
            marker.questions
        )
        client.force_login(world.north_chair)
        page = client.get(url).content.decode()
        assert page.count("Partly met") >= len(marker.questions), marker.number


def test_each_part_s_page_shows_where_its_evidence_points(client, info, world):
    request_to(info.review, info.author, info.agency, status="accepted")
    client.force_login(world.north_member)
    page = client.get(reverse("information_requests", args=[info.review.pk])).content.decode()
    assert "Quality marker 10: where the evidence stands" in page and "1 request to 1 of the board" in page
    client.force_login(world.north_reviewer)
    page = client.get(reverse("analysis", args=[info.review.pk])).content.decode()
    assert "Quality marker 13: where the evidence stands" in page
    assert "No line of enquiry is recorded yet." in page
