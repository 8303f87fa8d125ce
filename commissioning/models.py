"""Commissioning a review (SCIE Quality Marker 6): the factors weighed, the scope decided, the rationale for
proportionality, board members' input, the lead reviewer's influence, and the versioned terms of reference.

Each piece belongs to one review; everything is scoped through the review's visibility."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from reviews.models import Agency, Board, Review


class FactorKind(models.TextChoices):
    CASE = "case", "Case factor"
    CONTEXT = "context", "Context factor"


class Factor(models.Model):
    """A factor the board weighs when deciding scope. The marker's ten are reference data (with a key);
    a board may add its own for one review."""

    key = models.SlugField(max_length=40, unique=True, null=True, blank=True)
    kind = models.CharField(max_length=10, choices=FactorKind.choices)
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True, help_text="What to consider, in plain words.")
    order = models.PositiveSmallIntegerField(default=100)
    review = models.ForeignKey(
        Review,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="custom_factors",
        help_text="Set for a factor the board added for one review only.",
    )

    class Meta:
        ordering = ["kind", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(key__isnull=False, review__isnull=True)
                | Q(key__isnull=True, review__isnull=False),
                name="factor_standard_or_custom",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Weight(models.TextChoices):
    DECISIVE = "decisive", "Decisive"
    SIGNIFICANT = "significant", "Significant"
    MINOR = "minor", "Minor"
    NOT_RELEVANT = "not_relevant", "Not relevant"


class FactorAssessment(models.Model):
    """The board's assessment of one factor for one review, and how much it weighs on the decision."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="factor_assessments")
    factor = models.ForeignKey(Factor, on_delete=models.PROTECT, related_name="assessments")
    assessment = models.TextField(help_text="What the board found about this factor in this case.")
    weight = models.CharField(max_length=20, choices=Weight.choices)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["factor__kind", "factor__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "factor"], name="factor_assessed_once_per_review")
        ]

    def __str__(self) -> str:
        return f"{self.factor} ({self.get_weight_display()})"


class Method(models.TextChoices):
    SYSTEMS = "systems", "Systems approach (for example Learning Together)"
    SILP = "silp", "Significant Incident Learning Process (SILP)"
    IMR = "imr", "Individual management reviews (IMR-based)"
    HYBRID = "hybrid", "Hybrid"
    OTHER = "other", "Other"


class Scope(models.Model):
    """The board's decisions on the form and focus of the review, and why they are proportionate."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="scope")
    period_from = models.DateField("period under review: from", null=True, blank=True)
    period_to = models.DateField("period under review: to", null=True, blank=True)
    breadth_and_depth = models.TextField("breadth and depth", blank=True)
    method = models.CharField(max_length=20, choices=Method.choices, blank=True)
    method_detail = models.TextField("about the method", blank=True)
    reviewer_knowledge = models.TextField("knowledge and skills the lead reviewer needs", blank=True)
    joint_decision = models.TextField(
        "joint decision of the boards taking part",
        blank=True,
        help_text="For a cross-border review: how and when the boards agreed the arrangements.",
    )
    rationale = models.TextField("why this approach is proportionate", blank=True)
    rationale_factors = models.ManyToManyField(
        FactorAssessment, blank=True, related_name="cited_by", verbose_name="factors the rationale relies on"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=[rationale_factors])

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(period_from__isnull=True)
                | Q(period_to__isnull=True)
                | Q(period_to__gte=F("period_from")),
                name="scope_period_in_order",
                violation_error_message="The period under review must end after it starts.",
            )
        ]

    def __str__(self) -> str:
        return f"Scope of {self.review}"


class LineOfEnquiry(models.Model):
    """A key question the review must answer, in the board's order."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="lines_of_enquiry")
    order = models.PositiveSmallIntegerField()
    question = models.TextField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name_plural = "lines of enquiry"

    def __str__(self) -> str:
        return self.question[:80]


class AgencyInvolvement(models.Model):
    """How an agency takes part in the review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="agency_involvements")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    chronology = models.BooleanField("provides a chronology", default=False)
    report = models.BooleanField("provides a report", default=False)
    practitioner_event = models.BooleanField("practitioners attend a learning event", default=False)
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name"]
        constraints = [models.UniqueConstraint(fields=["review", "agency"], name="agency_involved_once")]

    def __str__(self) -> str:
        return f"{self.agency} in {self.review}"


# Board input -----------------------------------------------------------------------------------------


class InputRound(models.Model):
    """An invitation to every board member (of every board taking part) to give information relevant to
    deciding the review's scope, open until a closing date."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="input_rounds")
    request = models.TextField(
        "what the board is asked", help_text="What information would help decide the scope."
    )
    closes_on = models.DateField("closing date")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"Input on {self.review} until {self.closes_on}"

    @property
    def is_open(self) -> bool:
        return timezone.localdate() <= self.closes_on


class InputInvitation(models.Model):
    round = models.ForeignKey(InputRound, on_delete=models.CASCADE, related_name="invitations")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="input_invitations"
    )
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="+")
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["board__name", "member__full_name"]
        constraints = [models.UniqueConstraint(fields=["round", "member"], name="invited_once_per_round")]

    def __str__(self) -> str:
        return f"{self.member} invited to {self.round}"


