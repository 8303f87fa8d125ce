"""Asking for a document, making it (the Celery task's body), retrying a failed one; the same for an export
(an action plan as an Excel file, a review's merged chronology as a CSV file), and sweeping exports away a
day after they are made.

The request path never renders: it fixes the content (HTML) and its data version, records the document as
queued and hands its id to a worker after the commit. If the broker cannot be reached the document stays
queued and a periodic sweep hands it out again; nothing is lost and nobody sees an error page.

Making is idempotent: a ready document is never made twice, and a worker that dies mid-render leaves the
row "rendering" for the task's rerun (acks_late) or the catch-up to finish: one row, one file. A worker
claims a document or an export with a lease (scr_portal/leases.py), so work whose worker stopped is taken
over at once, and work a live worker holds never is."""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Callable
from datetime import timedelta
from typing import BinaryIO

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import Http404, QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from conduct import export as chronology_export
from responses.actions import export as action_export
from reviews import notifications
from reviews.models import Board, Notification, Review, TimelineEntry
from reviews.selectors import board_for, review_for
from reviews.services import timeline_add
from scr_portal import files, leases, outbox

from . import render
from .content import HANDLING, PROTECTIVE_MARKING
from .models import Document, Export, document_upload_to, export_upload_to

log = logging.getLogger(__name__)
Status = Document.Status

# The work workers claim here, under the lease rule (scr_portal/leases.py), handed out again by the
# documents' catch-up.
DOCUMENTS = leases.Work(
    Document, task="documents.render_document", working=Status.RENDERING, catch_up="documents-requeue"
)
EXPORTS = leases.Work(
    Export, task="documents.make_export", working=Export.Status.RENDERING, catch_up="documents-requeue"
)


class DocumentRefused(Exception):
    """The document cannot be asked for now; the message says why."""


def document_request(*, review: Review, user, kind: str, tor_version=None, response_version=None) -> Document:
    """The document for the data as it is now: the existing one when the same data was asked for before
    (ready, on its way, or failed and retryable), otherwise a new one, queued. `tor_version` is the
    version of the terms of reference to print, `response_version` the signed response's."""
    if kind == Document.Kind.RESPONSE and (response_version is None or not response_version.is_signed):
        raise DocumentRefused("Only a signed version of the response can be made into a PDF.")
    prepared = render.prepare(
        kind, review, tor_version if kind == Document.Kind.TERMS_OF_REFERENCE else response_version
    )
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
    """Hands the document to a worker (in the embedded default, a thread of the server process). False
    when the broker cannot be reached: the document stays queued for the sweep, and the person asking is
    told so."""
    return outbox.send(
        "documents.render_document", document_pk, delayed=outbox.DOCUMENT_DELAYED, background=True
    )


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
    """Renders the document if nobody has finished it yet and no live worker is making it. Returns what
    happened, for logs and tests.

    The worker claims the document with a lease (scr_portal/leases.py), renewed while it works; a
    document whose lease ran out, or whose holder's process is gone, is taken over. The file is stored
    before the transaction that records it and removed again if that fails; if this process dies in
    between, the file sweep removes it (scr_portal/files.py)."""
    me = leases.holder()
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_pk).first()
        if document is None:
            return "missing"
        if document.status == Status.READY:
            return "already ready"
        if not DOCUMENTS.claim(document):
            return "being made by another worker"
        document.error = ""
        document.save(update_fields=[*leases.CLAIM_FIELDS, "error"])
        html = document.html
    with DOCUMENTS.renewed(document_pk, me):
        return _document_make(document, html, me)


def _document_make(document: Document, html: str, me: str) -> str:
    rendered = render.pdf_from_html(html)  # the long part: outside any transaction
    digest = hashlib.sha256(rendered.pdf).hexdigest()
    with files.removed_unless_recorded([]) as stored:
        stored.append(default_storage.save(document_upload_to(document, ""), ContentFile(rendered.pdf)))
        with transaction.atomic():
            document = (
                Document.objects.select_for_update()
                .select_related("review", "requested_by")
                .get(pk=document.pk)
            )
            if document.status == Status.READY or document.claimed_by != me:  # another run finished first,
                files.remove(stored)  # or took it over when this one's lease ran out
                return "already ready" if document.status == Status.READY else "taken over by another worker"
            document.file.name = stored[0]
            document.sha256, document.size, document.pages = digest, len(rendered.pdf), rendered.pages
            document.status, document.finished_at = Status.READY, timezone.now()
            document.lease_until = None
            if rendered.refused:
                log.warning("Document %s: the renderer refused %d URL(s)", document.pk, len(rendered.refused))
            document.save()
            _announce(document)
    return "made"


