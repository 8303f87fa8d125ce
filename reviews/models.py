"""Boards, agencies, people's roles on boards, and the review itself.

The review is the case record that the lifecycle grows; here it carries what authorization needs: its
lead board, the boards that take part in a cross-border review, and the lead reviewers appointed to it.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .states import State
from .words import Words, words_for_body, words_for_regime


class Role(models.TextChoices):
    BUSINESS_MANAGER = "business_manager", "Business manager"
    BOARD_MEMBER = "board_member", "Board member"
    CHAIR = "chair", "Chair"
    LEAD_REVIEWER = "lead_reviewer", "Lead reviewer"
    ACTION_OWNER = "action_owner", "Action owner"
    # Someone of an agency (a named nurse, a police analyst) who writes that agency's chronology or report
    # for a review in progress when named as the author of an information request: they see only that
    # request and their submission, nothing else of the review (`conduct`).
    AGENCY_AUTHOR = "agency_author", "Agency author"
    # A safeguarding partnership's own roles (Working Together 2023): each of the three statutory partners
    # has a lead safeguarding partner (the chief executive or chief officer) who may delegate to a named
    # delegated safeguarding partner; both act for their organisation, and either signs for it. The
    # independent scrutineer sees the partnership's reviews and comments; they decide and sign nothing.
    LEAD_PARTNER = "lead_partner", "Lead safeguarding partner"
    DELEGATED_PARTNER = "delegated_partner", "Delegated safeguarding partner"
    SCRUTINEER = "scrutineer", "Independent scrutineer"


# The partners of a safeguarding partnership: who signs for a statutory partner.
PARTNER_ROLES = (Role.LEAD_PARTNER, Role.DELEGATED_PARTNER)
# Roles that make a person part of a board's own work. A lead reviewer's membership grants nothing by
# itself: they see only the reviews they are appointed to. Nor does an action owner's: someone of a partner
# agency (a police inspector, a named nurse) who owns actions of that agency and sees only those actions.
BOARD_ROLES = (Role.BUSINESS_MANAGER, Role.BOARD_MEMBER, Role.CHAIR, *PARTNER_ROLES, Role.SCRUTINEER)
# Roles held for an agency: the membership names the agency the person acts for.
AGENCY_ROLES = (Role.BOARD_MEMBER, Role.ACTION_OWNER, Role.AGENCY_AUTHOR, *PARTNER_ROLES)
# What a role also counts as wherever rules name roles: a statutory partner takes part in the partnership's
# work as a member does (gives input, comments, owns actions), besides deciding and signing for their
# organisation. `access` expands held roles with this, so no rule lists the partners beside the members.
ROLE_IMPLIES: dict[str, tuple[str, ...]] = {
    Role.LEAD_PARTNER: (Role.BOARD_MEMBER,),
    Role.DELEGATED_PARTNER: (Role.BOARD_MEMBER,),
}


class BodyKind(models.TextChoices):
    """The kind of body that runs reviews: before 2019 a Local Safeguarding Children Board, since then a
    safeguarding partnership of the local authority, the integrated care board and the police."""

    LSCB = "lscb", "Local Safeguarding Children Board"
    PARTNERSHIP = "partnership", "Safeguarding partnership"


class StatutoryPartner(models.TextChoices):
    """The three statutory safeguarding partners (Children Act 2004 s16E, as amended in 2017)."""

    LOCAL_AUTHORITY = "local_authority", "Local authority"
    INTEGRATED_CARE_BOARD = "icb", "Integrated care board"
    POLICE = "police", "Chief officer of police"


class Board(models.Model):
    """A body that runs reviews: a Local Safeguarding Children Board or a safeguarding partnership. Its
    kind decides the words its pages use and who is accountable (`reviews.words`)."""

    name = models.CharField(max_length=150, unique=True)
    kind = models.CharField(
        "kind of body",
        max_length=20,
        choices=BodyKind.choices,
        default=BodyKind.LSCB,
        help_text="A safeguarding partnership's partners sign its decisions and responses; an LSCB's chair does.",
    )
    local_authority_area = models.CharField(max_length=150)
    independent_chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Must hold the chair role on this board.",
    )
    # Local targets for the statutory clocks; the defaults follow Working Together to Safeguard Children.
    notification_working_days = models.PositiveSmallIntegerField(
        "notify within (working days)",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="From the day the incident becomes known (to the board, or to the local authority) to notifying the national panel and Ofsted.",
    )
    rapid_review_working_days = models.PositiveSmallIntegerField(
        "rapid review within (working days)",
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="A practice review: from the serious incident notification to the rapid review's decision.",
    )
    decision_months = models.PositiveSmallIntegerField(
        "decide within (months)",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="From the day the incident becomes known to the decision whether to hold a review.",
    )
    completion_months = models.PositiveSmallIntegerField(
        "complete within (months)",
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text="From the decision to initiate a review to receiving its final report.",
    )
    publication_months = models.PositiveSmallIntegerField(
        "publish within (months)",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="From receiving the final report to publishing it with the board's or the partners' response.",
    )
    # How long a review's records are kept after it ends (UK GDPR storage limitation), before the business
    # manager anonymises or deletes them. 25 years by default: safeguarding records about a child are
    # commonly kept until the child's 25th birthday or longer, and counting 25 years from the review's end
    # keeps them at least that long for a child of any age. A default, not legal advice: each board sets
    # its own period from its records management policy (see records.retention).
    retention_years = models.PositiveSmallIntegerField(
        "keep records for (years after the review ends)",
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="After this, the business manager is asked to anonymise or delete the review.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_partnership(self) -> bool:
        return self.kind == BodyKind.PARTNERSHIP

    @property
    def words(self) -> Words:
        return words_for_body(self.kind)

    def clean(self) -> None:
        if (
            self.independent_chair_id
            and self.pk
            and not self.memberships.filter(
                user_id=self.independent_chair_id, role=Role.CHAIR, is_active=True
            ).exists()
        ):
            raise ValidationError(
                {"independent_chair": "The independent chair must hold the chair role on this board."}
            )


class Agency(models.Model):
    """A partner agency (police, health, children's social care…) and the boards it is a member of."""

    class Kind(models.TextChoices):
        CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Local authority children's social care"
        POLICE = "police", "Police"
        HEALTH = "health", "Health"
        EDUCATION = "education", "Education"
        PROBATION = "probation", "Probation"
        OTHER = "other", "Other"

    name = models.CharField(max_length=150, unique=True)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    boards = models.ManyToManyField(Board, related_name="agencies", blank=True)
    history = HistoricalRecords(m2m_fields=[boards])

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True)


