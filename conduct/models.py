"""Running the review (issue 20): what the portal keeps between "Start the review" and the final report.
This first part is the information from agencies (SCIE Quality Marker 10): the business manager asks an
agency for a chronology, a report or records, why, by when and written by whom; the named agency author
submits; the business manager accepts the submission or sends it back; the lead reviewer reads every
agency's chronology merged in date order."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from reviews.models import Agency, Review


def report_upload_to(instance: InformationRequest, filename: str) -> str:
    """Stored under a generated name: the person's file name is kept only as data, never as a path."""
    suffix = PurePath(filename).suffix.lower()[:6]
    return f"agency-reports/{uuid.uuid4().hex}{suffix}"


class InformationRequest(models.Model):
    """The lead board's request to one agency for information, and the agency's submission to it: the
    chronology entries below it and an uploaded document. Submitting locks the submission; the business
    manager accepts it or sends it back with a reason, which unlocks it."""

    class Status(models.TextChoices):
        ASKED = "asked", "Asked"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Sent back"
        ACCEPTED = "accepted", "Accepted"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="information_requests")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="information_requests")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="information_requests_authored",
        help_text="The person of the agency who writes its submission (an agency author).",
    )
    wants_chronology = models.BooleanField("a chronology", default=False)
    wants_report = models.BooleanField("an agency report", default=False)
    wants_records = models.BooleanField("records", default=False)
    reason = models.TextField("why the information is needed")
    due_on = models.DateField("due on")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_on = models.DateField(default=timezone.localdate)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ASKED)
    submitted_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    return_reason = models.TextField("why it was sent back", blank=True)
    report = models.FileField("agency report or records", upload_to=report_upload_to, blank=True)
    report_name = models.CharField("file name", max_length=200, blank=True)
    report_size = models.PositiveBigIntegerField(null=True, blank=True)
    reminded_on = models.DateField("author reminded on", null=True, blank=True)
    escalated_on = models.DateField("escalated to the board on", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "agency__name", "pk"]
        indexes = [models.Index(fields=["review", "status"]), models.Index(fields=["author", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(wants_chronology=True) | Q(wants_report=True) | Q(wants_records=True),
                name="information_request_asks_for_something",
                violation_error_message="Choose what the agency is asked for.",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("asked_on")),
                name="information_request_due_after_asked",
                violation_error_message="Information cannot be due before it was asked for.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} for {self.review}"

    @property
    def asked_for(self) -> list[str]:
        """What the agency is asked for, in words."""
        fields = ("wants_chronology", "wants_report", "wants_records")
        return [str(self._meta.get_field(f).verbose_name) for f in fields if getattr(self, f)]

    @property
    def is_open_to_author(self) -> bool:
        """The author may change the submission: not yet submitted, or sent back."""
        return self.status in (self.Status.ASKED, self.Status.RETURNED)

    def is_overdue(self, today: date | None = None) -> bool:
        return self.is_open_to_author and self.due_on < (today or timezone.localdate())

    def status_shown(self, today: date | None = None) -> tuple[str, str]:
        """(label, tag class) of the request's status as lists show it: an awaited one past its date is
        overdue."""
        if self.is_overdue(today):
            return "Overdue", "govuk-tag--red"
        return {
            self.Status.ASKED: ("Asked", "govuk-tag--grey"),
            self.Status.RETURNED: ("Sent back", "govuk-tag--yellow"),
            self.Status.SUBMITTED: ("Submitted", "govuk-tag--blue"),
            self.Status.ACCEPTED: ("Accepted", "govuk-tag--green"),
        }[self.status]


class ChronologyEntry(models.Model):
    """One event in an agency's chronology: when, what happened, where it is recorded and how significant
    the agency thinks it is. The review and agency are the request's, kept on the row so that the merged
    chronology of every agency is read in date order by index."""

    class Significance(models.TextChoices):
        ROUTINE = "routine", "Routine"
        CONCERN = "concern", "Concern"
        KEY = "key", "Key event"

    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="entries")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="chronology_entries")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField("date")
    occurred_at = models.TimeField("time", null=True, blank=True)
    event = models.TextField("what happened")
    source = models.CharField("source", max_length=200, help_text="Where it is recorded.")
    significance = models.CharField(max_length=10, choices=Significance.choices, default=Significance.ROUTINE)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["occurred_on", "occurred_at", "pk"]
        verbose_name_plural = "chronology entries"
        indexes = [models.Index(fields=["review", "occurred_on", "agency"])]

    def __str__(self) -> str:
        return f"{self.agency} on {self.occurred_on:%-d %B %Y}"


