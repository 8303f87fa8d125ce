"""Celery tasks for the board input round: thin and idempotent."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="commissioning.send_input_reminders")
def send_input_reminders() -> int:
    """Daily: reminds invitees who have not replied to a round closing within 2 working days."""
    return services.input_reminders_send()