class Membership(models.Model):
    """A person's role on a board; one person can hold different roles on different boards."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        help_text="The agency a board member represents, or an action owner works for.",
    )
    partner = models.CharField(
        "statutory partner",
        max_length=20,
        choices=StatutoryPartner.choices,
        blank=True,
        help_text="For a lead or delegated safeguarding partner: the statutory partner they act and sign for.",
    )
    is_active = models.BooleanField(default=True, help_text="Untick when the person leaves the role.")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["board__name", "role", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "board", "role"], name="membership_one_role_once_per_board"
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.BOARD_MEMBER) | Q(agency__isnull=False),
                name="membership_board_member_has_agency",
                violation_error_message="A board member represents an agency: choose one.",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.ACTION_OWNER) | Q(agency__isnull=False),
                name="membership_action_owner_has_agency",
                violation_error_message="An action owner works for an agency: choose one.",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.AGENCY_AUTHOR) | Q(agency__isnull=False),
                name="membership_agency_author_has_agency",
                violation_error_message="An agency author writes for an agency: choose one.",
            ),
            models.CheckConstraint(
                condition=Q(role__in=PARTNER_ROLES, partner__in=StatutoryPartner.values, agency__isnull=False)
                | (~Q(role__in=PARTNER_ROLES) & Q(partner="")),
                name="membership_partner_names_partner",
                violation_error_message=(
                    "A lead or delegated safeguarding partner acts for one of the three statutory partners "
                    "and their organisation: choose both. Other roles name no statutory partner."
                ),
            ),
        ]
        indexes = [models.Index(fields=["user", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}, {self.board}"

    def clean(self) -> None:
        if self.agency_id and self.board_id and not self.agency.boards.filter(pk=self.board_id).exists():
            raise ValidationError({"agency": "This agency is not a member of the board."})
        if self.board_id and self.role in (*PARTNER_ROLES, Role.SCRUTINEER) and not self.board.is_partnership:
            raise ValidationError({"role": "Only a safeguarding partnership has partners and a scrutineer."})


class Regime(models.TextChoices):
    """The statutory framework a review runs under: it decides the review's stages, steps, clocks, words
    and signatures (one table per regime in `reviews.workflow`)."""

    SERIOUS_CASE_REVIEW = "scr", "Serious Case Review"
    PRACTICE_REVIEW = "cspr", "Local child safeguarding practice review"


TERMINAL_STATES = (State.CLOSED, State.NOT_INITIATED, State.NATIONAL_REVIEW, State.WITHDRAWN)


class Recommendation(models.TextChoices):
    """What a rapid review recommends."""

    LOCAL_REVIEW = "local_review", "A local child safeguarding practice review"
    NO_FURTHER_REVIEW = "no_further_review", "No further review"
    NATIONAL_REVIEW = "national_review", "Suggest a national review to the Panel"


class PanelReply(models.TextChoices):
    """The Child Safeguarding Practice Review Panel's reply to a rapid review."""

    AGREES = "agrees", "The Panel agrees with the recommendation"
    DISAGREES = "disagrees", "The Panel disagrees"
    NATIONAL_REVIEW = "national_review", "The Panel takes the case on as a national review"


