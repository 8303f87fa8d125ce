"""The daily reminder: the author before the due date, then, once overdue, the author again and the
agency's board member on the lead board; once each; nothing for what was submitted or a review not in
progress."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from conduct import services
from conduct.models import InformationRequest
from conduct.tasks import send_information_reminders
from reviews.models import Notification
from scr_portal import workdays
from tests.conduct.helpers import request_to

pytestmark = pytest.mark.django_db


def _titles(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_the_author_is_reminded_once_before_the_due_date(info, world):
    today = timezone.localdate()
    made = request_to(info.review, info.author, info.agency, due_on=workdays.add_working_days(today, 2))
    assert services.information_reminders_send(today) == 1
    assert services.information_reminders_send(today) == 0
    assert any("is due by" in t for t in _titles(info.author))
    assert _titles(world.north_member) == []
    made.refresh_from_db()
    assert made.reminded_on == today and made.escalated_on is None


def test_nothing_is_sent_while_the_date_is_far_off(info):
    today = timezone.localdate()
    request_to(info.review, info.author, info.agency, due_on=today + timedelta(days=30))
    assert services.information_reminders_send(today) == 0


def test_overdue_escalates_to_the_agency_s_board_member_once(info, world):
    today = timezone.localdate()
    made = request_to(info.review, info.author, info.agency, due_on=today - timedelta(days=1))
    told = services.information_reminders_send(today)
    assert told == 2
    assert any("was due on" in t for t in _titles(info.author))
    escalation = Notification.objects.get(recipient=world.north_member)
    assert "overdue" in escalation.title and escalation.path.endswith("/information/")
    assert (
        not any("information" in t for t in _titles(world.north_manager))
        and _titles(world.south_member) == []
    )
    made.refresh_from_db()
    assert made.escalated_on == today
    assert services.information_reminders_send(today) == 0


def test_a_submitted_request_or_a_review_no_longer_in_progress_is_not_chased(info):
    today = timezone.localdate()
    request_to(info.review, info.author, info.agency, status="submitted", due_on=today - timedelta(days=1))
    other = request_to(info.review, info.health_author, info.health, due_on=today - timedelta(days=1))
    type(info.review).objects.filter(pk=info.review.pk).update(state="report_received")
    assert services.information_reminders_send(today) == 0
    assert InformationRequest.objects.get(pk=other.pk).escalated_on is None


def test_the_reminder_is_a_daily_periodic_job():
    job = settings.CELERY_BEAT_SCHEDULE["information-reminders"]
    assert job["task"] == "conduct.send_information_reminders"
    assert send_information_reminders.name == job["task"]