class InputReply(models.Model):
    invitation = models.ForeignKey(InputInvitation, on_delete=models.CASCADE, related_name="replies")
    text = models.TextField()
    nothing_to_add = models.BooleanField("my agency has nothing to add", default=False)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "input replies"

    def __str__(self) -> str:
        return f"Reply by {self.invitation.member}"


# Lead reviewers --------------------------------------------------------------------------------------


class Skill(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LeadReviewer(models.Model):
    """A person on the registry of lead reviewers: who they are, what they know, when they are free."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lead_reviewer_profile"
    )
    independent = models.BooleanField(
        default=True, help_text="Independent of every agency in the boards' areas."
    )
    organisation = models.CharField(max_length=200, blank=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="reviewers")
    accreditation = models.CharField(
        max_length=200, blank=True, help_text="For example SCIE Learning Together accreditation."
    )
    experience = models.TextField(blank=True)
    max_concurrent_reviews = models.PositiveSmallIntegerField(default=2)
    history = HistoricalRecords(m2m_fields=[skills])

    class Meta:
        ordering = ["user__full_name"]

    def __str__(self) -> str:
        return str(self.user)


class Availability(models.Model):
    reviewer = models.ForeignKey(LeadReviewer, on_delete=models.CASCADE, related_name="availability")
    available_from = models.DateField()
    available_to = models.DateField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["available_from"]
        verbose_name_plural = "availability"
        constraints = [
            models.CheckConstraint(
                condition=Q(available_to__gte=F("available_from")), name="availability_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer}: {self.available_from} to {self.available_to}"


class ConflictDeclaration(models.Model):
    """A lead reviewer's declaration of interests for one review (none, or what they are)."""

    reviewer = models.ForeignKey(LeadReviewer, on_delete=models.PROTECT, related_name="declarations")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="conflict_declarations")
    has_conflict = models.BooleanField(default=False)
    details = models.TextField(blank=True)
    declared_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-declared_at"]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.review}"

    def clean(self) -> None:
        if self.has_conflict and not self.details.strip():
            raise ValidationError({"details": "Describe the conflict of interest"})


class Proposal(models.Model):
    """The lead reviewer's proposal to change scope, method or approach, and the board's answer."""

    class Topic(models.TextChoices):
        SCOPE = "scope", "Scope"
        METHOD = "method", "Method"
        APPROACH = "approach", "Approach"

    class Answer(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        PARTLY = "partly", "Partly accepted"
        DECLINED = "declined", "Declined"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="proposals")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(max_length=20, choices=Topic.choices)
    text = models.TextField("the proposal")
    created_at = models.DateTimeField(default=timezone.now)
    answer = models.CharField(max_length=20, choices=Answer.choices, blank=True)
    answer_reason = models.TextField("why", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answer="") | (Q(answered_at__isnull=False) & ~Q(answer_reason="")),
                name="proposal_answer_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} proposal on {self.review}"


# Terms of reference ----------------------------------------------------------------------------------


class FrozenError(Exception):
    """An approved version of the terms of reference cannot change: make a new draft version instead."""


class ToRStatus(models.TextChoices):
    """A terms of reference version's statuses; how they follow each other is declared in
    `commissioning/tor/workflow.py`."""

    DRAFT = "draft", "Draft"
    OUT_FOR_COMMENT = "out_for_comment", "Out for comment"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"


