"""Quality Marker 14, the report: each of the marker's questions, in our own words, beside the evidence
the portal holds of the report's drafts (conduct.report) and the board's own view."""

from __future__ import annotations

from functools import cached_property

from conduct.report.selectors import report_facts

from .checks import MET, NOT_MET, PARTLY, Evidence, Facts, Marker, Question

STATEMENT = (
    "The report is worked through in drafts: the agencies check its facts, the {body}'s panel assures its "
    "quality, the family's view of it is heard, and the final version can be published without detail "
    "about the family that the learning does not need."
)


class ReportFacts(Facts):
    @cached_property
    def figures(self) -> dict:
        return report_facts(self.review)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _accuracy(facts: ReportFacts) -> Evidence:
    f = facts.figures
    if not f["drafts"]:
        return Evidence("No draft of the report has been added.", NOT_MET)
    if not f["asked"]:
        return Evidence(
            f"{_plural(f['drafts'], 'draft')}; none sent to agencies to check its facts.", NOT_MET
        )
    status = MET if f["replied"] == f["asked"] else PARTLY
    return Evidence(f"Agencies asked to check the facts {f['asked']} times; {f['replied']} replied.", status)


def _comments(facts: ReportFacts) -> Evidence:
    f = facts.figures
    if not f["replied"]:
        return Evidence("No agency has replied on a draft's facts yet.", NOT_MET)
    if not f["comments"]:
        return Evidence("Agencies replied with no comments to deal with.", MET)
    status = MET if f["dealt_with"] == f["comments"] else PARTLY if f["dealt_with"] else NOT_MET
    return Evidence(
        f"{_plural(f['comments'], 'comment')} from agencies; {f['dealt_with']} dealt with.", status
    )


def _assurance(facts: ReportFacts) -> Evidence:
    f = facts.figures
    if not f["assurances"]:
        return Evidence("No quality assurance of a draft is recorded.", NOT_MET)
    if f["assured"]:
        return Evidence(f"{_plural(f['assured'], 'draft')} assured as ready to accept.", MET)
    return Evidence(f"{_plural(f['assurances'], 'draft')} quality-assured; changes were needed.", PARTLY)


def _family(facts: ReportFacts) -> Evidence:
    f = facts.figures
    if not f["family"]:
        return Evidence("No record that the family saw a draft.", NOT_MET)
    return Evidence(f"The family's view of {_plural(f['family'], 'draft')} is recorded.", MET)


def _accepted(facts: ReportFacts) -> Evidence:
    accepted = facts.figures["accepted"]
    if accepted is None:
        return Evidence("No draft has been accepted as the final report yet.", NOT_MET)
    return Evidence(
        f"Draft {accepted.version} accepted as the final report on {accepted.accepted_at:%-d %B %Y}, after "
        "the check for the family's real names.",
        MET,
    )


QUESTIONS = (
    Question(1, "Were the agencies given a draft to check its facts, and did they reply?", _accuracy),
    Question(2, "Did the lead reviewer record how each agency's comment was dealt with?", _comments),
    Question(3, "Did the {body}'s panel quality-assure a draft before it was accepted?", _assurance),
    Question(4, "Did the family see a draft, and is what they said of it recorded?", _family),
    Question(
        5,
        "Was the final version accepted by the {accountable}, checked to be publishable without needless "
        "detail about the family?",
        _accepted,
    ),
)

MARKER = Marker(
    number=14,
    title="The report",
    statement=STATEMENT,
    questions=QUESTIONS,
    view_rule="view_report",
    change_rule="assess_report",
    part="The report",
    page="report",
    evidence_template="markers/evidence_report.html",
    facts=ReportFacts,
)
