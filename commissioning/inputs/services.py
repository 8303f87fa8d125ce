"""Writes for the board input round (SCIE Quality Marker 6, question 1): the business manager asks every
board member of every board taking part for information relevant to a proportionate approach; members
reply until the closing date; those who have not replied are reminded shortly before it."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from reviews import notifications, workflow
from reviews.access import review_board_ids
from reviews.models import PARTNER_ROLES, Membership, Notification, Review, Role
from reviews.services import review_lock, timeline_add
from scr_portal import workdays
from scr_portal.dates import long_date

from ..models import InputInvitation, InputReply, InputRound

User = get_user_model()

# Who is invited: every board member, and the chair, of each board taking part.
# Members and chairs are asked for their input; so are a partnership's statutory partners.
INVITED_ROLES = (Role.BOARD_MEMBER, Role.CHAIR, *PARTNER_ROLES)
REMIND_WITHIN_WORKING_DAYS = 2
MIN_WORKING_DAYS_TO_REPLY = 1


class InputRefused(Exception):
    """The action cannot be taken now; the message says why in plain words. Nothing was changed."""


def closing_date_problem(closes_on: date, today: date | None = None) -> str:
    """Why `closes_on` cannot be a round's closing date, or "" when it can."""
    today = today or timezone.localdate()
    if closes_on <= today:
        return "The closing date must be in the future"
    if workdays.working_days_between(today, closes_on) < MIN_WORKING_DAYS_TO_REPLY:
        return "The closing date must be at least 1 working day away, so members have time to reply"
    return ""


def open_round_of(review: Review, today: date | None = None) -> InputRound | None:
    """The review's round that is still open (at most one), if any."""
    today = today or timezone.localdate()
    return InputRound.objects.filter(review=review, closes_on__gte=today).order_by("-opened_at").first()


def _invitees(review: Review) -> list[tuple[int, int]]:
    """(user id, board id) of each active board member and chair of the review's boards, once per person:
    someone on two of the boards is invited with the first (the lead board comes first)."""
    board_ids = review_board_ids(review)
    rows = (
        Membership.objects.active()
        .filter(board_id__in=board_ids, role__in=INVITED_ROLES, user__is_active=True)
        .values_list("user_id", "board_id")
    )
    chosen: dict[int, int] = {}
    for user_id, board_id in sorted(rows, key=lambda r: (board_ids.index(r[1]), r[0])):
        chosen.setdefault(user_id, board_id)
    return list(chosen.items())


def _invited_key(input_round: InputRound) -> str:
    return f"input:{input_round.pk}:invited"


def input_round_open(*, review: Review, user, request: str, closes_on: date) -> InputRound:
    """Opens a round: invites every active board member and chair of the lead and participating boards,
    notes it on the timeline and tells each invitee. Refused while another round is open."""
    problem = closing_date_problem(closes_on)
    if problem:
        raise InputRefused(f"{problem}.")
    with transaction.atomic():
        # Lock the review so two business managers cannot open two rounds at once.
        review = review_lock(review.pk)
        current = open_round_of(review)
        if current is not None:
            raise InputRefused(
                f"A round is already open until {long_date(current.closes_on)}. Only one round can be open "
                "at a time: wait until it closes, then ask again."
            )
        invitees = _invitees(review)
        if not invitees:
            raise InputRefused("No board member or chair of the boards taking part can be invited.")
        round_ = InputRound(review=review, request=request.strip(), closes_on=closes_on, opened_by=user)
        round_.full_clean()
        round_.save()
        InputInvitation.objects.bulk_create(
            InputInvitation(round=round_, member_id=user_id, board_id=board_id)
            for user_id, board_id in invitees
        )
        board_count = len({board_id for _, board_id in invitees})
        timeline_add(
            review=review,
            user=user,
            title=f"Board members asked for input by {long_date(closes_on)}",
            body=f"{round_.request}\n\nInvited {len(invitees)} member{'s' if len(invitees) != 1 else ''} "
            f"of {board_count} board{'s' if board_count != 1 else ''}.",
        )
        notifications.notify(
            review=review,
            recipients=User.objects.filter(pk__in=[user_id for user_id, _ in invitees]),
            kind=Notification.Kind.ACTION_NEEDED,
            title=f"{review.reference}: the {review.words.body} asks for your input by {long_date(closes_on)}",
            body=round_.request,
            path=reverse("input_rounds", args=[review.pk]),
            key=_invited_key(round_),
        )
    return round_


