"""Notifications (reviews/notifications.py): who is told when a review changes stage or a deadline nears,
how and when they are emailed, and the pages where people read them.

Stage changes notify after the transaction commits, so the tests that take a step run it inside
`django_capture_on_commit_callbacks(execute=True)`; Celery runs eagerly and email goes to the locmem
outbox, so "queued an email" and "sent an email" are the same thing here unless the queue is broken on
purpose."""

from __future__ import annotations

import re
from datetime import date, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from demo.commissioning import approve_terms
from demo.responses import sign_off
from reviews import notifications, services
from reviews.models import Membership, Notification, Review, Role, State
from scr_portal.accounts.models import User
from tests.conftest import World
from tests.factories import (
    AppointmentFactory,
    BoardFactory,
    MembershipFactory,
    ReviewFactory,
    UserFactory,
    member_of,
)

# A Monday with no bank holiday near it: 5 working days on is Monday 9 March.
TODAY = date(2026, 3, 2)
HORIZON = date(2026, 3, 9)


# Helpers --------------------------------------------------------------------------------------------


def _set(review: Review, **fields) -> None:
    Review.objects.filter(pk=review.pk).update(**fields)
    review.refresh_from_db()


def _initiate(review: Review, chair: User, capture) -> None:
    """Moves `review` from the decision stage to commissioning, as `chair`, running the commit callbacks."""
    _set(review, state=State.DECISION)
    with capture(execute=True):
        services.review_transition(
            review_id=review.pk,
            name="initiate",
            user=chair,
            data={
                "decision_date": date.today() - timedelta(days=1),
                "decision_rationale": "The criteria are met.",
                "decided_by": chair,
                "national_panel_notified_on": None,
                "inspectorate_notified_on": None,
                "note": "",
            },
        )


def _stage_recipients(review: Review) -> set[User]:
    return {n.recipient for n in Notification.objects.filter(review=review, key__startswith="stage:")}


def _reminders(**filters) -> list[Notification]:
    return list(Notification.objects.filter(key__startswith="deadline:", **filters))


def _remind(capture, today: date = TODAY) -> int:
    with capture(execute=True):
        return notifications.send_deadline_reminders(today=today)


def _daily(user: User) -> None:
    User.objects.filter(pk=user.pk).update(email_frequency=User.EmailFrequency.DAILY)


def _inbox(user: User) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


@pytest.fixture
def deadlines(world: World) -> World:
    """NSCB-1 (North) due in 4 working days; NSCB-X (North, South taking part) overdue; SSCB-1 due after
    the reminder horizon."""
    _set(world.north_review, state=State.DECISION, due_on=date(2026, 3, 6), due_kind="decision")
    _set(world.cross_border_review, state=State.IN_PROGRESS, due_on=date(2026, 2, 25), due_kind="completion")
    _set(world.south_review, state=State.DECISION, due_on=date(2026, 3, 20), due_kind="decision")
    return world


# Stage changes ---------------------------------------------------------------------------------------


def test_stage_change_notifies_the_people_acting_at_the_new_stage_on_every_board_of_the_review(
    world, django_capture_on_commit_callbacks
):
    leaver = member_of(world.south, Role.BOARD_MEMBER, email="leaver@south.example")
    Membership.objects.filter(user=leaver).update(is_active=False)
    deactivated = member_of(world.north, Role.BUSINESS_MANAGER, email="gone@north.example", is_active=False)

    _initiate(world.cross_border_review, world.north_chair, django_capture_on_commit_callbacks)

    # Commissioning asks business managers, chairs and board members of North (lead) and South (taking
    # part); never the chair who took the step, East, people who left, or lead reviewers' board roles.
    assert _stage_recipients(world.cross_border_review) == {
        world.north_manager,
        world.north_member,
        world.south_manager,
        world.south_member,
        world.south_chair,
    }
    for outsider in (world.north_chair, world.east_manager, leaver, deactivated, world.north_reviewer):
        assert not outsider.notifications.filter(key__startswith="stage:").exists()


def test_stage_for_the_lead_reviewer_notifies_only_the_reviewer_appointed_now(
    world, django_capture_on_commit_callbacks
):
    review = world.cross_border_review
    appointed = UserFactory(email="appointed@reviewers.example")
    AppointmentFactory(review=review, reviewer=appointed)
    # South's board member was its lead reviewer once; they still see it as a member of South.
    AppointmentFactory(review=review, reviewer=world.south_member, ended_at=timezone.now())
    _set(review, state=State.COMMISSIONING)
    approve_terms(review, world.north_manager, world.north_chair)  # commissioning ends with approved terms

    with django_capture_on_commit_callbacks(execute=True):
        services.review_transition(
            review_id=review.pk,
            name="start_review",
            user=world.north_chair,
            data={"started_on": date.today(), "note": ""},
        )

    # North's and South's lead reviewers hold the role on the boards, but are not appointed to NSCB-X.
    assert _stage_recipients(review) == {appointed}


