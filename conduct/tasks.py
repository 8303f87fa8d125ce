"""Celery tasks for the information from agencies: thin and idempotent."""

from __future__ import annotations

from celery import shared_task

from . import services
from .people import services as people


@shared_task(name="conduct.send_information_reminders")
def send_information_reminders() -> int:
    """Daily: reminds authors of information due within 2 working days; escalates what is overdue."""
    return services.information_reminders_send()


@shared_task(name="conduct.send_practitioner_reminders")
def send_practitioner_reminders() -> int:
    """Daily: reminds the business manager of practitioner briefings and feedback not recorded."""
    return people.practitioner_reminders_send()
