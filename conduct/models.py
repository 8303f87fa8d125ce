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


# Practitioners and the family (issue 20; SCIE Quality Markers 4, 11 and 12) ------------------------------
# Practitioner events and interviews hold nothing personal beyond role and agency: how many of each agency's
# practitioners were invited and came. The family record is restricted (conduct.people.permissions): a
# member's real name is kept only so that the report check can find it in a draft (people.selectors).


class PractitionerEvent(models.Model):
    """A learning event or an interview with practitioners: its purpose and date, the briefing before it,
    the support offered and the feedback after it. Who came is counted per agency (PractitionerAttendance)."""

    class Kind(models.TextChoices):
        EVENT = "event", "Learning event"
        INTERVIEW = "interview", "Interview"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="practitioner_events")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.EVENT)
    purpose = models.TextField("purpose")
    held_on = models.DateField("date")
    briefed_on = models.DateField("briefing given on", null=True, blank=True)
    support_offered = models.TextField("support offered to practitioners", blank=True)
    feedback = models.TextField("feedback after", blank=True)
    feedback_on = models.DateField("feedback given on", null=True, blank=True)
    briefing_reminded_on = models.DateField(null=True, blank=True)
    feedback_reminded_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["held_on", "pk"]
        indexes = [models.Index(fields=["review", "held_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(briefed_on__isnull=True) | Q(briefed_on__lte=F("held_on")),
                name="practitioner_briefing_before_event",
                violation_error_message="The briefing is given on or before the day of the event.",
            ),
            models.CheckConstraint(
                condition=Q(feedback_on__isnull=True) | Q(feedback_on__gte=F("held_on")),
                name="practitioner_feedback_after_event",
                violation_error_message="Feedback is given on or after the day of the event.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.held_on:%-d %B %Y}"


class PractitionerAttendance(models.Model):
    """How many practitioners of one agency were invited to an event, and how many came."""

    event = models.ForeignKey(PractitionerEvent, on_delete=models.CASCADE, related_name="attendance")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    invited = models.PositiveSmallIntegerField(default=0)
    attended = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "agency"], name="practitioner_attendance_once_per_agency"
            ),
            models.CheckConstraint(
                condition=Q(attended__lte=F("invited")),
                name="practitioner_attended_at_most_invited",
                violation_error_message="More practitioners cannot attend than were invited.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency}: {self.attended} of {self.invited}"


class FamilyMember(models.Model):
    """A member of the child's family and the review's work with them: how and when they were first told
    of the review (QM 4), the support offered, their consent, their influence on the focus, what they said
    of the draft, or why they are not involved (QM 12). Restricted: the business manager and the lead
    reviewer only."""

    class Told(models.TextChoices):
        LETTER = "letter", "Letter"
        VISIT = "visit", "Visit"
        PHONE = "phone", "Phone call"
        OTHER = "other", "Another way"

    class Consent(models.TextChoices):
        NOT_ASKED = "not_asked", "Not asked yet"
        GIVEN = "given", "Agreed to take part"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrew"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="family_members")
    real_name = models.CharField("real name", max_length=120)
    pseudonym = models.CharField("pseudonym in the report", max_length=60)
    child = models.ForeignKey(
        "reviews.Child", on_delete=models.SET_NULL, null=True, blank=True, related_name="family_members"
    )
    relationship = models.CharField("relationship to the child", max_length=80)
    told_on = models.DateField("first told of the review on", null=True, blank=True)
    told_by = models.CharField("told by", max_length=120, blank=True)
    told_how = models.CharField("told by way of", max_length=10, choices=Told.choices, blank=True)
    support_offered = models.TextField("support offered", blank=True)
    consent = models.CharField(max_length=10, choices=Consent.choices, default=Consent.NOT_ASKED)
    influence = models.TextField("their influence on the focus", blank=True)
    saw_draft_on = models.DateField("saw the draft on", null=True, blank=True)
    draft_comments = models.TextField("what they said of the draft", blank=True)
    not_involved_reason = models.TextField("why they are not involved", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pseudonym", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "pseudonym"], name="family_pseudonym_once_per_review")
        ]

    def __str__(self) -> str:
        return self.pseudonym

    def told_before_commissioning(self) -> bool | None:
        """Whether they were told before the review was commissioned (the day it started): None while they
        have not been told; told while the review has not started yet is told before it."""
        started = self.review.started_on
        if self.told_on is None:
            return None
        return started is None or self.told_on < started


class FamilyContact(models.Model):
    """One contact with (or attempt to reach) a family member: when, how, what came of it and, for a
    meeting, the views they gave."""

    class Method(models.TextChoices):
        LETTER = "letter", "Letter"
        PHONE = "phone", "Phone call"
        VISIT = "visit", "Visit"
        EMAIL = "email", "Email"
        MEETING = "meeting", "Meeting"

    class Outcome(models.TextChoices):
        NO_REPLY = "no_reply", "No reply"
        SPOKE = "spoke", "Spoke with them"
        MET = "met", "Met them"
        DECLINED = "declined", "They declined"

    member = models.ForeignKey(FamilyMember, on_delete=models.CASCADE, related_name="contacts")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    contacted_on = models.DateField("date")
    method = models.CharField(max_length=10, choices=Method.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    views = models.TextField("the views they gave", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["contacted_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} on {self.contacted_on:%-d %B %Y}"


# Plan and governance (SCIE Quality Markers 7, 8 and 9) ----------------------------------------------------
# The review's plan (milestones with owners and dates, each delay with its reason), the governance set at
# the start (who quality-assures, how the report is signed off, the lead reviewer's independence) and the log
# of challenges and impasses. Written through conduct.plan.services.


class Milestone(models.Model):
    """One step of the review's plan: what, who owns it, by when and when it was done. `planned_on` keeps
    the first date, so a milestone moved later shows how far it slipped; each move is a MilestoneDelay."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField("milestone", max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="milestones_owned",
        help_text="A person on the review who sees that it is done.",
    )
    planned_on = models.DateField("first planned for")
    due_on = models.DateField("due on")
    done_on = models.DateField("done on", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["review", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=F("planned_on")),
                name="milestone_never_moved_earlier_than_planned",
                violation_error_message="A milestone cannot be due before the date first planned.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.review})"

    def is_overdue(self, today: date | None = None) -> bool:
        return self.done_on is None and self.due_on < (today or timezone.localdate())

    def status_shown(self, today: date | None = None) -> tuple[str, str]:
        """(label, tag class) of where the milestone stands against its plan."""
        if self.done_on:
            if self.done_on > self.due_on:
                return "Done late", "govuk-tag--yellow"
            return "Done", "govuk-tag--green"
        if self.is_overdue(today):
            return "Overdue", "govuk-tag--red"
        if self.due_on > self.planned_on:
            return "Moved", "govuk-tag--yellow"
        return "Planned", "govuk-tag--grey"


class MilestoneDelay(models.Model):
    """A milestone moved later (or overdue and given a new date), with the reason the lead board was told."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="delays")
    was_due_on = models.DateField("was due on")
    now_due_on = models.DateField("now due on")
    reason = models.TextField("reason for the delay")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(now_due_on__gt=F("was_due_on")),
                name="milestone_delay_moves_later",
                violation_error_message="A delay moves the milestone to a later date.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.milestone.name}: {self.was_due_on} to {self.now_due_on}"


class Governance(models.Model):
    """The governance the lead board set at the start: who quality-assures the review and how, and how the
    final report is signed off."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="governance")
    quality_assured_by = models.CharField(
        "who quality-assures the review",
        max_length=300,
        help_text="For example, a review panel named by the board, with its members' roles.",
    )
    quality_assurance = models.TextField("how the review is quality-assured")
    sign_off = models.TextField("how the final report is signed off")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Governance of {self.review}"


class IndependenceDeclaration(models.Model):
    """The lead reviewer's own declaration for the review: no line management of, or involvement with, the
    case or its agencies; or the interests they have and how they are managed. One per reviewer, changed
    in place (its history keeps each version)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="independence_declarations")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    independent = models.BooleanField("no line management of, or involvement with, the case or its agencies")
    interests = models.TextField("interests declared", blank=True)
    managed_how = models.TextField("how the interests are managed", blank=True)
    declared_on = models.DateField("declared on")
    history = HistoricalRecords()

    class Meta:
        ordering = ["declared_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "reviewer"], name="independence_declared_once"),
            models.CheckConstraint(
                condition=Q(independent=True) | (~Q(interests="") & ~Q(managed_how="")),
                name="independence_interests_managed",
                violation_error_message="Declare the interests and how they are managed.",
            ),
        ]

    def __str__(self) -> str:
        return f"Independence of {self.reviewer} on {self.review}"


class Challenge(models.Model):
    """A challenge or an impasse in the review: who raised what, and how it was resolved, whether it went to
    the lead board's chair (or partners) to resolve."""

    class Kind(models.TextChoices):
        CHALLENGE = "challenge", "Challenge"
        IMPASSE = "impasse", "Impasse"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="challenges")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CHALLENGE)
    issue = models.TextField("the issue")
    raised_by = models.CharField("raised by", max_length=200, help_text="A role and agency, not a name.")
    raised_on = models.DateField("raised on")
    escalated = models.BooleanField("taken to the chair or partners", default=False)
    resolution = models.TextField("how it was resolved", blank=True)
    resolved_on = models.DateField("resolved on", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["raised_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("raised_on")),
                name="challenge_resolved_after_raised",
                violation_error_message="A challenge cannot be resolved before it was raised.",
            ),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True, resolution="")
                | (Q(resolved_on__isnull=False) & ~Q(resolution="")),
                name="challenge_resolution_dated",
                violation_error_message="A resolution needs its date, and a date its resolution.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} raised on {self.raised_on} ({self.review})"
