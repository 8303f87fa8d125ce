"""Quality Marker 6, commissioning: each of the marker's four questions, in our own words, beside the
evidence the portal already holds and the board's own view."""

from __future__ import annotations

from commissioning.inputs.selectors import input_evidence
from commissioning.models import Factor, FactorAssessment, FactorKind, Proposal
from commissioning.selectors import cited_kinds, scope_of

from .checks import MET, NOT_MET, PARTLY, Evidence, Facts, Marker, Question

STATEMENT = (
    "The decisions about the form and focus of the review take account of the case and its context, with "
    "input from {body} members and the lead reviewer."
)


def _input(facts: Facts) -> Evidence:
    e = input_evidence(facts.review)
    invited, replied = e.get("invited", 0), e.get("replied", 0)
    if not invited:
        return Evidence(f"No {facts.review.words.body} input round has been held.", NOT_MET)
    status = MET if replied == invited else PARTLY
    return Evidence(
        f"Input invited from {invited} member{'s' if invited != 1 else ''}; {replied} replied.", status
    )


def _reviewer_influence(facts: Facts) -> Evidence:
    review = facts.review
    proposals = list(Proposal.objects.filter(review=review).values_list("answer", flat=True))
    if not review.appointments.filter(ended_at__isnull=True).exists():
        return Evidence("No lead reviewer is appointed yet.", NOT_MET)
    if not proposals:
        return Evidence("A lead reviewer is appointed; they have made no proposal yet.", PARTLY)
    answered = sum(1 for a in proposals if a)
    accepted = sum(1 for a in proposals if a in (Proposal.Answer.ACCEPTED, Proposal.Answer.PARTLY))
    status = MET if answered == len(proposals) else PARTLY
    return Evidence(
        f"The lead reviewer made {len(proposals)} proposal{'s' if len(proposals) != 1 else ''}: "
        f"{answered} answered, {accepted} accepted in whole or part.",
        status,
    )


def _factors(facts: Facts) -> Evidence:
    standard = {FactorKind.CASE: 0, FactorKind.CONTEXT: 0}
    for kind in Factor.objects.filter(review__isnull=True).values_list("kind", flat=True):
        standard[kind] += 1
    assessed = {FactorKind.CASE: 0, FactorKind.CONTEXT: 0}
    for kind in FactorAssessment.objects.filter(review=facts.review, factor__review__isnull=True).values_list(
        "factor__kind", flat=True
    ):
        assessed[kind] += 1
    done = assessed == standard
    some = any(assessed.values())
    return Evidence(
        f"Case factors assessed: {assessed[FactorKind.CASE]} of {standard[FactorKind.CASE]}; "
        f"context factors assessed: {assessed[FactorKind.CONTEXT]} of {standard[FactorKind.CONTEXT]}.",
        MET if done else PARTLY if some else NOT_MET,
    )


def _rationale(facts: Facts) -> Evidence:
    scope = scope_of(facts.review)
    kinds = cited_kinds(scope)
    cites = [
        label for kind, label in ((FactorKind.CASE, "case"), (FactorKind.CONTEXT, "context")) if kind in kinds
    ]
    if not scope.rationale.strip():
        return Evidence("No rationale has been written.", NOT_MET)
    if len(cites) == 2:
        return Evidence("The rationale cites both case and context factors.", MET)
    if cites:
        return Evidence(f"The rationale cites {cites[0]} factors only.", PARTLY)
    return Evidence("The rationale cites no factor.", NOT_MET)


QUESTIONS = (
    Question(
        1,
        "Were {body} members given the chance to offer any information relevant to a proportionate approach?",
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
)

MARKER = Marker(
    number=6,
    title="Commissioning: form and focus",
    statement=STATEMENT,
    questions=QUESTIONS,
    view_rule="view_commissioning",
    change_rule="change_commissioning",
    part="Commissioning",
    page="commissioning",
    evidence_template="markers/evidence_commissioning.html",
)
