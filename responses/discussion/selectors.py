"""Reads of the board's discussion of the report and of the engagement plan, for one review the caller has
already been allowed to see. Objects are looked up within that review only (404 otherwise), and each read
takes a fixed number of queries however many meetings, findings or agencies there are."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from reviews.access import review_board_ids
from reviews.models import Agency, Review

from ..models import Attendance, EngagementActivity, Finding, FindingDiscussion, Meeting

Audience = EngagementActivity.Audience
Status = EngagementActivity.Status

# Audiences in the order the plan reads: from the front line to strategic leaders, then everyone else.
AUDIENCE_ORDER = [Audience.FRONTLINE, Audience.MANAGERS, Audience.STRATEGIC, Audience.OTHER]


def review_agencies(review: Review) -> list[Agency]:
    """The agencies of the review's boards (lead and participating), by name, in one query."""
    return list(Agency.objects.filter(boards__in=review_board_ids(review)).distinct().order_by("name"))


# Meetings --------------------------------------------------------------------------------------------


def meetings_of(review: Review) -> list[Meeting]:
    """The review's meetings, oldest first, each with `attended` (agencies that attended) and `discussed`
    (findings whose discussion is recorded), in one query."""
    return list(
        Meeting.objects.filter(review=review)
        .annotate(
            attended=Count("attendances", distinct=True),
            discussed=Count("discussions", distinct=True),
        )
        .order_by("held_on", "pk")
    )


def meeting_of(review: Review, meeting_pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.select_related("created_by"), pk=meeting_pk, review=review)


def finding_of(review: Review, finding_pk: int) -> Finding:
    return get_object_or_404(Finding.objects.select_related("position_meeting"), pk=finding_pk, review=review)


@dataclass
class AttendanceView:
    present: list[Attendance]
    absent: list[Agency]

    @property
    def expected(self) -> int:
        return len(self.present) + len(self.absent)


def attendance_at(meeting: Meeting, agencies: list[Agency]) -> AttendanceView:
    """Who attended `meeting` for which agency, and which of `agencies` (the review's) had nobody there."""
    present = list(meeting.attendances.select_related("agency").order_by("agency__name"))
    there = {a.agency_id for a in present}
    return AttendanceView(present, [a for a in agencies if a.pk not in there])


@dataclass
class FindingAtMeeting:
    finding: Finding
    here: FindingDiscussion | None  # what this meeting said about the finding, if recorded
    elsewhere: list[FindingDiscussion]  # what other meetings said about it


def findings_at(review: Review, meeting: Meeting) -> list[FindingAtMeeting]:
    """Every finding of the review, by number, with what `meeting` said about it and the other meetings
    that discussed it: three queries however many findings and meetings."""
    findings = (
        Finding.objects.filter(review=review)
        .select_related("position_meeting")
        .prefetch_related(
            "themes",
            Prefetch(
                "discussions",
                queryset=FindingDiscussion.objects.select_related("meeting").order_by(
                    "meeting__held_on", "pk"
                ),
            ),
        )
        .order_by("number")
    )
    rows = []
    for finding in findings:
        discussions = list(finding.discussions.all())
        here = next((d for d in discussions if d.meeting_id == meeting.pk), None)
        rows.append(FindingAtMeeting(finding, here, [d for d in discussions if d.meeting_id != meeting.pk]))
    return rows


def discussions_of(finding: Finding) -> list[FindingDiscussion]:
    """What each meeting said about `finding`, oldest meeting first."""
    return list(finding.discussions.select_related("meeting").order_by("meeting__held_on", "meeting__pk"))


def findings_with_positions(review: Review) -> list[Finding]:
    """The review's findings by number, each with its position, the meeting it was agreed at and how many
    meetings discussed it (`discussed_at`), in one query."""
    return list(
        Finding.objects.filter(review=review)
        .select_related("position_meeting")
        .annotate(discussed_at=Count("discussions", distinct=True))
        .order_by("number")
    )


def findings_agreed_at(meeting: Meeting) -> list[int]:
    """Numbers of the findings whose position the board agreed at `meeting`."""
    return list(
        Finding.objects.filter(review_id=meeting.review_id, position_meeting=meeting)
        .order_by("number")
        .values_list("number", flat=True)
    )


# Engagement plan ---------------------------------------------------------------------------------------


