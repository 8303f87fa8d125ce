"""Makers for the plan and governance: a milestone and a challenge of the world's north review in progress.
Plain functions (usable from fixtures and authorization-walk rows)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from conduct.models import Challenge, Milestone
from tests.conduct.helpers import in_progress


def milestone_for(review, *, name: str = "Agency information in", days: int = 14, **fields) -> Milestone:
    """A milestone of `review`, due `days` from today (negative: overdue)."""
    due = timezone.localdate() + timedelta(days=days)
    return Milestone.objects.create(
        review=review, name=name, planned_on=fields.pop("planned_on", due), due_on=due, **fields
    )


def challenge_for(review, recorded_by, **fields) -> Challenge:
    return Challenge.objects.create(
        review=review,
        kind=fields.pop("kind", Challenge.Kind.CHALLENGE),
        issue=fields.pop("issue", "The police disagree with the draft's account of the strategy meeting."),
        raised_by=fields.pop("raised_by", "Police board member"),
        raised_on=fields.pop("raised_on", timezone.localdate() - timedelta(days=3)),
        recorded_by=recorded_by,
        **fields,
    )


def north_milestone(w) -> Milestone:
    """A milestone of the north review, in progress (made once)."""
    review = in_progress(w.north_review)
    return review.milestones.first() or milestone_for(review, owner=w.north_manager)


def north_challenge(w) -> Challenge:
    review = in_progress(w.north_review)
    return review.challenges.first() or challenge_for(review, w.north_manager)
