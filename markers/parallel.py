"""Quality Marker 9, parallel processes: the marker's questions, in our own words, beside the evidence of the
review's parallel processes (their effect on the timetable and the terms of reference, and the disclosure
agreed with the police or the Crown Prosecution Service), and the board's own view."""

from __future__ import annotations

from functools import cached_property

from conduct.plan.selectors import processes_of
from reviews.models import ParallelProcess

from .checks import MET, NOT_MET, PARTLY, Evidence, Facts, Marker, Question

STATEMENT = (
    "Processes running beside the review (criminal proceedings, an inquest, other reviews) are known early; "
    "the {body} agrees their effect on the review's timetable and focus, and disclosure is agreed with the "
    "police or the Crown Prosecution Service, so that the review goes on without harming them."
)


class ParallelFacts(Facts):
    @cached_property
    def processes(self) -> list[ParallelProcess]:
        return processes_of(self.review)


def _share(done: int, total: int, what: str) -> Evidence:
    status = MET if done == total else PARTLY if done else NOT_MET
    return Evidence(f"{what} recorded for {done} of {total}.", status)


def _known(facts: ParallelFacts) -> Evidence:
    processes = facts.processes
    if not processes:
        return Evidence("No parallel process is recorded. If there is none, say so in your view.", PARTLY)
    kinds = ", ".join(sorted({p.get_kind_display().lower() for p in processes}))
    return Evidence(f"{len(processes)} recorded: {kinds}.", MET)


def _timetable(facts: ParallelFacts) -> Evidence:
    processes = facts.processes
    if not processes:
        return Evidence("No parallel process is recorded.", PARTLY)
    return _share(
        sum(1 for p in processes if p.timetable_effect), len(processes), "The effect on the timetable"
    )


def _focus(facts: ParallelFacts) -> Evidence:
    processes = facts.processes
    if not processes:
        return Evidence("No parallel process is recorded.", PARTLY)
    return _share(
        sum(1 for p in processes if p.tor_effect), len(processes), "The effect on the terms of reference"
    )


def _disclosure(facts: ParallelFacts) -> Evidence:
    criminal = [p for p in facts.processes if p.kind == ParallelProcess.Kind.CRIMINAL]
    if not criminal:
        return Evidence("No criminal proceedings are recorded.", MET)
    agreed = sum(1 for p in criminal if p.disclosure_agreed_on)
    return _share(agreed, len(criminal), "Disclosure agreed with the police or the Crown Prosecution Service")


QUESTIONS = (
    Question(1, "Are the processes running beside the review known and recorded?", _known),
    Question(2, "Is each one's effect on the review's timetable agreed and recorded?", _timetable),
    Question(3, "Is each one's effect on the terms of reference agreed and recorded?", _focus),
    Question(
        4,
        "Where there are criminal proceedings, is disclosure agreed with the police or the Crown Prosecution "
        "Service?",
        _disclosure,
    ),
)

MARKER = Marker(
    number=9,
    title="Parallel processes",
    statement=STATEMENT,
    questions=QUESTIONS,
    view_rule="view_plan",
    change_rule="record_plan_self_check",
    part="Plan and governance",
    page="review_plan",
    evidence_template="markers/evidence_plan.html",
    facts=ParallelFacts,
    slug="parallel",
)
