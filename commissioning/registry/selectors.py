"""Reads for the lead reviewer registry, appointments and proposals. Registry reads are for people the
caller has already allowed to consult the registry; review reads are for a review already loaded through
`reviews.selectors.review_for`."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from commissioning.models import Availability, ConflictDeclaration, LeadReviewer, Proposal, Skill
from reviews.models import TERMINAL_STATES, Appointment, Review

# A reviewer's load: appointments not ended, on reviews still running (a closed review is no work).
_CURRENT = Q(user__appointments__ended_at__isnull=True) & ~Q(
    user__appointments__review__state__in=TERMINAL_STATES
)


def registry_list(
    *, skill: Skill | None = None, available_on: date | None = None, today: date | None = None
) -> QuerySet[LeadReviewer]:
    """Every registry entry with what the list shows, in a fixed number of queries: `current_load`
    (annotated), skills, and `upcoming_windows` (availability not yet over, soonest first). Filtered to
    those with `skill`, and to those available on `available_on`."""
    today = today or timezone.localdate()
    qs = LeadReviewer.objects.select_related("user")
    if skill is not None:
        # Exists, not a join, so the load count below is not multiplied by matching skills.
        qs = qs.filter(
            Exists(LeadReviewer.skills.through.objects.filter(leadreviewer=OuterRef("pk"), skill=skill))
        )
    if available_on is not None:
        qs = qs.filter(
            Exists(
                Availability.objects.filter(
                    reviewer=OuterRef("pk"), available_from__lte=available_on, available_to__gte=available_on
                )
            )
        )
    return (
        qs.annotate(current_load=Count("user__appointments", filter=_CURRENT))
        .prefetch_related(
            "skills",
            Prefetch(
                "availability",
                queryset=Availability.objects.filter(available_to__gte=today).order_by("available_from"),
                to_attr="upcoming_windows",
            ),
        )
        .order_by("user__full_name", "pk")
    )


def candidates_for(
    review: Review, *, skill: Skill | None = None, available_on: date | None = None
) -> QuerySet[LeadReviewer]:
    """Registry entries as candidates for `review`: the registry list plus `declarations_here` (their
    declarations for this review, newest first) and `appointed_here`."""
    return (
        registry_list(skill=skill, available_on=available_on)
        .annotate(
            appointed_here=Exists(
                Appointment.objects.filter(review=review, reviewer=OuterRef("user"), ended_at__isnull=True)
            )
        )
        .prefetch_related(
            Prefetch(
                "declarations",
                queryset=ConflictDeclaration.objects.filter(review=review).order_by("-declared_at", "-pk"),
                to_attr="declarations_here",
            )
        )
    )


def lead_reviewer_get(pk: int) -> LeadReviewer:
    return get_object_or_404(LeadReviewer.objects.select_related("user"), pk=pk)


def candidate_get(review: Review, pk: int) -> LeadReviewer:
    """One candidate for `review`, annotated and prefetched like `candidates_for`; 404 if not registered."""
    return get_object_or_404(candidates_for(review), pk=pk)


def current_load(reviewer: LeadReviewer) -> int:
    return (
        Appointment.objects.filter(reviewer_id=reviewer.user_id, ended_at__isnull=True)
        .exclude(review__state__in=TERMINAL_STATES)
        .count()
    )


def latest_declaration(review: Review, reviewer: LeadReviewer) -> ConflictDeclaration | None:
    """The reviewer's current declaration for the review: the latest one (earlier ones stay as history)."""
    return (
        ConflictDeclaration.objects.filter(review=review, reviewer=reviewer)
        .order_by("-declared_at", "-pk")
        .first()
    )


def declarations_of(review: Review, reviewer: LeadReviewer) -> QuerySet[ConflictDeclaration]:
    return ConflictDeclaration.objects.filter(review=review, reviewer=reviewer).order_by(
        "-declared_at", "-pk"
    )


def appointments_of(review: Review) -> QuerySet[Appointment]:
    """Every appointment to the review, current ones first, each with the reviewer's registry entry."""
    return (
        Appointment.objects.filter(review=review)
        .select_related("reviewer__lead_reviewer_profile")
        .order_by(F("ended_at").desc(nulls_first=True), "-appointed_at", "-pk")
    )


def current_appointment_get(review: Review, pk: int) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related("reviewer"), review=review, pk=pk, ended_at__isnull=True
    )


def proposals_of(review: Review) -> QuerySet[Proposal]:
    """The review's proposals, newest first, with the people named beside them."""
    return (
        Proposal.objects.filter(review=review)
        .select_related("author", "answered_by")
        .order_by("-created_at", "-pk")
    )


def proposal_get(review: Review, pk: int) -> Proposal:
    return get_object_or_404(Proposal.objects.select_related("author", "answered_by"), review=review, pk=pk)
