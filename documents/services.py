"""Asking for a document, making it (the Celery task's body), retrying a failed one.

The request path never renders: it fixes the content (HTML) and its data version, records the document as
queued and hands its id to a worker after the commit. If the broker cannot be reached the document stays
queued and a periodic sweep hands it out again; nothing is lost and nobody sees an error page.

Making is idempotent: a ready document is never made twice, and a worker that dies mid-render leaves the
row "rendering" for the task's rerun (acks_late) to finish: one row, one file."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from reviews import notifications
from reviews.models import Notification, Review, TimelineEntry
from reviews.services import timeline_add
from scr_portal import outbox

from . import render
from .models import Document

log = logging.getLogger(__name__)
Status = Document.Status

# A queued document not picked up after this long is handed out again by the sweep.
STALE_QUEUED = timedelta(minutes=2)
# A render that has not finished after this long is taken to have died with its worker.
STALE_RENDERING = timedelta(minutes=20)


class DocumentRefused(Exception):
    """The document cannot be asked for now; the message says why."""


def document_request(*, review: Review, user, kind: str, tor_version=None) -> Document:
    """The document for the data as it is now: the existing one when the same data was asked for before
    (ready, on its way, or failed and retryable), otherwise a new one, queued."""
    prepared = render.prepare(kind, review, tor_version)
    existing = Document.objects.filter(review=review, kind=kind, data_version=prepared.data_version).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            document = Document.objects.create(
                review=review,
                kind=kind,
                source_number=prepared.source_number,
                data_version=prepared.data_version,
                label=prepared.label,
                html=prepared.html,
                requested_by=user,
            )
            transaction.on_commit(lambda: document_dispatch(document.pk))
    except IntegrityError:  # someone asked for the same data at the same moment: theirs is ours
        return Document.objects.get(review=review, kind=kind, data_version=prepared.data_version)
    return document


def document_dispatch(document_pk: int) -> bool:
    """Hands the document to a worker (in the embedded default, makes it now). False when the broker
    cannot be reached: the document stays queued for the sweep, and the person asking is told so."""
    return outbox.send("documents.render_document", document_pk, delayed=outbox.DOCUMENT_DELAYED)


def document_retry(*, document: Document, user) -> Document:
    with transaction.atomic():
        current = Document.objects.select_for_update().get(pk=document.pk)
        if current.status != Status.FAILED:
            raise DocumentRefused("Only a document that failed can be tried again.")
        current.status, current.error = Status.QUEUED, ""
        current.save(update_fields=["status", "error"])
        transaction.on_commit(lambda: document_dispatch(current.pk))
    return current


def document_render(document_pk: int) -> str:
    """Renders the document if nobody has finished it yet. Returns what happened, for logs and tests."""
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_pk).first()
        if document is None:
            return "missing"
        if document.status == Status.READY:
            return "already ready"
        document.status = Status.RENDERING
        document.started_at = timezone.now()
        document.attempts += 1
        document.error = ""
        document.save(update_fields=["status", "started_at", "attempts", "error"])
        html = document.html
    rendered = render.pdf_from_html(html)  # the long part: outside any transaction
    digest = hashlib.sha256(rendered.pdf).hexdigest()
    with transaction.atomic():
        document = (
            Document.objects.select_for_update().select_related("review", "requested_by").get(pk=document_pk)
        )
        if document.status == Status.READY:  # another run finished first
            return "already ready"
        document.file.save(document.download_name, ContentFile(rendered.pdf), save=False)
        document.sha256, document.size, document.pages = digest, len(rendered.pdf), rendered.pages
        document.status, document.finished_at = Status.READY, timezone.now()
        if rendered.refused:
            log.warning("Document %s: the renderer refused %d URL(s)", document.pk, len(rendered.refused))
        document.save()
        _announce(document)
    return "made"


def document_fail(document_pk: int, error: BaseException) -> None:
    """Records that making the document failed, in words the person can act on."""
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_pk).first()
        if document is None or document.status == Status.READY:
            return
        document.status = Status.FAILED
        document.finished_at = timezone.now()
        document.error = f"{type(error).__name__}: {error}"[:2000]
        document.save(update_fields=["status", "finished_at", "error"])


def _announce(document: Document) -> None:
    review = document.review
    timeline_add(
        review=review,
        user=document.requested_by,
        kind=TimelineEntry.Kind.DOCUMENT,
        title=f"Document made: {document.label}",
        body=f"{document.pages} pages. SHA-256 {document.sha256}.",
    )
    path = reverse("document_detail", args=[review.pk, document.pk])
    transaction.on_commit(
        lambda: notifications.notify(
            review=review,
            recipients=[document.requested_by],
            kind=Notification.Kind.INFORMATION,
            title=f"{review.reference}: {document.label} is ready",
            body="The document you asked for is ready to download.",
            path=path,
            key=f"document-ready:{document.pk}",
        )
    )


def documents_requeue_stale(now=None) -> int:
    """Hands out again documents left queued (the broker was away) or rendering far too long (the worker
    died and its message was lost). Safe to run at any time: making is idempotent."""
    now = now or timezone.now()
    stale = Document.objects.filter(
        status=Status.QUEUED, requested_at__lt=now - STALE_QUEUED
    ) | Document.objects.filter(status=Status.RENDERING, started_at__lt=now - STALE_RENDERING)
    count = 0
    for pk in stale.values_list("pk", flat=True):
        count += document_dispatch(pk)
    return count
