"""Writes for the board's commissioning decisions. Each saves in one transaction and notes the change on
the review's timeline; the history keeps every earlier value."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from reviews.models import Review
from reviews.services import review_lock, timeline_add

from .models import AgencyInvolvement, Factor, FactorAssessment, LineOfEnquiry, Scope


@transaction.atomic
def factor_assessments_save(*, review: Review, user, answers: dict[int, tuple[str, str]]) -> int:
    """Saves {factor id: (assessment, weight)}; blank assessments leave a factor unassessed. Returns how
    many factors changed."""
    changed = 0
    existing = {a.factor_id: a for a in FactorAssessment.objects.select_for_update().filter(review=review)}
    for factor_id, (text, weight) in answers.items():
        current = existing.get(factor_id)
        if not text.strip():
            continue
        if current is None:
            FactorAssessment.objects.create(
                review=review, factor_id=factor_id, assessment=text, weight=weight, updated_by=user
            )
            changed += 1
        elif (current.assessment, current.weight) != (text, weight):
            current.assessment, current.weight, current.updated_by = text, weight, user
            current.save(update_fields=["assessment", "weight", "updated_by", "updated_at"])
            changed += 1
    if changed:
        timeline_add(review=review, user=user, title=f"Factors assessed ({changed} changed)")
    return changed


@transaction.atomic
def custom_factor_add(*, review: Review, user, kind: str, title: str, guidance: str) -> Factor:
    factor = Factor.objects.create(
        review=review, kind=kind, title=title.strip(), guidance=guidance, order=1000
    )
    timeline_add(review=review, user=user, title=f"Factor added: {factor.title}")
    return factor


# How the scope's fields are named on the timeline, where the page's words differ from the model's.
SCOPE_LABELS = {
    "period_from": "start of the period under review",
    "period_to": "end of the period under review",
}


def _scope_update(
    review: Review, user, values: dict, factors: Iterable[FactorAssessment] | None = None
) -> Scope:
    """Saves the scope's `values` (and the factors its rationale cites, when given), noting on the timeline
    which of them changed."""
    review_lock(review.pk)
    scope, _ = Scope.objects.get_or_create(review=review)
    changed = [name for name, value in values.items() if getattr(scope, name) != value]
    cited = None if factors is None else {f.pk for f in factors}
    if cited is not None and cited != set(scope.rationale_factors.values_list("pk", flat=True)):
        changed.append("rationale_factors")
    for name, value in values.items():
        setattr(scope, name, value)
    scope.save()
    if cited is not None:
        scope.rationale_factors.set(cited)
    if changed:
        labels = (SCOPE_LABELS.get(n) or str(Scope._meta.get_field(n).verbose_name).lower() for n in changed)
        timeline_add(review=review, user=user, title="Scope updated", body=f"Changed: {', '.join(labels)}.")
    return scope


@transaction.atomic
def scope_save(
    *,
    review: Review,
    user,
    period_from: date | None,
    period_to: date | None,
    breadth_and_depth: str,
    method: str,
    method_detail: str,
    reviewer_knowledge: str,
    joint_decision: str | None = None,
) -> Scope:
    """Saves the scope of the review. `joint_decision` is asked only for a cross-border review: None leaves
    it as it is."""
    values = {
        "period_from": period_from,
        "period_to": period_to,
        "breadth_and_depth": breadth_and_depth,
        "method": method,
        "method_detail": method_detail,
        "reviewer_knowledge": reviewer_knowledge,
    }
    if joint_decision is not None:
        values["joint_decision"] = joint_decision
    return _scope_update(review, user, values)


@transaction.atomic
def scope_rationale_save(
    *, review: Review, user, rationale: str, rationale_factors: Iterable[FactorAssessment]
) -> Scope:
    """Saves why the approach is proportionate, and the assessed factors the rationale cites."""
    return _scope_update(review, user, {"rationale": rationale}, factors=rationale_factors)


@transaction.atomic
def lines_of_enquiry_save(*, review: Review, user, questions: list[str]) -> None:
    """Replaces the ordered list of key lines of enquiry (blank lines dropped); history keeps the old."""
    wanted = [q.strip() for q in questions if q.strip()]
    current = list(LineOfEnquiry.objects.select_for_update().filter(review=review).order_by("order", "pk"))
    if [c.question for c in current] == wanted:
        return
    for line in current:
        line.delete()
    for order, question in enumerate(wanted, 1):  # one by one, so each leaves its history row
        LineOfEnquiry.objects.create(review=review, order=order, question=question)
    timeline_add(review=review, user=user, title=f"Key lines of enquiry updated ({len(wanted)})")


@transaction.atomic
def agency_involvement_save(*, review: Review, user, rows: dict) -> None:
    """Saves {agency: (chronology, report, practitioner_event, notes)}; an agency with nothing ticked and no
    notes takes no part."""
    existing = {i.agency_id: i for i in AgencyInvolvement.objects.select_for_update().filter(review=review)}
    for agency, (chronology, report, event, notes) in rows.items():
        involved = chronology or report or event or notes.strip()
        current = existing.get(agency.pk)
        if not involved:
            if current:
                current.delete()
            continue
        values = {"chronology": chronology, "report": report, "practitioner_event": event, "notes": notes}
        if current is None:
            AgencyInvolvement.objects.create(review=review, agency=agency, **values)
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            current.save()
    timeline_add(review=review, user=user, title="Agencies' involvement updated")
