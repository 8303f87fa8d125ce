"""Quality Markers 4 (informing the family), 11 (practitioners' involvement) and 12 (the family's
involvement): each question in our own words, beside the evidence the practitioner and family records hold.

The family record is restricted, so the family markers' self-checks are read under its rule (`view_family`)
and their evidence names nobody and counts nobody: it says whether what the marker asks is so for every,
some or no family member recorded, never who or how many (the board pack prints it for the board)."""

from __future__ import annotations

from functools import cached_property

from django.utils import timezone

from conduct.models import FamilyMember
from conduct.people.selectors import members_of, practitioner_figures

from .checks import MET, NOT_MET, PARTLY, Evidence, Facts, Marker, Question

NOBODY = "No family member is recorded yet."


def _share(done: int, of: int, every: str, some: str, none: str) -> Evidence:
    """Every / some / none, without the figures."""
    if of and done == of:
        return Evidence(every, MET)
    if done:
        return Evidence(some, PARTLY)
    return Evidence(none, NOT_MET)


# Quality Marker 11: practitioners ------------------------------------------------------------------------


class PractitionerFacts(Facts):
    @cached_property
    def figures(self):
        return practitioner_figures(self.review, timezone.localdate())


def _held(facts: Facts) -> Evidence:
    f = facts.figures
    total = f.events + f.interviews
    if not total:
        return Evidence("No practitioner event or interview is recorded.", NOT_MET)
    said = f"{f.events} learning event{'s' if f.events != 1 else ''} and {f.interviews} interview{'s' if f.interviews != 1 else ''} recorded"
    if not f.held:
        return Evidence(f"{said}; none held yet.", PARTLY)
    return Evidence(f"{said}; {f.held} held.", MET)


def _attended(facts: Facts) -> Evidence:
    f = facts.figures
    if not f.invited:
        return Evidence("No practitioner is recorded as invited.", NOT_MET)
    summary = (
        f"{f.attended} of {f.invited} practitioners invited attended, from {f.agencies_attended} of the "
        f"{f.agencies_invited} agenc{'ies' if f.agencies_invited != 1 else 'y'} invited."
    )
    if f.agencies_attended == f.agencies_invited:
        return Evidence(summary, MET)
    return Evidence(summary, PARTLY if f.attended else NOT_MET)


def _briefed(facts: Facts) -> Evidence:
    f = facts.figures
    if not f.held:
        return Evidence("No practitioner event has been held yet.", NOT_MET)
    summary = f"Briefing recorded for {f.briefed} of {f.held} held; support offered at {f.with_support}."
    if f.briefed == f.held and f.with_support >= f.held:
        return Evidence(summary, MET)
    return Evidence(summary, PARTLY if f.briefed or f.with_support else NOT_MET)


def _feedback(facts: Facts) -> Evidence:
    f = facts.figures
    if not f.held:
        return Evidence("No practitioner event has been held yet.", NOT_MET)
    summary = f"Feedback recorded after {f.with_feedback} of {f.held} held."
    if f.with_feedback == f.held:
        return Evidence(summary, MET)
    return Evidence(summary, PARTLY if f.with_feedback else NOT_MET)


PRACTITIONERS = Marker(
    number=11,
    title="Practitioners' involvement",
    statement=(
        "Practitioners of the {body}'s agencies who worked with the child and family take part in the review: "
        "they are briefed and supported before, can speak openly, and hear afterwards what the review made of "
        "what they said."
    ),
    questions=(
        Question(1, "Did the review hold learning events or interviews with practitioners?", _held),
        Question(2, "Did practitioners of every agency invited take part?", _attended),
        Question(3, "Were practitioners briefed beforehand and offered support?", _briefed),
        Question(4, "Were practitioners given feedback after taking part?", _feedback),
    ),
    view_rule="view_practitioners",
    change_rule="assess_people",
    part="Practitioners",
    page="practitioners",
    evidence_template="markers/evidence_people.html",
    facts=PractitionerFacts,
)


# Quality Markers 4 and 12: the family --------------------------------------------------------------------


class FamilyFacts(Facts):
    @cached_property
    def members(self) -> list[FamilyMember]:
        members = members_of(self.review)
        for m in members:
            m.review = self.review
        return members


