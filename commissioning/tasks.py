"""Celery discovers tasks in each app's tasks module; commissioning's live beside their features."""

from commissioning.inputs.tasks import send_input_reminders

__all__ = ["send_input_reminders"]
