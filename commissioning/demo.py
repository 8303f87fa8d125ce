"""Demo commissioning data: the cross-border review NSCB-2026-03 part-way through commissioning, with
most factors assessed, a scope, questions, agencies and a rationale citing both kinds of factor."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction

from reviews.models import Agency, Review

from .models import AgencyInvolvement, Factor, FactorAssessment, LineOfEnquiry, Method, Scope

User = get_user_model()

ASSESSMENTS = {
    "family-strengths-and-risks": (
        "decisive",
        "Child C was repeatedly missing from home and from care placements; the family moved between areas "
        "twice in a year, and the mother's own experience of exploitation was not explored.",
    ),
    "practice-concerns": (
        "decisive",
        "Return-home interviews, strategy meetings and school attendance concerns were not joined up across "
        "the two areas; at least five agencies in each area were involved.",
    ),
    "legal-requirements": ("minor", "No specific legal requirement beyond the statutory guidance."),
    "previous-learning": (
        "significant",
        "North's 2024 thematic audit on exploitation covers missing episodes; little is known about how "
        "information follows a family across a border.",
    ),
    "reviewer-availability": ("significant", "Two accredited systems reviewers are available from February."),
    "public-interest": ("minor", "Local press interest after the criminal trial; no national coverage."),
    "strategic-priorities": ("significant", "Exploitation is a priority in both boards' business plans."),
    "board-capacity": ("significant", "North runs two other reviews this year; South can share the work."),
}

QUESTIONS = [
    "How well did agencies in both areas recognise and respond to the signs that Child C was being exploited?",
    "How did information about Child C and the family move between agencies when the family moved areas?",
    "What helped and what hindered practitioners in hearing Child C's own voice?",
]


@transaction.atomic
def seed_demo() -> None:
    review = Review.objects.filter(reference="NSCB-2026-03").select_related("lead_board").first()
    if review is None or Scope.objects.filter(review=review).exists():
        return
    manager = User.objects.get(email="manager@north.example")
    assessed = {
        key: FactorAssessment.objects.create(
            review=review,
            factor=Factor.objects.get(key=key),
            weight=weight,
            assessment=text,
            updated_by=manager,
        )
        for key, (weight, text) in ASSESSMENTS.items()
    }
    scope = Scope.objects.create(
        review=review,
        period_from=date(2024, 9, 1),
        period_to=review.incident_date,
        breadth_and_depth="The agencies in both areas that knew Child C, from the first missing episode to the incident.",
        method=Method.SYSTEMS,
        method_detail="A systems review with a practitioner learning event in each area.",
        reviewer_knowledge="Child exploitation; systems methodology; experience of cross-border reviews.",
        joint_decision="Both boards' chairs agreed at a joint meeting that North leads and South co-funds.",
        rationale=(
            "The gravity and complexity of the practice concerns across two areas, and how little is known "
            "locally about information crossing a border, call for a systems review of both areas. Sharing "
            "the work with South fits North's capacity this year."
        ),
    )
    scope.rationale_factors.set(
        [assessed["practice-concerns"], assessed["previous-learning"], assessed["board-capacity"]]
    )
    for order, question in enumerate(QUESTIONS, 1):
        LineOfEnquiry.objects.create(review=review, order=order, question=question)
    for name in (
        "North City Council Children's Services",
        "Shire Constabulary",
        "Shire Community Health NHS Trust",
    ):
        AgencyInvolvement.objects.create(
            review=review, agency=Agency.objects.get(name=name), chronology=True, practitioner_event=True
        )
