"""Quality Marker 15, improvement action: the marker's five questions, in our own words, beside the
evidence the portal holds from doing the work of the response, and the board's own view."""

from __future__ import annotations

from collections import Counter
from functools import cached_property

from responses.actions.workflow import is_deferred
from responses.discussion.selectors import discussion_evidence
from responses.models import Action, Finding, LearningItem, Position
from responses.plan.selectors import related_for_findings

from .checks import MET, NOT_MET, PARTLY, Evidence, Facts, Marker, Question

STATEMENT = (
    "The {body} and its agencies discuss the report openly and agree, in proportion and in order of "
    "priority, what they will do about it."
)


class ImprovementFacts(Facts):
    @cached_property
    def discussion(self) -> dict:
        """The discussion figures (three questions use them), read once per self-check."""
        return discussion_evidence(self.review)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _mechanism(facts: ImprovementFacts) -> Evidence:
    e = facts.discussion
    if not e["meetings"]:
        return Evidence("No meeting about the review is recorded yet.", NOT_MET)
    kinds = []
    if e["extraordinary"]:
        kinds.append(_plural(e["extraordinary"], "extraordinary meeting"))
    if e["sub_group"]:
        kinds.append(_plural(e["sub_group"], "sub-group meeting"))
    summary = (
        f"{_plural(e['meetings'], 'meeting')} recorded{' (' + ', '.join(kinds) + ')' if kinds else ''}; "
        f"{e['findings_discussed']} of {_plural(e['findings'], 'finding')} discussed."
    )
    done = e["findings"] and e["findings_discussed"] == e["findings"]
    return Evidence(summary, MET if done else PARTLY)


def _challenge(facts: ImprovementFacts) -> Evidence:
    e = facts.discussion
    not_accepted = Finding.objects.filter(
        review=facts.review, position__in=[Position.NOT_ACCEPTED, Position.ACCEPTED_IN_PART]
    ).count()
    if not e["findings"]:
        return Evidence("No findings are recorded yet.", NOT_MET)
    summary = (
        f"Challenge recorded on {e['findings_challenged']} of {_plural(e['findings'], 'finding')}; "
        f"{_plural(e['agencies_attended'], 'agency', 'agencies')} attended; the {facts.review.words.body}'s position agreed on "
        f"{e['positions']} of {e['findings']}"
        f"{f' ({not_accepted} not accepted in whole or part)' if not_accepted else ''}."
    )
    if e["findings_challenged"] and e["positions"] == e["findings"]:
        return Evidence(summary, MET)
    return Evidence(summary, PARTLY if e["findings_challenged"] or e["positions"] else NOT_MET)


def _time(facts: ImprovementFacts) -> Evidence:
    e = facts.discussion
    if not e["minutes"]:
        return Evidence("No time given to the review is recorded yet.", NOT_MET)
    hours, minutes = divmod(e["minutes"], 60)
    spent = " ".join(p for p in (f"{hours} h" if hours else "", f"{minutes} min" if minutes else "") if p)
    extraordinary = "an extraordinary meeting was held" if e["extraordinary"] else "no extraordinary meeting"
    summary = f"{spent} given across {_plural(e['meetings'], 'meeting')}; {extraordinary}."
    return Evidence(summary, MET if e["extraordinary"] or e["minutes"] >= 60 else PARTLY)


def _informed(facts: Facts) -> Evidence:
    review = facts.review
    findings = list(Finding.objects.filter(review=review).prefetch_related("themes"))
    if not findings:
        return Evidence("No findings are recorded yet.", NOT_MET)
    related = related_for_findings(review, findings)
    informed = sum(
        1 for f in findings if f.pk in related and (related[f.pk].learning or related[f.pk].priorities)
    )
    themed = sum(1 for f in findings if f.themes.all())
    held = LearningItem.objects.filter(board=review.lead_board).count()
    summary = (
        f"{themed} of {_plural(len(findings), 'finding')} filed under a theme; related learning or plan "
        f"priorities shown beside {informed}; the {facts.review.words.body}'s framework holds {_plural(held, 'learning item')}."
    )
    if informed == len(findings):
        return Evidence(summary, MET)
    return Evidence(summary, PARTLY if informed or held else NOT_MET)


def _prioritised(facts: Facts) -> Evidence:
    rows = list(
        Action.objects.filter(review=facts.review).values_list("priority", "plan_priority_id", "status")
    )
    if not rows:
        return Evidence("No actions are agreed yet.", NOT_MET)
    by_priority = Counter(p for p, _, _ in rows)
    linked = sum(1 for _, plan, _ in rows if plan)
    deferred = sum(1 for _, _, s in rows if is_deferred(s))
    labels = dict(Action.Priority.choices)
    spread = ", ".join(f"{by_priority[p]} {labels[p].lower()}" for p in sorted(by_priority))
    summary = (
        f"{_plural(len(rows), 'action')} ({spread}); {linked} linked to a {facts.review.words.plan_priority}; "
        f"{deferred} deliberately deferred with a reason."
    )
    accounted = sum(1 for _, plan, s in rows if plan or is_deferred(s))
    return Evidence(summary, MET if accounted == len(rows) else PARTLY if accounted else NOT_MET)


QUESTIONS = (
    Question(
        1,
        "Does the {body} have a clear way of managing its discussion of the actions the review calls for?",
        _mechanism,
    ),
    Question(
        2,
        "Did the {accountable} and key agencies lead an open discussion, with mutual challenge, of what the report says "
        "about the safeguarding system and its parts?",
        _challenge,
    ),
    Question(
        3,
        "Was enough time given to receive the report and respond to it (for example an extraordinary meeting)?",
        _time,
    ),
    Question(
        4,
        "Was the {body} given what its learning and improvement framework and {plan} already hold, so the "
        "discussion was informed?",
        _informed,
    ),
    Question(
        5,
        "Has the {body} prioritised its response against its framework and {plan} (a deliberate delay can be "
        "legitimate)?",
        _prioritised,
    ),
)


MARKER = Marker(
    number=15,
    title="Improvement action",
    statement=STATEMENT,
    questions=QUESTIONS,
    view_rule="view_response",
    change_rule="manage_response",
    part="Response",
    part_word="response_page",
    page="response",
    evidence_template="markers/evidence_improvement.html",
    facts=ImprovementFacts,
)
