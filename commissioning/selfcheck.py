"""The commissioning self-check (SCIE Quality Marker 6): each of the marker's four questions, in our own
words, beside the evidence the portal already holds and the board's own view.

Adding another marker's self-check means another list like QUESTIONS with its evidence functions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reviews.models import Review

from .models import Factor, FactorAssessment, FactorKind, Proposal, SelfCheckAnswer
from .selectors import cited_kinds, scope_of

MARKER = 6
STATEMENT = (
    "The decisions about the form and focus of the review take account of the case and its context, with "
    "input from board members and the lead reviewer."
)


@dataclass(frozen=True)
class Evidence:
    summary: str  # one line, with figures
    suggests: str  # the status the evidence points to (a SelfCheckAnswer.Status value)


@dataclass(frozen=True)
class Question:
    number: int
    text: str
    evidence: Callable[[Review], Evidence]


def _input(review: Review) -> Evidence:
    try:
        from .inputs.selectors import input_evidence
    except ImportError:  # the input round is a separate module; without it there is no evidence yet
        return Evidence("No board input round has been held.", SelfCheckAnswer.Status.NOT_MET)
    e = input_evidence(review)
    invited, replied = e.get("invited", 0), e.get("replied", 0)
    if not invited:
        return Evidence("No board input round has been held.", SelfCheckAnswer.Status.NOT_MET)
    status = SelfCheckAnswer.Status.MET if replied == invited else SelfCheckAnswer.Status.PARTLY
    return Evidence(
        f"Input invited from {invited} member{'s' if invited != 1 else ''}; {replied} replied.", status
    )


def _reviewer_influence(review: Review) -> Evidence:
    proposals = list(Proposal.objects.filter(review=review).values_list("answer", flat=True))
    if not review.appointments.filter(ended_at__isnull=True).exists():
        return Evidence("No lead reviewer is appointed yet.", SelfCheckAnswer.Status.NOT_MET)
    if not proposals:
        return Evidence(
            "A lead reviewer is appointed; they have made no proposal yet.", SelfCheckAnswer.Status.PARTLY
        )
    answered = sum(1 for a in proposals if a)
    accepted = sum(1 for a in proposals if a in (Proposal.Answer.ACCEPTED, Proposal.Answer.PARTLY))
    status = SelfCheckAnswer.Status.MET if answered == len(proposals) else SelfCheckAnswer.Status.PARTLY
    return Evidence(
        f"The lead reviewer made {len(proposals)} proposal{'s' if len(proposals) != 1 else ''}: "
        f"{answered} answered, {accepted} accepted in whole or part.",
        status,
    )


def _factors(review: Review) -> Evidence:
    standard = {FactorKind.CASE: 0, FactorKind.CONTEXT: 0}
    for kind in Factor.objects.filter(review__isnull=True).values_list("kind", flat=True):
        standard[kind] += 1
    assessed = {FactorKind.CASE: 0, FactorKind.CONTEXT: 0}
    for kind in FactorAssessment.objects.filter(review=review, factor__review__isnull=True).values_list(
        "factor__kind", flat=True
    ):
        assessed[kind] += 1
    done = assessed == standard
    some = any(assessed.values())
    return Evidence(
        f"Case factors assessed: {assessed[FactorKind.CASE]} of {standard[FactorKind.CASE]}; "
        f"context factors assessed: {assessed[FactorKind.CONTEXT]} of {standard[FactorKind.CONTEXT]}.",
        SelfCheckAnswer.Status.MET
        if done
        else SelfCheckAnswer.Status.PARTLY
        if some
        else SelfCheckAnswer.Status.NOT_MET,
    )


def _rationale(review: Review) -> Evidence:
    scope = scope_of(review)
    kinds = cited_kinds(scope)
    cites = [
        label for kind, label in ((FactorKind.CASE, "case"), (FactorKind.CONTEXT, "context")) if kind in kinds
    ]
    if not scope.rationale.strip():
        return Evidence("No rationale has been written.", SelfCheckAnswer.Status.NOT_MET)
    if len(cites) == 2:
        return Evidence("The rationale cites both case and context factors.", SelfCheckAnswer.Status.MET)
    if cites:
        return Evidence(f"The rationale cites {cites[0]} factors only.", SelfCheckAnswer.Status.PARTLY)
    return Evidence("The rationale cites no factor.", SelfCheckAnswer.Status.NOT_MET)


QUESTIONS = [
    Question(
        1,
        "Were board members given the chance to offer any information relevant to a proportionate approach?",
        _input,
    ),
    Question(
        2,
        "Could the lead reviewer properly influence the scope, nature and approach of the review?",
        _reviewer_influence,
    ),
    Question(
        3,
        "Were all the case and context factors the marker names considered in deciding what to commission?",
        _factors,
    ),
    Question(
        4,
        "Do the terms of reference explain the proportionality decisions by referring to both case and context factors?",
        _rationale,
    ),
]


def evidence_for(review: Review) -> dict[int, Evidence]:
    return {q.number: q.evidence(review) for q in QUESTIONS}


def answers_for(review: Review, marker: int = MARKER) -> dict[int, SelfCheckAnswer]:
    return {a.question: a for a in SelfCheckAnswer.objects.filter(review=review, marker=marker)}


def self_check_save(
    *,
    review: Review,
    user,
    answers: dict[int, tuple[str, str]],
    marker: int = MARKER,
    questions=None,
    title: str = "",
) -> None:
    """Records the board's view on each question of `marker` (default: this marker's questions):
    `answers` is {question number: (status, comment)}."""
    from django.db import transaction

    from reviews.models import TimelineEntry
    from reviews.services import timeline_add

    with transaction.atomic():
        for q in questions or QUESTIONS:
            SelfCheckAnswer.objects.update_or_create(
                review=review,
                marker=marker,
                question=q.number,
                defaults={
                    "status": answers[q.number][0],
                    "comment": answers[q.number][1],
                    "updated_by": user,
                },
            )
        timeline_add(
            review=review,
            user=user,
            kind=TimelineEntry.Kind.UPDATE,
            title=title or "Commissioning self-check updated",
        )


def page(
    request,
    review: Review,
    checker,
    *,
    can_change: bool,
    part: str,
    back_url: str,
    breadcrumbs,
    url_name: str,
):
    """The self-check page of any marker: `checker` is its module (MARKER, STATEMENT, QUESTIONS,
    evidence_for, answers_for, self_check_save). The business manager records the board's view; others read it."""
    from django.contrib import messages
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import redirect, render

    from .forms import SelfCheckForm

    answers = checker.answers_for(review)
    if request.method == "POST" and not can_change:
        raise PermissionDenied("Only the business manager can record the board's self-check.")
    form = SelfCheckForm(
        request.POST if request.method == "POST" else None, questions=checker.QUESTIONS, answers=answers
    )
    if request.method == "POST" and form.is_valid():
        checker.self_check_save(review=review, user=request.user, answers=form.answers())
        messages.success(request, "Self-check saved.")
        return redirect(url_name, review.pk)
    ctx = {
        "review": review,
        "form": form,
        "blocks": form.blocks(checker.evidence_for(review), answers),
        "answers": answers,
        "can_change": can_change,
        "marker": checker.MARKER,
        "part": part,
        "statement": checker.STATEMENT,
        "back_url": back_url,
        "breadcrumbs": breadcrumbs,
    }
    return render(request, "self_check.html", ctx)
