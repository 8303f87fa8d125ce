"""The board's commissioning decisions: factors, scope, lines of enquiry, agencies and the proportionality
rationale (the quality-marker self-check is tested in tests/markers/)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.models import (
    Factor,
    FactorAssessment,
    FactorKind,
    LineOfEnquiry,
    Scope,
)
from commissioning.selectors import rationale_gaps
from reviews.models import Review

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


def test_the_marker_names_three_case_and_seven_context_factors(standard_factors):
    kinds = list(Factor.objects.filter(review__isnull=True).values_list("kind", flat=True))
    assert kinds.count(FactorKind.CASE) == 3
    assert kinds.count(FactorKind.CONTEXT) == 7
    assert all(Factor.objects.filter(review__isnull=True).values_list("guidance", flat=True))


def test_business_manager_assesses_factors_and_a_timeline_entry_says_so(client, world):
    review = _commissioning(world.north_review)
    client.force_login(world.north_manager)
    factor = Factor.objects.get(key="practice-concerns")
    response = client.post(
        reverse("factors_edit", args=[review.pk]),
        {f"assessment_{factor.pk}": "Four agencies missed injuries.", f"weight_{factor.pk}": "decisive"},
    )
    assert response.status_code == 302
    saved = FactorAssessment.objects.get(review=review, factor=factor)
    assert (saved.assessment, saved.weight, saved.updated_by) == (
        "Four agencies missed injuries.",
        "decisive",
        world.north_manager,
    )
    assert review.timeline.filter(title__startswith="Factors assessed").count() == 1


def test_an_assessment_without_a_weight_is_refused_with_a_clear_message_and_kept(client, world):
    review = _commissioning(world.north_review)
    client.force_login(world.north_manager)
    factor = Factor.objects.get(key="public-interest")
    response = client.post(
        reverse("factors_edit", args=[review.pk]), {f"assessment_{factor.pk}": "National coverage."}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Select how much" in body and "National coverage." in body
    assert not FactorAssessment.objects.filter(review=review).exists()


def test_a_custom_factor_belongs_to_its_review_only(client, world):
    review = _commissioning(world.north_review)
    client.force_login(world.north_manager)
    client.post(
        reverse("custom_factor_add", args=[review.pk]),
        {"kind": "context", "title": "Recent flooding", "guidance": ""},
    )
    factor = Factor.objects.get(title="Recent flooding")
    assert factor.review == review and factor.key is None
    client.force_login(world.south_manager)
    page = client.get(reverse("factors_edit", args=[_commissioning(world.south_review).pk]))
    assert "Recent flooding" not in [row.factor.title for row in page.context["form"].rows]


def test_rationale_gaps_name_each_missing_kind(world):
    review = world.north_review
    assert len(rationale_gaps(review)) == 3  # nothing written, no case factor, no context factor
    scope = Scope.objects.create(review=review, rationale="Proportionate because…")
    scope.rationale_factors.add(_assess(review, world.north_manager, "family-strengths-and-risks"))
    assert rationale_gaps(review) == [
        "The rationale cites no context factor (previous learning, reviewers, capacity, priorities…)."
    ]
    scope.rationale_factors.add(_assess(review, world.north_manager, "board-capacity"))
    assert rationale_gaps(review) == []


def test_the_rationale_page_warns_when_a_kind_of_factor_is_missing(client, world):
    review = _commissioning(world.north_review)
    case = _assess(review, world.north_manager, "legal-requirements")
    client.force_login(world.north_manager)
    response = client.post(
        reverse("rationale_edit", args=[review.pk]),
        {"rationale": "A focused review.", "rationale_factors": [case.pk]},
        follow=True,
    )
    assert "cites no context factor" in response.content.decode()
    overview = client.get(reverse("commissioning", args=[review.pk])).content.decode()
    assert "The chair cannot approve the terms of reference yet" in overview


def test_the_rationale_can_only_cite_this_reviews_assessments(client, world):
    review = _commissioning(world.north_review)
    other = _assess(world.south_review, world.south_manager, "public-interest")
    client.force_login(world.north_manager)
    response = client.post(
        reverse("rationale_edit", args=[review.pk]), {"rationale": "x", "rationale_factors": [other.pk]}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_scope_period_must_end_after_it_starts(client, world):
    review = _commissioning(world.north_review)
    client.force_login(world.north_manager)
    response = client.post(
        reverse("scope_edit", args=[review.pk]),
        {
            "period_from_0": "1",
            "period_from_1": "6",
            "period_from_2": "2025",
            "period_to_0": "1",
            "period_to_1": "1",
            "period_to_2": "2025",
        },
    )
    assert "The end of the period must be after its start" in response.content.decode()
    assert not Scope.objects.filter(review=review).exists()


def test_joint_decision_is_asked_only_for_a_cross_border_review(client, world):
    client.force_login(world.north_manager)
    single = client.get(reverse("scope_edit", args=[_commissioning(world.north_review).pk])).content.decode()
    cross = client.get(
        reverse("scope_edit", args=[_commissioning(world.cross_border_review).pk])
    ).content.decode()
    assert "Joint decision" not in single
    assert "Joint decision" in cross


def test_lines_of_enquiry_keep_their_order_and_history(client, world):
    review = _commissioning(world.north_review)
    client.force_login(world.north_manager)
    url = reverse("lines_of_enquiry_edit", args=[review.pk])
    client.post(url, {"questions": "Why was the referral closed?\n\nHow did agencies share information?"})
    client.post(url, {"questions": "How did agencies share information?\nWhy was the referral closed?"})
    assert list(LineOfEnquiry.objects.filter(review=review).values_list("question", flat=True)) == [
        "How did agencies share information?",
        "Why was the referral closed?",
    ]
    assert LineOfEnquiry.history.filter(review_id=review.pk, history_type="-").count() == 2


def test_commissioning_cannot_be_changed_outside_its_stages(client, world):
    client.force_login(world.north_manager)
    assert (
        client.get(reverse("scope_edit", args=[world.north_review.pk])).status_code == 403
    )  # still a referral


def _overview_queries(client, review) -> int:
    client.get(reverse("commissioning", args=[review.pk]))  # warm-up: the first request does one-off work
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("commissioning", args=[review.pk])).status_code == 200
    return len(ctx.captured_queries)


def test_commissioning_page_query_count_does_not_grow_with_its_content(client, world):
    review = _commissioning(world.north_review)
    client.force_login(world.north_manager)
    scope = Scope.objects.create(review=review, rationale="Because.")
    factors = list(Factor.objects.filter(review__isnull=True))

    def grow(some_factors, lines: int) -> None:
        for factor in some_factors:
            assessment = FactorAssessment.objects.create(
                review=review, factor=factor, assessment="a", weight="minor", updated_by=world.north_manager
            )
            scope.rationale_factors.add(assessment)
        for i in range(lines):
            LineOfEnquiry.objects.create(review=review, order=i, question=f"Question {i}")

    grow(factors[:1], 1)
    few = _overview_queries(client, review)
    grow(factors[1:], 30)
    assert _overview_queries(client, review) == few
