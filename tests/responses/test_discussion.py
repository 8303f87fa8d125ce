"""The board's discussion of the report (meetings, attendance, discussion and challenge per finding, the
board's position on each finding) and the engagement plan."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from responses.discussion import selectors, services
from responses.discussion.selectors import discussion_evidence
from responses.discussion.services import DiscussionRefused, minutes_text
from responses.models import (
    Attendance,
    EngagementActivity,
    Finding,
    FindingDiscussion,
    LearningItem,
    Meeting,
    Position,
)
from reviews.models import TimelineEntry
from tests.factories import AgencyFactory
from tests.responses.helpers import at_stage, finding, plan_priority, theme
from tests.reviews.test_workflow import date_input

pytestmark = pytest.mark.django_db

Audience = EngagementActivity.Audience
Status = EngagementActivity.Status


def _today() -> date:
    return timezone.localdate()


def _meeting(review, user, *, kind=Meeting.Kind.ORDINARY, days_ago=7, minutes=60, **fields) -> Meeting:
    return Meeting.objects.create(
        review=review,
        kind=kind,
        held_on=_today() - timedelta(days=days_ago),
        minutes_given=minutes,
        created_by=user,
        **fields,
    )


def _meeting_post(agencies: dict | None = None, **overrides) -> dict:
    data = {
        "kind": Meeting.Kind.EXTRAORDINARY,
        **date_input("held_on", _today() - timedelta(days=3)),
        "minutes_given": "120",
        "chaired_by": "Helen Marsh, independent chair",
        "summary": "The board gave the whole meeting to the report.",
    }
    for agency, who in (agencies or {}).items():
        data[f"agency_{agency.pk}"] = who
    data.update(overrides)
    return data


@pytest.fixture
def review(world):
    return at_stage(world.north_review, "response")


@pytest.fixture
def agencies(world):
    """North's agencies: the board member's own, and two more."""
    own = world.north_member.memberships.get(board=world.north).agency
    return [
        own,
        AgencyFactory(name="North Police", boards=[world.north]),
        AgencyFactory(name="North Health", boards=[world.north]),
    ]


def _titles(review) -> list[str]:
    return list(
        TimelineEntry.objects.filter(review=review).order_by("at", "pk").values_list("title", flat=True)
    )


# Who may do what -----------------------------------------------------------------------------------


def test_the_business_manager_records_a_meeting_with_attendance(client, world, review, agencies):
    own, police, _health = agencies
    client.force_login(world.north_manager)
    url = reverse("meeting_create", args=[review.pk])
    page = client.get(url)
    assert page.status_code == 200
    for agency in agencies:
        assert f"Who attended for {agency.name}" in page.content.decode()

    response = client.post(url, _meeting_post({own: "Sam Patel, Head of Safeguarding", police: "DI Jones"}))

    meeting = Meeting.objects.get(review=review)
    assert response.status_code == 302
    assert response["Location"] == reverse("meeting_detail", args=[review.pk, meeting.pk])
    assert meeting.kind == Meeting.Kind.EXTRAORDINARY
    assert meeting.minutes_given == 120
    assert meeting.created_by == world.north_manager
    assert dict(meeting.attendances.values_list("agency__name", "attendees")) == {
        own.name: "Sam Patel, Head of Safeguarding",
        "North Police": "DI Jones",
    }
    assert any(t.startswith("Meeting recorded: Extraordinary meeting") for t in _titles(review))

    detail = client.get(response["Location"]).content.decode()
    assert "DI Jones" in detail
    assert "2 of 3 agencies of the review's boards attended" in detail
    assert "Nobody attended for:" in detail and "North Health" in detail


@pytest.mark.parametrize("person", ["north_member", "north_chair"])
def test_board_members_and_the_chair_read_but_do_not_write(client, world, review, person):
    meeting = _meeting(review, world.north_manager)
    f = finding(review)
    activity = EngagementActivity.objects.create(
        review=review,
        audience=Audience.FRONTLINE,
        description="Briefing",
        method="briefing",
        planned_on=_today(),
    )
    client.force_login(getattr(world, person))
    for name, args in (
        ("meeting_list", [review.pk]),
        ("meeting_detail", [review.pk, meeting.pk]),
        ("engagement_plan", [review.pk]),
    ):
        page = client.get(reverse(name, args=args))
        assert page.status_code == 200, name
        assert "Record a meeting" not in page.content.decode()
        assert "Add an activity" not in page.content.decode()
    for name, args, data in (
        ("meeting_create", [review.pk], _meeting_post()),
        ("meeting_edit", [review.pk, meeting.pk], _meeting_post()),
        ("meeting_remove", [review.pk, meeting.pk], {}),
        ("discussion_record", [review.pk, meeting.pk, f.pk], {"discussion": "x"}),
        ("finding_position", [review.pk, f.pk], {"position": "accepted", "reason": "x"}),
        ("activity_create", [review.pk], {}),
        ("activity_done", [review.pk, activity.pk], {}),
        ("activity_cancel", [review.pk, activity.pk], {}),
    ):
        assert client.post(reverse(name, args=args), data).status_code == 403, name
    assert Meeting.objects.filter(review=review).count() == 1
    assert not FindingDiscussion.objects.exists()
    assert Finding.objects.get(pk=f.pk).position == ""
    assert EngagementActivity.objects.get(pk=activity.pk).status == Status.PLANNED


@pytest.mark.parametrize(("person", "statuses"), [("north_reviewer", (403, 404)), ("east_manager", (404,))])
def test_the_lead_reviewer_and_other_boards_are_refused(client, world, review, person, statuses):
    meeting = _meeting(review, world.north_manager)
    client.force_login(getattr(world, person))
    for name, args in (
        ("meeting_list", [review.pk]),
        ("meeting_detail", [review.pk, meeting.pk]),
        ("engagement_plan", [review.pk]),
        ("meeting_create", [review.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code in statuses, name


def test_meetings_are_recorded_only_while_the_response_is_open(client, world):
    review = at_stage(world.north_review, "in_progress")
    client.force_login(world.north_manager)
    assert client.get(reverse("meeting_create", args=[review.pk])).status_code == 403
    assert client.get(reverse("meeting_list", args=[review.pk])).status_code == 200
    at_stage(review, "monitoring")
    assert client.get(reverse("meeting_create", args=[review.pk])).status_code == 200
    at_stage(review, "closed")
    assert client.post(reverse("meeting_create", args=[review.pk]), _meeting_post()).status_code == 403
    assert not Meeting.objects.exists()


def test_positions_can_only_change_while_the_findings_can(client, world, review):
    f = finding(review)
    client.force_login(world.north_manager)
    url = reverse("finding_position", args=[review.pk, f.pk])
    assert client.get(url).status_code == 200
    at_stage(review, "published")
    assert client.post(url, {"position": "accepted", "reason": "Agreed."}).status_code == 403
    # The service refuses too, whoever calls it.
    with pytest.raises(DiscussionRefused, match="can no longer change"):
        services.position_save(finding=f, user=world.north_manager, position="accepted", reason="Agreed.")
    assert Finding.objects.get(pk=f.pk).position == ""
    page = client.get(reverse("meeting_list", args=[review.pk])).content.decode()
    assert "They can no longer change" in page


def test_cross_border_meetings_ask_about_every_board_s_agencies(client, world):
    review = at_stage(world.cross_border_review, "response")
    south_agency = world.south_member.memberships.get(board=world.south).agency
    north_agency = world.north_member.memberships.get(board=world.north).agency
    AgencyFactory(name="East Police", boards=[world.east])
    client.force_login(world.north_manager)
    page = client.get(reverse("meeting_create", args=[review.pk])).content.decode()
    assert f"Who attended for {south_agency.name}" in page
    assert f"Who attended for {north_agency.name}" in page
    assert "East Police" not in page
    client.force_login(world.south_member)
    assert client.get(reverse("meeting_list", args=[review.pk])).status_code == 200


# Validation --------------------------------------------------------------------------------------------


def test_a_meeting_cannot_be_in_the_future(client, world, review):
    client.force_login(world.north_manager)
    response = client.post(
        reverse("meeting_create", args=[review.pk]),
        _meeting_post(**date_input("held_on", _today() + timedelta(days=1))),
    )
    assert response.status_code == 200
    assert "The date of the meeting cannot be in the future" in response.content.decode()
    assert "There is a problem" in response.content.decode()
    # What they typed is kept.
    assert "The board gave the whole meeting to the report." in response.content.decode()
    assert not Meeting.objects.exists()
    with pytest.raises(DiscussionRefused, match="cannot be in the future"):
        services.meeting_save(
            review=review,
            user=world.north_manager,
            kind="ordinary",
            held_on=_today() + timedelta(days=1),
            minutes_given=30,
            attendance={},
        )


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        ("0", "The time given must be at least 1 minute"),
        ("1441", "The time given cannot be more than 1,440 minutes (a whole day)"),
        ("an hour", "Enter the time given as a whole number of minutes"),
        ("", "Enter the time the meeting gave to the review, in minutes"),
    ],
)
def test_the_time_given_must_be_sensible(client, world, review, minutes, message):
    client.force_login(world.north_manager)
    response = client.post(reverse("meeting_create", args=[review.pk]), _meeting_post(minutes_given=minutes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Meeting.objects.exists()


def test_the_kind_of_meeting_and_its_date_are_required(client, world, review):
    client.force_login(world.north_manager)
    data = _meeting_post(kind="", **date_input("held_on", None))
    page = client.post(reverse("meeting_create", args=[review.pk]), data).content.decode()
    assert "Select the kind of meeting" in page
    assert "Enter the date of the meeting" in page


def test_a_position_needs_a_reason(client, world, review):
    f = finding(review)
    client.force_login(world.north_manager)
    url = reverse("finding_position", args=[review.pk, f.pk])
    for reason in ("", "   "):
        response = client.post(url, {"position": Position.NOT_ACCEPTED, "reason": reason})
        assert response.status_code == 200
        assert "Enter why the board took this position" in response.content.decode()
    response = client.post(url, {"position": "", "reason": "Because."})
    assert "Select the board&#x27;s position on the finding" in response.content.decode()
    f.refresh_from_db()
    assert f.position == "" and f.position_reason == ""
    with pytest.raises(DiscussionRefused, match="Enter why"):
        services.position_save(finding=f, user=world.north_manager, position="accepted", reason=" ")


def test_a_position_can_only_cite_this_review_s_meetings(client, world, review):
    f = finding(review)
    other = _meeting(at_stage(world.south_review, "response"), world.south_manager)
    client.force_login(world.north_manager)
    response = client.post(
        reverse("finding_position", args=[review.pk, f.pk]),
        {"position": Position.ACCEPTED, "reason": "Agreed.", "meeting": other.pk},
    )
    assert response.status_code == 200
    assert "Choose one of this review&#x27;s meetings" in response.content.decode()
    assert Finding.objects.get(pk=f.pk).position == ""
    with pytest.raises(DiscussionRefused, match="this review's meetings"):
        services.position_save(
            finding=f, user=world.north_manager, position="accepted", reason="Agreed.", meeting=other
        )


def test_attendance_is_limited_in_length(client, world, review, agencies):
    client.force_login(world.north_manager)
    response = client.post(
        reverse("meeting_create", args=[review.pk]), _meeting_post({agencies[1]: "x" * 301})
    )
    assert response.status_code == 200
    assert "Who attended for North Police must be 300 characters or fewer" in response.content.decode()
    assert not Meeting.objects.exists()


def test_attendance_is_only_for_the_review_s_agencies(world, review):
    stranger = AgencyFactory(name="East Police", boards=[world.east])
    with pytest.raises(DiscussionRefused, match="agencies of the review's boards"):
        services.meeting_save(
            review=review,
            user=world.north_manager,
            kind="ordinary",
            held_on=_today(),
            minutes_given=30,
            attendance={stranger.pk: "Someone"},
        )
    assert not Meeting.objects.exists()


# Attendance is replaced on edit --------------------------------------------------------------------------


def test_editing_a_meeting_replaces_its_attendance(client, world, review, agencies):
    own, police, health = agencies
    client.force_login(world.north_manager)
    client.post(
        reverse("meeting_create", args=[review.pk]), _meeting_post({own: "Sam Patel", police: "DI Jones"})
    )
    meeting = Meeting.objects.get(review=review)
    edit = reverse("meeting_edit", args=[review.pk, meeting.pk])
    page = client.get(edit).content.decode()
    assert 'value="Sam Patel"' in page and 'value="DI Jones"' in page

    response = client.post(
        edit, _meeting_post({own: "", police: "DS Brown", health: "Dr Khan, named nurse"}, minutes_given="45")
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes_given == 45
    assert dict(Attendance.objects.filter(meeting=meeting).values_list("agency__name", "attendees")) == {
        "North Police": "DS Brown",
        "North Health": "Dr Khan, named nurse",
    }
    assert any(t.startswith("Meeting changed:") for t in _titles(review))
    detail = client.get(response["Location"]).content.decode()
    assert own.name in detail.split("Nobody attended for:")[1]


def test_an_agency_that_left_the_board_keeps_its_attendance_on_the_form(client, world, review, agencies):
    police = agencies[1]
    meeting = services.meeting_save(
        review=review,
        user=world.north_manager,
        kind="ordinary",
        held_on=_today(),
        minutes_given=30,
        attendance={police.pk: "DI Jones"},
    )
    police.boards.remove(world.north)
    client.force_login(world.north_manager)
    page = client.get(reverse("meeting_edit", args=[review.pk, meeting.pk])).content.decode()
    assert "Who attended for North Police" in page and 'value="DI Jones"' in page
    client.post(reverse("meeting_edit", args=[review.pk, meeting.pk]), _meeting_post({police: "DI Jones"}))
    assert meeting.attendances.get().agency == police


def test_a_meeting_of_another_review_is_not_found(client, world, review):
    other = _meeting(at_stage(world.cross_border_review, "response"), world.north_manager)
    client.force_login(world.north_manager)
    for name in ("meeting_detail", "meeting_edit", "meeting_remove"):
        assert client.get(reverse(name, args=[review.pk, other.pk])).status_code == 404, name


# Discussion of each finding ------------------------------------------------------------------------------


def test_the_discussion_is_recorded_once_per_meeting_and_finding(client, world, review):
    meeting = _meeting(review, world.north_manager)
    f = finding(review, title="Escalation")
    client.force_login(world.north_manager)
    url = reverse("discussion_record", args=[review.pk, meeting.pk, f.pk])
    page = client.get(url).content.decode()
    assert "Record the discussion of finding 1" in page

    first = client.post(url, {"discussion": "Agencies agreed escalation was weak.", "challenge": ""})
    assert first.status_code == 302
    assert first["Location"] == reverse("meeting_detail", args=[review.pk, meeting.pk]) + f"#finding-{f.pk}"
    again = client.post(
        url, {"discussion": "Agencies agreed escalation was weak.", "challenge": "Police asked why."}
    )
    assert again.status_code == 302

    record = FindingDiscussion.objects.get()
    assert (record.meeting, record.finding) == (meeting, f)
    assert record.challenge == "Police asked why."
    assert client.get(url).content.decode().count("Police asked why.") == 1  # the form shows what is saved
    titles = _titles(review)
    assert f"Discussion of finding 1 recorded: {meeting}" in titles
    assert f"Discussion of finding 1 changed: {meeting}" in titles
    # The timeline (which lead reviewers see) says that, never what.
    bodies = " ".join(TimelineEntry.objects.filter(review=review).values_list("body", flat=True))
    assert "Police asked why" not in bodies and "escalation was weak" not in bodies


def test_the_same_finding_can_be_discussed_at_several_meetings(client, world, review):
    sub_group = _meeting(review, world.north_manager, kind=Meeting.Kind.SUB_GROUP, days_ago=20)
    board = _meeting(review, world.north_manager, kind=Meeting.Kind.EXTRAORDINARY, days_ago=5)
    f = finding(review)
    services.discussion_save(meeting=sub_group, finding=f, user=world.north_manager, discussion="First look.")
    services.discussion_save(meeting=board, finding=f, user=world.north_manager, discussion="Board view.")
    assert FindingDiscussion.objects.filter(finding=f).count() == 2
    client.force_login(world.north_member)
    page = client.get(reverse("meeting_detail", args=[review.pk, board.pk])).content.decode()
    assert "Board view." in page
    assert "Also discussed at" in page and str(sub_group) in page


def test_a_discussion_needs_its_text(client, world, review):
    meeting = _meeting(review, world.north_manager)
    f = finding(review)
    client.force_login(world.north_manager)
    response = client.post(
        reverse("discussion_record", args=[review.pk, meeting.pk, f.pk]),
        {"discussion": "  ", "challenge": "x"},
    )
    assert response.status_code == 200
    assert "Enter what was discussed" in response.content.decode()
    assert not FindingDiscussion.objects.exists()


def test_a_finding_of_another_review_is_not_found(client, world, review):
    meeting = _meeting(review, world.north_manager)
    other = finding(at_stage(world.south_review, "response"))
    crossed = finding(at_stage(world.cross_border_review, "response"))
    client.force_login(world.north_manager)  # who can see the cross-border review, but not through this one
    for f in (other, crossed):
        assert client.get(reverse("finding_position", args=[review.pk, f.pk])).status_code == 404
        assert client.get(reverse("discussion_record", args=[review.pk, meeting.pk, f.pk])).status_code == 404
        assert (
            client.post(
                reverse("finding_position", args=[review.pk, f.pk]), {"position": "accepted", "reason": "x"}
            ).status_code
            == 404
        )
    assert not Finding.objects.exclude(position="").exists()
    with pytest.raises(DiscussionRefused, match="not one of this review's findings"):
        services.discussion_save(meeting=meeting, finding=crossed, user=world.north_manager, discussion="x")


def test_the_meeting_page_shows_related_learning_and_priorities_beside_each_finding(client, world, review):
    meeting = _meeting(review, world.north_manager)
    finding(review, title="Neglect went unseen", themes=("Neglect",))
    item = LearningItem.objects.create(
        board=world.north,
        title="Audit of neglect cases, 2025",
        source=LearningItem.Source.AUDIT,
        summary="Chronologies were missing.",
        learned_on=_today() - timedelta(days=200),
        created_by=world.north_manager,
    )
    item.themes.set([theme("Neglect")])
    priority = plan_priority(world.north, 2, themes=("Neglect",))
    client.force_login(world.north_member)
    page = client.get(reverse("meeting_detail", args=[review.pk, meeting.pk])).content.decode()
    assert "Audit of neglect cases, 2025" in page
    assert f"priority 2, {priority.title}" in page


# The board's position -----------------------------------------------------------------------------------


def test_the_board_s_position_is_recorded_with_its_reason_and_meeting(client, world, review):
    meeting = _meeting(review, world.north_manager, kind=Meeting.Kind.EXTRAORDINARY)
    f = finding(review)
    client.force_login(world.north_manager)
    url = reverse("finding_position", args=[review.pk, f.pk]) + f"?meeting={meeting.pk}"
    page = client.get(url).content.decode()
    assert f'<option value="{meeting.pk}" selected>' in page  # opened from the meeting: offered first

    response = client.post(
        url,
        {
            "position": Position.ACCEPTED_IN_PART,
            "reason": "Agreed for health; not for police.",
            "meeting": meeting.pk,
        },
    )

    assert response.status_code == 302
    assert (
        response["Location"] == reverse("meeting_detail", args=[review.pk, meeting.pk]) + f"#finding-{f.pk}"
    )
    f.refresh_from_db()
    assert (f.position, f.position_reason, f.position_meeting) == (
        Position.ACCEPTED_IN_PART,
        "Agreed for health; not for police.",
        meeting,
    )
    entry = TimelineEntry.objects.filter(review=review, kind=TimelineEntry.Kind.DECISION).get()
    assert entry.title == "Board's position on finding 1: accepted in part"
    assert "not for police" not in entry.body

    # Changed later, from the list, without a meeting.
    response = client.post(
        reverse("finding_position", args=[review.pk, f.pk]),
        {"position": Position.ACCEPTED, "reason": "Police agreed after all.", "meeting": ""},
    )
    assert response["Location"] == reverse("meeting_list", args=[review.pk]) + "#positions"
    f.refresh_from_db()
    assert f.position == Position.ACCEPTED and f.position_meeting is None
    listing = client.get(reverse("meeting_list", args=[review.pk])).content.decode()
    assert "1 of 1 finding have the board" in listing


def test_a_meeting_cited_by_a_position_cannot_be_removed(client, world, review):
    meeting = _meeting(review, world.north_manager)
    f = finding(review)
    services.discussion_save(meeting=meeting, finding=f, user=world.north_manager, discussion="Discussed.")
    services.position_save(
        finding=f, user=world.north_manager, position="accepted", reason="Agreed.", meeting=meeting
    )
    client.force_login(world.north_manager)
    url = reverse("meeting_remove", args=[review.pk, meeting.pk])
    page = client.get(url).content.decode()
    assert "says it was agreed at this meeting, so the meeting cannot be removed" in page
    assert "Remove the meeting</button>" not in page
    response = client.post(url)
    assert response.status_code == 200
    assert "Change the position first" in response.content.decode()
    assert Meeting.objects.filter(pk=meeting.pk).exists()

    services.position_save(finding=f, user=world.north_manager, position="accepted", reason="Agreed.")
    response = client.post(url)
    assert response.status_code == 302
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    assert not FindingDiscussion.objects.exists()
    assert f"Meeting removed: {meeting}" in _titles(review)


# Meetings list -----------------------------------------------------------------------------------------


def test_the_meetings_list_shows_total_time_and_whether_an_extraordinary_meeting_was_held(
    client, world, review
):
    client.force_login(world.north_member)
    url = reverse("meeting_list", args=[review.pk])
    assert "None held" in client.get(url).content.decode()
    _meeting(review, world.north_manager, kind=Meeting.Kind.SUB_GROUP, minutes=45, days_ago=30)
    extraordinary = _meeting(review, world.north_manager, kind=Meeting.Kind.EXTRAORDINARY, minutes=120)
    page = client.get(url).content.decode()
    assert "2 hours 45 minutes across 2 meetings" in page
    assert f"Held on {extraordinary.held_on.day} {extraordinary.held_on:%B %Y}" in page
    # Listed oldest first (each kind's link text is followed by its date, for screen readers).
    assert page.index("Sub-group meeting<span") < page.index("Extraordinary meeting<span")


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (1, "1 minute"),
        (45, "45 minutes"),
        (60, "1 hour"),
        (90, "1 hour 30 minutes"),
        (121, "2 hours 1 minute"),
    ],
)
def test_minutes_read_as_hours_and_minutes(minutes, text):
    assert minutes_text(minutes) == text


# Engagement plan ---------------------------------------------------------------------------------------


def _activity(review, audience, status=Status.PLANNED, *, days=10, reached=None, description=None):
    return EngagementActivity.objects.create(
        review=review,
        audience=audience,
        description=description or f"{audience} {status}",
        method=EngagementActivity.Method.BRIEFING,
        planned_on=_today() + timedelta(days=days),
        status=status,
        reached=reached,
    )


def test_the_engagement_plan_is_grouped_by_audience_from_the_front_line_up(client, world, review):
    _activity(review, Audience.OTHER, description="Schools bulletin")
    _activity(
        review, Audience.STRATEGIC, Status.DONE, days=-3, reached=12, description="Chief officers group"
    )
    _activity(review, Audience.FRONTLINE, days=20, description="Later briefing")
    _activity(review, Audience.FRONTLINE, Status.DONE, days=-10, reached=40, description="First briefing")
    _activity(review, Audience.FRONTLINE, Status.CANCELLED, description="Dropped conference")
    _activity(review, Audience.MANAGERS, Status.CANCELLED, description="Supervisors' workshop")

    plan = selectors.engagement_plan(review)

    assert [g.audience for g in plan.groups] == ["frontline", "managers", "strategic", "other"]
    frontline = plan.groups[0]
    assert [a.description for a in frontline.activities] == [
        "First briefing",
        "Dropped conference",
        "Later briefing",
    ]
    assert frontline.counts == {"planned": 1, "done": 1, "cancelled": 1}
    assert frontline.active == 2 and frontline.reached == 40
    assert plan.counts == {"planned": 2, "done": 2, "cancelled": 2}
    assert plan.reached == 52
    assert [g.audience for g in plan.uncovered] == ["managers"]  # only a cancelled activity

    client.force_login(world.north_member)
    page = client.get(reverse("engagement_plan", args=[review.pk])).content.decode()
    managers = page.split('id="audience-managers"')[1].split('id="audience-strategic"')[0]
    assert "No activity is planned for this audience yet." in managers
    assert "No activity is planned for" in page.split("Activities by audience")[0]
    assert page.index('id="audience-frontline"') < page.index('id="audience-managers"')
    assert page.index('id="audience-strategic"') < page.index('id="audience-other"')


def test_the_business_manager_adds_changes_completes_and_cancels_activities(client, world, review):
    client.force_login(world.north_manager)
    page = client.get(reverse("activity_create", args=[review.pk]) + "?audience=managers").content.decode()
    assert re.search(r'value="managers"\s+checked="checked"', page)
    response = client.post(
        reverse("activity_create", args=[review.pk]),
        {
            "audience": Audience.MANAGERS,
            "audience_detail": "Team managers in children's social care",
            "description": "Workshop on escalation",
            "method": EngagementActivity.Method.WORKSHOP,
            **date_input("planned_on", _today() + timedelta(days=14)),
            "status": Status.PLANNED,
            "reached": "",
        },
    )
    activity = EngagementActivity.objects.get(review=review)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#activity-{activity.pk}")
    assert activity.audience_detail == "Team managers in children's social care"

    # Done: the date must have come, and the reach is needed.
    done = reverse("activity_done", args=[review.pk, activity.pk])
    early = client.post(done, {**date_input("done_on", _today() + timedelta(days=1)), "reached": "20"})
    assert "The date it took place cannot be in the future" in early.content.decode()
    missing = client.post(done, {**date_input("done_on", _today()), "reached": ""})
    assert "Enter how many people the activity reached" in missing.content.decode()
    assert client.post(done, {**date_input("done_on", _today()), "reached": "20"}).status_code == 302
    activity.refresh_from_db()
    assert (activity.status, activity.reached, activity.planned_on) == (Status.DONE, 20, _today())

    # A done activity cannot be cancelled.
    cancel = reverse("activity_cancel", args=[review.pk, activity.pk])
    assert "cannot be cancelled" in client.post(cancel).content.decode()
    assert EngagementActivity.objects.get(pk=activity.pk).status == Status.DONE

    second = _activity(review, Audience.STRATEGIC)
    assert client.post(reverse("activity_cancel", args=[review.pk, second.pk])).status_code == 302
    second.refresh_from_db()
    assert second.status == Status.CANCELLED
    titles = _titles(review)
    assert "Engagement plan: activity added for managers and supervisors" in titles
    assert "Engagement plan: activity done" in titles
    assert "Engagement plan: activity cancelled" in titles


def test_an_activity_marked_done_on_its_form_needs_its_reach_and_a_date_that_has_come(client, world, review):
    activity = _activity(review, Audience.FRONTLINE)
    client.force_login(world.north_manager)
    data = {
        "audience": Audience.FRONTLINE,
        "description": "Briefing",
        "method": EngagementActivity.Method.BRIEFING,
        **date_input("planned_on", _today() + timedelta(days=2)),
        "status": Status.DONE,
        "reached": "",
    }
    page = client.post(reverse("activity_edit", args=[review.pk, activity.pk]), data).content.decode()
    assert "Enter how many people the activity reached, as it is done" in page
    assert "The date of an activity that is done cannot be in the future" in page
    assert EngagementActivity.objects.get(pk=activity.pk).status == Status.PLANNED
    # Back to planned: any number of people reached is dropped.
    services.activity_save(
        review=review,
        user=world.north_manager,
        activity=activity,
        audience=Audience.FRONTLINE,
        description="Briefing",
        method="briefing",
        planned_on=_today(),
        status=Status.PLANNED,
        reached=30,
    )
    assert EngagementActivity.objects.get(pk=activity.pk).reached is None


def test_an_activity_of_another_review_is_not_found(client, world, review):
    other = _activity(at_stage(world.cross_border_review, "response"), Audience.FRONTLINE)
    client.force_login(world.north_manager)
    for name in ("activity_edit", "activity_done", "activity_cancel"):
        assert client.get(reverse(name, args=[review.pk, other.pk])).status_code == 404, name


# Evidence for the self-check ---------------------------------------------------------------------------


def test_discussion_evidence_counts_what_the_board_has_recorded(world, review, agencies):
    own, police, _health = agencies
    assert discussion_evidence(review) == {
        "meetings": 0,
        "extraordinary": 0,
        "sub_group": 0,
        "minutes": 0,
        "agencies_attended": 0,
        "findings": 0,
        "findings_discussed": 0,
        "findings_challenged": 0,
        "positions": 0,
        "engagement": {"frontline": 0, "managers": 0, "strategic": 0, "other": 0},
    }
    manager = world.north_manager
    kw = {"review": review, "user": manager, "held_on": _today()}
    sub = services.meeting_save(
        **kw, kind="sub_group", minutes_given=60, attendance={own.pk: "A", police.pk: "B"}
    )
    board = services.meeting_save(**kw, kind="extraordinary", minutes_given=90, attendance={police.pk: "C"})
    services.meeting_save(**kw, kind="ordinary", minutes_given=15, attendance={})
    f1, f2, f3 = finding(review), finding(review), finding(review)
    services.discussion_save(meeting=sub, finding=f1, user=manager, discussion="x", challenge="Why?")
    services.discussion_save(meeting=board, finding=f1, user=manager, discussion="y")
    services.discussion_save(meeting=board, finding=f2, user=manager, discussion="z")
    services.position_save(finding=f1, user=manager, position="accepted", reason="Agreed.", meeting=board)
    _activity(review, Audience.FRONTLINE)
    _activity(review, Audience.FRONTLINE, Status.DONE, days=-1, reached=3)
    _activity(review, Audience.MANAGERS, Status.CANCELLED)
    _activity(review, Audience.OTHER)
    # Another review's records count for nothing here.
    other = at_stage(world.cross_border_review, "response")
    _meeting(other, manager, kind=Meeting.Kind.EXTRAORDINARY)
    _activity(other, Audience.STRATEGIC)

    with CaptureQueriesContext(connection) as queries:
        evidence = discussion_evidence(review)

    assert evidence == {
        "meetings": 3,
        "extraordinary": 1,
        "sub_group": 1,
        "minutes": 165,
        "agencies_attended": 2,
        "findings": 3,
        "findings_discussed": 2,
        "findings_challenged": 1,
        "positions": 1,
        "engagement": {"frontline": 2, "managers": 0, "strategic": 0, "other": 1},
    }
    assert len(queries) == 4
    assert f3.pk  # a finding nobody discussed


# Query counts -------------------------------------------------------------------------------------------


def test_the_meeting_page_takes_the_same_queries_for_3_or_30_findings(client, world, review, agencies):
    meeting = services.meeting_save(
        review=review,
        user=world.north_manager,
        kind="extraordinary",
        held_on=_today(),
        minutes_given=90,
        attendance={a.pk: f"Someone for {a.name}" for a in agencies},
    )
    plan_priority(world.north, 1, themes=("Neglect",))
    item = LearningItem.objects.create(
        board=world.north,
        title="Audit",
        source=LearningItem.Source.AUDIT,
        summary="x",
        learned_on=_today(),
        created_by=world.north_manager,
    )
    item.themes.set([theme("Neglect")])
    other = _meeting(review, world.north_manager, kind=Meeting.Kind.SUB_GROUP)
    client.force_login(world.north_member)
    url = reverse("meeting_detail", args=[review.pk, meeting.pk])

    def count_with(total: int) -> int:
        while review.findings.count() < total:
            f = finding(review, themes=("Neglect", "Information sharing"))
            services.discussion_save(
                meeting=meeting, finding=f, user=world.north_manager, discussion="d", challenge="c"
            )
            services.discussion_save(meeting=other, finding=f, user=world.north_manager, discussion="e")
            services.position_save(
                finding=f, user=world.north_manager, position="accepted", reason="r", meeting=meeting
            )
        client.get(url)  # warm-up
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert response.content.decode().count('class="govuk-summary-card"') == total
        return len(queries)

    assert count_with(3) == count_with(30)


def test_the_meetings_list_and_engagement_plan_take_fixed_queries(client, world, review):
    client.force_login(world.north_member)

    def counts() -> tuple[int, int]:
        found = []
        for name in ("meeting_list", "engagement_plan"):
            url = reverse(name, args=[review.pk])
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return tuple(found)

    def add(n: int) -> None:
        for _ in range(n):
            m = _meeting(review, world.north_manager)
            f = finding(review)
            services.discussion_save(meeting=m, finding=f, user=world.north_manager, discussion="d")
            for audience in Audience.values:
                _activity(review, audience)

    add(2)
    few = counts()
    add(15)
    assert counts() == few
