"""Reads of the board input round, for one review the caller has already been allowed to see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone

from reviews.access import review_board_ids
from reviews.models import AGENCY_ROLES, PARTNER_ROLES, Membership, Review, Role
from scr_portal import workdays

from ..models import InputInvitation, InputReply, InputRound


@dataclass
class InviteeRow:
    invitation: InputInvitation
    agency: str  # the agency a board member represents; "" for a chair
    replies: list[InputReply]

    @property
    def replied(self) -> bool:
        return bool(self.replies)


@dataclass
class RoundView:
    round: InputRound
    rows: list[InviteeRow]
    is_open: bool
    working_days_left: int  # 0 on the closing day, or when closed
    replies: list[tuple[InviteeRow, InputReply]] = field(default_factory=list)

    @property
    def invited(self) -> int:
        return len(self.rows)

    @property
    def replied(self) -> int:
        return sum(1 for r in self.rows if r.replied)

    @property
    def boards(self) -> list[str]:
        """Names of the boards whose members were invited, in the order the invitations are listed."""
        return list(dict.fromkeys(r.invitation.board.name for r in self.rows))

    def invitation_of(self, user) -> InputInvitation | None:
        return next((r.invitation for r in self.rows if r.invitation.member_id == user.pk), None)


def input_rounds(review: Review, today: date | None = None) -> list[RoundView]:
    """Every round of the review, newest first, each with its invitees (by board, then name), the agency
    each represents, and their replies — in four queries however many people were invited."""
    today = today or timezone.localdate()
    rounds = list(
        InputRound.objects.filter(review=review)
        .select_related("opened_by")
        .prefetch_related(
            Prefetch(
                "invitations",
                queryset=InputInvitation.objects.select_related("member", "board").prefetch_related(
                    Prefetch("replies", queryset=InputReply.objects.order_by("created_at", "pk"))
                ),
            )
        )
        .order_by("-opened_at", "-pk")
    )
    agencies = _agencies(rounds)
    views = []
    for round_ in rounds:
        rows = [
            InviteeRow(inv, agencies.get((inv.member_id, inv.board_id), ""), list(inv.replies.all()))
            for inv in round_.invitations.all()
        ]
        is_open = today <= round_.closes_on
        left = workdays.working_days_between(today, round_.closes_on) if is_open else 0
        replies = sorted(
            ((row, reply) for row in rows for reply in row.replies),
            key=lambda pair: (pair[1].created_at, pair[1].pk),
            reverse=True,
        )
        views.append(RoundView(round_, rows, is_open, max(left, 0), replies))
    return views


def _agencies(rounds: list[InputRound]) -> dict[tuple[int, int], str]:
    """(person, board) → the agency they represent there as a board member, in one query. A membership
    that has since ended still says whom they represented when invited."""
    people = {inv.member_id for r in rounds for inv in r.invitations.all()}
    boards = {inv.board_id for r in rounds for inv in r.invitations.all()}
    if not people:
        return {}
    found: dict[tuple[int, int], str] = {}
    rows = (
        Membership.objects.filter(
            user_id__in=people, board_id__in=boards, role__in=AGENCY_ROLES, agency__isnull=False
        )
        .order_by("is_active")  # active memberships last, so they win
        .values_list("user_id", "board_id", "agency__name")
    )
    for user_id, board_id, agency in rows:
        found[(user_id, board_id)] = agency
    return found


def input_evidence(review: Review) -> dict:
    """What the portal holds for QM 6 question 1, from the latest round ("input invited from 9 of 9
    members, 7 replied"):

    - ``rounds``: how many rounds were held;
    - ``invited`` / ``replied``: people invited to the latest round, and how many of them replied;
    - ``members``: active board members and chairs of the boards taking part now (the "of 9");
    - ``boards``: names of the boards whose members were invited; ``boards_taking_part``: how many boards
      take part in the review;
    - ``closes_on``: the latest round's closing date (None when no round was held); ``is_open``."""
    board_ids = review_board_ids(review)
    members = (
        Membership.objects.active()
        .filter(
            board_id__in=board_ids,
            role__in=(Role.BOARD_MEMBER, Role.CHAIR, *PARTNER_ROLES),
            user__is_active=True,
        )
        .values("user_id")
        .distinct()
        .count()
    )
    evidence = {
        "rounds": InputRound.objects.filter(review=review).count(),
        "invited": 0,
        "replied": 0,
        "members": members,
        "boards": [],
        "boards_taking_part": len(board_ids),
        "closes_on": None,
        "is_open": False,
    }
    latest = InputRound.objects.filter(review=review).order_by("-opened_at", "-pk").first()
    if latest is None:
        return evidence
    invitations = InputInvitation.objects.filter(round=latest)
    evidence.update(
        invited=invitations.count(),
        replied=invitations.filter(replies__isnull=False).distinct().count(),
        boards=list(dict.fromkeys(invitations.order_by("board__name").values_list("board__name", flat=True))),
        closes_on=latest.closes_on,
        is_open=latest.is_open,
    )
    return evidence