class ToRVersion(models.Model):
    """One version of the scoping document / terms of reference. Draft → out for comment → approved
    (frozen). `revision` counts saves of a draft, so two people editing never silently overwrite."""

    Status = ToRStatus
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="tor_versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    revision = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    comments_close_on = models.DateField("comments close on", null=True, blank=True)
    sent_for_comment_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # The proportionality rationale as it stood when the version was made: a frozen copy, so approving the
    # version checks what the version says, not what the scope says now (its cited factors: `cited_factors`).
    rationale = models.TextField("the proportionality rationale, as when the version was made", blank=True)
    # The chair may close the comment period before its closing date, saying why.
    comments_closed_early_at = models.DateTimeField(null=True, blank=True)
    comments_closed_early_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comments_closed_early_reason = models.TextField("why the comment period closed early", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "-number"]
        verbose_name = "terms of reference version"
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="tor_version_number_unique"),
            models.UniqueConstraint(
                fields=["review"],
                condition=Q(status=ToRStatus.APPROVED),
                name="tor_one_approved_version_per_review",
            ),
            models.CheckConstraint(
                condition=~Q(status=ToRStatus.APPROVED)
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="tor_approval_recorded",
            ),
            models.CheckConstraint(
                condition=Q(comments_closed_early_at__isnull=True)
                | (Q(comments_closed_early_by__isnull=False) & ~Q(comments_closed_early_reason="")),
                name="tor_early_close_says_who_and_why",
            ),
        ]
        indexes = [
            # The versions out for comment, by review: what "waiting for you" lists for commenting and
            # addressing, read without scanning every version ever written.
            models.Index(
                fields=["review"],
                condition=Q(status=ToRStatus.OUT_FOR_COMMENT),
                name="tor_version_out_for_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review} terms of reference v{self.number}"


class ToRCitedFactor(models.Model):
    """A factor the proportionality rationale relied on when a version was made, copied onto the version
    (its kind, title, weight and the board's assessment as they were then): it never changes."""

    version = models.ForeignKey(ToRVersion, on_delete=models.CASCADE, related_name="cited_factors")
    kind = models.CharField(max_length=10, choices=FactorKind.choices)
    title = models.CharField(max_length=200)
    weight = models.CharField(max_length=20, choices=Weight.choices)
    assessment = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kind", "order", "pk"]
        verbose_name = "factor cited by a terms of reference version"

    def __str__(self) -> str:
        return f"{self.title} ({self.get_weight_display()})"


class ToRSection(models.Model):
    """A section of one version. Sections of a frozen version never change (checked on every save)."""

    version = models.ForeignKey(ToRVersion, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(max_length=40)
    title = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField()
    body = models.TextField(blank=True)

    class Meta:
        ordering = ["order"]
        verbose_name = "terms of reference section"
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="tor_section_once_per_version")
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # The workflow's frozen statuses (tests/commissioning/test_tor_workflow.py checks they agree).
        frozen = [ToRStatus.APPROVED, ToRStatus.SUPERSEDED]
        if self.version_id and ToRVersion.objects.filter(pk=self.version_id, status__in=frozen).exists():
            raise FrozenError(
                "This version is approved and cannot change. Start a new draft version instead."
            )
        super().save(*args, **kwargs)


class ToRComment(models.Model):
    """A comment on one section of a version, or a reply in its thread; the business manager marks each
    top-level comment addressed, saying how."""

    section = models.ForeignKey(ToRSection, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    addressed_at = models.DateTimeField(null=True, blank=True)
    addressed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    addressed_how = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "comment on the terms of reference"
        verbose_name_plural = "comments on the terms of reference"
        indexes = [
            models.Index(fields=["section", "created_at"]),
            # Comments still to address (the threads' first comments): what blocks approval, and what the
            # business manager's "waiting for you" counts.
            models.Index(
                fields=["section"],
                condition=Q(parent__isnull=True, addressed_at__isnull=True),
                name="tor_comment_unaddressed",
            ),
            # Whether a person has commented on a version yet: "waiting for you" asks it of every version
            # out for comment on their reviews, one probe per section, without reading the others' comments.
            models.Index(fields=["author", "section"], name="tor_comment_by_author"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(addressed_at__isnull=True) | ~Q(addressed_how=""),
                name="tor_comment_addressed_says_how",
            )
        ]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.section}"


class ToRAgreement(models.Model):
    """A participating board's position on one version of a cross-border review's terms of reference,
    recorded by its chair: agreement or objection, with reasons. The lead chair approves a version only
    once every board taking part has recorded one on it, or after recording why approval goes ahead without
    (`ToRAgreementWaiver`); declared in `commissioning/tor/workflow.py`."""

    class Position(models.TextChoices):
        AGREE = "agree", "Agrees"
        OBJECT = "object", "Objects"

    version = models.ForeignKey(ToRVersion, on_delete=models.CASCADE, related_name="agreements")
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="+")
    position = models.CharField(max_length=10, choices=Position.choices)
    reasons = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["board__name"]
        verbose_name = "board's agreement to the terms of reference"
        constraints = [
            models.UniqueConstraint(fields=["version", "board"], name="tor_agreement_once_per_board"),
            models.CheckConstraint(
                condition=~Q(position="object") | ~Q(reasons=""),
                name="tor_objection_gives_reasons",
                violation_error_message="Say why the board objects.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.board} {self.get_position_display().lower()} to {self.version}"

    @property
    def is_objection(self) -> bool:
        return self.position == self.Position.OBJECT


class ToRAgreementWaiver(models.Model):
    """The lead chair's reason for approving a version of a cross-border review's terms of reference
    without every participating board's agreement or objection."""

    version = models.OneToOneField(ToRVersion, on_delete=models.CASCADE, related_name="agreement_waiver")
    reason = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "approval without every board's agreement"

    def __str__(self) -> str:
        return f"{self.version}: approved without every board's agreement"


# Quality-marker self-check ---------------------------------------------------------------------------


class SelfCheckAnswer(models.Model):
    """The board's own status and comment on one question of a quality marker, for one review. The
    evidence beside it is computed from what the system holds (see the markers app)."""

    class Status(models.TextChoices):
        MET = "met", "Met"
        PARTLY = "partly", "Partly met"
        NOT_MET = "not_met", "Not met"
        NOT_YET = "not_yet", "Not yet assessed"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="self_check_answers")
    marker = models.PositiveSmallIntegerField()
    question = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NOT_YET)
    comment = models.TextField(blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["marker", "question"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "marker", "question"], name="self_check_once_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"QM{self.marker}.{self.question} on {self.review}"
