"""Celery tasks for documents. Late acknowledgement (settings) means a task whose worker dies is run again;
`services.document_render` is idempotent, so a rerun finishes the same document rather than making a
second."""

from __future__ import annotations

from celery import shared_task

from . import services

TRANSIENT = (OSError, ConnectionError, TimeoutError)


@shared_task(
    bind=True,
    name="documents.render_document",
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=4,
    acks_late=True,
    reject_on_worker_lost=True,
)
def render_document(self, document_pk: int) -> str:
    try:
        return services.document_render(document_pk)
    except TRANSIENT as error:
        if self.request.retries >= self.max_retries:
            services.document_fail(document_pk, error)
            return "failed"
        raise
    except Exception as error:  # noqa: BLE001 - any other failure: record why, let the person retry
        services.document_fail(document_pk, error)
        return "failed"


@shared_task(name="documents.requeue_stale")
def requeue_stale() -> int:
    return services.documents_requeue_stale()
