"""The records kept about records management itself: what was anonymised or deleted under a board's
retention period, and every subject-access export or name search. Both are audit records: written once,
never changed, and free of any link to the review they describe, so they outlive its deletion."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

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
    appears in free text), and who asked for it."""

    class Kind(models.TextChoices):
        ACCOUNT = "account", "Export of a user account's data"
        NAME = "name", "Search of free text for a name"

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