def document_fail(document_pk: int, error: BaseException) -> None:
    """Records that making the document failed, in words the person can act on."""
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_pk).first()
        if document is None or document.status == Status.READY or DOCUMENTS.held_by_another(document):
            return
        document.status = Status.FAILED
        document.finished_at, document.lease_until = timezone.now(), None
        document.error = f"{type(error).__name__}: {error}"[:2000]
        document.save(update_fields=["status", "finished_at", "lease_until", "error"])


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
    """Hands out again, at once, documents the task queue no longer holds while they wait, and documents
    whose worker stopped while making them (the lease rule: scr_portal/leases.py). Safe to run at any
    time: making is idempotent."""
    return sum(document_dispatch(pk) for pk in DOCUMENTS.to_hand_out(now))


# Exports ---------------------------------------------------------------------------------------------
#
# The request only records what was asked for (the plan or the chronology, and its filters) and hands the
# export's id to a worker. The worker reads the rows as the person may see them when it runs and writes them
# one by one into a temporary file (openpyxl's write-only mode for an Excel file, csv for a CSV file), then
# stores it. A ready export is kept for a day.

# A ready or failed export is removed this long after it was made (by the periodic requeue task).
EXPORT_KEPT = timedelta(days=1)
ExportKind = Export.Kind


class ExportRefused(Exception):
    """The export cannot be made or retried; the message says why."""


def export_label(
    *, review: Review | None, board: Board | None, query: str, kind: str = ExportKind.ACTION_PLAN
) -> str:
    filtered = " (filtered)" if query else ""
    if kind == ExportKind.CHRONOLOGY:
        return f"Merged chronology of {review.reference}{filtered} as a CSV file"
    if kind == ExportKind.CHRONOLOGY_XLSX:
        return f"Merged chronology of {review.reference}{filtered} as an Excel file"
    if kind == ExportKind.CHRONOLOGY_PDF:
        return f"Merged chronology of {review.reference}{filtered} as a PDF file"
    plan = f"Action plan of {review.reference}" if review is not None else f"Action plan of {board.name}"
    return f"{plan}{filtered} as an Excel file"


def export_request(
    *,
    user,
    query: str,
    review: Review | None = None,
    board: Board | None = None,
    kind: str = ExportKind.ACTION_PLAN,
) -> Export:
    """Records an export with the page's filters (`query`), queued; a worker makes it once the transaction
    commits: a review's or a board's action plan as an Excel file (the filters as `action_export.plan_of`
    understood them), or a review's merged chronology as a CSV file (as `chronology_export.chronology_of`
    understood them). The same person's export of the same thing still on its way is returned instead of a
    second. The caller has checked that `user` may see the plan, or read the chronology."""
    if (review is None) == (board is None):
        raise ValueError("An export is of a review's plan or of a board's, not both.")
    if (
        kind in (ExportKind.CHRONOLOGY, ExportKind.CHRONOLOGY_XLSX, ExportKind.CHRONOLOGY_PDF)
        and review is None
    ):
        raise ValueError("A chronology export is of a review's merged chronology.")
    pending = Export.objects.filter(
        kind=kind,
        review=review,
        board=board,
        query=query,
        requested_by=user,
        status__in=(Export.Status.QUEUED, Export.Status.RENDERING),
    ).first()
    if pending is not None:  # asked twice (a double click): the one on its way is the one
        return pending
    with transaction.atomic():
        export = Export.objects.create(
            kind=kind,
            review=review,
            board=board,
            query=query,
            label=export_label(review=review, board=board, query=query, kind=kind),
            requested_by=user,
        )
        transaction.on_commit(lambda: export_dispatch(export.pk))
    return export


