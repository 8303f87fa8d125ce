"""Celery tasks for records: thin, and idempotent through their services (late acknowledgement reruns a
task whose worker died). Transient errors are retried, any other is recorded for the person to see, as for
documents (`documents.tasks.make_or_fail`)."""

from __future__ import annotations

from celery import shared_task

from documents.tasks import RETRIED, make_or_fail
from scr_portal import leases

from . import services, subject_access


@shared_task(bind=True, name="records.make_subject_access_export", **RETRIED)
def make_subject_access_export(self, export_pk: int) -> str:
    return make_or_fail(
        self, export_pk, subject_access.account_export_make, subject_access.account_export_fail
    )


@shared_task(bind=True, name="records.apply_disposal", **RETRIED)
def apply_disposal(self, request_pk: int) -> str:
    return make_or_fail(self, request_pk, services.disposal_apply, services.disposal_fail)


@shared_task(bind=True, name="records.requeue_stale")
def requeue_stale(self, at_start: bool = False) -> int:
    """Every few minutes (and when a worker starts): decisions and exports the queue missed, or whose worker
    stopped, are handed out again, and subject-access exports made more than a day ago are removed with
    their files. At a worker's start it looks once more when the leases held now have run out, as the
    documents' catch-up does."""
    subject_access.account_exports_sweep()
    handed_out = services.disposals_requeue_stale() + subject_access.account_exports_requeue_stale()
    if at_start:
        leases.looked_at_again(self, [services.DISPOSALS, subject_access.SUBJECT_ACCESS_EXPORTS])
    return handed_out
