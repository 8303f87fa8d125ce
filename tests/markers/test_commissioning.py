"""Quality Marker 6 (commissioning): its evidence comes from what the portal holds; the business manager
records the board's view on its self-check page and everyone on the review reads it."""

import pytest
from django.urls import reverse

from commissioning.models import Factor, FactorAssessment, Proposal, SelfCheckAnswer
from markers.checks import evidence_for
from markers.commissioning import MARKER
from reviews.models import Review, TimelineEntry

pytestmark = pytest.mark.django_db


def _commissioning(review):
    Review.objects.filter(pk=review.pk).update(state="commissioning")
    review.refresh_from_db()
    return review


def _assess(review, user, key, weight="significant"):
    factor = Factor.objects.get(key=key)
    return FactorAssessment.objects.create(
        review=review, factor=factor, assessment=f"About {key}", weight=weight, updated_by=user
    )


def test_self_check_evidence_comes_from_what_the_portal_holds(world):
    review = world.north_review
    evidence = evidence_for(review, MARKER)
    assert evidence[3].summary == "Case factors assessed: 0 of 3; context factors assessed: 0 of 7."
    assert evidence[4].summary == "No rationale has been written."
    _assess(review, world.north_manager, "practice-concerns")
    Proposal.objects.create(
        review=review, author=world.north_reviewer, topic="method", text="Use a systems method."
    )
    evidence = evidence_for(review, MARKER)
    assert evidence[3].summary.startswith("Case factors assessed: 1 of 3")
    assert "made 1 proposal: 0 answered" in evidence[2].summary


def test_business_manager_records_the_boards_view_and_others_read_it(client, world):
    review = _commissioning(world.north_review)
    client.force_login(world.north_manager)
    data = {f"status_{q.number}": "partly" for q in MARKER.questions} | {"comment_1": "Police did not reply."}
    client.post(reverse("commissioning_self_check", args=[review.pk]), data)
    assert SelfCheckAnswer.objects.filter(review=review, status="partly").count() == 4
    assert review.timeline.filter(
        title="Commissioning self-check updated", kind=TimelineEntry.Kind.UPDATE
    ).exists()
    client.force_login(world.north_member)
    page = client.get(reverse("commissioning_self_check", args=[review.pk]))
    assert "Police did not reply." in page.content.decode()
    assert client.post(reverse("commissioning_self_check", args=[review.pk]), data).status_code == 403


def test_the_commissioning_page_shows_the_evidence_panel(client, world):
    review = _commissioning(world.north_review)
    client.force_login(world.north_member)
    page = client.get(reverse("commissioning", args=[review.pk])).content.decode()
    assert "Quality marker 6: what the evidence shows" in page
    assert "Case factors assessed: 0 of 3; context factors assessed: 0 of 7." in page
    assert all(q.text in page for q in MARKER.in_words(review).questions)
    assert "Were board members given the chance" in page and "{" not in MARKER.in_words(review).statement