class Criteria(models.TextChoices):
    STATUTORY = "statutory", "Statutory: the criteria for a review are met"
    DISCRETIONARY = "discretionary", "Discretionary: the criteria are not met, but a review may be held"


class Decision(models.TextChoices):
    INITIATE = "initiate", "Hold a review"
    OTHER_REVIEW = "other_review", "Another kind of learning review"
    NO_REVIEW = "no_review", "No review"


def regime_problem(board: Board, regime: str) -> str:
    """Why `board` cannot hold a review under `regime`, or "" when it can: a Local Safeguarding Children
    Board holds Serious Case Reviews; a safeguarding partnership holds practice reviews, and the Serious
    Case Reviews it took over from its board."""
    if regime == Regime.PRACTICE_REVIEW and not board.is_partnership:
        return (
            f"{board.name} is a Local Safeguarding Children Board: only a safeguarding partnership holds "
            "local child safeguarding practice reviews"
        )
    return ""


def report_upload_to(instance: Review, filename: str) -> str:
    """Stored under a generated name: the person's file name is kept only as data, never as a path."""
    suffix = PurePath(filename).suffix.lower()[:6]
    return f"reports/{instance.lead_board_id}/{uuid.uuid4().hex}{suffix}"


# The case record's own details, as the portal's "Referral details" page and the admin edit them, in the
# order the timeline names them when they change.
REFERRAL_FIELDS = (
    "reference",
    "case_summary",
    "incident_date",
    "notification_date",
    "criteria",
    "criteria_notes",
)


