"""The board's response to a review (SCIE Quality Marker 15) and the follow-through after it.

- The report's findings, each recorded on its own, with the board's position on each.
- The board's business plan (periods and priorities) and its learning and improvement framework (learning
  from other sources), both per board and tagged by theme, so the related learning sits beside a finding.
- Meetings at which the board discussed the review: kind, date, time given, who attended for which agency,
  and per finding what was discussed and challenged.
- Actions linked to findings, prioritised and tied to the business plan, owned by an agency and a named
  person, with dated progress updates and evidence files.
- The engagement plan: activities by audience.
- The board's written response: numbered versions; the chair signs one, and a signed version never
  changes (checked in `save`, and by a database trigger for anything that bypasses the model).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from reviews.models import Agency, Board, Review, StatutoryPartner


class Theme(models.Model):
    """A subject learning is filed under (neglect, information sharing, escalation…). Shared reference data,
    kept by administrators; findings, plan priorities and learning items carry themes so they can be
    brought together."""

    name = models.CharField(max_length=80, unique=True)
    description = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Business plan and learning and improvement framework ------------------------------------------------


class PlanPeriod(models.Model):
    """A period of a board's business plan, for example "Business plan 2026 to 2028"."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="plan_periods")
    title = models.CharField(max_length=150)
    starts_on = models.DateField("starts on")
    ends_on = models.DateField("ends on")
    history = HistoricalRecords()

    class Meta:
        ordering = ["board", "-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["board", "title"], name="plan_period_title_once_per_board"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")),
                name="plan_period_ends_after_start",
                violation_error_message="The period must end after it starts.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_current(self, on: date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.starts_on <= on <= self.ends_on


class PlanPriorityQuerySet(models.QuerySet):
    def choices_for(self, board: Board, *, keep=None, today: date | None = None) -> PlanPriorityQuerySet:
        """The priorities of the board's current and future plan periods, in the order of the plan (periods
        by start date, then priority number), with their period: the choices for an action's "business plan
        priority", the same for the plan's pages and the action's form. `keep` (the action's present
        priority, or its id) stays a choice even when its period has ended, so an older action can still be
        saved unchanged. Each choice reads as its `choice_label`."""
        today = today or timezone.localdate()
        wanted = Q(period__ends_on__gte=today)
        if keep is not None:
            wanted |= Q(pk=getattr(keep, "pk", keep))
        return (
            self.filter(wanted, period__board=board)
            .select_related("period")
            .order_by("period__starts_on", "period__title", "number")
        )


class PlanPriority(models.Model):
    """One priority of a plan period, which actions can be linked to."""

    period = models.ForeignKey(PlanPeriod, on_delete=models.CASCADE, related_name="priorities")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(99)])
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="plan_priorities")
    history = HistoricalRecords(m2m_fields=[themes])

    objects = PlanPriorityQuerySet.as_manager()

    class Meta:
        ordering = ["period", "number"]
        verbose_name_plural = "plan priorities"
        constraints = [
            models.UniqueConstraint(fields=["period", "number"], name="plan_priority_number_once_per_period")
        ]

    def __str__(self) -> str:
        return f"Priority {self.number}: {self.title}"

    @property
    def choice_label(self) -> str:
        """How the priority reads in a select or an export: "Period title – Priority N: title"."""
        return self.label_of(self.period.title, self.number, self.title)

    @staticmethod
    def label_of(period_title: str, number: int, title: str) -> str:
        """`choice_label` from the three values, for rows read without the model (an export)."""
        return f"{period_title} – Priority {number}: {title}"


