"""Reads of boards and reviews, always scoped to what the person may see, at the query."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from scr_portal.dates import short_datetime

from . import workflow
from .access import invitations_to, require, told_about, visible_boards, visible_reviews
from .forms import ReviewFilterForm
from .models import (
    Agency,
    AgencySummary,
    Appointment,
    Board,
    BoardInvitation,
    Child,
    DecisionSignature,
    Membership,
    Notification,
    ParticipatingBoard,
    Review,
    Role,
    StatutoryPartner,
)


def boards_visible_to(user) -> QuerySet[Board]:
    """Boards on which the person takes part (business manager, board member or chair)."""
    return visible_boards(user)


def board_for(user, pk: int, action: str = "view_board") -> Board:
    """The board, or 404 when the person cannot see it; 403 when they can but may not do `action`."""
    board = get_object_or_404(boards_visible_to(user).select_related("independent_chair"), pk=pk)
    require(user, action, board)
    return board


def board_memberships(board: Board) -> QuerySet[Membership]:
    return board.memberships.active().select_related("user", "agency").order_by("role", "user__full_name")


def reviews_visible_to(user) -> QuerySet[Review]:
    return visible_reviews(user)


def notifications_of(user) -> QuerySet[Notification]:
    """The person's notifications about reviews they may still see (or are told about: `access.told_about`), and
    those about no review: someone who has left a board, or whose appointment ended, is shown nothing more
    of its reviews."""
    about_visible = Q(review__isnull=True) | Q(review__in=reviews_visible_to(user).values("pk"))
    told = told_about(user)
    if told is not None:
        about_visible |= told
    return Notification.objects.filter(about_visible, recipient=user)


def review_list_for(
    user,
    *,
    q: str = "",
    state: str = "",
    board: str = "",
    regime: str = "",
    overdue: bool = False,
    sort: str = "due",
    today=None,
) -> QuerySet[Review]:
    """Visible reviews, filtered and sorted, with what a list shows, in a fixed number of queries."""
    qs = reviews_visible_to(user)
    if q:
        qs = qs.filter(
            Q(reference__icontains=q)
            | Exists(Child.objects.filter(review=OuterRef("pk"), pseudonym__icontains=q))
        )
    if state:
        qs = qs.filter(state=state)
    if board:
        qs = qs.filter(
            Q(lead_board_id=board)
            | Exists(ParticipatingBoard.objects.filter(review=OuterRef("pk"), board_id=board))
        )
    if regime:
        qs = qs.filter(regime=regime)
    if overdue:
        qs = qs.filter(due_on__lt=today or timezone.localdate())
    order = ReviewFilterForm.SORTS.get(sort, ReviewFilterForm.SORTS["due"])[0]
    primary = F("due_on").asc(nulls_last=True) if order == "due_on" else order
    return (
        qs.select_related("lead_board")
        .prefetch_related(
            Prefetch("participations", queryset=ParticipatingBoard.objects.select_related("board")),
            Prefetch("children", queryset=Child.objects.order_by("pseudonym")),
        )
        .order_by(primary, "reference", "pk")
    )


def with_boards(reviews: QuerySet[Review]) -> QuerySet[Review]:
    """Reviews read with what permission checks and page headers ask of them: the lead board, the boards
    taking part and the current appointments (no further query when the rules are asked)."""
    return reviews.select_related("lead_board").prefetch_related(
        Prefetch("participations", queryset=ParticipatingBoard.objects.select_related("board")),
        Prefetch(
            "appointments",
            queryset=Appointment.objects.filter(ended_at__isnull=True).select_related("reviewer"),
            to_attr="current_appointments",
        ),
    )


def review_for(user, pk: int, action: str = "view_review") -> Review:
    """The review, or 404 when the person cannot see it; 403 when they can but may not do `action`."""
    review = get_object_or_404(with_boards(reviews_visible_to(user)), pk=pk)
    require(user, action, review)
    return review


def board_summaries_for(user) -> QuerySet[Board]:
    """The person's boards with counts for the home page; counts only include reviews they may see."""
    return board_summaries(boards_visible_to(user))


