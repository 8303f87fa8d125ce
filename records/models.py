"""The records kept about records management itself: what was anonymised or deleted under a board's
retention period, and every subject-access export or name search. Both are audit records: written once,
never changed, and free of any link to the review they describe, so they outlive its deletion.

Beside them, the work a worker does for a request (both take too long at national scale to be done inside
one): a business manager's confirmed decision waiting to be applied (DisposalRequest), and a subject-access
export being made for the administrator who asked (SubjectAccessExport), kept a day."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from documents.models import Export, Job, percent
from reviews.models import Board


class Channel(models.TextChoices):
    PORTAL = "portal", "In the portal"
    COMMAND = "command", "Management command"
    ADMIN = "admin", "Administration site"


class Disposal(models.Model):
    """A review anonymised or deleted because its board's retention period had run out: who confirmed it,
    when, and how many rows and files were removed. Holds the review's reference and id as plain values,
    never a foreign key, and nothing personal about the case."""

    class Kind(models.TextChoices):
        ANONYMISE = "anonymise", "Anonymised"
        DELETE = "delete", "Deleted"

    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="disposals")
    review_id = models.PositiveBigIntegerField(db_index=True)
    review_reference = models.CharField(max_length=40)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    review_ended_on = models.DateField("review ended on")
    retention_years = models.PositiveSmallIntegerField("retention period (years)")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    removed = models.JSONField(
        default=dict, help_text="Rows removed or emptied per kind of record, and files removed from storage."
    )
    signatures = models.JSONField(
        default=list,
        help_text="The chair's signatures on the board's response that were removed: version, date and "
        "SHA-256 digest, so a copy kept elsewhere can still be matched to what was signed.",
    )

    class Meta:
        ordering = ["-confirmed_at", "-pk"]
        indexes = [models.Index(fields=["board", "-confirmed_at"])]

    def __str__(self) -> str:
        return f"{self.review_reference} {self.get_kind_display().lower()} on {self.confirmed_at:%Y-%m-%d}"

    def save(self, *args, **kwargs) -> None:
        if self.pk:
            raise ValueError("A disposal record is written once and never changed.")
        super().save(*args, **kwargs)


class SubjectAccessRequest(models.Model):
    """One subject-access export (everything held about a user account) or name search (where a name
    appears in free text), and who asked for it. An export asked for in the administration site is made
    by a worker: it is recorded when it is asked for and again, with what was found and the file's
    SHA-256, when it is made."""

    class Kind(models.TextChoices):
        ACCOUNT = "account", "Export of a user account's data"
        NAME = "name", "Search of free text for a name"

    class Step(models.TextChoices):
        ASKED = "asked", "Asked for (made by the portal in the background)"
        DONE = "done", "Done"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject = models.CharField(
        max_length=300, help_text="The account's email address, or the name searched for."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_by_label = models.CharField(
        max_length=300, help_text="Who asked, as given on the command line or the signed-in administrator."
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    step = models.CharField(max_length=20, choices=Step.choices, default=Step.DONE)
    at = models.DateTimeField(default=timezone.now)
    found = models.JSONField(
        default=dict, help_text="How many rows or places were found, per kind of record."
    )
    sha256 = models.CharField("SHA-256 of the export", max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "subject access request"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject} ({self.at:%Y-%m-%d})"

    def save(self, *args, **kwargs) -> None:
        if self.pk:
            raise ValueError("A subject access record is written once and never changed.")
        super().save(*args, **kwargs)


# Work done by a worker -------------------------------------------------------------------------------


class DisposalRequest(Job):
    """A retention decision its board's business manager confirmed (anonymise or delete a review, with
    the names they added), waiting to be applied by a worker, being applied, done (with the Disposal it
    made) or failed (with the reason). At most one per review is on its way at a time. Like a Disposal it
    holds the review's id and reference as plain values, since deleting removes the review; the names
    given are emptied once the decision has been applied or has failed."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be applied"
        WORKING = "working", "Being applied"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    PENDING = (Status.QUEUED, Status.WORKING)

    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="disposal_requests")
    review_id = models.PositiveBigIntegerField(db_index=True)
    review_reference = models.CharField(max_length=40)
    kind = models.CharField(max_length=20, choices=Disposal.Kind.choices)
    other_names = models.JSONField(
        default=list, blank=True, help_text="Names to remove from kept text (anonymise only), until applied."
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    disposal = models.OneToOneField(
        Disposal, on_delete=models.PROTECT, null=True, blank=True, related_name="request"
    )

    class Meta(Job.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["review_id"],
                condition=Q(status__in=["queued", "working"]),
                name="one_disposal_on_its_way_per_review",
            ),
            models.CheckConstraint(
                condition=Q(status="done", disposal__isnull=False)
                | (~Q(status="done") & Q(disposal__isnull=True)),
                name="disposal_request_done_has_its_record",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.review_reference} ({self.get_status_display().lower()})"

    @property
    def decision_label(self) -> str:
        """What the business manager decided, in the words of the confirmation form."""
        return "Anonymise" if self.kind == Disposal.Kind.ANONYMISE else "Delete"


def subject_access_upload_to(instance: SubjectAccessExport, filename: str) -> str:
    return f"subject-access/{uuid.uuid4().hex}.zip"


class SubjectAccessExport(Job):
    """A subject-access export of a user account asked for by a superuser in the administration site:
    made by a worker (queued, being made with how many kinds of record it has looked through, ready with
    the zip and its SHA-256, or failed), downloaded by the superuser who asked only, removed a day after."""

    Status = Export.Status  # the states of the documents pipeline, with the same meaning
    PENDING = Export.PENDING

    # PROTECT: an account is not deleted while a copy of its data waits for download (a day at most).
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    file = models.FileField(upload_to=subject_access_upload_to, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField("SHA-256 of the export", max_length=64, blank=True)
    found = models.JSONField(default=dict, blank=True, help_text="Rows found per kind of record, once made.")
    steps_total = models.PositiveIntegerField(
        null=True, blank=True, help_text="Kinds of record to look through."
    )
    steps_done = models.PositiveIntegerField(default=0, help_text="Kinds of record looked through so far.")

    class Meta(Job.Meta):
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(file="") & Q(sha256__regex=r"^[0-9a-f]{64}$")),
                name="subject_access_export_ready_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"Subject access export {self.pk} ({self.get_status_display().lower()})"

    @property
    def percent_done(self) -> int | None:
        return percent(self.steps_done, self.steps_total)
