"""Celery tasks for running the review (information from agencies, practitioners, the report's drafts):
thin and idempotent."""

from __future__ import annotations

from celery import shared_task

from . import services
from .people import services as people
from .report import services as report_services


@shared_task(name="conduct.send_information_reminders")
def send_information_reminders() -> int:
    """Daily: reminds authors of information due within 2 working days; escalates what is overdue."""
    return services.information_reminders_send()


@shared_task(name="conduct.send_accuracy_reminders")
def send_accuracy_reminders() -> int:
    """Daily: chases agencies' replies on a draft's facts due within 2 working days, and once overdue."""
    return report_services.accuracy_reminders_send()


@shared_task(name="conduct.send_practitioner_reminders")
def send_practitioner_reminders() -> int:
    """Daily: reminds the business manager of practitioner briefings and feedback not recorded."""
    return people.practitioner_reminders_send()