class LearningItem(models.Model):
    """Learning the board already holds from another source: another review, an audit, an inspection, a
    national review. Part of the board's learning and improvement framework."""

    class Source(models.TextChoices):
        LOCAL_REVIEW = "local_review", "Another local review"
        AUDIT = "audit", "Multi-agency or single-agency audit"
        INSPECTION = "inspection", "Inspection"
        NATIONAL_REVIEW = "national_review", "National review or research"
        PERFORMANCE = "performance", "Performance information"
        OTHER = "other", "Other source"

    class Status(models.TextChoices):
        OPEN = "open", "Being acted on"
        EMBEDDED = "embedded", "Embedded in practice"
        MONITORING = "monitoring", "Being monitored"

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="learning_items")
    title = models.CharField(max_length=200)
    source = models.CharField(max_length=20, choices=Source.choices)
    source_reference = models.CharField(
        "source", max_length=200, blank=True, help_text='For example "Multi-agency audit of neglect, 2025".'
    )
    summary = models.TextField("what was learned")
    learned_on = models.DateField("date of the learning")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    themes = models.ManyToManyField(Theme, related_name="learning_items")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[themes])

    class Meta:
        ordering = ["board", "-learned_on", "title"]
        indexes = [models.Index(fields=["board", "-learned_on"])]

    def __str__(self) -> str:
        return self.title


# Findings and discussion -----------------------------------------------------------------------------


class Position(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    ACCEPTED_IN_PART = "accepted_in_part", "Accepted in part"
    NOT_ACCEPTED = "not_accepted", "Not accepted"


class Finding(models.Model):
    """One finding of the final report, and the board's position on it once discussed."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="findings")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(999)])
    title = models.CharField(max_length=200, help_text="A short name for the finding.")
    text = models.TextField("the finding", help_text="What the report found, as the report puts it.")
    themes = models.ManyToManyField(Theme, blank=True, related_name="findings")
    position = models.CharField("the board's position", max_length=20, choices=Position.choices, blank=True)
    position_reason = models.TextField("why", blank=True)
    position_meeting = models.ForeignKey(
        "Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="meeting at which the position was agreed",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[themes])

    class Meta:
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="finding_number_once_per_review"),
            models.CheckConstraint(
                condition=Q(position="") | ~Q(position_reason=""),
                name="finding_position_has_reason",
                violation_error_message="Say why the board took this position.",
            ),
            models.CheckConstraint(
                condition=Q(position__in=["", *Position.values]), name="finding_position_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Finding {self.number}: {self.title}"


class Meeting(models.Model):
    """A meeting at which the board or partnership (or a sub-group) discussed the review."""

    class Kind(models.TextChoices):
        ORDINARY = "ordinary", "Ordinary meeting"
        EXTRAORDINARY = "extraordinary", "Extraordinary meeting"
        SUB_GROUP = "sub_group", "Sub-group meeting"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    held_on = models.DateField("date of the meeting")
    minutes_given = models.PositiveSmallIntegerField(
        "time given to the review (minutes)",
        validators=[MinValueValidator(1), MaxValueValidator(1440)],
        help_text="How long the meeting spent on this review.",
    )
    chaired_by = models.CharField(max_length=150, blank=True)
    summary = models.TextField("summary of the discussion", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "held_on", "pk"]
        indexes = [models.Index(fields=["review", "held_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.held_on:%-d %B %Y}"


class Attendance(models.Model):
    """Who attended a meeting for one agency."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    attendees = models.CharField(
        max_length=300, help_text="Names and roles, for example “Sam Patel, Head of Safeguarding”."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "agency"], name="attendance_once_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.agency}: {self.attendees}"


class FindingDiscussion(models.Model):
    """What a meeting said about one finding: the discussion, and the challenge made."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="discussions")
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="discussions")
    discussion = models.TextField("what was discussed")
    challenge = models.TextField(
        "challenge made",
        blank=True,
        help_text="Questions put to agencies, disagreements, and how they were resolved.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting__held_on", "finding__number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "finding"], name="discussion_once_per_meeting_finding")
        ]

    def __str__(self) -> str:
        return f"{self.finding} at {self.meeting}"


# Actions ---------------------------------------------------------------------------------------------


class ActionStatus(models.TextChoices):
    """An action's statuses; how they follow each other is declared in `responses/actions/workflow.py`."""

    AGREED = "agreed", "Agreed"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    IMPACT_EVIDENCED = "impact_evidenced", "Impact evidenced"
    DEFERRED = "deferred", "Deferred"


