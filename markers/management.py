"""Quality Marker 8, management of the review: the marker's questions, in our own words, beside the evidence
of the review's plan (conduct.plan): its milestones, how they kept to time, and the delays the board was
told of; and the board's own view."""

from __future__ import annotations

from functools import cached_property

from conduct.plan.selectors import delays_of, plan_figures
from conduct.plan.services import completion_due

from .checks import MET, NOT_MET, PARTLY, Evidence, Facts, Marker, Question

STATEMENT = (
    "The review is managed to a plan: each step has an owner and a date, the plan is kept or its delays are "
    "explained, and the {body} is told of them."
)


class ManagementFacts(Facts):
    @cached_property
    def plan(self) -> dict[str, int]:
        return plan_figures(self.review)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _plan(facts: ManagementFacts) -> Evidence:
    f = facts.plan
    if not f["total"]:
        return Evidence("No plan has been made.", NOT_MET)
    return Evidence(
        f"{_plural(f['total'], 'milestone')}, {f['owned']} with an owner.",
        MET if f["owned"] == f["total"] else PARTLY,
    )


def _on_time(facts: ManagementFacts) -> Evidence:
    f = facts.plan
    if not f["total"]:
        return Evidence("No plan has been made.", NOT_MET)
    summary = f"{f['done']} done ({f['done_late']} late), {f['overdue']} overdue, {f['moved']} moved later."
    if f["overdue"]:
        return Evidence(summary, NOT_MET)
    return Evidence(summary, PARTLY if f["done_late"] or f["moved"] else MET)


def _delays_told(facts: ManagementFacts) -> Evidence:
    f = facts.plan
    if not f["total"]:
        return Evidence("No plan has been made.", NOT_MET)
    told = delays_of(facts.review)
    body = facts.review.words.body
    if f["overdue"]:
        return Evidence(
            f"{_plural(f['overdue'], 'milestone')} overdue without a new date and a reason told to the {body}; "
            f"{_plural(told, 'delay')} explained before.",
            NOT_MET,
        )
    if not told:
        return Evidence("No milestone has slipped.", MET)
    return Evidence(f"{_plural(told, 'delay')}, each with its reason told to the {body}.", MET)


def _timescale(facts: ManagementFacts) -> Evidence:
    review = facts.review
    due = completion_due(review)
    if due is None:
        return Evidence("The review has no completion date yet.", PARTLY)
    last = review.milestones.order_by("-due_on").values_list("due_on", flat=True).first()
    if last is None:
        return Evidence(f"The review should be complete by {due:%-d %B %Y}; there is no plan.", NOT_MET)
    report = review.milestones.filter(due_on__lte=due).count()
    late = review.milestones.filter(due_on__gt=due, done_on__isnull=True).count()
    if not late:
        return Evidence(f"Every milestone falls by {due:%-d %B %Y}, when the review should be complete.", MET)
    return Evidence(
        f"{report} milestone{'s' if report != 1 else ''} fall by {due:%-d %B %Y}, when the review should be "
        f"complete; {late} after it.",
        PARTLY,
    )


QUESTIONS = (
    Question(1, "Is there a plan for the review, with an owner and a date for each step?", _plan),
    Question(2, "Is the review keeping to its plan?", _on_time),
    Question(3, "When the plan slipped, was the reason recorded and the {body} told?", _delays_told),
    Question(4, "Does the plan keep the review within its timescale?", _timescale),
)

MARKER = Marker(
    number=8,
    title="Management of the review",
    statement=STATEMENT,
    questions=QUESTIONS,
    view_rule="view_plan",
    change_rule="record_plan_self_check",
    part="Plan and governance",
    page="review_plan",
    evidence_template="markers/evidence_plan.html",
    facts=ManagementFacts,
    slug="management",
)