def _told_early(facts: Facts) -> Evidence:
    members = facts.members
    if not members:
        return Evidence(NOBODY, NOT_MET)
    early = sum(1 for m in members if m.told_before_commissioning())
    told = sum(1 for m in members if m.told_on)
    if early == len(members):
        return Evidence("Every family member recorded was told before the review was commissioned.", MET)
    if told:
        return Evidence("Some family members were told of the review late or have not been told yet.", PARTLY)
    return Evidence("No family member recorded has been told of the review.", NOT_MET)


def _told_how(facts: Facts) -> Evidence:
    members = facts.members
    if not members:
        return Evidence(NOBODY, NOT_MET)
    return _share(
        sum(1 for m in members if m.told_on and m.told_by and m.told_how),
        len(members),
        "For every family member, who told them and how is recorded.",
        "For some family members, who told them or how is not recorded.",
        "Who told the family of the review and how is not recorded.",
    )


INFORMING = Marker(
    number=4,
    title="Informing the family",
    statement=(
        "The family are told of the review early, before the {body} commissions it where they can be, by "
        "someone suited to it and in a way that suits them, so that they can decide whether to take part."
    ),
    questions=(
        Question(1, "Were the family told of the review before it was commissioned?", _told_early),
        Question(2, "Is it recorded who told each family member, and how?", _told_how),
    ),
    view_rule="view_family",
    private_comments=True,
    change_rule="assess_people",
    part="The family",
    page="family",
    slug="informing-the-family",
    evidence_template="markers/evidence_people.html",
    facts=FamilyFacts,
)


def _reached(facts: Facts) -> Evidence:
    members = facts.members
    if not members:
        return Evidence(NOBODY, NOT_MET)
    return _share(
        sum(1 for m in members if m.contacts.all() or m.not_involved_reason),
        len(members),
        "Contact with every family member is recorded.",
        "Contact with some family members is not recorded yet.",
        "No contact with the family is recorded.",
    )


def _support(facts: Facts) -> Evidence:
    members = facts.members
    if not members:
        return Evidence(NOBODY, NOT_MET)
    return _share(
        sum(1 for m in members if m.support_offered),
        len(members),
        "Support is recorded as offered to every family member.",
        "Support is recorded as offered to some family members.",
        "No support offered to the family is recorded.",
    )


def _influence(facts: Facts) -> Evidence:
    members = facts.members
    gave = [m for m in members if any(c.views for c in m.contacts.all())]
    if not gave:
        return Evidence("No views from the family are recorded.", NOT_MET)
    if all(m.influence for m in gave):
        return Evidence("The family's views are recorded, with what they changed in the review's focus.", MET)
    return Evidence("The family's views are recorded; what they changed is not recorded for all.", PARTLY)


def _draft(facts: Facts) -> Evidence:
    taking_part = [m for m in facts.members if m.consent == FamilyMember.Consent.GIVEN]
    if not taking_part:
        return Evidence("No family member is recorded as taking part.", NOT_MET)
    return _share(
        sum(1 for m in taking_part if m.saw_draft_on),
        len(taking_part),
        "Every family member taking part saw the draft report.",
        "Some family members taking part have not seen the draft report yet.",
        "No family member has seen the draft report yet.",
    )


def _reasons(facts: Facts) -> Evidence:
    members = facts.members
    if not members:
        return Evidence(NOBODY, NOT_MET)
    out = [
        m
        for m in members
        if m.consent in (FamilyMember.Consent.DECLINED, FamilyMember.Consent.WITHDRAWN)
        or m.not_involved_reason
    ]
    if not out:
        return Evidence("No family member recorded has declined or been left out.", MET)
    return _share(
        sum(1 for m in out if m.not_involved_reason),
        len(out),
        "The reasons are recorded for every family member not involved.",
        "The reasons are not recorded for every family member not involved.",
        "The reasons family members are not involved are not recorded.",
    )


INVOLVEMENT = Marker(
    number=12,
    title="The family's involvement",
    statement=(
        "The review seeks the family's views, supports them to take part, lets what they say shape its "
        "focus, and shows them the draft report before the {body} accepts it."
    ),
    questions=(
        Question(1, "Were repeated efforts made to reach each family member?", _reached),
        Question(2, "Was support, such as an advocate, offered to the family?", _support),
        Question(3, "Did the family's views shape the focus of the review?", _influence),
        Question(4, "Did the family members taking part see the draft report?", _draft),
        Question(5, "Where a family member is not involved, are the reasons recorded?", _reasons),
    ),
    view_rule="view_family",
    private_comments=True,
    change_rule="assess_people",
    part="The family",
    page="family",
    evidence_template="markers/evidence_people.html",
    facts=FamilyFacts,
)