class Review(models.Model):
    reference = models.CharField(
        max_length=40, help_text="The board's or partnership's own reference, for example NSCB-2026-03."
    )
    lead_board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="led_reviews")
    regime = models.CharField(max_length=10, choices=Regime.choices, default=Regime.SERIOUS_CASE_REVIEW)
    state = models.CharField(max_length=20, choices=State.choices, default=State.REFERRAL, db_index=True)
    state_changed_at = models.DateTimeField(default=timezone.now)

    # Referral
    case_summary = models.TextField(
        "summary of the case",
        blank=True,
        help_text="What happened, in brief. Refer to children by pseudonym only.",
    )
    incident_date = models.DateField("date of the incident", null=True, blank=True)
    notification_date = models.DateField(
        "date the board learned of the incident",
        null=True,
        blank=True,
        help_text="The statutory clocks for notification and decision start here.",
    )
    agencies_known = models.ManyToManyField(
        Agency,
        blank=True,
        related_name="reviews_known_to",
        verbose_name="agencies that knew the child or family",
    )
    criteria = models.CharField("criteria considered", max_length=20, choices=Criteria.choices, blank=True)
    criteria_notes = models.TextField("how the criteria apply", blank=True)

    # Decision
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decision_date = models.DateField(null=True, blank=True)
    decision_rationale = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="who decided",
        help_text="Under a board, the chair; under a partnership, the partner whose signature made the "
        "partners' decision.",
    )
    national_panel_notified_on = models.DateField("national panel notified on", null=True, blank=True)
    inspectorate_notified_on = models.DateField("Ofsted notified on", null=True, blank=True)
    # A Serious Case Review's initiation is told to the national panel and Ofsted with the lead reviewers'
    # names (Working Together 2015, ch. 4).
    reviewers_named = models.CharField("lead reviewers named in the notification", max_length=300, blank=True)

    # A practice review's serious incident notification: the local authority tells the Child Safeguarding
    # Practice Review Panel and Ofsted (one notification per child: each child's reference is on the child).
    incident_notified_on = models.DateField("serious incident notified on", null=True, blank=True)
    incident_notified_by = models.CharField(
        "notified by", max_length=200, blank=True, help_text="The person at the local authority who notified."
    )
    # Its rapid review
    rapid_review_meeting_on = models.DateField("rapid review meeting held on", null=True, blank=True)
    immediate_safety_actions = models.TextField("immediate safety actions", blank=True)
    learning_identified = models.TextField("learning identified", blank=True)
    recommendation = models.CharField(
        "the rapid review's recommendation", max_length=20, choices=Recommendation.choices, blank=True
    )
    recommendation_reasons = models.TextField("reasons for the recommendation", blank=True)
    sent_to_panel_on = models.DateField("rapid review sent to the Panel on", null=True, blank=True)
    panel_reply = models.CharField("the Panel's reply", max_length=20, choices=PanelReply.choices, blank=True)
    panel_replied_on = models.DateField("the Panel replied on", null=True, blank=True)
    panel_reply_reasons = models.TextField("the Panel's reasons", blank=True)

    # Review in progress and after
    started_on = models.DateField("review started on", null=True, blank=True)
    final_report = models.FileField(upload_to=report_upload_to, blank=True)
    final_report_name = models.CharField("final report file name", max_length=200, blank=True)
    report_received_on = models.DateField("final report received on", null=True, blank=True)
    publication_notice_on = models.DateField(
        "Panel, Secretary of State and Ofsted sent the report on", null=True, blank=True
    )
    report_published_on = models.DateField("report published on", null=True, blank=True)
    response_published_on = models.DateField("response published on", null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField("why the review was closed or withdrawn", blank=True)

    # The next statutory or local deadline, kept on the row so lists can filter and sort by it
    # (recomputed by services whenever the dates it depends on change).
    due_on = models.DateField("next deadline", null=True, blank=True, db_index=True)
    due_kind = models.CharField(max_length=30, blank=True)  # a key of `clocks.CLOCKS`

    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead_board", "reference"], name="review_reference_unique_per_board"
            ),
            models.CheckConstraint(condition=Q(state__in=State.values), name="review_state_valid"),
            models.CheckConstraint(
                condition=Q(incident_date__isnull=True)
                | Q(notification_date__isnull=True)
                | Q(notification_date__gte=F("incident_date")),
                name="review_notified_after_incident",
                violation_error_message="The incident cannot become known before it happened.",
            ),
        ]
        indexes = [
            models.Index(fields=["lead_board", "state"]),
            models.Index(fields=["state", "state_changed_at"]),
            # The review list filtered by stage, in its order: at national scale the planner otherwise walks
            # the due-date index over every review (4 ms against 0.35 ms).
            models.Index(fields=["state", "due_on", "reference", "id"], name="review_list_by_state"),
        ]

    def __str__(self) -> str:
        return self.reference

    def clean(self) -> None:
        if self.lead_board_id and (problem := regime_problem(self.lead_board, self.regime)):
            raise ValidationError({"regime": problem})

    @property
    def is_practice_review(self) -> bool:
        return self.regime == Regime.PRACTICE_REVIEW

    @property
    def words(self) -> Words:
        """The regime's words for this review's pages, documents and emails (`reviews.words`)."""
        return words_for_regime(self.regime)

    @property
    def stage_label(self) -> str:
        """The review's stage as its regime names it."""
        return self.words.stage(self.state)

    @property
    def is_cross_border(self) -> bool:
        return self.participations.exists()

    @property
    def is_open(self) -> bool:
        return self.state not in TERMINAL_STATES


