"""Writes of the analysis (SCIE Quality Marker 13): the lead reviewer's lines of enquiry and key practice
episodes, and which chronology entries and lines each episode cites. Each write locks the review, checks
that the review is in progress and that what is cited belongs to it, changes, and records on the
review's timeline."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from reviews import workflow
from reviews.models import Review
from reviews.services import review_lock, timeline_add

from ..models import ChronologyEntry, EnquiryLine, PracticeEpisode
from ..selectors import SENT


class AnalysisRefused(Exception):
    """The change cannot be made now; the message says why in plain words. Nothing was changed. `field`
    names the form field the message belongs beside, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _open(review: Review) -> Review:
    """The review, locked and read afresh, refused unless it is in progress."""
    locked = review_lock(review.pk)
    if not workflow.allows(locked, workflow.INFORMATION_OPEN):
        raise AnalysisRefused("The analysis changes only while the review is in progress.")
    return locked


def enquiry_line_save(
    *, review: Review, user, question: str, why: str, line: EnquiryLine | None = None
) -> EnquiryLine:
    """Adds a line of enquiry to the review's analysis (or changes `line`)."""
    question, why = question.strip(), why.strip()
    if not question:
        raise AnalysisRefused("Enter the question.", field="question")
    if not why:
        raise AnalysisRefused("Enter why the review asks it.", field="why")
    with transaction.atomic():
        review = _open(review)
        if line is None:
            line = EnquiryLine(review=review, created_by=user)
        elif line.review_id != review.pk:
            raise AnalysisRefused("That line of enquiry belongs to another review.")
        added = line.pk is None
        line.question, line.why = question, why
        line.full_clean()
        line.save()
        timeline_add(
            review=review,
            user=user,
            title=f"Line of enquiry {'added' if added else 'changed'}",
            body=question[:500],
        )
    return line


def enquiry_line_delete(*, review: Review, user, line: EnquiryLine) -> None:
    """Removes a line of enquiry; the episodes that cited it no longer do."""
    with transaction.atomic():
        review = _open(review)
        if line.review_id != review.pk:
            raise AnalysisRefused("That line of enquiry belongs to another review.")
        question = line.question
        line.delete()
        timeline_add(review=review, user=user, title="Line of enquiry removed", body=question[:500])


def episode_save(
    *,
    review: Review,
    user,
    title: str,
    starts_on: date,
    ends_on: date,
    summary: str,
    analysis: str,
    line_ids: Iterable[int] = (),
    episode: PracticeEpisode | None = None,
) -> PracticeEpisode:
    """Adds a key practice episode to the review's analysis (or changes `episode`), with the lines of
    enquiry it helps answer (lines of this review)."""
    if ends_on < starts_on:
        raise AnalysisRefused("The end of the period must be on or after its start.", field="ends_on")
    for name, value, what in (
        ("title", title, "a title"),
        ("summary", summary, "what happened"),
        ("analysis", analysis, "why practice was as it was"),
    ):
        if not value.strip():
            raise AnalysisRefused(f"Enter {what}.", field=name)
    wanted = set(line_ids)
    with transaction.atomic():
        review = _open(review)
        lines = list(EnquiryLine.objects.filter(review=review, pk__in=wanted))
        if len(lines) != len(wanted):
            raise AnalysisRefused("Choose lines of enquiry of this review.", field="lines")
        if episode is None:
            episode = PracticeEpisode(review=review, created_by=user)
        elif episode.review_id != review.pk:
            raise AnalysisRefused("That episode belongs to another review.")
        added = episode.pk is None
        episode.title, episode.summary, episode.analysis = title.strip(), summary.strip(), analysis.strip()
        episode.starts_on, episode.ends_on = starts_on, ends_on
        episode.full_clean()
        episode.save()
        episode.lines.set(lines)
        timeline_add(
            review=review,
            user=user,
            title=f"Key practice episode {'added' if added else 'changed'}: {episode.title}"[:200],
        )
    return episode


def episode_evidence_set(
    *, review: Review, user, episode: PracticeEpisode, entry_ids: Iterable[int]
) -> PracticeEpisode:
    """Sets the chronology entries the episode cites: entries of the review's merged chronology (what
    agencies have submitted or had accepted)."""
    wanted = set(entry_ids)
    with transaction.atomic():
        review = _open(review)
        if episode.review_id != review.pk:
            raise AnalysisRefused("That episode belongs to another review.")
        entries = list(ChronologyEntry.objects.filter(review=review, request__status__in=SENT, pk__in=wanted))
        if len(entries) != len(wanted):
            raise AnalysisRefused(
                "Choose entries of this review's merged chronology (what agencies have sent).",
                field="entries",
            )
        episode.entries.set(entries)
        agencies = len({e.agency_id for e in entries})
        timeline_add(
            review=review,
            user=user,
            title=f"Evidence for {episode.title}: {len(entries)} chronology entr"
            f"{'y' if len(entries) == 1 else 'ies'} from {agencies} agenc{'y' if agencies == 1 else 'ies'}"[
                :200
            ],
        )
    return episode


def episode_delete(*, review: Review, user, episode: PracticeEpisode) -> None:
    with transaction.atomic():
        review = _open(review)
        if episode.review_id != review.pk:
            raise AnalysisRefused("That episode belongs to another review.")
        title = episode.title
        episode.delete()
        timeline_add(review=review, user=user, title=f"Key practice episode removed: {title}"[:200])