def test_a_role_that_has_ended_is_not_asked_to_act_even_by_someone_who_still_sees_the_review(
    world, django_capture_on_commit_callbacks
):
    review = world.cross_border_review
    moved_on = member_of(world.north, Role.BUSINESS_MANAGER, email="moved.on@north.example")
    Membership.objects.filter(user=moved_on).update(is_active=False)
    MembershipFactory(user=moved_on, board=world.south, role=Role.BOARD_MEMBER)  # sees NSCB-X still
    _set(review, state=State.RESPONSE)
    sign_off(review, world.north_manager, world.north_chair)  # publication needs the signed response

    with django_capture_on_commit_callbacks(execute=True):
        services.review_transition(
            review_id=review.pk,
            name="publish",
            user=world.north_manager,
            data={
                "report_published_on": date.today() - timedelta(days=1),
                "response_published_on": date.today() - timedelta(days=1),
                "note": "",
            },
        )

    # Published asks business managers only: South's, not the North manager who published it, and not
    # the person whose business manager role on North has ended.
    assert _stage_recipients(review) == {world.south_manager}


def test_stage_change_emails_each_immediate_person_once_with_a_link_to_the_review(
    world, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_BASE_URL = "https://scr.example.org/"
    review = world.north_review

    _initiate(review, world.north_chair, django_capture_on_commit_callbacks)

    link = f"https://scr.example.org/reviews/{review.pk}/"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.north_manager.email, world.north_member.email]
    )
    for message in mail.outbox:
        assert len(message.to) == 1
        assert message.subject == "SCR Portal: NSCB-1 is at the commissioning stage"
        assert link in message.body
    assert not Notification.objects.filter(review=review, key__startswith="stage:", emailed_at=None).exists()


def test_daily_digest_people_get_no_email_until_the_digest_then_one_summary_of_everything_pending(
    world, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_BASE_URL = "https://scr.example.org"
    _daily(world.north_manager)

    _initiate(world.north_review, world.north_chair, django_capture_on_commit_callbacks)
    assert _inbox(world.north_manager) == []
    assert len(_inbox(world.north_member)) == 1  # immediate, as before

    assert notifications.email_digests() == 1

    (digest,) = _inbox(world.north_manager)
    assert digest.subject == "SCR Portal: 2 updates"
    assert "NSCB-1 needs you" in digest.body  # the one waiting since before
    assert "NSCB-1 is at the commissioning stage" in digest.body
    assert f"https://scr.example.org/reviews/{world.north_review.pk}/" in digest.body
    assert "https://scr.example.org/notifications/" in digest.body
    assert not world.north_manager.notifications.filter(emailed_at=None).exists()


def test_running_the_digest_again_sends_nothing(world, django_capture_on_commit_callbacks):
    _daily(world.north_manager)
    _initiate(world.north_review, world.north_chair, django_capture_on_commit_callbacks)
    assert notifications.email_digests() == 1
    sent = len(mail.outbox)

    assert notifications.email_digests() == 0
    assert len(mail.outbox) == sent


def test_emailing_the_same_notifications_twice_sends_them_once(world):
    ids = [world.north_notification.pk]

    assert notifications.email_notifications(ids) == 1
    assert notifications.email_notifications(ids) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.north_manager.email]


def test_a_notification_is_kept_and_sent_later_when_the_email_cannot_be_queued(
    world, django_capture_on_commit_callbacks
):
    with mock.patch(
        "reviews.tasks.send_notification_emails.delay", side_effect=OperationalError("broker down")
    ) as delay:
        _initiate(world.north_review, world.north_chair, django_capture_on_commit_callbacks)
    assert delay.called

    notes = Notification.objects.filter(review=world.north_review, key__startswith="stage:")
    assert {n.recipient for n in notes} == {world.north_manager, world.north_member}
    assert all(n.emailed_at is None for n in notes)
    assert mail.outbox == []

    notifications.email_digests()

    assert len(_inbox(world.north_member)) == 1
    assert "NSCB-1 is at the commissioning stage" in _inbox(world.north_member)[0].body
    assert not notes.filter(emailed_at=None).exists()


def test_notify_leaves_out_recipients_who_cannot_see_the_review(world):
    created = notifications.notify(
        review=world.north_review,
        recipients=[world.north_manager, world.east_manager, world.south_manager],
        kind=Notification.Kind.INFORMATION,
        title="Something about NSCB-1",
        body="",
        path=reverse("review_detail", args=[world.north_review.pk]),
        key="test:visibility",
    )

    assert {n.recipient for n in created} == {world.north_manager}
    assert (
        not Notification.objects.filter(key="test:visibility").exclude(recipient=world.north_manager).exists()
    )


