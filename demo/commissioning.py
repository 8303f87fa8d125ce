"""Demo commissioning data: the cross-border review NSCB-2026-03 part-way through commissioning, with
most factors assessed, a scope, questions, agencies and a rationale citing both kinds of factor."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from commissioning.factors import ensure_standard_factors
from commissioning.inputs.services import input_reply_add, input_round_open
from commissioning.models import (
    AgencyInvolvement,
    Availability,
    Factor,
    FactorAssessment,
    LeadReviewer,
    LineOfEnquiry,
    Method,
    Scope,
    Skill,
)
from commissioning.registry.services import proposal_answer, proposal_make
from commissioning.tor import workflow as tor_workflow
from commissioning.tor.services import (
    tor_agreement_record,
    tor_agreement_waive,
    tor_approve,
    tor_close_comments_early,
    tor_comment_add,
    tor_draft_create,
    tor_send_for_comment,
)
from reviews.models import Agency, Board, Membership, Review, Role
from scr_portal import workdays

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


REGISTRY = {
    "reviewer@north.example": (
        "Independent",
        ["Child exploitation", "Systems methodology", "Cross-border reviews"],
        2,
    ),
    "reviewer@south.example": ("Independent", ["Neglect", "SILP", "Health services"], 2),
}


def _registry() -> None:
    today = timezone.localdate()
    for email, (organisation, skills, most) in REGISTRY.items():
        user = User.objects.get(email=email)
        entry, created = LeadReviewer.objects.get_or_create(
            user=user,
            defaults={
                "organisation": organisation,
                "accreditation": "SCIE Learning Together accredited",
                "max_concurrent_reviews": most,
                "experience": "Has led several Serious Case Reviews for neighbouring boards.",
            },
        )
        if created:
            entry.skills.set([Skill.objects.get_or_create(name=name)[0] for name in skills])
            Availability.objects.create(
                reviewer=entry,
                available_from=today,
                available_to=today + timedelta(days=180),
                note="Two days a week",
            )


@transaction.atomic
def seed_demo() -> None:
    ensure_standard_factors()
    _registry()
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
    _conversation(review, manager)


def _conversation(review: Review, manager) -> None:
    """Board input, the lead reviewer's proposals and a terms-of-reference draft out for comment."""

    member = User.objects.get(email="member@north.example")
    reviewer = User.objects.get(email="reviewer@north.example")
    today = timezone.localdate()
    input_round = input_round_open(
        review=review,
        user=manager,
        request="What does your agency know that should shape the scope: records, practitioners, earlier learning?",
        closes_on=workdays.add_working_days(today, 7),
    )
    input_reply_add(
        input_round=input_round,
        user=member,
        text="Children's services hold return-home interviews for all nine missing episodes; two were never shared.",
    )
    first = proposal_make(
        review=review,
        author=reviewer,
        topic="method",
        text="Hold a practitioner event in each area, not one joint event.",
    )
    proposal_answer(
        proposal=first,
        actor=manager,
        answer="accepted",
        reason="Practitioners will speak more openly in their own area.",
    )
    proposal_make(
        review=review,
        author=reviewer,
        topic="scope",
        text="Start the period in March 2024, when the first missing episode happened.",
    )
    version = tor_draft_create(review=review, user=manager)
    tor_send_for_comment(version=version, user=manager, closes_on=today + timedelta(days=10))
    tor_comment_add(
        section=version.sections.order_by("order").first(),
        user=member,
        text="Please name the two areas' exploitation panels among the agencies involved.",
    )


def approve_terms(review: Review, manager, chair, *, on: date | None = None) -> None:
    """Takes a review's commissioning to approved terms of reference through the real services: two factors
    assessed (one case, one context), a rationale citing both, a version sent out and approved. For the
    demo's later-stage reviews and for tests that need a review past commissioning."""

    if review.tor_versions.filter(status__in=tor_workflow.APPROVED_STATUSES).exists():
        return
    ensure_standard_factors()  # reference data a migration loads; here too, for a database flushed since
    cited = [
        FactorAssessment.objects.get_or_create(
            review=review,
            factor=Factor.objects.get(key=key),
            defaults={"assessment": text, "weight": "significant", "updated_by": manager},
        )[0]
        for key, text in (
            ("practice-concerns", "Several agencies' practice is in question."),
            ("strategic-priorities", "The themes match the board's business plan priorities."),
        )
    ]
    scope, _ = Scope.objects.get_or_create(review=review)
    if not scope.rationale:
        scope.rationale = (
            "A focused review of the agencies most involved is proportionate to the case and the area."
        )
        scope.method = scope.method or Method.SYSTEMS
        scope.save()
    scope.rationale_factors.add(*cited)
    version = review.tor_versions.filter(status__in=tor_workflow.OPEN_STATUSES).order_by("-number").first()
    if version is None:
        version = tor_draft_create(review=review, user=manager)
    if tor_workflow.is_editable(version):
        closes = (on or timezone.localdate()) + timedelta(days=10)
        tor_send_for_comment(
            version=version, user=manager, closes_on=max(closes, timezone.localdate() + timedelta(days=1))
        )
        version.refresh_from_db()
    _participating_boards_agree(review, version, chair)
    if tor_workflow.may_close_comments_early(version):
        tor_close_comments_early(
            version=version,
            user=chair,
            reason=f"The {review.words.body} agreed the terms of reference at its meeting.",
        )
    tor_approve(version=version, user=chair)


def _participating_boards_agree(review: Review, version, lead_chair) -> None:
    """A cross-border review: each participating board's chair agrees to the version (or, for a board with no
    chair, the lead chair records why approval goes ahead without), as approval requires."""
    for board in Board.objects.filter(participations__review=review).order_by("name"):
        board_chair = (
            Membership.objects.active().filter(board=board, role=Role.CHAIR).select_related("user").first()
        )
        if board_chair is not None:
            tor_agreement_record(
                version=version,
                user=board_chair.user,
                board=board,
                position="agree",
                reasons="The scope covers the time the family lived in our area.",
            )
        else:
            tor_agreement_waive(
                version=version, user=lead_chair, reason=f"{board.name} has no chair in post to answer."
            )
