"""What every quality-marker self-check shares: a marker is a statement and a few questions, each beside
the evidence the portal already holds for it; the board records its own view of each question (met, partly
met, not met) with a comment, kept as SelfCheckAnswer rows under the marker's number.

A marker is declared once, as a `Marker` in its own module (`commissioning.py` for QM 6, `improvement.py`
for QM 15), and listed in `registry.MARKERS`; the pages, the evidence panels and the board pack read it
from there."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from django.db import transaction

from commissioning.models import SelfCheckAnswer
from reviews.models import Review
from reviews.services import timeline_add
from scr_portal.accounts.models import User

Status = SelfCheckAnswer.Status
MET, PARTLY, NOT_MET = Status.MET, Status.PARTLY, Status.NOT_MET


@dataclass(frozen=True)
class Evidence:
    summary: str  # one line, with figures
    suggests: str  # the status the evidence points to (a SelfCheckAnswer.Status value)


class Facts:
    """What a marker's questions read about one review. A marker whose questions share figures subclasses
    it with cached properties, so each figure is read once per self-check."""

    def __init__(self, review: Review) -> None:
        self.review = review


@dataclass(frozen=True)
class Question:
    number: int
    text: str
    evidence: Callable[[Facts], Evidence]


@dataclass(frozen=True)
class Marker:
    number: int
    title: str  # what the board pack calls it after "Quality marker N: "
    statement: str
    questions: tuple[Question, ...]
    view_rule: str  # the rule to read the evidence and the board's view
    change_rule: str  # the rule to record the board's view
    part: str  # the part of the review it belongs to, as the pages name it ("Commissioning")
    # The URL name of that part's page (the self-check's back link and breadcrumb).
    page: str
    evidence_template: str  # the evidence panel shown on the part's page
    facts: Callable[[Review], Facts] = Facts
    # The regime's word for the part, when it has one (a `Words` field: "response_page" names the response
    # "Partners' response" on a practice review); else `part`.
    part_word: str = ""
    # The self-check's own path segment, when it is not the page's: the self-check page is
    # reviews/<pk>/<slug>/self-check/, named `<slug>_self_check` (two markers of one part need two slugs).
    slug: str = ""
    # The board's comments on a marker whose evidence comes from a restricted record (the family's) stay
    # with that record's keepers: documents for the whole board print the evidence and statuses only.
    private_comments: bool = False

    @property
    def path_segment(self) -> str:
        return self.slug or self.page

    @property
    def url_name(self) -> str:
        return f"{self.path_segment}_self_check"

    def part_of(self, review: Review) -> str:
        """The part's name on `review`'s pages, in its regime's words."""
        return review.words[self.part_word] if self.part_word else self.part

    def in_words(self, review: Review) -> Marker:
        """The marker as `review`'s pages and documents print it: its statement and questions name the body
        and the people of the review's regime (a `{body}` or `{accountable}` in their text, say, is "board" and
        "chair" on a Serious Case Review, "partnership" and "partners" on a practice review)."""
        words = vars(review.words)
        return replace(
            self,
            statement=self.statement.format(**words),
            questions=tuple(replace(q, text=q.text.format(**words)) for q in self.questions),
        )


def evidence_for(review: Review, marker: Marker) -> dict[int, Evidence]:
    """Each question's evidence, by question number, read afresh."""
    facts = marker.facts(review)
    return {q.number: q.evidence(facts) for q in marker.questions}


def answers_for(review: Review, marker: Marker) -> dict[int, SelfCheckAnswer]:
    """The board's recorded view, by question number (questions not yet assessed are absent)."""
    return {a.question: a for a in SelfCheckAnswer.objects.filter(review=review, marker=marker.number)}


@transaction.atomic
def self_check_save(
    *, review: Review, user: User, marker: Marker, answers: dict[int, tuple[str, str]]
) -> None:
    """Records the board's view on every question of `marker`: `answers` maps each question's number to
    its status (a SelfCheckAnswer.Status value) and comment. One timeline entry says it was updated."""
    for q in marker.questions:
        status, comment = answers[q.number]
        if status not in Status.values:
            raise ValueError(f"Unknown self-check status {status!r} for question {q.number}.")
        SelfCheckAnswer.objects.update_or_create(
            review=review,
            marker=marker.number,
            question=q.number,
            defaults={"status": status, "comment": comment, "updated_by": user},
        )
    timeline_add(review=review, user=user, title=f"{marker.part_of(review)} self-check updated")