def export_dispatch(export_pk: int) -> bool:
    """Hands the export to a worker (in the embedded default, a thread of the server process). False when
    the broker cannot be reached: the export stays queued for the sweep."""
    return outbox.send("documents.make_export", export_pk, delayed=outbox.EXPORT_DELAYED, background=True)


def export_retry(*, export: Export, user) -> Export:
    """Queues a failed export again (only the person who asked for it may)."""
    with transaction.atomic():
        current = Export.objects.select_for_update().get(pk=export.pk)
        if current.requested_by_id != user.pk:
            raise ExportRefused("Only the person who asked for the file can ask for it again.")
        if current.status != Export.Status.FAILED:
            raise ExportRefused("Only a file that could not be made can be tried again.")
        current.status, current.error = Export.Status.QUEUED, ""
        current.save(update_fields=["status", "error"])
        transaction.on_commit(lambda: export_dispatch(current.pk))
    return current


def export_plan(export: Export) -> action_export.Plan:
    """The plan the export is of, as its requester may see it now, filtered as they asked. Refused when they
    may no longer see it (left the board, appointment ended)."""
    user = export.requested_by
    try:
        if export.review_id is not None:
            review = review_for(user, export.review_id, "view_response")
            return action_export.plan_of(user, QueryDict(export.query), review=review)
        board = board_for(user, export.board_id, "view_action_plan")
        return action_export.plan_of(user, QueryDict(export.query), board=board)
    except (Http404, PermissionDenied) as refusal:
        raise ExportRefused("The person who asked for this file can no longer see the plan.") from refusal


def export_chronology(export: Export) -> chronology_export.Chronology:
    """The merged chronology the export is of, as its requester may read it now, filtered as they asked.
    Refused when they may no longer read it (appointment ended, role changed, review moved on)."""
    try:
        review = review_for(export.requested_by, export.review_id, "read_chronology")
    except (Http404, PermissionDenied) as refusal:
        raise ExportRefused(
            "The person who asked for this file can no longer read the merged chronology."
        ) from refusal
    return chronology_export.chronology_of(review, QueryDict(export.query))


def write_chronology_pdf(
    chronology: chronology_export.Chronology, out: BinaryIO, *, progress: Callable[[int], None]
) -> int:
    """Writes the merged chronology as a PDF (the print stylesheet, WeasyPrint with our fetcher, every
    user-written value autoescaped by the template). A PDF is laid out whole, so the entries are read
    into memory first; progress is reported as they are read. Returns how many entries it holds."""
    review = chronology.review
    entries = []
    for entry in chronology.entries():
        entries.append(entry)
        if len(entries) % chronology_export.PROGRESS_EVERY == 0:
            progress(len(entries))
    html = render_to_string(
        "documents/print/chronology.html",
        {
            "review": review,
            "board": review.lead_board,
            "document_title": f"{review.reference}: merged chronology",
            "protective_marking": PROTECTIVE_MARKING,
            "handling": HANDLING.format(**vars(review.words)),
            "entries": entries,
            "count": len(entries),
            "filtered": any(chronology.filters.get(name) for name in ("agency", "since", "until")),
            "newest_first": chronology.filters.get("newest_first", False),
            "generated_on": timezone.localdate(),
        },
    )
    out.write(render.pdf_from_html(html).pdf)
    return len(entries)


# Writes the export's rows into a binary file, reporting progress; returns how many rows it wrote.
Writer = Callable[[BinaryIO, Callable[[int], None]], int]


def _export_source(export: Export) -> tuple[int, Writer]:
    """How many rows the export will hold, and what writes them: its rows are read only when it writes."""
    if export.is_chronology:
        chronology = export_chronology(export)

        def write_chronology(handle: BinaryIO, progress: Callable[[int], None]) -> int:
            if export.kind == ExportKind.CHRONOLOGY_PDF:
                return write_chronology_pdf(chronology, handle, progress=progress)
            if export.kind == ExportKind.CHRONOLOGY_XLSX:
                title = f"{chronology.review.reference}: merged chronology"
                return chronology_export.write_xlsx(
                    chronology.entries(), handle, title=title, progress=progress
                )
            return chronology_export.write_csv(chronology.entries(), handle, progress=progress)

        return chronology.count(), write_chronology
    plan = export_plan(export)

    def write_plan(handle: BinaryIO, progress: Callable[[int], None]) -> int:
        title = f"{plan.stem}: action plan"
        return action_export.write_xlsx(plan.rows(), handle, title=title, progress=progress, words=plan.words)

    return plan.count(), write_plan


