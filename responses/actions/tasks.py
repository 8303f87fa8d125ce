"""Celery tasks for actions: thin and idempotent."""

from __future__ import annotations

from celery import shared_task

from . import reminders


@shared_task(name="responses.send_action_reminders")
def send_action_reminders() -> int:
    """Daily: due-soon, overdue and look-again reminders to owners; one summary per business manager."""
    return reminders.send_action_reminders()
