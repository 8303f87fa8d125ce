"""Quality Marker 10, assembling the information: the marker's questions, in our own words, beside what the
portal holds of the requests to agencies (why each was asked, whether it came on time, whether it was
chased, whether the business manager accepted it), and the board's own view."""

from __future__ import annotations

from functools import cached_property

from conduct.inquiry.selectors import information_evidence
from reviews.models import Agency

from .checks import MET, NOT_MET, PARTLY, Evidence, Facts, Marker, Question

STATEMENT = (
    "The review gathers what it needs from the agencies involved: each is asked clearly, and for a reason, "
    "for what the review needs; what they send is followed up when it is late and checked before the "
    "{body} relies on it."
)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


class InformationFacts(Facts):
    @cached_property
    def figures(self) -> dict:
        return information_evidence(self.review)

    @cached_property
    def board_agencies(self) -> int:
        return Agency.objects.filter(boards=self.review.lead_board_id).count()


def _asked(facts: InformationFacts) -> Evidence:
    f = facts.figures
    if not f["requests"]:
        return Evidence("No agency has been asked for information yet.", NOT_MET)
    reasons = f"{f['with_reason']} of {f['requests']} give the reason"
    summary = (
        f"{_plural(f['requests'], 'request')} to {f['agencies']} of the {facts.review.words.body}'s "
        f"{_plural(facts.board_agencies, 'agency', 'agencies')}; {reasons}."
    )
    return Evidence(summary, MET if f["with_reason"] == f["requests"] else PARTLY)


def _on_time(facts: InformationFacts) -> Evidence:
    f = facts.figures
    if not f["requests"]:
        return Evidence("Nothing has been asked for, so nothing has arrived.", NOT_MET)
    if not f["sent"]:
        return Evidence(f"None of the {_plural(f['requests'], 'request')} has been answered yet.", NOT_MET)
    summary = (
        f"{f['sent']} of {_plural(f['requests'], 'request')} answered; {f['on_time']} by the date asked."
    )
    return Evidence(summary, MET if f["on_time"] == f["requests"] else PARTLY)


def _chased(facts: InformationFacts) -> Evidence:
    f = facts.figures
    if not f["requests"]:
        return Evidence("No agency has been asked for information yet.", NOT_MET)
    late = f["requests"] - f["on_time"]
    summary = (
        f"{_plural(f['chased'], 'request')} chased by reminder; {f['escalated']} escalated to the agency's "
        f"{facts.review.words.body} member."
    )
    if not late or f["chased"] >= late:
        return Evidence(summary, MET)
    return Evidence(summary + f" {late} not yet in on time.", PARTLY)


def _accepted(facts: InformationFacts) -> Evidence:
    f = facts.figures
    if not f["sent"]:
        return Evidence("Nothing has been sent to check yet.", NOT_MET)
    summary = (
        f"{f['accepted']} of {_plural(f['requests'], 'request')} accepted by the business manager; "
        f"{f['returned']} sent back for more."
    )
    return Evidence(summary, MET if f["accepted"] == f["requests"] else PARTLY)


QUESTIONS = (
    Question(
        1,
        "Was every agency that knew the child or family asked for information, and told why it was needed?",
        _asked,
    ),
    Question(2, "Did the information arrive when the review needed it?", _on_time),
    Question(
        3, "Was late information followed up, with the {body} told when an agency fell behind?", _chased
    ),
    Question(4, "Was what agencies sent checked, and sent back where it fell short?", _accepted),
)

MARKER = Marker(
    number=10,
    title="Assembling the information",
    statement=STATEMENT,
    questions=QUESTIONS,
    view_rule="view_information_requests",
    change_rule="record_running_self_check",
    part="Information from agencies",
    page="information_requests",
    slug="information",
    evidence_template="markers/evidence_information.html",
    facts=InformationFacts,
)