class Child(models.Model):
    """A child the review is about, known only by pseudonym."""

    class Outcome(models.TextChoices):
        DIED = "died", "Died"
        SERIOUSLY_HARMED = "seriously_harmed", "Seriously harmed"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="children")
    pseudonym = models.CharField(max_length=40, help_text='For example "Child A". Never the real name.')
    age = models.CharField(
        "age at the incident", max_length=40, blank=True, help_text='For example "7 months" or "14 years".'
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    circumstances = models.TextField("circumstances in brief", blank=True)
    # A practice review notifies the national Panel once per child: that notification's reference.
    panel_reference = models.CharField("the Panel's notification reference", max_length=60, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pseudonym"]
        verbose_name_plural = "children"
        constraints = [
            models.UniqueConstraint(fields=["review", "pseudonym"], name="child_pseudonym_once_per_review")
        ]

    def __str__(self) -> str:
        return self.pseudonym


class ParallelProcess(models.Model):
    """Proceedings that run beside the review and may delay publication (a trial, an inquest, another review)."""

    class Kind(models.TextChoices):
        CRIMINAL = "criminal", "Criminal proceedings"
        INQUEST = "inquest", "Inquest"
        OTHER_REVIEW = "other_review", "Another review (for example a domestic homicide review)"
        FAMILY_COURT = "family_court", "Family court proceedings"
        OTHER = "other", "Other"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="parallel_processes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.CharField(max_length=300)
    may_delay_publication = models.BooleanField(default=True)
    expected_end = models.DateField("expected to conclude", null=True, blank=True)
    concluded_on = models.DateField(null=True, blank=True)
    # Its effect on the review (Quality Marker 9): on the timetable, on the terms of reference, and what the
    # police or the Crown Prosecution Service agreed the review may disclose and do, and when.
    timetable_effect = models.TextField("effect on the review's timetable", blank=True)
    tor_effect = models.TextField("effect on the terms of reference", blank=True)
    disclosure_agreed_on = models.DateField("disclosure agreed on", null=True, blank=True)
    disclosure_agreed_with = models.CharField("agreed with", max_length=200, blank=True)
    disclosure_terms = models.TextField("what was agreed", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name_plural = "parallel processes"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description}"


class AgencySummary(models.Model):
    """A rapid review's request to an agency for a summary of its involvement with the child and family,
    and the summary once in. Reminders go to the agency's people on the partnership while it is awaited."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="agency_summaries")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="summaries")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateField()
    due_on = models.DateField("due on")
    received_on = models.DateField("received on", null=True, blank=True)
    summary = models.TextField("summary of involvement", blank=True)
    reminded_on = models.DateField("last reminded on", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "agency__name"]
        verbose_name_plural = "agency summaries"
        constraints = [
            models.UniqueConstraint(fields=["review", "agency"], name="agency_summary_once_per_review"),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("requested_on")),
                name="agency_summary_due_after_request",
                violation_error_message="A summary cannot be due before it was asked for.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} for {self.review}"

    @property
    def is_received(self) -> bool:
        return self.received_on is not None


class DecisionSignatureQuerySet(models.QuerySet):
    def on(self, digest: str) -> DecisionSignatureQuerySet:
        """The signatures made on the decision with this digest (the only ones that count for it)."""
        return self.filter(digest=digest)


class DecisionSignature(models.Model):
    """One statutory partner's signature on the partners' decision about a practice review (to hold a
    local child safeguarding practice review or not): who signed (the lead or delegated safeguarding
    partner), for which statutory partner and organisation, when, and exactly what they signed (the
    decision's text, with its SHA-256 digest, and the values of the form it came from, so that the next
    partner is shown the same decision). The decision is made when the third different partner signs the
    same text; a changed decision needs three new signatures, the earlier ones staying recorded. A partner
    signs a given decision once. A signature never changes (checked in `save`, and by a database trigger)
    and is never deleted while its review is kept."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="decision_signatures")
    step = models.CharField("the decision's step", max_length=40)
    text = models.TextField("the decision as signed")
    values = models.JSONField("the decision's form values", default=dict, blank=True)
    partner = models.CharField("statutory partner", max_length=20, choices=StatutoryPartner.choices)
    organisation = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    digest = models.CharField("SHA-256 digest of the signed decision", max_length=64)
    signed_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    objects = DecisionSignatureQuerySet.as_manager()

    class Meta:
        ordering = ["review", "signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "partner", "digest"], name="partner_signs_a_decision_once"
            ),
            models.CheckConstraint(
                condition=Q(digest__regex=r"^[0-9a-f]{64}$"), name="decision_signature_has_digest"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review}: {self.get_partner_display()} ({self.organisation})"

    def save(self, *args, **kwargs) -> None:
        if self.pk and DecisionSignature.objects.filter(pk=self.pk).exists():
            raise ValidationError("A partner's signature on a decision can never change.")
        super().save(*args, **kwargs)


class TimelineEntry(models.Model):
    """One dated event on a review's timeline: a stage change, a decision, a comment, a document."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", "Stage change"
        DECISION = "decision", "Decision"
        UPDATE = "update", "Update"
        COMMENT = "comment", "Comment"
        DOCUMENT = "document", "Document"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    from_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    transition = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "timeline entries"
        indexes = [models.Index(fields=["review", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.title}"


class ParticipatingBoard(models.Model):
    """A board other than the lead board that takes part in a cross-border review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="participations")
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="participations")
    joined_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["board__name"]
        constraints = [models.UniqueConstraint(fields=["review", "board"], name="participating_board_once")]

    def __str__(self) -> str:
        return f"{self.board} in {self.review}"

    def clean(self) -> None:
        if self.review_id and self.board_id == self.review.lead_board_id:
            raise ValidationError({"board": "The lead board already takes part; choose another board."})