@dataclass
class AudienceGroup:
    audience: str
    label: str
    activities: list[EngagementActivity]
    counts: dict[str, int] = field(default_factory=dict)  # status → how many

    @property
    def active(self) -> int:
        """Activities planned or done (not cancelled)."""
        return self.counts.get(Status.PLANNED, 0) + self.counts.get(Status.DONE, 0)

    @property
    def reached(self) -> int:
        return sum(a.reached or 0 for a in self.activities if a.status == Status.DONE)


@dataclass
class EngagementPlan:
    groups: list[AudienceGroup]
    counts: dict[str, int]  # status → how many, across audiences

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def reached(self) -> int:
        return sum(g.reached for g in self.groups)

    @property
    def uncovered(self) -> list[AudienceGroup]:
        """Audiences with nothing planned or done."""
        return [g for g in self.groups if not g.active]

    def status_rows(self) -> list[tuple[str, int]]:
        return [(label, self.counts.get(value, 0)) for value, label in Status.choices]


def engagement_plan(review: Review) -> EngagementPlan:
    """The review's engagement activities grouped by audience (front line first), each group by date, with
    counts per audience and status, in one query. Each activity carries `date_passed` when it is still
    planned but its date has gone."""
    today = timezone.localdate()
    activities = list(EngagementActivity.objects.filter(review=review).order_by("planned_on", "pk"))
    groups = {a: AudienceGroup(a.value, a.label, [], dict.fromkeys(Status.values, 0)) for a in AUDIENCE_ORDER}
    totals = dict.fromkeys(Status.values, 0)
    for activity in activities:
        activity.date_passed = activity.status == Status.PLANNED and activity.planned_on < today
        group = groups[activity.audience]
        group.activities.append(activity)
        group.counts[activity.status] = group.counts.get(activity.status, 0) + 1
        totals[activity.status] = totals.get(activity.status, 0) + 1
    return EngagementPlan(list(groups.values()), totals)


def activity_of(review: Review, activity_pk: int) -> EngagementActivity:
    return get_object_or_404(EngagementActivity, pk=activity_pk, review=review)


# Evidence for the self-check ---------------------------------------------------------------------------


def discussion_evidence(review: Review) -> dict:
    """What the portal holds for QM 15 about the board's discussion and engagement, in four queries:

    - ``meetings``, ``extraordinary``, ``sub_group``: meetings recorded, and how many of each kind;
    - ``minutes``: total time the meetings gave to the review;
    - ``agencies_attended``: distinct agencies that attended any of the meetings;
    - ``findings``: the review's findings; ``findings_discussed``: those discussed at a meeting at least
      once; ``findings_challenged``: those with a challenge recorded; ``positions``: those with the board's
      position;
    - ``engagement``: audience → activities planned or done (not cancelled), for every audience, front
      line first."""
    meetings = Meeting.objects.filter(review=review).aggregate(
        meetings=Count("pk"),
        extraordinary=Count("pk", filter=Q(kind=Meeting.Kind.EXTRAORDINARY)),
        sub_group=Count("pk", filter=Q(kind=Meeting.Kind.SUB_GROUP)),
        minutes=Sum("minutes_given"),
    )
    agencies = Attendance.objects.filter(meeting__review=review).values("agency_id").distinct().count()
    discussed = FindingDiscussion.objects.filter(finding=OuterRef("pk"), meeting__review=review)
    findings = (
        Finding.objects.filter(review=review)
        .annotate(
            was_discussed=Exists(discussed),
            was_challenged=Exists(discussed.exclude(challenge="")),
        )
        .aggregate(
            findings=Count("pk"),
            findings_discussed=Count("pk", filter=Q(was_discussed=True)),
            findings_challenged=Count("pk", filter=Q(was_challenged=True)),
            positions=Count("pk", filter=~Q(position="")),
        )
    )
    engaged = dict(
        EngagementActivity.objects.filter(review=review)
        .exclude(status=Status.CANCELLED)
        .values_list("audience")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "meetings": meetings["meetings"],
        "extraordinary": meetings["extraordinary"],
        "sub_group": meetings["sub_group"],
        "minutes": meetings["minutes"] or 0,
        "agencies_attended": agencies,
        "findings": findings["findings"],
        "findings_discussed": findings["findings_discussed"],
        "findings_challenged": findings["findings_challenged"],
        "positions": findings["positions"],
        "engagement": {a.value: engaged.get(a.value, 0) for a in AUDIENCE_ORDER},
    }
