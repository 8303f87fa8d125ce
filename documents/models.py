"""A generated document: what was asked for (kind, review, the version of the data it was made from), how
the render went (queued → rendering → ready, or failed with the error), and the file with its SHA-256.

One row per kind × review × data version: asking twice for the same data reuses the ready file (a unique
constraint makes that hold under concurrency, too).

An export (an action plan as an Excel file, or a review's merged chronology as a CSV file) goes through the
same states, made by a worker from the data as it is when the worker reads it, for the person who asked
only; a ready one is kept for a day."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from reviews.models import Board, Review
from scr_portal.downloads import safe_name_part


class Job(models.Model):
    """What every piece of work done by a worker records, whatever it makes: who asked and when, when it
    started and finished, how many tries it took and why the last failed. Documents, exports, subject-access
    exports and retention decisions share these columns and their order (newest first); each has its own
    status and `PENDING`, the statuses in which it is still on its way. The worker doing it holds a lease
    on it (scr_portal/leases.py): who claimed it, until when."""

    PENDING: tuple[str, ...] = ()

    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(
        max_length=200, blank=True, help_text="The worker doing it, or that last did (machine:process)."
    )
    lease_until = models.DateTimeField(
        null=True, blank=True, help_text="Until when that worker's claim holds; renewed while it works."
    )

    class Meta:
        abstract = True
        ordering = ["-requested_at", "-pk"]

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING


def percent(done: int, total: int | None) -> int | None:
    """How far a job has got, in whole percent (None while the total is not known)."""
    if not total:
        return None
    return min(100, done * 100 // total)


def document_upload_to(instance: Document, filename: str) -> str:
    return f"documents/{instance.review_id}/{uuid.uuid4().hex}.pdf"


class Document(Job):
    class Kind(models.TextChoices):
        TERMS_OF_REFERENCE = "tor", "Terms of reference"
        BOARD_PACK = "board_pack", "Board pack"
        RESPONSE = "response", "Signed response"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be made"
        RENDERING = "rendering", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    PENDING = (Status.QUEUED, Status.RENDERING)

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    source_number = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="For terms of reference and the response: the version number the document shows.",
    )
    data_version = models.CharField(
        max_length=64, help_text="SHA-256 of the document's content before rendering: the data it shows."
    )
    label = models.CharField(max_length=200, help_text="What the document is, as people see it.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    html = models.TextField(help_text="The content to render, fixed when the document was asked for.")
    file = models.FileField(upload_to=document_upload_to, blank=True)
    sha256 = models.CharField("SHA-256 of the file", max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)

    class Meta(Job.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["review", "kind", "data_version"], name="document_once_per_data_version"
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(file="") & Q(sha256__regex=r"^[0-9a-f]{64}$")),
                name="document_ready_has_file",
            ),
        ]
        indexes = [models.Index(fields=["review", "kind", "-requested_at"])]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_status_display().lower()})"

    @property
    def render_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def download_name(self) -> str:
        return f"{safe_name_part(self.review.reference)}-{self.kind.replace('_', '-')}-{self.data_version[:8]}.pdf"


def export_upload_to(instance: Export, filename: str) -> str:
    return f"exports/{uuid.uuid4().hex}.{instance.extension}"


class Export(Job):
    """A file of rows asked for from a page, with that page's filters: an action plan as an Excel file (a
    review's plan or a board's, exactly one of the two), or a review's merged chronology as a CSV file.
    The worker writes it row by row, recording how far it has got."""

    class Kind(models.TextChoices):
        ACTION_PLAN = "action_plan", "Action plan as an Excel file"
        CHRONOLOGY = "chronology", "Merged chronology as a CSV file"
        CHRONOLOGY_XLSX = "chronology_xlsx", "Merged chronology as an Excel file"
        CHRONOLOGY_PDF = "chronology_pdf", "Merged chronology as a PDF file"

    Status = Document.Status  # the same states as a document, with the same meaning
    PENDING = Document.PENDING

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ACTION_PLAN)

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, null=True, blank=True, related_name="exports"
    )
    board = models.ForeignKey(Board, on_delete=models.CASCADE, null=True, blank=True, related_name="exports")
    query = models.CharField(
        max_length=500, blank=True, help_text="The page's filters, as the query string of the page."
    )
    label = models.CharField(max_length=200, help_text="What the export is, as people see it.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    file = models.FileField(upload_to=export_upload_to, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(
        null=True, blank=True, help_text="Rows to write (actions, or chronology entries)."
    )
    rows_done = models.PositiveIntegerField(default=0, help_text="Rows written so far.")

    class Meta(Job.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(review__isnull=False, board__isnull=True)
                | Q(review__isnull=True, board__isnull=False),
                name="export_of_a_review_or_a_board",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=("chronology", "chronology_xlsx", "chronology_pdf"))
                | Q(review__isnull=False),
                name="export_chronology_of_a_review",
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(file="") & Q(size__isnull=False)),
                name="export_ready_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_status_display().lower()})"

    @property
    def percent_done(self) -> int | None:
        return percent(self.rows_done, self.rows_total)

    @property
    def is_chronology(self) -> bool:
        return self.kind in (self.Kind.CHRONOLOGY, self.Kind.CHRONOLOGY_XLSX, self.Kind.CHRONOLOGY_PDF)

    @property
    def extension(self) -> str:
        return {self.Kind.CHRONOLOGY: "csv", self.Kind.CHRONOLOGY_PDF: "pdf"}.get(self.kind, "xlsx")

    @property
    def file_kind(self) -> str:
        """What the file is, as its page says ("CSV file")."""
        return {self.Kind.CHRONOLOGY: "CSV file", self.Kind.CHRONOLOGY_PDF: "PDF file"}.get(
            self.kind, "Excel file"
        )
