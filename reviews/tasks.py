"""Celery tasks for reviews: thin, idempotent, retried on transient failure."""

from __future__ import annotations

from celery import shared_task

from . import notifications


@shared_task(
    name="reviews.send_notification_emails", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_notification_emails(ids: list[int]) -> int:
    return notifications.email_notifications(ids)


@shared_task(name="reviews.send_deadline_reminders")
def send_deadline_reminders() -> int:
    return notifications.send_deadline_reminders()


@shared_task(name="reviews.send_summary_reminders")
def send_summary_reminders() -> int:
    """Daily: agencies whose summary for a rapid review is due within 2 working days, or overdue."""
    return notifications.send_summary_reminders()


@shared_task(name="reviews.send_daily_digests", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_daily_digests() -> int:
    return notifications.email_digests()


@shared_task(name="reviews.send_pending_emails", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_pending_emails() -> int:
    """Periodic catch-up for immediate emails whose task could not be queued (see scr_portal.outbox)."""
    return notifications.email_pending()


@shared_task(name="reviews.resolve_notifications")
def resolve_notifications() -> int:
    """Periodic sweep: "action needed" notifications of closed reviews and left stages are marked done."""
    return notifications.sweep_resolved()
