"""Writes for the board's discussion of the report (SCIE Quality Marker 15): the meetings at which the
board discussed the review and who attended them for each agency, what each meeting said about each finding
and the challenge made, the board's position on each finding, and the engagement plan.

Each write follows one shape: in one transaction it locks the review (so the stage cannot change under it)
and the row it changes, checks the guard, changes, and records the step on the review's timeline. A
refusal raises DiscussionRefused with a plain message and changes nothing.

The timeline is seen by everyone on the review, lead reviewers included, so its entries say what happened
and when, never what the board said (the discussion, the challenge, the reasons for a position)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from reviews import workflow
from reviews.models import Review, TimelineEntry
from reviews.services import review_lock, timeline_add
from scr_portal.dates import long_date

from ..models import Attendance, EngagementActivity, Finding, FindingDiscussion, Meeting, Position
from .selectors import findings_agreed_at, review_agencies


class DiscussionRefused(Exception):
    """The step cannot be taken now; the message says why, in words for the person who tried."""


def minutes_text(minutes: int) -> str:
    """90 → "1 hour 30 minutes"; 45 → "45 minutes"; 120 → "2 hours"."""
    hours, rest = divmod(int(minutes or 0), 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


def _locked_while(review: Review, capability: str, refusal: str) -> Review:
    """The review, locked (`review_lock`), when its stage allows `capability`; refused with `refusal`
    otherwise."""
    locked = review_lock(review.pk)
    if not workflow.allows(locked, capability):
        raise DiscussionRefused(refusal)
    return locked


def _response_open(review: Review) -> Review:
    return _locked_while(
        review,
        workflow.RESPONSE_OPEN,
        f"The {review.words.response} to this review is not open, so its meetings and engagement plan "
        "cannot change now.",
    )


# Meetings --------------------------------------------------------------------------------------------


def meeting_save(
    *,
    review: Review,
    user,
    kind: str,
    held_on: date,
    minutes_given: int,
    chaired_by: str = "",
    summary: str = "",
    attendance: dict[int, str],
    meeting: Meeting | None = None,
) -> Meeting:
    """Records a meeting (or changes one, when `meeting` is given) and who attended it for each agency.
    `attendance` maps an agency's id to who attended for it; a blank entry means the agency was absent.
    On a change the meeting's attendance is replaced by what is given."""
    if held_on > timezone.localdate():
        raise DiscussionRefused("The date of the meeting cannot be in the future.")
    with transaction.atomic():
        review = _response_open(review)
        if meeting is not None:
            meeting = Meeting.objects.select_for_update().filter(pk=meeting.pk, review=review).first()
            if meeting is None:
                raise DiscussionRefused("This meeting no longer exists: someone may have removed it.")
        creating = meeting is None
        meeting = meeting or Meeting(review=review, created_by=user)
        meeting.kind = kind
        meeting.held_on = held_on
        meeting.minutes_given = minutes_given
        meeting.chaired_by = chaired_by.strip()
        meeting.summary = summary.strip()
        meeting.full_clean()
        meeting.save()

        allowed = {a.pk for a in review_agencies(review)} | set(
            Attendance.objects.filter(meeting=meeting).values_list("agency_id", flat=True)
        )
        given = {agency_id: (who or "").strip() for agency_id, who in attendance.items()}
        unknown = {agency_id for agency_id, who in given.items() if who and agency_id not in allowed}
        if unknown:
            raise DiscussionRefused("Attendance can only be recorded for agencies of the review's boards.")
        rows = [
            Attendance(meeting=meeting, agency_id=agency_id, attendees=who[:300])
            for agency_id, who in sorted(given.items())
            if who
        ]
        Attendance.objects.filter(meeting=meeting).delete()
        Attendance.objects.bulk_create(rows)

        attended = len(rows)
        timeline_add(
            review=review,
            user=user,
            title=f"{'Meeting recorded' if creating else 'Meeting changed'}: {meeting}",
            body=f"{minutes_text(meeting.minutes_given)} given to the review. "
            f"{attended} agenc{'ies' if attended != 1 else 'y'} attended.",
        )
    return meeting


