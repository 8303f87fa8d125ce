"""Builds the sections of a new version of the terms of reference from what the board has decided.

Each section has a stable key, so versions can be compared section by section and a free-text edit can be
carried from one version to the next. Children appear by pseudonym only: nothing here reads a name."""

from __future__ import annotations

from dataclasses import dataclass

from commissioning.models import AgencyInvolvement, FactorAssessment, FactorKind, LineOfEnquiry, Scope, Weight
from reviews.models import Appointment, Child, ParticipatingBoard, Review
from scr_portal.dates import long_date

NOT_DECIDED = "Not decided yet."


@dataclass(frozen=True)
class Draft:
    key: str
    title: str
    body: str


# Every key a version can hold, in document order. "cross-border" appears only for cross-border reviews;
# "other" is the business manager's own text and has no structured source.
SECTIONS: list[tuple[str, str]] = [
    ("purpose", "Purpose and background"),
    ("period", "Period under review"),
    ("breadth", "Breadth and depth"),
    ("enquiry", "Key lines of enquiry"),
    ("method", "Method"),
    ("reviewer", "Lead reviewer: knowledge and skills"),
    ("agencies", "Agencies and how they take part"),
    ("cross-border", "Cross-border arrangements"),
    ("proportionality", "Why this approach is proportionate"),
    ("governance", "Governance and timescales"),
    ("other", "Other"),
]
FREE_TEXT_KEYS = frozenset({"other"})


def _purpose(review: Review, children: list[Child]) -> str:
    lines = [
        f"{review.lead_board.name} has decided to hold a {review.get_regime_display()} "
        "to learn how agencies worked together and how practice can improve."
    ]
    if children:
        about = "; ".join(
            ", ".join(
                part
                for part in (c.pseudonym, c.age, c.get_outcome_display().lower() if c.outcome else "")
                if part
            )
            for c in children
        )
        lines.append(f"The review is about: {about}.")
    if review.case_summary.strip():
        lines.append(review.case_summary.strip())
    if review.decision_date:
        lines.append(f"The decision to hold the review was made on {long_date(review.decision_date)}.")
    return "\n\n".join(lines)


def _period(scope: Scope) -> str:
    if scope.period_from and scope.period_to:
        return f"From {long_date(scope.period_from)} to {long_date(scope.period_to)}."
    if scope.period_from:
        return f"From {long_date(scope.period_from)}; the end of the period is not decided yet."
    return NOT_DECIDED


def _enquiry(lines: list[LineOfEnquiry]) -> str:
    if not lines:
        return NOT_DECIDED
    return "\n".join(f"{n}. {line.question}" for n, line in enumerate(lines, 1))


def _method(scope: Scope) -> str:
    if not scope.method:
        return NOT_DECIDED
    return "\n\n".join(p for p in (f"{scope.get_method_display()}.", scope.method_detail.strip()) if p)


def _reviewer(scope: Scope, appointed: list[Appointment]) -> str:
    parts = [scope.reviewer_knowledge.strip() or NOT_DECIDED]
    if appointed:
        parts.append("Appointed: " + ", ".join(a.reviewer.get_full_name() for a in appointed) + ".")
    return "\n\n".join(parts)


def _agencies(involvements: list[AgencyInvolvement]) -> str:
    if not involvements:
        return "Not decided yet."
    rows = []
    for i in involvements:
        parts = [
            label
            for flag, label in (
                (i.chronology, "a chronology"),
                (i.report, "a report"),
                (i.practitioner_event, "practitioners at a learning event"),
            )
            if flag
        ]
        row = f"- {i.agency.name}: " + (", ".join(parts) if parts else "takes part")
        rows.append(row + (f". {i.notes.strip()}" if i.notes.strip() else "."))
    return "\n".join(rows)


def _cross_border(review: Review, scope: Scope, boards: list[ParticipatingBoard]) -> str:
    parts = [
        f"Lead board: {review.lead_board.name}. Taking part: " + ", ".join(p.board.name for p in boards) + "."
    ]
    parts.append(
        scope.joint_decision.strip() or "How the boards agreed these arrangements is not recorded yet."
    )
    return "\n\n".join(parts)


@dataclass(frozen=True)
class Cited:
    """A factor the rationale relies on, as a version keeps it (`ToRCitedFactor`)."""

    kind: str
    title: str
    weight: str
    assessment: str


def rationale_of(review: Review) -> tuple[str, list[Cited]]:
    """The scope's proportionality rationale and the factors it cites now (case factors first), as a new
    version keeps them and as its "proportionality" section says them."""
    scope = Scope.objects.filter(review=review).first()
    if scope is None:
        return "", []
    assessments: list[FactorAssessment] = list(scope.rationale_factors.select_related("factor"))
    return scope.rationale.strip(), [
        Cited(a.factor.kind, a.factor.title, a.weight, a.assessment.strip()) for a in assessments
    ]


def _proportionality(rationale: str, cited: list[Cited]) -> str:
    parts = [rationale or "Not written yet."]
    for kind, heading in ((FactorKind.CASE, "Case factors"), (FactorKind.CONTEXT, "Context factors")):
        listed = "\n".join(
            f"- {c.title} ({Weight(c.weight).label.lower()}): {c.assessment}" for c in cited if c.kind == kind
        )
        parts.append(f"{heading} the rationale relies on:\n" + (listed or "- None cited."))
    return "\n\n".join(parts)


def _governance(review: Review) -> str:
    board = review.lead_board
    lines = [f"The review reports to {board.name}."]
    if board.independent_chair_id:
        lines.append(
            f"The chair, {board.independent_chair.get_full_name()}, approves these terms of reference."
        )
    else:
        lines.append("The board's chair approves these terms of reference.")
    when = (
        f" of the decision ({long_date(review.decision_date)})"
        if review.decision_date
        else " of the decision"
    )
    lines.append(f"The board expects the final report within {board.completion_months} months{when}.")
    if review.due_on:
        lines.append(f"The next deadline is {long_date(review.due_on)}.")
    return " ".join(lines)


def sections_for(review: Review, rationale: tuple[str, list[Cited]] | None = None) -> list[Draft]:
    """The sections of a new version, built from the review's current commissioning decisions (the
    rationale and its cited factors as `rationale_of` reads them, when the caller has them already)."""
    scope = Scope.objects.filter(review=review).first() or Scope(review=review)
    text, cited = rationale if rationale is not None else rationale_of(review)
    children = list(Child.objects.filter(review=review).order_by("pseudonym"))
    lines = list(LineOfEnquiry.objects.filter(review=review).order_by("order", "pk"))
    involvements = list(
        AgencyInvolvement.objects.filter(review=review).select_related("agency").order_by("agency__name")
    )
    boards = list(ParticipatingBoard.objects.filter(review=review).select_related("board"))
    appointed = list(
        Appointment.objects.filter(review=review, ended_at__isnull=True).select_related("reviewer")
    )
    bodies = {
        "purpose": _purpose(review, children),
        "period": _period(scope),
        "breadth": scope.breadth_and_depth.strip() or NOT_DECIDED,
        "enquiry": _enquiry(lines),
        "method": _method(scope),
        "reviewer": _reviewer(scope, appointed),
        "agencies": _agencies(involvements),
        "cross-border": _cross_border(review, scope, boards) if boards else None,
        "proportionality": _proportionality(text, cited),
        "governance": _governance(review),
        "other": "",
    }
    return [Draft(key, title, bodies[key]) for key, title in SECTIONS if bodies[key] is not None]
