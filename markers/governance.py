"""Quality Marker 7, governance of the review: the marker's questions, in our own words, beside the evidence
the portal holds from the review's plan and governance (conduct.plan), and the board's own view."""

from __future__ import annotations

from functools import cached_property

from conduct.plan.selectors import challenge_figures, current_declarations, governance_of

from .checks import MET, NOT_MET, PARTLY, Evidence, Facts, Marker, Question

STATEMENT = (
    "The review is governed so that it can be trusted: its lead reviewer is independent, or any interests are "
    "declared and managed; it is quality-assured as the {body} arranged at the start; and challenges and "
    "impasses are recorded, resolved and taken to the {accountable} when needed."
)


class GovernanceFacts(Facts):
    @cached_property
    def governance(self):
        return governance_of(self.review)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _independence(facts: Facts) -> Evidence:
    declarations = current_declarations(facts.review)
    if not declarations:
        return Evidence("No lead reviewer is appointed.", NOT_MET)
    declared = [d for _, d in declarations if d]
    if not declared:
        return Evidence("The lead reviewer has not declared their independence.", NOT_MET)
    interests = sum(1 for d in declared if not d.independent)
    summary = f"{len(declared)} of {_plural(len(declarations), 'lead reviewer')} declared: " + (
        f"{interests} with interests declared and how they are managed." if interests else "independent."
    )
    return Evidence(summary, MET if len(declared) == len(declarations) else PARTLY)


def _quality_assurance(facts: GovernanceFacts) -> Evidence:
    governance = facts.governance
    if governance is None:
        return Evidence("The quality-assurance arrangements have not been set.", NOT_MET)
    return Evidence(f"Quality-assured by {governance.quality_assured_by}.", MET)


def _sign_off(facts: GovernanceFacts) -> Evidence:
    governance = facts.governance
    if governance is None:
        return Evidence("The sign-off arrangements have not been set.", NOT_MET)
    return Evidence("The sign-off arrangements are recorded.", MET)


def _challenge(facts: Facts) -> Evidence:
    f = challenge_figures(facts.review)
    if not f["total"]:
        return Evidence("No challenge or impasse has been logged.", PARTLY)
    open_ = f["total"] - f["resolved"]
    summary = (
        f"{_plural(f['total'], 'challenge or impasse')} logged ({f['impasses']} impasse"
        f"{'s' if f['impasses'] != 1 else ''}): {f['resolved']} resolved, {open_} open; "
        f"{f['escalated']} taken to the {facts.review.words.accountable}."
    )
    return Evidence(summary, MET if not open_ else PARTLY)


QUESTIONS = (
    Question(
        1,
        "Is the lead reviewer independent of the case and its agencies, or are their interests declared and "
        "managed?",
        _independence,
    ),
    Question(
        2, "Did the {body} set out at the start who quality-assures the review, and how?", _quality_assurance
    ),
    Question(3, "Is it clear how the final report is signed off for the {body}?", _sign_off),
    Question(
        4,
        "Are challenges and impasses recorded with who raised them, resolved, and taken to the {accountable} "
        "when they could not be resolved otherwise?",
        _challenge,
    ),
)

MARKER = Marker(
    number=7,
    title="Governance of the review",
    statement=STATEMENT,
    questions=QUESTIONS,
    view_rule="view_plan",
    change_rule="record_plan_self_check",
    part="Plan and governance",
    page="review_plan",
    evidence_template="markers/evidence_plan.html",
    facts=GovernanceFacts,
    slug="governance",
)