def export_make(export_pk: int) -> str:
    """Writes the export's file unless it is ready already or a live worker is writing it. Returns what
    happened, for logs and tests. Progress (rows written of the total) is saved every few hundred rows,
    outside any transaction, so the status page sees it while the file is written. The worker claims the
    export with a lease, as for a document; one that takes it over after a worker stopped starts the
    file again."""
    me = leases.holder()
    with transaction.atomic():
        export = Export.objects.select_for_update().filter(pk=export_pk).first()
        if export is None:
            return "missing"
        if export.status == Export.Status.READY:
            return "already ready"
        if not EXPORTS.claim(export):
            return "being made by another worker"
        export.error, export.rows_done, export.rows_total = "", 0, None
        export.save(update_fields=[*leases.CLAIM_FIELDS, "error", "rows_done", "rows_total"])
    with EXPORTS.renewed(export_pk, me):
        return _export_write(export_pk, me)


def _export_write(export_pk: int, me: str) -> str:
    export = Export.objects.select_related("requested_by", "review", "board").get(pk=export_pk)
    total, write = _export_source(export)
    Export.objects.filter(pk=export_pk, claimed_by=me).update(rows_total=total)

    def progress(done: int) -> None:
        Export.objects.filter(pk=export_pk, claimed_by=me).update(rows_done=done)

    with tempfile.TemporaryFile() as handle:  # the long part: outside any transaction
        written = write(handle, progress)
        size = handle.tell()
        handle.seek(0)
        with files.removed_unless_recorded([]) as stored:  # stored first, kept only once recorded
            stored.append(default_storage.save(export_upload_to(export, ""), File(handle)))
            with transaction.atomic():
                export = Export.objects.select_for_update().get(pk=export_pk)
                if export.status == Export.Status.READY or export.claimed_by != me:  # another run finished
                    files.remove(stored)  # first, or took it over when this one's lease ran out
                    return (
                        "already ready"
                        if export.status == Export.Status.READY
                        else "taken over by another worker"
                    )
                export.file.name = stored[0]
                export.size, export.rows_done, export.rows_total = size, written, written
                export.status, export.finished_at = Export.Status.READY, timezone.now()
                export.lease_until = None
                export.save()
    return "made"


def export_fail(export_pk: int, error: BaseException) -> None:
    """Records that making the export failed, in words the person can act on."""
    with transaction.atomic():
        export = Export.objects.select_for_update().filter(pk=export_pk).first()
        if export is None or export.status == Export.Status.READY or EXPORTS.held_by_another(export):
            return
        export.status, export.finished_at, export.lease_until = Export.Status.FAILED, timezone.now(), None
        export.error = str(error) if isinstance(error, ExportRefused) else f"{type(error).__name__}: {error}"
        export.error = export.error[:2000]
        export.save(update_fields=["status", "finished_at", "lease_until", "error"])


def exports_requeue_stale(now=None) -> int:
    """Hands out again, at once, exports the task queue no longer holds while they wait, and exports whose
    worker stopped while making them (the lease rule: scr_portal/leases.py). Safe to run at any time:
    making is idempotent."""
    return sum(export_dispatch(pk) for pk in EXPORTS.to_hand_out(now))


def exports_sweep(now=None) -> int:
    """Removes exports made (or failed) more than EXPORT_KEPT ago, with their files: an export is a copy
    of OFFICIAL-SENSITIVE data for one download, not a record. Returns how many were removed."""
    now = now or timezone.now()
    old = Export.objects.filter(
        status__in=(Export.Status.READY, Export.Status.FAILED), finished_at__lt=now - EXPORT_KEPT
    )
    with transaction.atomic():
        names = [name for name in old.values_list("file", flat=True) if name]
        removed, _ = old.delete()
        transaction.on_commit(lambda: [default_storage.delete(name) for name in names])
    return removed