def reply_refusal(input_round: InputRound, user) -> str:
    """Why `user` cannot reply to `input_round` now, or "" when they can (their role is checked by the view)."""
    if not input_round.is_open:
        return f"This round closed on {long_date(input_round.closes_on)}; it no longer takes replies."
    if not InputInvitation.objects.filter(round=input_round, member=user).exists():
        return (
            "You were not invited to this round (it went to the board members when it opened on "
            f"{long_date(timezone.localdate(input_round.opened_at))}), so you cannot reply to it. If you have "
            "information to give, tell the business manager."
        )
    return ""


def input_reply_add(*, input_round: InputRound, user, text: str, nothing_to_add: bool = False) -> InputReply:
    """Keeps one reply by an invited member while the round is open (a member may reply more than once)
    and tells the review's business managers."""
    refusal = reply_refusal(input_round, user)
    if refusal:
        raise InputRefused(refusal)
    invitation = InputInvitation.objects.get(round=input_round, member=user)
    text = text.strip()
    if not text and not nothing_to_add:
        raise InputRefused("Enter the information you want to give, or say you have nothing to add.")
    with transaction.atomic():
        reply = InputReply(invitation=invitation, text=text, nothing_to_add=nothing_to_add)
        reply.full_clean(exclude=["text"] if nothing_to_add else None)
        reply.save()
        review = input_round.review
        notifications.resolve(review=review, keys=[_invited_key(input_round)], recipient=user)
        notifications.notify_roles(
            review,
            [Role.BUSINESS_MANAGER],
            actor=user,
            kind=Notification.Kind.INFORMATION,
            title=f"{review.reference}: {user.get_full_name()} "
            f"{'has nothing to add' if nothing_to_add and not text else 'gave input'}",
            body=text,
            path=reverse("input_rounds", args=[review.pk]),
            key=f"input-reply:{reply.pk}",
        )
    return reply


def input_reminders_send(today: date | None = None) -> int:
    """Daily: for each open round closing within REMIND_WITHIN_WORKING_DAYS working days, reminds once
    each invitee who has not replied and still holds a role that lets them reply. Returns how many
    people were reminded; running it again the same day reminds nobody new."""
    today = today or timezone.localdate()
    # Closing dates with at most 2 working days left are exactly those before the 3rd working day from today.
    horizon = workdays.add_working_days(today, REMIND_WITHIN_WORKING_DAYS + 1)
    rounds = InputRound.objects.filter(
        closes_on__gte=today,
        closes_on__lt=horizon,
        review__state__in=workflow.states_allowing(workflow.COMMISSIONING_OPEN),
    ).select_related("review")
    reminded = 0
    for round_ in rounds:
        review = round_.review
        with transaction.atomic():
            still_a_member = Membership.objects.active().filter(
                user=OuterRef("member_id"),
                board_id__in=review_board_ids(review),
                role__in=INVITED_ROLES,
            )
            due = list(
                InputInvitation.objects.select_for_update(of=("self",))
                .filter(round=round_, reminded_at__isnull=True, member__is_active=True)
                .filter(Exists(still_a_member), ~Exists(InputReply.objects.filter(invitation=OuterRef("pk"))))
                .select_related("member")
            )
            if not due:
                continue
            when = "today" if round_.closes_on == today else f"on {long_date(round_.closes_on)}"
            notifications.notify(
                review=review,
                recipients=[inv.member for inv in due],
                kind=Notification.Kind.DEADLINE_APPROACHING,
                title=f"{review.reference}: {review.words.body} input closes {when}",
                body=f"You have not replied yet. Replies close {when}. The {review.words.body} asked: {round_.request}",
                path=reverse("input_rounds", args=[review.pk]),
                key=f"input:{round_.pk}:reminder",
            )
            # Everyone in `due` still holds a board role on the review, so notify() tells them all.
            InputInvitation.objects.filter(pk__in=[inv.pk for inv in due]).update(reminded_at=timezone.now())
            reminded += len(due)
    return reminded


def input_notifications_sweep(today: date | None = None) -> int:
    """Periodic (registered with `notifications.add_sweep`): requests for input to a round that has closed
    can no longer be answered."""
    today = today or timezone.localdate()
    return notifications.resolve_settled(
        "input",
        lambda ids: InputRound.objects.filter(pk__in=ids, closes_on__lt=today).values_list("pk", flat=True),
    )
