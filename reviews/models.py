"""Boards, agencies, people's roles on boards, and the review itself.

The review is the case record that the lifecycle grows; here it carries what authorization needs: its
lead board, the boards that take part in a cross-border review, and the lead reviewers appointed to it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    BUSINESS_MANAGER = "business_manager", "Business manager"
    BOARD_MEMBER = "board_member", "Board member"
    CHAIR = "chair", "Chair"
    LEAD_REVIEWER = "lead_reviewer", "Lead reviewer"


# Roles that make a person part of a board's own work; a lead reviewer's membership grants nothing by
# itself: they see only the reviews they are appointed to.
BOARD_ROLES = (Role.BUSINESS_MANAGER, Role.BOARD_MEMBER, Role.CHAIR)


class Board(models.Model):
    """A Local Safeguarding Children Board."""

    name = models.CharField(max_length=150, unique=True)
    local_authority_area = models.CharField(max_length=150)
    independent_chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Must hold the chair role on this board.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

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
        help_text="The agency a board member represents.",
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
        ]
        indexes = [models.Index(fields=["user", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}, {self.board}"

    def clean(self) -> None:
        if self.agency_id and self.board_id and not self.agency.boards.filter(pk=self.board_id).exists():
            raise ValidationError({"agency": "This agency is not a member of the board."})


def participant_board_ids(user) -> models.QuerySet:
    """The ids of the boards on which `user` takes part in reviews (as a subquery, evaluated in the database)."""
    return Membership.objects.active().filter(user=user, role__in=BOARD_ROLES).values("board_id")


class ReviewQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReviewQuerySet:
        """The reviews `user` may see: those of boards they take part in (lead or participating), and those
        they are appointed to as lead reviewer. Nothing for anonymous users; nothing by virtue of being staff."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        boards = participant_board_ids(user)
        return self.filter(
            Q(lead_board_id__in=boards)
            | Exists(ParticipatingBoard.objects.filter(review=OuterRef("pk"), board_id__in=boards))
            | Exists(Appointment.objects.filter(review=OuterRef("pk"), reviewer=user, ended_at__isnull=True))
        )


class Review(models.Model):
    reference = models.CharField(max_length=40, help_text="The board's own reference, e.g. NSCB-2026-03.")
    lead_board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="led_reviews")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead_board", "reference"], name="review_reference_unique_per_board"
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_cross_border(self) -> bool:
        return self.participations.exists()


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