class InvitationStatus(models.TextChoices):
    INVITED = "invited", "Waiting for an answer"
    ACCEPTED = "accepted", "Taking part"
    DECLINED = "declined", "Declined"
    REMOVED = "removed", "Removed by the lead board"
    WITHDRAWN = "withdrawn", "Withdrew"


# An invitation still in force: waiting for an answer, or accepted (the board takes part).
LIVE_INVITATION_STATUSES = (InvitationStatus.INVITED, InvitationStatus.ACCEPTED)


class BoardInvitation(models.Model):
    """The lead board's invitation to another board to take part in a cross-border review, and what came of
    it: the invited board accepts (it then takes part: a ParticipatingBoard row) or declines; the lead board
    may remove a board (or cancel an invitation not yet answered), and a board taking part may withdraw.
    Its statuses and moves are declared in `reviews.workflow.INVITATION`; services make every move."""

    Status = InvitationStatus

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="invitations")
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="invitations")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.INVITED)
    note = models.TextField("note to the board", blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)
    # The last answer or ending: who, when and why (a decline, a removal or a withdrawal gives a reason).
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-invited_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=InvitationStatus.values),
                name="board_invitation_status_valid",
            ),
            # One live invitation per board and review: waiting for an answer, or taking part.
            models.UniqueConstraint(
                fields=["review", "board"],
                condition=Q(status__in=LIVE_INVITATION_STATUSES),
                name="board_invitation_one_live",
                violation_error_message="This board is already invited to this review, or takes part in it.",
            ),
        ]
        indexes = [models.Index(fields=["board", "status"])]

    def __str__(self) -> str:
        return f"{self.board} invited to {self.review}"

    def clean(self) -> None:
        if self.review_id and self.board_id == self.review.lead_board_id:
            raise ValidationError({"board": "The lead board already runs this review; choose another board."})


class Appointment(models.Model):
    """A lead reviewer appointed to a review. Ending an appointment ends their access to it."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="appointments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    appointed_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["appointed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "reviewer"],
                condition=Q(ended_at__isnull=True),
                name="appointment_one_current_per_reviewer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.review}"


class ReviewAccess(models.Model):
    """Who opened which review, when: written on every view of a review, never changed."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_accesses"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    path = models.CharField(max_length=300)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = "review access"
        verbose_name_plural = "review access log"
        indexes = [models.Index(fields=["review", "-at"])]

    def __str__(self) -> str:
        return f"{self.user} opened {self.review} at {self.at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """Something a person should know or act on, shown in the portal and sent by email.

    `key` makes sending idempotent: the same reminder (same review, deadline and phase) is created once
    per person however often the daily task runs. An "action needed" notification is resolved
    (`resolved_at`) once what it asks for is done or no longer possible: see `notifications.resolve`."""

    class Kind(models.TextChoices):
        ACTION_NEEDED = "action_needed", "Action needed"
        DEADLINE_APPROACHING = "deadline_approaching", "Deadline approaching"
        DEADLINE_PASSED = "deadline_passed", "Deadline passed"
        INFORMATION = "information", "Information"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    path = models.CharField(max_length=300, help_text="Where in the portal the notification leads.")
    key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # When what an "action needed" notification asked for was done or stopped being possible (the person
    # acted, the version was replaced, the review closed): set by the services, never by the person.
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_person")
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["emailed_at", "recipient"]),
            # A person's inbox, newest first: read a page at a time however many they have had.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def needs_action(self) -> bool:
        """Asks for an action not yet done (and still possible)."""
        return self.kind == self.Kind.ACTION_NEEDED and self.resolved_at is None
