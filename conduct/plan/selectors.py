"""Reads of the review's plan and governance: the milestones with their delays, the governance, the lead
reviewer's declaration, the challenge log, the people who may own a milestone, and the figures the
self-checks of markers 7, 8 and 9 read."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from reviews import access
from reviews.models import BOARD_ROLES, ParallelProcess, Review, Role

from ..models import Challenge, Governance, IndependenceDeclaration, Milestone, MilestoneDelay


def milestones_of(review: Review) -> QuerySet[Milestone]:
    """The plan in date order, each milestone with its owner and its delays (two queries in all)."""
    delays = MilestoneDelay.objects.order_by("recorded_at", "pk")
    return (
        Milestone.objects.filter(review=review)
        .select_related("owner")
        .prefetch_related(Prefetch("delays", queryset=delays))
    )


def milestone_of(review: Review, milestone_pk: int) -> Milestone:
    return get_object_or_404(Milestone, review=review, pk=milestone_pk)


def challenge_of(review: Review, challenge_pk: int) -> Challenge:
    return get_object_or_404(Challenge, review=review, pk=challenge_pk)


def challenges_of(review: Review) -> QuerySet[Challenge]:
    return Challenge.objects.filter(review=review)


def governance_of(review: Review) -> Governance | None:
    return Governance.objects.filter(review=review).first()


def current_declarations(review: Review) -> list[tuple[object, IndependenceDeclaration | None]]:
    """Each lead reviewer appointed now, with their declaration (None until they make one)."""
    reviewers = [
        a.reviewer for a in review.appointments.filter(ended_at__isnull=True).select_related("reviewer")
    ]
    declared = {
        d.reviewer_id: d
        for d in IndependenceDeclaration.objects.filter(review=review, reviewer__in=[r.pk for r in reviewers])
    }
    return [(r, declared.get(r.pk)) for r in reviewers]


def declaration_of(review: Review, user) -> IndependenceDeclaration | None:
    return IndependenceDeclaration.objects.filter(review=review, reviewer=user).first()


def owner_choices(review: Review) -> QuerySet:
    """The people who may own a milestone: everyone on the review (board roles and the lead reviewer)."""
    return access.people_on_review(review, [*BOARD_ROLES, Role.LEAD_REVIEWER]).order_by("full_name", "pk")


def plan_figures(review: Review, today: date | None = None) -> dict[str, int]:
    """The plan's figures in one query: milestones, owned, done, done late, overdue and moved later."""
    today = today or timezone.localdate()
    undone = Q(done_on__isnull=True)
    return Milestone.objects.filter(review=review).aggregate(
        total=Count("pk"),
        owned=Count("pk", filter=Q(owner__isnull=False)),
        done=Count("pk", filter=~undone),
        done_late=Count("pk", filter=~undone & Q(done_on__gt=F("due_on"))),
        overdue=Count("pk", filter=undone & Q(due_on__lt=today)),
        moved=Count("pk", filter=Q(due_on__gt=F("planned_on"))),
    )


def delays_of(review: Review) -> int:
    return MilestoneDelay.objects.filter(milestone__review=review).count()


def challenge_figures(review: Review) -> dict[str, int]:
    return Challenge.objects.filter(review=review).aggregate(
        total=Count("pk"),
        resolved=Count("pk", filter=Q(resolved_on__isnull=False)),
        escalated=Count("pk", filter=Q(escalated=True)),
        impasses=Count("pk", filter=Q(kind=Challenge.Kind.IMPASSE)),
    )


def processes_of(review: Review) -> list[ParallelProcess]:
    return list(ParallelProcess.objects.filter(review=review))