def board_summaries(boards: QuerySet[Board]) -> QuerySet[Board]:
    """The person's boards (`boards`: those they take part in, every review of which they may see) with how
    many reviews each leads and how many people it has."""

    # Each count is a subquery read by index, not a join of every membership with every review (which grew
    # as their product).
    def count(qs) -> Coalesce:
        # COUNT(*), not COUNT(id): an index on the board's column then answers alone (index-only scan).
        n = qs.order_by().annotate(n=Func(template="COUNT(*)", output_field=IntegerField())).values("n")
        return Coalesce(Subquery(n), 0)

    return boards.annotate(
        review_count=count(Review.objects.filter(lead_board_id=OuterRef("pk"))),
        member_count=count(Membership.objects.filter(board_id=OuterRef("pk"), is_active=True)),
    )


@dataclass(frozen=True)
class Opening:
    """One opening of a review as its history page lists it: when ("7 Mar 2026, 14:05") and by whom."""

    when: str
    who: str


def openings_of(review: Review, limit: int) -> list[Opening]:
    """The review's `limit` most recent openings, newest first, read as plain values."""
    rows = review.accesses.order_by("-at").values_list("at", "user__full_name", "user__email")[:limit]
    # The person is named as User.get_full_name() names them: their full name, or their email without one.
    tz = timezone.get_current_timezone()
    return [
        Opening(short_datetime(at, separator=", ", tz=tz), full_name or email)
        for at, full_name, email in rows
    ]


# History pages: what each page's entries come from, and how each names what it is about.


def _label(labels: dict, model, pk) -> str:
    return labels.get((model, pk), f"#{pk}")


def board_history_sources(board: Board) -> list:
    """(historical rows, subject) pairs for the board's history page: the board, its memberships and its
    agencies (see scr_portal.audit.history_page)."""
    user_model = get_user_model()
    return [
        (Board.history.filter(id=board.pk), lambda row, labels: f"Board {row.name}"),
        (
            Membership.history.filter(board_id=board.pk),
            lambda row, labels: f"{row.get_role_display()}: {_label(labels, user_model, row.user_id)}",
        ),
        (Agency.history.filter(id__in=board.agencies.values("pk")), lambda row, labels: f"Agency {row.name}"),
    ]


def read_with(review: Review) -> list:
    """The review and what `review_for` read with it (its boards and current lead reviewers), which a page
    names without reading them again (see scr_portal.audit.history_page's `known`)."""
    return [
        review,
        review.lead_board,
        *(p.board for p in review.participations.all()),
        *(a.reviewer for a in review.current_appointments),
    ]


def review_history_sources(review: Review) -> list:
    """(historical rows, subject) pairs for the review's history page: the review, its participating boards
    and its lead reviewers' appointments."""
    user_model = get_user_model()
    return [
        (Review.history.filter(id=review.pk), lambda row, labels: f"Review {row.reference}"),
        (
            ParticipatingBoard.history.filter(review_id=review.pk),
            lambda row, labels: f"Participating board: {_label(labels, Board, row.board_id)}",
        ),
        (
            Appointment.history.filter(review_id=review.pk),
            lambda row, labels: f"Lead reviewer: {_label(labels, user_model, row.reviewer_id)}",
        ),
    ]


# Cross-border reviews: invitations to take part ----------------------------------------------------------


def invitations_of(review: Review) -> QuerySet[BoardInvitation]:
    """Every invitation the review's lead board has sent, newest first, with who sent and answered it."""
    return review.invitations.select_related("board", "invited_by", "answered_by").order_by(
        "-invited_at", "-pk"
    )


def boards_to_invite(review: Review) -> QuerySet[Board]:
    """The boards the lead board may invite: any board but itself and those invited or taking part now.
    The list of boards is a directory every business manager may read (names only)."""
    live = BoardInvitation.objects.filter(review=review, status__in=workflow.LIVE_STATUSES).values("board_id")
    return Board.objects.exclude(pk=review.lead_board_id).exclude(pk__in=live).order_by("name")


