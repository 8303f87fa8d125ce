"""Authorization-walk rows for the response's discussion pages: meetings, the discussion of each finding,
the board's positions and the engagement plan (merged into tests/test_authorization.py)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.responses.helpers import at_stage, finding
from tests.routes import Route, _object

# Board people read the discussion; a lead reviewer's access ends with the scoping.
NOT_READERS = ("east_manager", "north_reviewer", "south_member")
# Only the business manager records it.
NOT_WRITERS = ("east_manager", "north_member", "north_chair", "north_reviewer", "south_manager")


def _review(w) -> dict:
    return {"pk": at_stage(w.north_review, "response").pk}


def _meeting(w):
    from responses.models import Meeting

    review = at_stage(w.north_review, "response")
    meeting = Meeting.objects.filter(review=review).first() or Meeting.objects.create(
        review=review,
        kind=Meeting.Kind.EXTRAORDINARY,
        held_on=timezone.localdate() - timedelta(days=7),
        minutes_given=90,
        created_by=w.north_manager,
    )
    return meeting


def _finding(w):
    review = at_stage(w.north_review, "response")
    return review.findings.first() or finding(review)


def _activity(w):
    from responses.models import EngagementActivity

    review = at_stage(w.north_review, "response")
    return review.engagement_activities.first() or EngagementActivity.objects.create(
        review=review,
        audience=EngagementActivity.Audience.FRONTLINE,
        description="Seven-minute briefing",
        method=EngagementActivity.Method.BRIEFING,
        planned_on=timezone.localdate() - timedelta(days=1),
    )


def _meeting_kwargs(w) -> dict:
    return {"pk": w.north_review.pk, "meeting_pk": _meeting(w).pk}


def _discussion_kwargs(w) -> dict:
    return {**_meeting_kwargs(w), "finding_pk": _finding(w).pk}


def _finding_kwargs(w) -> dict:
    return {"pk": _review(w)["pk"], "finding_pk": _finding(w).pk}


def _activity_kwargs(w) -> dict:
    return {"pk": w.north_review.pk, "activity_pk": _activity(w).pk}


ROUTES: dict[str, Route] = {
    "meeting_list": _object(_review, allowed="north_member", denied=NOT_READERS),
    "meeting_detail": _object(_meeting_kwargs, allowed="north_chair", denied=NOT_READERS),
    "engagement_plan": _object(_review, allowed="north_member", denied=NOT_READERS),
    "meeting_create": _object(_review, allowed="north_manager", denied=NOT_WRITERS),
    "meeting_edit": _object(_meeting_kwargs, allowed="north_manager", denied=NOT_WRITERS),
    "meeting_remove": _object(_meeting_kwargs, allowed="north_manager", denied=NOT_WRITERS),
    "discussion_record": _object(_discussion_kwargs, allowed="north_manager", denied=NOT_WRITERS),
    "finding_position": _object(_finding_kwargs, allowed="north_manager", denied=NOT_WRITERS),
    "activity_create": _object(_review, allowed="north_manager", denied=NOT_WRITERS),
    "activity_edit": _object(_activity_kwargs, allowed="north_manager", denied=NOT_WRITERS),
    "activity_done": _object(_activity_kwargs, allowed="north_manager", denied=NOT_WRITERS),
    "activity_cancel": _object(_activity_kwargs, allowed="north_manager", denied=NOT_WRITERS),
}