def meeting_remove(*, meeting: Meeting, user) -> None:
    """Removes a meeting recorded by mistake, with its attendance and the discussion recorded at it.
    Refused while a position on a finding says it was agreed at this meeting."""
    with transaction.atomic():
        review = _response_open(meeting.review)
        meeting = Meeting.objects.select_for_update().filter(pk=meeting.pk, review=review).first()
        if meeting is None:
            return
        citing = findings_agreed_at(meeting)
        if citing:
            numbers = ", ".join(str(n) for n in citing)
            raise DiscussionRefused(
                f"The board's position on finding{'s' if len(citing) != 1 else ''} {numbers} says it was "
                "agreed at this meeting. Change the position first, then remove the meeting."
            )
        label = str(meeting)
        meeting.delete()
        timeline_add(review=review, user=user, title=f"Meeting removed: {label}")


# Discussion of the findings ----------------------------------------------------------------------------


def discussion_save(
    *, meeting: Meeting, finding: Finding, user, discussion: str, challenge: str = ""
) -> FindingDiscussion:
    """Records what `meeting` said about `finding` and the challenge made: one record per meeting and
    finding, so recording it again changes it."""
    discussion, challenge = discussion.strip(), challenge.strip()
    if not discussion:
        raise DiscussionRefused("Enter what was discussed.")
    with transaction.atomic():
        review = _response_open(meeting.review)
        # Locking the meeting serialises the records made at it: two saves never make two records.
        meeting = Meeting.objects.select_for_update().filter(pk=meeting.pk, review=review).first()
        if meeting is None:
            raise DiscussionRefused("This meeting no longer exists: someone may have removed it.")
        if finding.review_id != review.pk:
            raise DiscussionRefused("That finding is not one of this review's findings.")
        record = FindingDiscussion.objects.filter(meeting=meeting, finding=finding).first()
        creating = record is None
        record = record or FindingDiscussion(meeting=meeting, finding=finding)
        record.discussion = discussion
        record.challenge = challenge
        record.full_clean()
        record.save()
        timeline_add(
            review=review,
            user=user,
            title=f"Discussion of finding {finding.number} {'recorded' if creating else 'changed'}: {meeting}",
            body="Challenge recorded." if challenge else "",
        )
    return record


# The board's position on a finding -------------------------------------------------------------------


def position_save(
    *, finding: Finding, user, position: str, reason: str, meeting: Meeting | None = None
) -> Finding:
    """Records the board's position on a finding (accepted, accepted in part or not accepted), why, and
    optionally the meeting at which it was agreed. Only while the findings can change."""
    reason = reason.strip()
    if position not in Position.values:
        raise DiscussionRefused("Select the board's position.")
    if not reason:
        raise DiscussionRefused("Enter why the board took this position.")
    with transaction.atomic():
        review = _locked_while(
            finding.review,
            workflow.FINDINGS_OPEN,
            "The findings of this review can no longer change, so the board's position on them cannot "
            "be changed now.",
        )
        finding = Finding.objects.select_for_update().filter(pk=finding.pk, review=review).first()
        if finding is None:
            raise DiscussionRefused("This finding no longer exists: someone may have removed it.")
        if meeting is not None and not Meeting.objects.filter(pk=meeting.pk, review=review).exists():
            raise DiscussionRefused("Choose one of this review's meetings, or none.")
        before = finding.get_position_display() if finding.position else ""
        finding.position = position
        finding.position_reason = reason
        finding.position_meeting = meeting
        finding.full_clean()
        finding.save(update_fields=["position", "position_reason", "position_meeting"])
        now = finding.get_position_display()
        where = (
            f" at the {meeting.get_kind_display().lower()} of {long_date(meeting.held_on)}" if meeting else ""
        )
        timeline_add(
            review=review,
            user=user,
            kind=TimelineEntry.Kind.DECISION,
            title=f"Board's position on finding {finding.number}: {now.lower()}",
            body=(f"Changed from “{before.lower()}”. " if before and before != now else "")
            + (f"Agreed{where}." if meeting else ""),
        )
    return finding