def invitations_for(user) -> QuerySet[BoardInvitation]:
    """Invitations to the person's boards (where they are business manager), newest first."""
    return (
        invitations_to(user)
        .select_related("board", "review__lead_board", "invited_by", "answered_by")
        .order_by("-invited_at", "-pk")
    )


def invitation_for(user, pk: int, action: str = "answer_invitation") -> BoardInvitation:
    """An invitation to one of the person's boards, or 404; 403 when they may not do `action`."""
    invitation = get_object_or_404(invitations_for(user), pk=pk)
    require(user, action, invitation)
    return invitation


def waiting_invitations_count(user) -> int:
    return invitations_to(user).filter(status__in=workflow.WAITING_STATUSES).count()


# A practice review's rapid review ------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryStatus:
    """Where an agency's summary stands, as the rapid review's table shows it."""

    label: str  # "Received", "Overdue", "Awaited"
    tag: str  # the GOV.UK tag's colour class


def summary_status(summary: AgencySummary, today=None) -> SummaryStatus:
    today = today or timezone.localdate()
    if summary.is_received:
        return SummaryStatus("Received", "govuk-tag--green")
    if summary.due_on < today:
        return SummaryStatus("Overdue", "govuk-tag--red")
    return SummaryStatus("Awaited", "govuk-tag--grey")


def agency_summaries_of(review: Review) -> list[AgencySummary]:
    """The agencies asked for a summary on the review, by due date, with the agency; each summary holds the
    review already read (its rules read the review's stage and lead board without a query each)."""
    summaries = list(review.agency_summaries.select_related("agency").order_by("due_on", "agency__name"))
    for summary in summaries:
        summary.review = review
    return summaries


def agencies_without_people(board_id: int, agency_ids) -> set[int]:
    """Of `agency_ids`, those nobody represents on the board (no active member or partner of the agency, as
    `represents_agency` reads it): only the board's business manager can record their summaries."""
    represented = (
        Membership.objects.active()
        .filter(board_id=board_id, agency_id__in=agency_ids, user__is_active=True)
        .exclude(role__in=(Role.ACTION_OWNER, Role.AGENCY_AUTHOR))
        .values_list("agency_id", flat=True)
    )
    return set(agency_ids) - set(represented)


def agency_summary_for(user, review: Review, pk: int, action: str) -> AgencySummary:
    """One of the review's summaries (404 when it is another review's), 403 unless the person may `action` it.
    The review comes from `review_for`, so it is one the person sees."""
    summary = get_object_or_404(review.agency_summaries.select_related("agency"), pk=pk)
    summary.review = review  # the rule reads the review's stage and lead board from the one already read
    require(user, action, summary)
    return summary


# The partners' decision, while it is being signed ----------------------------------------------------


@dataclass(frozen=True)
class PartnerOnDecision:
    partner: str
    label: str
    signature: DecisionSignature | None


@dataclass(frozen=True)
class PendingDecision:
    """The partners' decision most recently signed, and each statutory partner's signature on that same
    decision (signatures on a decision since changed no longer count, and are kept on the timeline)."""

    step: str
    text: str
    values: dict
    partners: list[PartnerOnDecision]

    @property
    def signed(self) -> int:
        return sum(1 for p in self.partners if p.signature is not None)


def pending_decision(review: Review) -> PendingDecision | None:
    """The decision the partners are signing (the one most recently signed), or None before anyone has
    signed. Two queries."""
    latest = review.decision_signatures.order_by("-signed_at", "-pk").first()
    if latest is None:
        return None
    on_it = {
        s.partner: s
        for s in review.decision_signatures.on(latest.digest).select_related("user", "organisation")
    }
    return PendingDecision(
        step=latest.step,
        text=latest.text,
        values=latest.values,
        partners=[PartnerOnDecision(p.value, p.label, on_it.get(p.value)) for p in StatutoryPartner],
    )