class Action(models.Model):
    """An action the board agreed in response to the review."""

    DUE_SOON_DAYS = 14

    class Kind(models.TextChoices):
        STRATEGIC = "strategic", "Strategic"
        IMMEDIATE = "immediate", "Immediate"
        PRACTICAL = "practical", "Practical"

    class Function(models.TextChoices):
        COORDINATE = "coordinate", "Co-ordinate what is done to safeguard children"
        MONITOR = "monitor", "Monitor and challenge the work of agencies"

    class Level(models.TextChoices):
        SINGLE_AGENCY = "single_agency", "Single agency"
        MULTI_AGENCY = "multi_agency", "Multi-agency"
        NATIONAL = "national", "National"

    class Priority(models.IntegerChoices):
        HIGH = 1, "High"
        MEDIUM = 2, "Medium"
        LOW = 3, "Low"

    Status = ActionStatus

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveSmallIntegerField()
    findings = models.ManyToManyField(Finding, related_name="actions")
    description = models.TextField("what will be done")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    function = models.CharField("board function", max_length=20, choices=Function.choices)
    level = models.CharField(max_length=20, choices=Level.choices)
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="actions")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_actions",
        verbose_name="named owner",
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    priority_reason = models.TextField("why this priority")
    plan_priority = models.ForeignKey(
        PlanPriority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name="business plan priority",
    )
    due_on = models.DateField("due date")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AGREED, db_index=True)
    deferred_reason = models.TextField("why it is deferred", blank=True)
    deferred_until = models.DateField("review the deferral on", null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept by the services (responses.actions.services.export_columns_refresh) in the transaction that changes
    # them, for exports, which read a board's thousands of actions at once: the findings as an export writes
    # them ("1. title; 2. title": finding titles are kept by retention, so this holds nothing retention would
    # clear), and the latest progress update, with its date and text (retention clears this copy of the text
    # with the update's own: records.policy).
    findings_label = models.TextField("findings, as exports write them", blank=True, editable=False)
    latest_update = models.ForeignKey(
        "ActionUpdate", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    latest_progress_on = models.DateField("latest progress on", null=True, blank=True, editable=False)
    latest_progress = models.TextField("latest progress", blank=True, editable=False)
    history = HistoricalRecords(
        m2m_fields=[findings],
        excluded_fields=["findings_label", "latest_update", "latest_progress_on", "latest_progress"],
    )

    class Meta:
        ordering = ["review", "priority", "due_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="action_number_once_per_review"),
            models.CheckConstraint(condition=Q(status__in=ActionStatus.values), name="action_status_valid"),
            models.CheckConstraint(condition=Q(priority__in=[1, 2, 3]), name="action_priority_valid"),
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.DEFERRED)
                | (~Q(deferred_reason="") & Q(deferred_until__isnull=False)),
                name="action_deferral_has_reason_and_date",
                violation_error_message="A deferred action needs the reason and the date to look at it again.",
            ),
            models.CheckConstraint(
                # The workflow's done statuses (tests/responses/test_action_workflow.py checks they agree).
                condition=~Q(status__in=[ActionStatus.COMPLETED, ActionStatus.IMPACT_EVIDENCED])
                | Q(completed_on__isnull=False),
                name="action_completion_dated",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            # Open actions of a review by due date: overdue and due-soon counts per board read only these.
            # The workflow's open statuses (tests/responses/test_action_workflow.py checks they agree).
            models.Index(
                fields=["review", "due_on"],
                condition=Q(status__in=[ActionStatus.AGREED, ActionStatus.IN_PROGRESS]),
                name="action_open_by_review_due",
            ),
            models.Index(fields=["owner_agency", "status"]),
            models.Index(fields=["owner", "status"]),
            # A plan's display order (priority, then due date): a page of a board's plan is read from the
            # front of this index, without sorting the board's thousands of actions.
            models.Index(fields=["priority", "due_on", "review", "number"], name="action_plan_order"),
            # The same order among actions not yet done (open or deferred): a plan filtered to what is red or
            # overdue reads no completed action on its way. (The workflow's statuses: tests check they agree.)
            models.Index(
                fields=["priority", "due_on", "review", "number"],
                condition=Q(
                    status__in=[ActionStatus.AGREED, ActionStatus.IN_PROGRESS, ActionStatus.DEFERRED]
                ),
                name="action_undone_plan_order",
            ),
            # A plan's actions by review with every column its counts read (`selectors.plan_groups`: status,
            # owner, agency, priority and the dates of its colours): the board's 9,000 actions are counted
            # from the index alone, without visiting the table.
            models.Index(
                fields=["review"],
                include=["status", "owner", "owner_agency", "priority", "due_on", "deferred_until"],
                name="action_plan_groups",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review} action {self.number}"


class Rag(models.TextChoices):
    """How an action stands at a glance (the rule is `responses/actions/workflow.rag_for`). The key on every
    action page explains each colour in words."""

    RED = "red", "Red: overdue"
    AMBER = "amber", "Amber: due within 14 days"
    GREEN = "green", "Green: on track or done"
    GREY = "grey", "Grey: deferred"


class ActionUpdate(models.Model):
    """A dated progress note from the action's owner (or their agency), possibly moving its status on."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on = models.DateField("date of the progress")
    text = models.TextField("progress")
    status_from = models.CharField(max_length=20, choices=Action.Status.choices, blank=True)
    status_to = models.CharField(max_length=20, choices=Action.Status.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "-on", "-pk"]
        indexes = [models.Index(fields=["action", "-on"])]

    def __str__(self) -> str:
        return f"Update to {self.action} on {self.on:%-d %B %Y}"


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    """Stored under a generated name: the person's file name is kept only as data, never as a path."""
    suffix = PurePath(filename).suffix.lower()[:6]
    return f"evidence/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A file evidencing progress or impact, attached to a progress update."""

    update = models.ForeignKey(ActionUpdate, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_upload_to)
    name = models.CharField("file name", max_length=200)
    size = models.PositiveBigIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["update", "pk"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.name


# Engagement ------------------------------------------------------------------------------------------


class EngagementActivity(models.Model):
    """One activity of the engagement plan: sharing the learning with an audience."""

    class Audience(models.TextChoices):
        FRONTLINE = "frontline", "Frontline practitioners"
        MANAGERS = "managers", "Managers and supervisors"
        STRATEGIC = "strategic", "Strategic leaders"
        OTHER = "other", "Others (for example families, the public, schools)"

    class Method(models.TextChoices):
        BRIEFING = "briefing", "Briefing (for example a seven-minute briefing)"
        WORKSHOP = "workshop", "Workshop or learning event"
        TRAINING = "training", "Training"
        SUPERVISION = "supervision", "Through supervision"
        CONFERENCE = "conference", "Conference"
        NEWSLETTER = "newsletter", "Newsletter or bulletin"
        MEETING = "meeting", "Meeting or forum"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="engagement_activities")
    audience = models.CharField(max_length=20, choices=Audience.choices)
    audience_detail = models.CharField(
        "who exactly",
        max_length=200,
        blank=True,
        help_text="For example “health visitors in the north locality”.",
    )
    description = models.CharField("the activity", max_length=300)
    method = models.CharField(max_length=20, choices=Method.choices)
    planned_on = models.DateField("date")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    reached = models.PositiveIntegerField(
        "people reached", null=True, blank=True, validators=[MaxValueValidator(1_000_000)]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "planned_on", "pk"]
        verbose_name_plural = "engagement activities"

    def __str__(self) -> str:
        return self.description


# The board's written response ------------------------------------------------------------------------


class SignedVersionError(ValidationError):
    """Raised on any attempt to change or delete a signed version of the response."""


class ResponseVersion(models.Model):
    """One version of the board's (or partners') written response. `content` is the whole document as text,
    assembled from findings, positions, actions and monitoring arrangements plus the business manager's own
    text. A version is final ("signed") once `signed_at`, `signed_by` and `digest` are set: the time, the
    signer and the SHA-256 digest of `content` encoded as UTF-8 (exactly the bytes of the downloaded copy).
    Once final, the row never changes.

    Under an LSCB the chair's one signature makes it final. Under a safeguarding partnership each statutory
    partner signs (`PartnerSignature`), and the version becomes final when the third different partner signs
    the same digest: `signed_by` is then that last partner's signer, `signed_at` the time of that third
    signature and `digest` the digest all three signed. Everything that reads "signed" reads these fields."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="response_versions")
    number = models.PositiveIntegerField()
    introduction = models.TextField(
        "introduction",
        blank=True,
        help_text="The board's opening words: what the review was and how the board responded.",
    )
    monitoring = models.TextField(
        "monitoring arrangements",
        blank=True,
        help_text="How the board will follow the actions through and know their impact.",
    )
    closing = models.TextField("anything else", blank=True)
    content = models.TextField()
    revision = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    digest = models.CharField("SHA-256 digest", max_length=64, blank=True)
    history = HistoricalRecords(excluded_fields=["content"])

    class Meta:
        ordering = ["review", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="response_version_number_unique"),
            models.UniqueConstraint(
                fields=["review"], condition=Q(signed_at__isnull=True), name="response_one_draft_per_review"
            ),
            models.CheckConstraint(
                condition=(Q(signed_at__isnull=True) & Q(signed_by__isnull=True) & Q(digest=""))
                | (
                    Q(signed_at__isnull=False)
                    & Q(signed_by__isnull=False)
                    & Q(digest__regex=r"^[0-9a-f]{64}$")
                ),
                name="response_signature_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review} response v{self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk and ResponseVersion.objects.filter(pk=self.pk, signed_at__isnull=False).exists():
            raise SignedVersionError(
                f"Version {self.number} of the response is signed and can never change. "
                "Make a new version and ask the chair to sign it."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk and ResponseVersion.objects.filter(pk=self.pk, signed_at__isnull=False).exists():
            raise SignedVersionError(
                f"Version {self.number} of the response is signed and cannot be deleted."
            )
        return super().delete(*args, **kwargs)

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    def content_digest(self) -> str:
        return digest_of(self.content.encode("utf-8"))

    def verifies(self) -> bool:
        """The stored content still hashes to the signed digest."""
        return self.is_signed and self.content_digest() == self.digest


class PartnerSignatureQuerySet(models.QuerySet):
    def on(self, digest: str) -> PartnerSignatureQuerySet:
        """The signatures made on the text with this digest (the only ones that count for it)."""
        return self.filter(digest=digest)


class PartnerSignature(models.Model):
    """One statutory partner's signature on a version of the partners' written response: who signed (the
    lead or delegated safeguarding partner), for which statutory partner and organisation, when, and the
    digest of exactly the text they signed. A signature counts only for that digest: when a draft's text
    changes, the signatures on the earlier text stay recorded ("signed an earlier text") and the changed
    text needs three new ones. A partner signs a given text once, whoever of its lead or delegate signs.
    A signature never changes (checked in `save`, and by a database trigger) and is never deleted."""

    version = models.ForeignKey(ResponseVersion, on_delete=models.PROTECT, related_name="partner_signatures")
    partner = models.CharField("statutory partner", max_length=20, choices=StatutoryPartner.choices)
    organisation = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    digest = models.CharField("SHA-256 digest of the signed text", max_length=64)
    signed_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    objects = PartnerSignatureQuerySet.as_manager()

    class Meta:
        ordering = ["version", "signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "partner", "digest"], name="partner_signs_a_text_once"
            ),
            models.CheckConstraint(
                condition=Q(digest__regex=r"^[0-9a-f]{64}$"), name="partner_signature_has_digest"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.get_partner_display()} ({self.organisation})"

    def save(self, *args, **kwargs) -> None:
        if self.pk and PartnerSignature.objects.filter(pk=self.pk).exists():
            raise SignedVersionError("A partner's signature can never change.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise SignedVersionError("A partner's signature cannot be deleted.")


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