# Deadline reminders ------------------------------------------------------------------------------------


def test_deadline_reminders_go_to_managers_and_chairs_of_every_board_of_the_review(
    deadlines, django_capture_on_commit_callbacks
):
    w = deadlines
    _remind(django_capture_on_commit_callbacks)

    approaching = _reminders(review=w.north_review)
    assert {n.recipient for n in approaching} == {w.north_manager, w.north_chair}
    assert {n.kind for n in approaching} == {Notification.Kind.DEADLINE_APPROACHING}

    passed = _reminders(review=w.cross_border_review)
    assert {n.recipient for n in passed} == {w.north_manager, w.north_chair, w.south_manager, w.south_chair}
    assert {n.kind for n in passed} == {Notification.Kind.DEADLINE_PASSED}

    assert _reminders(review=w.south_review) == []  # due after the horizon
    assert {m.to[0] for m in mail.outbox} == {
        w.north_manager.email,
        w.north_chair.email,
        w.south_manager.email,
        w.south_chair.email,
    }


@pytest.mark.parametrize(
    ("due_on", "reminded"),
    [
        (HORIZON, True),  # 5 working days ahead
        (date(2026, 3, 7), True),  # a Saturday before the horizon
        (TODAY, True),  # due today
        (date(2026, 3, 10), False),  # 6 working days ahead
    ],
)
def test_deadline_reminders_start_five_working_days_ahead(
    world, django_capture_on_commit_callbacks, due_on, reminded
):
    _set(world.north_review, state=State.DECISION, due_on=due_on, due_kind="decision")

    _remind(django_capture_on_commit_callbacks)

    assert bool(_reminders(review=world.north_review)) is reminded


def test_running_deadline_reminders_twice_creates_and_sends_nothing_new(
    deadlines, django_capture_on_commit_callbacks
):
    first = _remind(django_capture_on_commit_callbacks)
    count, sent = Notification.objects.count(), len(mail.outbox)
    assert first == 6

    assert _remind(django_capture_on_commit_callbacks) == 0
    assert Notification.objects.count() == count
    assert len(mail.outbox) == sent


@pytest.mark.parametrize(
    ("state", "due_on"),
    [
        (State.CLOSED, date(2026, 2, 20)),
        (State.WITHDRAWN, date(2026, 2, 20)),
        (State.NOT_INITIATED, date(2026, 3, 4)),
        (State.DECISION, None),
    ],
)
def test_deadline_reminders_ignore_finished_reviews_and_reviews_without_a_deadline(
    world, django_capture_on_commit_callbacks, state, due_on
):
    _set(world.north_review, state=state, due_on=due_on, due_kind="decision" if due_on else "")

    assert _remind(django_capture_on_commit_callbacks) == 0
    assert _reminders() == []
    assert mail.outbox == []


def test_deadline_reminders_never_reach_people_who_cannot_see_the_review(
    deadlines, django_capture_on_commit_callbacks
):
    west = BoardFactory(name="West Safeguarding Children Board")
    outsider = member_of(west, Role.BUSINESS_MANAGER, email="manager@west.example")
    ReviewFactory(lead_board=west, reference="WSCB-1")  # West has work of its own, just not these

    _remind(django_capture_on_commit_callbacks)

    for person in (outsider, deadlines.east_manager):
        assert not person.notifications.exists()
        assert _inbox(person) == []


def test_a_moved_deadline_is_reminded_again(world, django_capture_on_commit_callbacks):
    _set(world.north_review, state=State.DECISION, due_on=date(2026, 3, 4), due_kind="decision")
    _remind(django_capture_on_commit_callbacks)
    assert len(_reminders(recipient=world.north_manager)) == 1

    _set(world.north_review, due_on=date(2026, 3, 6))
    created = _remind(django_capture_on_commit_callbacks)

    assert created == 2  # North's manager and chair
    titles = [n.title for n in _reminders(recipient=world.north_manager)]
    assert sorted(titles) == [
        "NSCB-1: deadline approaching (4 March 2026)",
        "NSCB-1: deadline approaching (6 March 2026)",
    ]
    assert len(_inbox(world.north_manager)) == 2


# The notification pages ----------------------------------------------------------------------------------


def _note(recipient: User, review: Review, n: int, path: str | None = None, **extra) -> Notification:
    return Notification.objects.create(
        recipient=recipient,
        review=review,
        kind=Notification.Kind.INFORMATION,
        title=f"Update {n} for {recipient.email}",
        path=path if path is not None else reverse("review_detail", args=[review.pk]),
        key=f"test:{recipient.pk}:{n}",
        **extra,
    )


