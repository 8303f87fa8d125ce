"""The person's own next step on a review: one sentence and the page where they take it.

What is waiting for someone is read by the apps that hold it (the home page's "waiting for you" list, in
dashboards, registers itself here with `add_finder`, so this module imports no app above it); when nothing
is waiting, the lifecycle says: a step the person may take now, or their part at this stage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from . import workflow
from .access import acting_partner, can, represents_agency, roles_on_review, roles_running
from .models import Review, Role
from .selectors import pending_decision


@dataclass(frozen=True)
class OwnStep:
    text: str
    url: str = ""


_finders: list[Callable[[object, Review], OwnStep | None]] = []

# Where a person's part at a stage is done, when the stage's work lives on a page of its own.
STAGE_PAGES = {
    workflow.RAPID_REVIEW_OPEN: ("rapid_review", "view_rapid_review"),
    workflow.COMMISSIONING_OPEN: ("commissioning", "view_commissioning"),
    workflow.RESPONSE_OPEN: ("response", "view_response"),
}


def add_finder(finder: Callable[[object, Review], OwnStep | None]) -> None:
    """Registers a reader of what waits for a person on a review (asked in order, the first answer wins)."""
    if finder not in _finders:
        _finders.append(finder)


def own_next_step(user, review: Review, options: list[workflow.Option]) -> OwnStep:
    """What the person does next on this review: the oldest thing waiting for them, else a lifecycle step
    they may take now (`options`, as the page offers them), else their part at this stage, else nothing."""
    for finder in _finders:
        found = finder(user, review)
        if found is not None:
            return found
    found = _rapid_review_step(user, review) or _decision_signed(user, review, options)
    if found is not None:
        return found
    # A step the person may take (never the warning ones, such as withdrawing), ready first; the step's page
    # lists what must happen before it.
    steps = sorted((o for o in options if not o.transition.warning), key=lambda o: not o.possible)
    if steps:
        step, blockers = steps[0].transition, steps[0].blockers
        text = f"{step.label}." + (f" First: {blockers[0]}" if blockers else "")
        return OwnStep(text, reverse("review_step", args=[review.pk, step.name]))
    roles = roles_on_review(user, review)
    if roles & set(workflow.actors(review)):
        _who, what = workflow.next_step(review)
        for capability, (url_name, rule) in STAGE_PAGES.items():
            if workflow.allows(review, capability) and can(user, rule, review):
                return OwnStep(what, reverse(url_name, args=[review.pk]))
        return OwnStep(what)
    return OwnStep("Nothing is asked of you at this stage.")


def _rapid_review_step(user, review: Review) -> OwnStep | None:
    """During a rapid review: the summary the person's agency owes, or, for the business manager while
    summaries are awaited or none has been asked for, the rapid review's page where they gather them."""
    if not workflow.allows(review, workflow.RAPID_REVIEW_OPEN):
        return None
    url = reverse("rapid_review", args=[review.pk])
    waiting = [s for s in review.agency_summaries.select_related("agency") if not s.is_received]
    for summary in waiting:
        if represents_agency(user, review.lead_board_id, summary.agency_id):
            return OwnStep(f"Record the summary from {summary.agency.name} for the rapid review.", url)
    if Role.BUSINESS_MANAGER not in roles_running(user, review):
        return None
    if waiting:
        names = ", ".join(s.agency.name for s in waiting)
        return OwnStep(f"Record the summaries still awaited from {names}.", url)
    if not review.agency_summaries.exists():
        return OwnStep("Ask agencies for summaries of their involvement.", url)
    return None


def _decision_signed(user, review: Review, options: list[workflow.Option]) -> OwnStep | None:
    """A partner whose organisation has signed the decision the partners are signing waits for the others
    (signing it again would be refused)."""
    if not any(o.transition.signed_by_partners for o in options):
        return None
    acting = acting_partner(user, review)
    pending = pending_decision(review) if acting is not None else None
    if pending is None or not any(p.partner == acting.partner and p.signature for p in pending.partners):
        return None
    return OwnStep(
        f"{acting.agency} has signed the partners' decision: waiting for the other partners to sign it.",
        reverse("review_step", args=[review.pk, pending.step]),
    )
