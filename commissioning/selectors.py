"""Reads for commissioning, for one review the caller has already been allowed to see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from reviews.models import Review

from .models import Factor, FactorAssessment, FactorKind, LineOfEnquiry, Scope


def factors_for(review: Review) -> QuerySet[Factor]:
    """The marker's standard factors, then the review's own, in order."""
    return Factor.objects.filter(Q(review__isnull=True) | Q(review=review)).order_by("kind", "order", "pk")


@dataclass(frozen=True)
class FactorRow:
    factor: Factor
    assessment: FactorAssessment | None


def factor_rows(review: Review) -> list[FactorRow]:
    assessed = {a.factor_id: a for a in FactorAssessment.objects.filter(review=review)}
    return [FactorRow(f, assessed.get(f.pk)) for f in factors_for(review)]


def scope_of(review: Review) -> Scope:
    """The review's scope record (an unsaved empty one until the board first writes it)."""
    return Scope.objects.filter(review=review).first() or Scope(review=review)


def cited_kinds(scope: Scope) -> set[str]:
    if scope.pk is None:
        return set()
    return set(scope.rationale_factors.values_list("factor__kind", flat=True))


def rationale_gaps(review: Review) -> list[str]:
    """What the proportionality rationale still lacks: it must be written and must cite at least one case
    factor and at least one context factor (QM 6, question 4). Empty when complete."""
    scope = scope_of(review)
    return gaps_of(scope.rationale, cited_kinds(scope))


def gaps_of(rationale: str, kinds: set[str]) -> list[str]:
    """What a rationale with this text, citing factors of these kinds, lacks (the rule of `rationale_gaps`,
    for the live scope or for the frozen copy a version of the terms of reference holds)."""
    gaps = []
    if not rationale.strip():
        gaps.append("Write the rationale: why this approach is proportionate.")
    if FactorKind.CASE not in kinds:
        gaps.append(
            "The rationale cites no case factor (the family, the practice concerns, legal requirements)."
        )
    if FactorKind.CONTEXT not in kinds:
        gaps.append(
            "The rationale cites no context factor (previous learning, reviewers, capacity, priorities…)."
        )
    return gaps


def lines_of_enquiry(review: Review) -> QuerySet[LineOfEnquiry]:
    return LineOfEnquiry.objects.filter(review=review).order_by("order", "pk")