def test_notification_list_shows_only_the_persons_own_notifications(client, world):
    theirs = _note(world.north_chair, world.north_review, 1)
    client.force_login(world.north_manager)

    response = client.get(reverse("notification_list"))

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [world.north_notification]
    assert "NSCB-1 needs you" in response.text
    assert theirs.title not in response.text


def test_notification_list_paginates(client, world):
    for n in range(30):
        _note(world.north_manager, world.north_review, n)
    _note(world.north_chair, world.north_review, 99)
    client.force_login(world.north_manager)

    first = client.get(reverse("notification_list")).context["page"]
    second = client.get(reverse("notification_list"), {"page": 2}).context["page"]

    assert (first.paginator.count, first.paginator.num_pages) == (31, 2)
    assert (len(first.object_list), len(second.object_list)) == (25, 6)
    assert {n.recipient for n in [*first.object_list, *second.object_list]} == {world.north_manager}


def test_opening_a_notification_marks_it_read_and_goes_where_it_leads(client, world):
    client.force_login(world.north_manager)

    response = client.get(reverse("notification_open", args=[world.north_notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == f"/reviews/{world.north_review.pk}/"
    world.north_notification.refresh_from_db()
    assert world.north_notification.read_at is not None


def test_opening_someone_elses_notification_is_not_found(client, world):
    client.force_login(world.north_chair)

    response = client.get(reverse("notification_open", args=[world.north_notification.pk]))

    assert response.status_code == 404
    world.north_notification.refresh_from_db()
    assert world.north_notification.read_at is None


@pytest.mark.parametrize(
    "path",
    [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "http://testserver/reviews/1/",
        "javascript:alert(1)",
        "reviews/1/",
    ],
)
def test_a_notification_leading_off_the_portal_goes_to_the_list_instead(client, world, path):
    note = _note(world.north_manager, world.north_review, 1, path=path)
    client.force_login(world.north_manager)

    response = client.get(reverse("notification_open", args=[note.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("notification_list")


def test_mark_all_read_needs_a_post(client, world):
    client.force_login(world.north_manager)

    response = client.get(reverse("notifications_read_all"))

    assert response.status_code == 405
    world.north_notification.refresh_from_db()
    assert world.north_notification.read_at is None


def test_mark_all_read_marks_only_the_persons_own(client, world):
    mine = _note(world.north_manager, world.north_review, 1)
    theirs = _note(world.north_chair, world.north_review, 2)
    client.force_login(world.north_manager)

    response = client.post(reverse("notifications_read_all"))

    assert response.status_code == 302
    assert response["Location"] == reverse("notification_list")
    assert not world.north_manager.notifications.filter(read_at=None).exists()
    assert {world.north_notification.pk, mine.pk} <= set(
        world.north_manager.notifications.values_list("pk", flat=True)
    )
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_navigation_shows_the_unread_count(client, world):
    _note(world.north_manager, world.north_review, 1)
    _note(world.north_manager, world.north_review, 2)
    _note(world.north_manager, world.north_review, 3, read_at=timezone.now())
    _note(world.north_chair, world.north_review, 4)
    client.force_login(world.north_manager)

    html = client.get(reverse("home")).text

    nav = re.search(r'<nav aria-label="Main menu".*?</nav>', html, re.S).group(0)
    link = re.search(r'<a[^>]*href="/notifications/"[^>]*>(.*?)</a>', nav, re.S).group(1)
    assert re.search(r'app-nav-count">3<span class="govuk-visually-hidden"> unread</span>', link)


# Scheduling ------------------------------------------------------------------------------------------------


def test_every_scheduled_task_exists_in_the_celery_app(settings):
    from scr_portal.celery import app

    app.loader.import_default_modules()  # what a worker does on start: autodiscover every app's tasks

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled
    assert scheduled <= set(app.tasks), scheduled - set(app.tasks)


def test_someone_who_left_the_board_before_the_email_went_is_not_emailed(world, mailoutbox):
    from reviews.models import Membership, Notification
    from reviews.notifications import email_digests, email_notifications, notify

    world.north_member.email_frequency = "daily"
    world.north_member.save(update_fields=["email_frequency"])
    notes = notify(
        review=world.north_review,
        recipients=[world.north_manager, world.north_member],
        kind=Notification.Kind.INFORMATION,
        title="NSCB-1 update",
        body="",
        path=f"/reviews/{world.north_review.pk}/",
        key="left-before-sending",
    )
    Membership.objects.filter(user__in=[world.north_manager, world.north_member]).update(is_active=False)
    mailoutbox.clear()
    email_notifications([n.pk for n in notes])
    email_digests()
    assert mailoutbox == []
    assert not Notification.objects.filter(key="left-before-sending", emailed_at__isnull=True).exists()
