"""Writes for the board's commissioning decisions. Each saves in one transaction and notes the change on
the review's timeline; the history keeps every earlier value."""

from __future__ import annotations

from django.db import transaction

from reviews.models import Review, TimelineEntry
from reviews.services import timeline_add

from .models import AgencyInvolvement, Factor, FactorAssessment, LineOfEnquiry, Scope


def _note(review: Review, user, title: str, body: str = "") -> None:
    timeline_add(review=review, user=user, kind=TimelineEntry.Kind.UPDATE, title=title, body=body)


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
        _note(review, user, f"Factors assessed ({changed} changed)")
    return changed


@transaction.atomic
def custom_factor_add(*, review: Review, user, kind: str, title: str, guidance: str) -> Factor:
    factor = Factor.objects.create(
        review=review, kind=kind, title=title.strip(), guidance=guidance, order=1000
    )
    _note(review, user, f"Factor added: {factor.title}")
    return factor


@transaction.atomic
def scope_save(*, review: Review, user, form) -> Scope:
    scope = form.save(commit=False)
    scope.review = review
    scope.save()
    form.save_m2m()
    if form.changed_data:
        _note(
            review,
            user,
            "Scope updated",
            "Changed: " + ", ".join(str(form.fields[n].label).lower() for n in form.changed_data) + ".",
        )
    return scope


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
    _note(review, user, f"Key lines of enquiry updated ({len(wanted)})")


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
    _note(review, user, "Agencies' involvement updated")
