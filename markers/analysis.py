"""Quality Marker 13, analysis: the marker's questions, in our own words, beside what the portal holds of
the lead reviewer's lines of enquiry and key practice episodes (which cite the merged chronology), and
the board's own view."""

from __future__ import annotations

from functools import cached_property

from conduct.inquiry.selectors import analysis_evidence

from .checks import MET, NOT_MET, PARTLY, Evidence, Facts, Marker, Question

STATEMENT = (
    "The review looks beyond what happened to why: clear lines of enquiry are followed through key "
    "episodes of practice, each resting on what several agencies recorded, so that the {body} learns what "
    "helped or hindered the people involved."
)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


class AnalysisFacts(Facts):
    @cached_property
    def figures(self) -> dict:
        return analysis_evidence(self.review)


def _lines(facts: AnalysisFacts) -> Evidence:
    f = facts.figures
    if not f["lines"]:
        return Evidence("No line of enquiry is recorded yet.", NOT_MET)
    summary = f"{_plural(f['lines'], 'line')} of enquiry; {f['lines_taken_up']} taken up by an episode."
    return Evidence(summary, MET if f["lines_taken_up"] == f["lines"] else PARTLY)


def _episodes(facts: AnalysisFacts) -> Evidence:
    f = facts.figures
    if not f["episodes"]:
        return Evidence("No key practice episode is recorded yet.", NOT_MET)
    summary = (
        f"{_plural(f['episodes'], 'key practice episode')}, {f['with_evidence']} of them citing chronology "
        "entries."
    )
    return Evidence(summary, MET if f["with_evidence"] == f["episodes"] else PARTLY)


def _agencies(facts: AnalysisFacts) -> Evidence:
    f = facts.figures
    if not f["episodes"]:
        return Evidence("No key practice episode is recorded yet.", NOT_MET)
    summary = (
        f"Episodes resting on entries from two agencies or more: {f['several_agencies']} of {f['episodes']}; "
        f"agencies that sent a chronology and are cited: {f['agencies_cited']} of {f['agencies_sending']}."
    )
    if f["several_agencies"] == f["episodes"] and f["agencies_cited"] == f["agencies_sending"]:
        return Evidence(summary, MET)
    return Evidence(summary, PARTLY if f["several_agencies"] or f["agencies_cited"] else NOT_MET)


def _why(facts: AnalysisFacts) -> Evidence:
    f = facts.figures
    if not f["episodes"]:
        return Evidence("No key practice episode is recorded yet.", NOT_MET)
    summary = f"Episodes that say why practice was as it was: {f['analysed']} of {f['episodes']}."
    return Evidence(summary, MET if f["analysed"] == f["episodes"] else PARTLY)


QUESTIONS = (
    Question(1, "Were clear lines of enquiry set, and each one followed through the evidence?", _lines),
    Question(2, "Were the key episodes of practice identified, each resting on the chronology?", _episodes),
    Question(
        3,
        "Does the analysis bring together what different agencies knew and did at the same time?",
        _agencies,
    ),
    Question(
        4,
        "Does the analysis explain why practice was as it was, not only what happened?",
        _why,
    ),
)

MARKER = Marker(
    number=13,
    title="Analysis",
    statement=STATEMENT,
    questions=QUESTIONS,
    view_rule="read_chronology",
    change_rule="record_running_self_check",
    part="Analysis",
    page="analysis",
    evidence_template="markers/evidence_analysis.html",
    facts=AnalysisFacts,
)
