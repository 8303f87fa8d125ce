"""Celery tasks for documents and exports. Late acknowledgement (settings) means a task whose worker dies is
run again; `services.document_render` and `services.export_make` are idempotent, so a rerun finishes the same
document or export rather than making a second."""

from __future__ import annotations

from collections.abc import Callable

from celery import shared_task

from scr_portal import leases

from . import services

TRANSIENT = (OSError, ConnectionError, TimeoutError)
RETRIED = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 5,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 4,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


def make_or_fail(
    task, pk: int, make: Callable[[int], str], fail: Callable[[int, BaseException], None]
) -> str:
    """Runs `make(pk)`; a transient error is retried (up to max_retries), any other is recorded by `fail`
    for the person to see and retry. Shared with records' background work (the same states and rules)."""
    try:
        return make(pk)
    except TRANSIENT as error:
        if task.request.retries >= task.max_retries:
            fail(pk, error)
            return "failed"
        raise
    except Exception as error:  # noqa: BLE001 - any other failure: record why, let the person retry
        fail(pk, error)
        return "failed"


@shared_task(bind=True, name="documents.render_document", **RETRIED)
def render_document(self, document_pk: int) -> str:
    return make_or_fail(self, document_pk, services.document_render, services.document_fail)


@shared_task(bind=True, name="documents.make_export", **RETRIED)
def make_export(self, export_pk: int) -> str:
    return make_or_fail(self, export_pk, services.export_make, services.export_fail)


@shared_task(bind=True, name="documents.requeue_stale")
def requeue_stale(self, at_start: bool = False) -> int:
    """Every few minutes (and when a worker starts): documents and exports the queue missed, or whose worker
    stopped, are handed out again, and exports made more than a day ago are removed with their files. At a
    worker's start it looks once more when the leases held on documents and exports being made have run
    out, so work whose worker stopped on another machine is taken over then, not at the next periodic run."""
    services.exports_sweep()
    handed_out = services.documents_requeue_stale() + services.exports_requeue_stale()
    if at_start:
        leases.looked_at_again(self, [services.DOCUMENTS, services.EXPORTS])
    return handed_out
