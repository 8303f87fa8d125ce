"""The daily practitioner reminder: the business manager is told once of an event within 2 working days
whose briefing is not recorded, and once of feedback not recorded a week after; nothing once recorded, or
for a review no longer in progress."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from conduct.people import services
from conduct.tasks import send_practitioner_reminders
from reviews.models import Notification, Review
from scr_portal import workdays
from tests.conduct.people_helpers import event

pytestmark = pytest.mark.django_db


def _titles(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, key__startswith="practitioners:").values_list(
            "title", flat=True
        )
    )


def test_the_manager_is_reminded_once_of_a_briefing_not_recorded(info, world):
    today = timezone.localdate()
    soon = event(info.review, workdays.add_working_days(today, 2))
    event(info.review, today + timedelta(days=30))  # far off: nothing yet
    event(info.review, workdays.add_working_days(today, 1), briefed_on=today)  # briefed already
    assert services.practitioner_reminders_send(today) == 1
    assert services.practitioner_reminders_send(today) == 0
    titles = _titles(world.north_manager)
    assert len(titles) == 1 and "briefing" in titles[0]
    assert _titles(world.north_reviewer) == [] and _titles(world.north_chair) == []
    soon.refresh_from_db()
    assert soon.briefing_reminded_on == today


def test_feedback_not_recorded_a_week_after_is_reminded_and_recording_it_settles_it(info, world):
    today = timezone.localdate()
    late = event(info.review, today - timedelta(days=7), briefed_on=today - timedelta(days=8))
    newer = event(
        info.review, today - timedelta(days=6), briefed_on=today - timedelta(days=8)
    )  # not a week yet
    assert services.practitioner_reminders_send(today) == 1
    reminder = Notification.objects.get(recipient=world.north_manager, key__startswith="practitioners:")
    assert "feedback" in reminder.title and reminder.resolved_at is None
    services.practitioner_event_save(
        review=info.review,
        user=world.north_manager,
        event=late,
        kind=late.kind,
        purpose=late.purpose,
        held_on=late.held_on,
        briefed_on=late.briefed_on,
        support_offered="",
        feedback="Told them what the review found.",
        feedback_on=today,
        attendance={},
    )
    reminder.refresh_from_db()
    assert reminder.resolved_at is not None
    # The next day: the newer event's week is up; the one whose feedback is in is not chased again
    assert services.practitioner_reminders_send(today + timedelta(days=1)) == 1
    keys = Notification.objects.filter(key__contains=":feedback:").values_list("key", flat=True)
    assert sorted(keys) == sorted(f"practitioners:{e.pk}:feedback:{e.held_on:%Y%m%d}" for e in (late, newer))


def test_a_review_no_longer_in_progress_is_not_chased_and_its_reminders_are_settled(info, world):
    today = timezone.localdate()
    event(info.review, today - timedelta(days=10))
    assert services.practitioner_reminders_send(today) == 1
    assert services.practitioner_notifications_sweep() == 0  # still in progress: still to do
    Review.objects.filter(pk=info.review.pk).update(state="report_received")
    assert services.practitioner_reminders_send(today + timedelta(days=1)) == 0
    assert services.practitioner_notifications_sweep() == 1
    reminder = Notification.objects.get(recipient=world.north_manager, key__startswith="practitioners:")
    assert reminder.resolved_at is not None


def test_the_reminder_is_a_daily_periodic_job():
    job = settings.CELERY_BEAT_SCHEDULE["practitioner-reminders"]
    assert job["task"] == "conduct.send_practitioner_reminders"
    assert send_practitioner_reminders.name == job["task"]