# The report (issue 20, SCIE Quality Marker 14) ----------------------------------------------------------
# The lead reviewer's drafts, each agency's check of a draft's factual accuracy, the panel's quality
# assurance, what the family said of it, and the acceptance that makes one draft the final report.


def draft_upload_to(instance: ReportDraft, filename: str) -> str:
    """Stored under a generated name: the person's file name is kept only as data, never as a path."""
    suffix = PurePath(filename).suffix.lower()[:6]
    return f"report-drafts/{uuid.uuid4().hex}{suffix}"


class ReportDraft(models.Model):
    """One version of the lead reviewer's report. Versions count up from 1 per review; accepting one makes
    it the review's final report (a copy in `Review.final_report`, through the lifecycle's step)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="report_drafts")
    version = models.PositiveSmallIntegerField()
    file = models.FileField("draft", upload_to=draft_upload_to)
    file_name = models.CharField("file name", max_length=200)
    file_size = models.PositiveBigIntegerField()
    notes = models.TextField("what changed in this version", blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["review", "version"], name="report_draft_version_once"),
            models.UniqueConstraint(
                fields=["review"],
                condition=Q(accepted_at__isnull=False),
                name="report_draft_one_accepted",
                violation_error_message="A review has one accepted final report.",
            ),
        ]

    def __str__(self) -> str:
        return f"Draft {self.version} of {self.review}"


class AccuracyCheck(models.Model):
    """A draft sent to one agency to check its facts, by a date; the agency's reply: comments, or none."""

    draft = models.ForeignKey(ReportDraft, on_delete=models.CASCADE, related_name="accuracy_checks")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField("replies due on")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_on = models.DateField(default=timezone.localdate)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    no_comments = models.BooleanField("the agency has no comments", default=False)
    reminded_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["draft", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["draft", "agency"], name="accuracy_check_once_per_agency"),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("asked_on")),
                name="accuracy_check_due_after_asked",
                violation_error_message="Replies cannot be due before they were asked for.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} on {self.draft}"

    @property
    def replied(self) -> bool:
        return self.replied_at is not None


class AccuracyComment(models.Model):
    """One comment of an agency on a section or page of the draft, and how the lead reviewer dealt with it."""

    check_request = models.ForeignKey(AccuracyCheck, on_delete=models.CASCADE, related_name="comments")
    where = models.CharField("section or page", max_length=100)
    comment = models.TextField("comment")
    response = models.TextField("how it was dealt with", blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["check_request", "pk"]

    def __str__(self) -> str:
        return f"{self.check_request.agency} on {self.where}"


class DraftAssurance(models.Model):
    """The panel's quality assurance of a draft: who assured it, when, the outcome and their comments."""

    class Outcome(models.TextChoices):
        ASSURED = "assured", "Assured: ready to accept"
        CHANGES = "changes", "Changes needed"

    draft = models.ForeignKey(ReportDraft, on_delete=models.CASCADE, related_name="assurances")
    assured_by = models.CharField("who quality-assured it", max_length=200)
    assured_on = models.DateField("date")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    comments = models.TextField("comments", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["draft", "assured_on", "pk"]

    def __str__(self) -> str:
        return f"Quality assurance of {self.draft}"


class DraftFamilyFeedback(models.Model):
    """A short record that the family saw a draft, on a date, and what they said."""

    draft = models.ForeignKey(ReportDraft, on_delete=models.CASCADE, related_name="family_feedback")
    seen_on = models.DateField("date the family saw the draft")
    said = models.TextField("what the family said")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["draft", "seen_on", "pk"]
        verbose_name_plural = "draft family feedback"

    def __str__(self) -> str:
        return f"Family feedback on {self.draft}"
