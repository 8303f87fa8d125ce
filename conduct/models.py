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


# ---------------------------------------------------------------------------------------------------------
# Analysis (SCIE Quality Marker 13): the lead reviewer's lines of enquiry and key practice episodes, each
# episode tied to the chronology entries it rests on. (Section of the `inquiry` work: conduct/inquiry/.)
# ---------------------------------------------------------------------------------------------------------


class EnquiryLine(models.Model):
    """A line of enquiry the lead reviewer pursues in the analysis: the question, and why the review asks
    it. (The terms of reference's key lines of enquiry, commissioning.LineOfEnquiry, are the board's
    questions, fixed at commissioning; these are the reviewer's working lines, which may take those up,
    split them or add to them as the information arrives.)"""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="enquiry_lines")
    question = models.TextField("the question")
    why = models.TextField("why the review asks it")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "line of enquiry"
        verbose_name_plural = "lines of enquiry"

    def __str__(self) -> str:
        return self.question[:80]


class PracticeEpisode(models.Model):
    """A key practice episode: a period of the case in which practice mattered, what happened in it, and
    the analysis of why practice was as it was; cited to the merged chronology's entries (evidence) and
    to the lines of enquiry it helps answer."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="practice_episodes")
    title = models.CharField("title", max_length=200)
    starts_on = models.DateField("start of the period")
    ends_on = models.DateField("end of the period")
    summary = models.TextField("what happened")
    analysis = models.TextField("why practice was as it was")
    entries = models.ManyToManyField(ChronologyEntry, related_name="episodes", blank=True)
    lines = models.ManyToManyField(EnquiryLine, related_name="episodes", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[entries, lines])

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="practice_episode_ends_after_it_starts",
                violation_error_message="An episode cannot end before it starts.",
            )
        ]

    def __str__(self) -> str:
        return self.title
