"""The demo's review in progress (NSCB-2025-04) holds what the README promises of the running of a review:
five agencies asked for information, three in (one chronology of 40 entries), one overdue with its author
reminded and the agency's board member told, one not yet due; each agency author signs in and sees only
their own request; a plan with one milestone slipped, a practitioner event, the family's contact attempts
and a first draft out for factual accuracy; the self-checks of markers 4 and 7–14 have evidence."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from conduct.models import AccuracyCheck, FamilyContact, InformationRequest
from conduct.report import services as report_services
from markers.checks import evidence_for
from markers.registry import MARKERS
from reviews.models import Review, State
from scr_portal.accounts.models import User

pytestmark = pytest.mark.django_db
Status = InformationRequest.Status


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def review(standard_factors, standard_themes):
    call_command("seed_demo", stdout=io.StringIO())
    return Review.objects.get(reference="NSCB-2025-04")


def test_the_review_in_progress_has_five_agency_requests_in_every_state(review):
    today = timezone.localdate()
    assert review.state == State.IN_PROGRESS
    requests = {r.agency.name: r for r in review.information_requests.select_related("agency")}
    assert len(requests) == 5
    statuses = sorted(r.status for r in requests.values())
    assert statuses == sorted(
        [Status.ACCEPTED, Status.ACCEPTED, Status.SUBMITTED, Status.ASKED, Status.ASKED]
    )
    overdue = [r for r in requests.values() if r.is_overdue(today)]
    assert len(overdue) == 1 and overdue[0].reminded_on and overdue[0].escalated_on
    assert overdue[0].reminded_on <= overdue[0].due_on < overdue[0].escalated_on <= today
    awaited = [r for r in requests.values() if r.status == Status.ASKED and not r.is_overdue(today)]
    assert len(awaited) == 1 and awaited[0].due_on > today
    children = requests["North City Council Children's Services"]
    assert children.entries.count() == 40 and children.report_name
    for request in requests.values():
        assert request.asked_on <= request.due_on
        assert all(e.occurred_on <= today for e in request.entries.all())


def test_seeding_again_adds_no_request_or_entry(review):
    before = (InformationRequest.objects.count(), review.chronology_entries.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (InformationRequest.objects.count(), review.chronology_entries.count()) == before


def test_each_agency_author_sees_their_own_request_and_nothing_else_of_the_review(review, client):
    for request in review.information_requests.select_related("author"):
        client.force_login(request.author)
        assert client.get(reverse("information_request", args=[review.pk, request.pk])).status_code == 200
        assert client.get(reverse("review_detail", args=[review.pk])).status_code == 404
        assert client.get(reverse("chronology", args=[review.pk])).status_code in (403, 404)
        others = review.information_requests.exclude(pk=request.pk)
        for other in others:
            assert client.get(reverse("information_request", args=[review.pk, other.pk])).status_code == 404
    assert User.objects.filter(email__startswith="author-", email__endswith="@north.example").count() == 5


def test_the_review_in_progress_shows_its_plan_people_family_and_draft(review):
    slipped = [m for m in review.milestones.all() if m.due_on > m.planned_on]
    assert len(slipped) == 1 and slipped[0].delays.count() == 1 and slipped[0].delays.get().reason
    assert review.milestones.filter(done_on__isnull=False).count() == 2
    assert review.practitioner_events.count() == 1
    assert review.family_members.count() == 2
    assert FamilyContact.objects.filter(member__review=review).count() == 3
    (draft,) = review.report_drafts.all()
    checks = list(AccuracyCheck.objects.filter(draft=draft))
    assert len(checks) == 3 and sum(1 for c in checks if c.replied_at) == 1
    assert not draft.accepted_at
    # The draft names nobody of the family: it could be accepted once checked.
    assert report_services.names_problem(draft, review) == ""


def test_every_self_check_of_the_running_of_the_review_has_evidence_in_the_demo(review):
    for number in (4, 7, 8, 9, 10, 11, 12, 13, 14):
        evidence = evidence_for(review, MARKERS[number])
        assert any(e.suggests != "not_met" for e in evidence.values()), number