# Engagement plan ---------------------------------------------------------------------------------------

Status = EngagementActivity.Status


def _activity_check(status: str, planned_on: date, reached: int | None) -> None:
    if status == Status.DONE:
        if planned_on > timezone.localdate():
            raise DiscussionRefused("An activity that is done cannot have a date in the future.")
        if reached is None:
            raise DiscussionRefused("Enter how many people the activity reached.")


def activity_save(
    *,
    review: Review,
    user,
    audience: str,
    description: str,
    method: str,
    planned_on: date,
    audience_detail: str = "",
    status: str = Status.PLANNED,
    reached: int | None = None,
    activity: EngagementActivity | None = None,
) -> EngagementActivity:
    """Adds an activity to the engagement plan, or changes one when `activity` is given. An activity that
    is done has a date that has come and the number of people it reached; any other has no number."""
    _activity_check(status, planned_on, reached)
    with transaction.atomic():
        review = _response_open(review)
        if activity is not None:
            activity = (
                EngagementActivity.objects.select_for_update().filter(pk=activity.pk, review=review).first()
            )
            if activity is None:
                raise DiscussionRefused("This activity no longer exists.")
        creating = activity is None
        activity = activity or EngagementActivity(review=review)
        activity.audience = audience
        activity.audience_detail = audience_detail.strip()
        activity.description = description.strip()
        activity.method = method
        activity.planned_on = planned_on
        activity.status = status
        activity.reached = reached if status == Status.DONE else None
        activity.full_clean()
        activity.save()
        timeline_add(
            review=review,
            user=user,
            title=f"Engagement plan: activity {'added' if creating else 'changed'} for "
            f"{activity.get_audience_display().split(' (')[0].lower()}",
            body=f"{activity.description} ({activity.get_status_display().lower()}, {long_date(planned_on)}).",
        )
    return activity


def _activity_locked(activity: EngagementActivity) -> tuple[Review, EngagementActivity]:
    """The activity's review, checked open for the response, and the activity locked; refused when the
    activity is gone."""
    review = _response_open(activity.review)
    activity = EngagementActivity.objects.select_for_update().filter(pk=activity.pk, review=review).first()
    if activity is None:
        raise DiscussionRefused("This activity no longer exists.")
    return review, activity


def activity_complete(
    *, activity: EngagementActivity, user, done_on: date, reached: int
) -> EngagementActivity:
    """Marks an activity as done on `done_on` (which has come), with the number of people it reached."""
    _activity_check(Status.DONE, done_on, reached)
    with transaction.atomic():
        review, activity = _activity_locked(activity)
        activity.status = Status.DONE
        activity.planned_on = done_on
        activity.reached = reached
        activity.full_clean()
        activity.save(update_fields=["status", "planned_on", "reached"])
        timeline_add(
            review=review,
            user=user,
            title="Engagement plan: activity done",
            body=f"{activity.description} ({long_date(done_on)}, {reached} "
            f"{'person' if reached == 1 else 'people'} reached).",
        )
    return activity


def activity_cancel(*, activity: EngagementActivity, user) -> EngagementActivity:
    """Cancels a planned activity. One that is already done stays done."""
    with transaction.atomic():
        review, activity = _activity_locked(activity)
        if activity.status == Status.DONE:
            raise DiscussionRefused("This activity is done, so it cannot be cancelled.")
        if activity.status == Status.CANCELLED:
            return activity
        activity.status = Status.CANCELLED
        activity.reached = None
        activity.save(update_fields=["status", "reached"])
        timeline_add(
            review=review,
            user=user,
            title="Engagement plan: activity cancelled",
            body=activity.description,
        )
    return activity
