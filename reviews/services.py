"""Writes for boards and reviews. Each is one transaction; stage changes lock the review row first."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from scr_portal import files
from scr_portal.dates import long_date

from . import access, clocks, notifications, workflow
from .models import (
    PARTNER_ROLES,
    REFERRAL_FIELDS,
    Agency,
    AgencySummary,
    Appointment,
    Board,
    BoardInvitation,
    Child,
    DecisionSignature,
    Membership,
    Notification,
    ParallelProcess,
    ParticipatingBoard,
    Regime,
    Review,
    ReviewAccess,
    Role,
    TimelineEntry,
)
from .selectors import notifications_of


class TransitionRefused(Exception):
    """The step cannot be taken now; the message says why in plain words. Nothing was changed."""


def review_access_record(*, review: Review, user, request: HttpRequest) -> ReviewAccess:
    """Logs that `user` opened `review` (the access log business managers and administrators read)."""
    return ReviewAccess.objects.create(
        review=review,
        user=user,
        path=request.get_full_path()[:300],
        ip_address=request.META.get("REMOTE_ADDR") or None,
    )


def review_lock(review_id: int) -> Review:
    """The review's row, locked until the transaction ends (`select_for_update`), read afresh: every write
    that must not interleave with another on the same review (numbering, stage changes, sign-offs) starts
    here. Call inside `transaction.atomic()`."""
    # Only the review's row is locked (`of`), not the lead board read with it.
    return Review.objects.select_for_update(of=("self",)).select_related("lead_board").get(pk=review_id)


def timeline_add(
    *, review: Review, user, title: str, body: str = "", kind: str = TimelineEntry.Kind.UPDATE, **extra
) -> TimelineEntry:
    """One entry on the review's timeline (an update unless `kind` says otherwise), by `user`."""
    return TimelineEntry.objects.create(
        review=review, actor=user, kind=kind, title=title[:200], body=body, **extra
    )


def review_refresh_due(review: Review) -> None:
    """Recomputes the review's next deadline (kept on the row so lists can filter and sort by it)."""
    current = clocks.current_deadline(review)
    review.due_on, review.due_kind = (current.due, current.key) if current else (None, "")


@transaction.atomic
def review_create(
    *,
    board: Board,
    user,
    reference: str,
    regime: str = Regime.SERIOUS_CASE_REVIEW,
    case_summary: str = "",
    incident_date: date | None = None,
    notification_date: date | None = None,
    criteria: str = "",
    criteria_notes: str = "",
    pseudonym: str = "",
    outcome: str = "",
) -> Review:
    """Opens a review at the referral stage, with its first deadline and a timeline entry, and with the
    child it is about when `pseudonym` is given (the portal always gives one; the admin may not)."""
    review = Review(
        lead_board=board,
        reference=reference,
        regime=regime,
        case_summary=case_summary,
        incident_date=incident_date,
        notification_date=notification_date,
        criteria=criteria,
        criteria_notes=criteria_notes,
    )
    review_refresh_due(review)
    review.full_clean()
    review.save()
    if pseudonym.strip():
        Child.objects.create(review=review, pseudonym=pseudonym.strip(), outcome=outcome)
    timeline_add(
        review=review,
        user=user,
        title="Referral opened",
        body=case_summary,
    )
    return review


@transaction.atomic
def review_update(
    *,
    review: Review,
    user,
    reference: str,
    case_summary: str,
    incident_date: date | None,
    notification_date: date | None,
    criteria: str,
    criteria_notes: str,
    agencies_known: Iterable[Agency],
) -> Review:
    """Saves an edit of the referral details: locks the review, recomputes its next deadline, and notes on
    the timeline which details changed (the history keeps the old values). The stage and everything the
    lifecycle's steps record are not touched."""
    review = review_lock(review.pk)
    values = {
        "reference": reference,
        "case_summary": case_summary,
        "incident_date": incident_date,
        "notification_date": notification_date,
        "criteria": criteria,
        "criteria_notes": criteria_notes,
    }
    changed = [name for name in REFERRAL_FIELDS if getattr(review, name) != values[name]]
    for name in changed:
        setattr(review, name, values[name])
    agencies = {agency.pk for agency in agencies_known}
    if agencies != set(review.agencies_known.values_list("pk", flat=True)):
        changed.append("agencies_known")
    review_refresh_due(review)
    review.full_clean(exclude=["final_report"])
    review.save()
    if "agencies_known" in changed:
        review.agencies_known.set(agencies)
    if changed:
        labels = ", ".join(str(Review._meta.get_field(name).verbose_name).lower() for name in changed)
        timeline_add(review=review, user=user, title="Referral details updated", body=f"Changed: {labels}.")
    return review


@transaction.atomic
def child_save(
    *,
    review: Review,
    user,
    child: Child | None = None,
    pseudonym: str,
    age: str = "",
    outcome: str,
    circumstances: str = "",
) -> Child:
    """Adds a child to the review (`child` None, or not yet saved) or saves an edit of one, and notes it on
    the timeline."""
    child = child if child is not None else Child()
    created = child.pk is None
    child.review = review
    child.pseudonym, child.age, child.outcome, child.circumstances = (
        pseudonym.strip(),
        age,
        outcome,
        circumstances,
    )
    child.full_clean()
    child.save()
    timeline_add(review=review, user=user, title=f"{'Added' if created else 'Updated'} {child.pseudonym}")
    return child


@transaction.atomic
def parallel_process_save(
    *,
    review: Review,
    user,
    process: ParallelProcess | None = None,
    kind: str,
    description: str,
    may_delay_publication: bool,
    expected_end: date | None = None,
    concluded_on: date | None = None,
    timetable_effect: str = "",
    tor_effect: str = "",
    disclosure_agreed_on: date | None = None,
    disclosure_agreed_with: str = "",
    disclosure_terms: str = "",
) -> ParallelProcess:
    """Records proceedings beside the review (`process` None, or not yet saved) or saves an edit of them:
    their effect on the timetable and the terms of reference, and the disclosure agreed with the police or
    the Crown Prosecution Service (when, with whom, what); notes it on the timeline."""
    process = process if process is not None else ParallelProcess()
    created = process.pk is None
    process.review = review
    process.kind, process.description = kind, description
    process.may_delay_publication = may_delay_publication
    process.expected_end, process.concluded_on = expected_end, concluded_on
    process.timetable_effect, process.tor_effect = timetable_effect.strip(), tor_effect.strip()
    process.disclosure_agreed_on = disclosure_agreed_on
    process.disclosure_agreed_with = disclosure_agreed_with.strip()
    process.disclosure_terms = disclosure_terms.strip()
    process.full_clean()
    process.save()
    verb = "Recorded" if created else "Updated"
    timeline_add(review=review, user=user, title=f"{verb} parallel process: {process.get_kind_display()}")
    return process


@transaction.atomic
def board_timescales_update(
    *,
    board: Board,
    notification_working_days: int,
    decision_months: int,
    completion_months: int,
    publication_months: int,
    rapid_review_working_days: int | None = None,
) -> Board:
    """Sets the board's local targets, and recomputes the next deadline of each of its open reviews. The
    rapid review's target, left None (an LSCB has no rapid review), is kept."""
    board = Board.objects.select_for_update().get(pk=board.pk)
    board.notification_working_days = notification_working_days
    board.decision_months = decision_months
    if rapid_review_working_days is not None:
        board.rapid_review_working_days = rapid_review_working_days
    board.completion_months = completion_months
    board.publication_months = publication_months
    board.full_clean()
    board.save()
    for review in board.led_reviews.exclude(state__in=workflow.TERMINAL_STATES).select_for_update():
        review_refresh_due(review)
        review.save(update_fields=["due_on", "due_kind"])
    return board


def review_transition(*, review_id: int, name: str, user, data: dict, at: datetime | None = None) -> Review:
    """Takes one step of the lifecycle: locks the review, checks the stage, the person's role and the
    step's preconditions, applies the step's data, moves the stage and writes one timeline entry.

    Raises TransitionRefused with a plain message when any check fails; nothing is changed then. A file the
    step keeps (the final report) is stored before the transaction, with no lock held while it is written,
    and removed again if the step is refused or fails; a process killed in between leaves it to the file
    sweep (scr_portal/files.py). `at` dates a partner's signature on a decision: only the demonstration
    data's made-up past sets it."""
    # The regime decides the steps; it never changes, so it is read without a lock.
    regime = Review.objects.filter(pk=review_id).values_list("regime", flat=True).first()
    step = workflow.table(regime).transitions.get(name) if regime else None
    if step is None:
        raise TransitionRefused("There is no such step.")
    with files.removed_unless_recorded([]) as stored:
        kept = _step_files_store(step, review_id, data, stored)
        return _step_take(step, review_id, user, data, kept, at)


def _step_files_store(
    step: workflow.Transition, review_id: int, data: dict, stored: list[str]
) -> dict[str, str]:
    """Stores the uploads the step keeps (`step.stores`), appending each name to `stored`: the review's file
    field -> the name its file was stored under."""
    uploads = {name: data[name] for name in step.stores if data.get(name)}
    if not uploads:
        return {}
    # Where the review's files go (its lead board's folder); read without a lock, as nothing is held yet.
    review = Review.objects.only("pk", "lead_board_id").get(pk=review_id)
    kept = {}
    for field_name, upload in uploads.items():
        kept[field_name] = files.store(review, field_name, upload, upload.display_name)
        stored.append(kept[field_name])
    return kept


def _step_take(
    step: workflow.Transition, review_id: int, user, data: dict, kept: dict[str, str], at: datetime | None
) -> Review:
    """The step's transaction, naming on the review the files stored for it (`kept`)."""
    with transaction.atomic():
        review = review_lock(review_id)
        if review.state not in step.source or not step.offered(review):
            raise TransitionRefused(
                f"This review is now at the {review.stage_label.lower()} stage, so “{step.label.lower()}” "
                "cannot be done. Nothing was changed."
            )
        if not access.may_take_step(user, review, step):
            raise TransitionRefused(
                f"Only a {workflow.roles_named(step)} can {step.label[0].lower()}{step.label[1:]}."
            )
        blockers = workflow.blockers(review, step)
        if blockers:
            raise TransitionRefused("First: " + " ".join(blockers))
        if problems := workflow.date_problems(review, step, data):
            raise TransitionRefused(" ".join(problems.values()))
        if step.signed_by_partners:
            body = _decision_sign(step, review, user, data, at or timezone.now())
            if body is None:  # signed, and waiting for the other partners' signatures
                return review
            data = {**data, "decided_by": user}  # the partner whose signature made the decision
        else:
            body = step.body(data)
        before = review.state
        step.effect(review, data, user)
        for field_name, stored_name in kept.items():
            getattr(review, field_name).name = stored_name
        review.state = step.target
        if before != step.target:
            review.state_changed_at = timezone.now()
        review_refresh_due(review)
        try:
            review.full_clean(exclude=["final_report"])
        except ValidationError as error:
            raise TransitionRefused(" ".join(error.messages)) from error
        review.save()
        if step.ends_appointments:
            appointments_end_current(review=review)
        timeline_add(
            review=review,
            user=user,
            kind=TimelineEntry.Kind.DECISION if step.is_decision else TimelineEntry.Kind.TRANSITION,
            title=step.label
            if step.is_decision or before == step.target
            else f"{review.words.stage(before)} → {review.words.stage(step.target)}",
            body=body,
            from_state=before,
            to_state=step.target,
            transition=step.name,
        )
        if before == step.target:  # a record kept at the same stage (a late notice): nobody new acts
            return review
        # What the earlier stage asked of people is done (and nothing is asked on a closed review).
        notifications.resolve_on_review_change(review)
        if not notifications.is_muted():
            transaction.on_commit(lambda: notifications.notify_stage_reached(review, user))
    return review


def _decision_sign(step: workflow.Transition, review: Review, user, data: dict, at: datetime) -> str | None:
    """Records the person's signature, for the statutory partner they act for, on the partners' decision as
    `data` gives it (inside the step's transaction, the review locked). Returns the timeline's account of
    the decision when this is the last different partner to sign that same decision (the step then moves
    the review); else None, the other partners told their signature is awaited."""
    acting = access.acting_partner(user, review)
    if acting is None:  # a partner's membership always names its statutory partner and organisation
        raise TransitionRefused(
            "Only a lead or delegated safeguarding partner of the partnership, acting for a statutory "
            "partner and its organisation, signs the partners' decision."
        )
    text = workflow.decision_text(review, step, data)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    earlier = (
        review.decision_signatures.on(digest).filter(partner=acting.partner).select_related("user").first()
    )
    if earlier is not None:
        raise TransitionRefused(
            f"{acting.get_partner_display()} already signed this decision: {earlier.user.get_full_name()} "
            f"on {long_date(timezone.localtime(earlier.signed_at))}. A partner signs a decision once."
        )
    made = DecisionSignature.objects.create(
        review=review,
        step=step.name,
        text=text,
        values=workflow.decision_values(data),
        partner=acting.partner,
        organisation=acting.agency,
        user=user,
        digest=digest,
        signed_at=at,
    )
    signatures = list(review.decision_signatures.on(digest).select_related("user", "organisation"))
    needed = workflow.table(review).partner_signatures
    partners = {s.partner for s in signatures}
    if len(partners) >= needed:
        return "\n".join(
            [
                text,
                "Signed by each statutory partner:",
                *(
                    f"{s.get_partner_display()}, {s.organisation}: {s.user.get_full_name()} on "
                    f"{long_date(timezone.localtime(s.signed_at))}."
                    for s in signatures
                ),
            ]
        )
    timeline_add(
        review=review,
        user=user,
        kind=TimelineEntry.Kind.DECISION,
        title=f"{made.organisation} signed the partners' decision ({len(partners)} of {needed})",
        body=text,
        at=at,
    )
    waiting = (
        Membership.objects.active()
        .filter(board_id=review.lead_board_id, role__in=PARTNER_ROLES)
        .exclude(partner__in=partners)
        .values_list("user_id", flat=True)
    )
    notifications.notify(
        review=review,
        recipients=get_user_model().objects.filter(pk__in=waiting).exclude(pk=user.pk),
        kind=Notification.Kind.ACTION_NEEDED,
        title=f"{review.reference}: the partners' decision awaits your signature",
        body=f"{made.organisation} signed the decision ({len(partners)} of {needed} partners).\n{text}",
        path=reverse("review_step", args=[review.pk, step.name]),
        key=f"decision:{review.pk}:{digest}:{made.pk}",
    )
    return None


def appointments_end_current(*, review: Review) -> list[Appointment]:
    """Ends every current lead-reviewer appointment to the review (the step that ends the review calls this
    inside its transaction): the reviewers lose access to it at once. One save each, so each appointment's
    history records its end (the step's own timeline entry says the review ended)."""
    ended = list(
        Appointment.objects.select_for_update()
        .filter(review=review, ended_at__isnull=True)
        .select_related("reviewer")
        .order_by("appointed_at", "pk")
    )
    now = timezone.now()
    for appointment in ended:
        appointment.ended_at = now
        appointment.save(update_fields=["ended_at"])
    return ended


def notification_open(*, note) -> None:
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])


def notifications_mark_all_read(*, user) -> int:
    """Marks read what the person's list shows them (not what it hides: see notifications_of)."""
    return notifications_of(user).filter(read_at__isnull=True).update(read_at=timezone.now())


# Cross-border reviews: invitations to take part ----------------------------------------------------------


class InvitationRefused(Exception):
    """The invitation cannot be sent or moved now; the message says why. Nothing was changed. `field` names
    the form field the message belongs beside, when there is one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def _board_path(review: Review) -> str:
    return reverse("review_boards", args=[review.pk])


def _tell_board(board_id: int, **note) -> None:
    """Tells a board's business managers (the invitation is not about a review they may see yet)."""
    notifications.notify(
        review=None, recipients=access.people_on_board(board_id, (Role.BUSINESS_MANAGER,)), **note
    )


@transaction.atomic
def board_invite(*, review: Review, user, board: Board, note: str = "") -> BoardInvitation:
    """The lead board's business manager invites `board` to take part in the review: one live invitation
    per board, never the lead board itself. Noted on the timeline; the board's business managers are told,
    with a link to answer."""
    review = review_lock(review.pk)
    if not access.can(user, "invite_boards", review):
        raise InvitationRefused(
            "Only the lead board's business manager can invite a board, while the review is open."
        )
    if board.pk == review.lead_board_id:
        raise InvitationRefused(
            f"{board.name} leads this review already. Choose another board.", field="board"
        )
    live = BoardInvitation.objects.filter(
        review=review, board=board, status__in=workflow.LIVE_STATUSES
    ).first()
    if live is not None:
        raise InvitationRefused(
            f"{board.name} is already {'taking part' if workflow.is_taking_part(live) else 'invited'}.",
            field="board",
        )
    invitation = BoardInvitation(review=review, board=board, note=note.strip(), invited_by=user)
    invitation.full_clean()
    invitation.save()
    timeline_add(
        review=review,
        user=user,
        title=f"{board.name} invited to take part",
        body=invitation.note,
    )
    _tell_board(
        board.pk,
        kind=Notification.Kind.ACTION_NEEDED,
        title=f"{review.lead_board.name} invites {board.name} to take part in review {review.reference}",
        body=invitation.note or "Accept or decline the invitation.",
        path=reverse("invitation_answer", args=[invitation.pk]),
        key=f"invitation:{invitation.pk}:invited",
    )
    return invitation


# What each move writes on the timeline, and whom it tells (the lead board, or the invited board).
_MOVE_TITLES = {
    "accept": "{board} accepted the invitation and takes part",
    "decline": "{board} declined the invitation",
    "remove": "{board} removed from the review",
    "withdraw": "{board} withdrew from the review",
}


def invitation_move(*, invitation: BoardInvitation, user, name: str, reason: str = "") -> BoardInvitation:
    """Makes one move of the invitation's workflow (`workflow.INVITATION`): accept, decline, remove or
    withdraw. Locks the review, checks the move starts from the invitation's status now and that the person
    is on the side that makes it; a decline, a removal or a withdrawal needs a reason. Accepting makes the
    board take part; removing or withdrawing a board that takes part ends its part (its people no longer
    see the review). Noted on the timeline; the other side is told."""
    move = workflow.INVITATION.transitions.get(name)
    if move is None:
        raise InvitationRefused("There is no such answer.")
    with transaction.atomic():
        review = review_lock(invitation.review_id)
        current = BoardInvitation.objects.select_for_update().select_related("board").get(pk=invitation.pk)
        current.review = review
        if not workflow.INVITATION.allows(name, current):
            raise InvitationRefused(
                f"This invitation is now “{current.get_status_display().lower()}”, so "
                f"“{move.label.lower()}” is no longer possible. Nothing was changed."
            )
        if not workflow.INVITATION.permitted(move, access.invitation_parties(user, current)):
            who = " or ".join(workflow.INVITATION_PARTIES[p] for p in sorted(move.roles))
            raise InvitationRefused(f"Only {who} can do this.")
        if name != "accept" and not reason.strip():
            raise InvitationRefused(
                "Give a reason: both boards see it on the review's timeline.", field="reason"
            )
        if not workflow.allows(review, workflow.OPEN) and name in ("accept", "decline"):
            raise InvitationRefused(
                f"Review {review.reference} has ended, so the invitation can no longer be answered."
            )
        was_taking_part = workflow.is_taking_part(current)
        workflow.INVITATION.apply(move, current)
        current.answered_by, current.answered_at, current.reason = user, timezone.now(), reason.strip()
        current.save()
        board = current.board
        if workflow.is_taking_part(current):
            taking_part = ParticipatingBoard(review=review, board=board)
            taking_part.full_clean()
            taking_part.save()
        elif was_taking_part:
            ParticipatingBoard.objects.filter(review=review, board=board).delete()
        title = _MOVE_TITLES[name].format(board=board.name)
        timeline_add(review=review, user=user, title=title, body=current.reason)
        note = {
            "kind": Notification.Kind.INFORMATION,
            "title": f"{review.reference}: {title}",
            "body": current.reason,
            "key": f"invitation:{current.pk}:{name}:{current.answered_at:%Y%m%d%H%M%S}",
        }
        if name == "remove":
            _tell_board(board.pk, path=reverse("invitation_list"), **note)
        else:
            notifications.notify(
                review=review,
                recipients=access.people_on_board(review.lead_board_id, (Role.BUSINESS_MANAGER,)).exclude(
                    pk=user.pk
                ),
                path=_board_path(review),
                **note,
            )
    return current


# A practice review's rapid review: agencies' summaries of their involvement ---------------------------


class SummaryRefused(Exception):
    """An agency's summary cannot be asked for or recorded now; the message says why. Nothing was changed.
    `field` names the form field the message belongs beside, when there is one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def summary_asked_key(summary: AgencySummary) -> str:
    """The key of the "action needed" notice asking an agency's people for its summary."""
    return f"summary:{summary.pk}:asked"


def _rapid_review_path(review: Review) -> str:
    return reverse("rapid_review", args=[review.pk])


def _summary_due_problem(review: Review, due_on: date, today: date) -> str:
    if due_on < today:
        return "The date the summary is due cannot be in the past"
    rapid_due = clocks.rapid_review_due(review)
    if rapid_due and due_on > rapid_due:
        days = review.lead_board.rapid_review_working_days
        return (
            f"The summary must be due by {long_date(rapid_due)} at the latest: the rapid review is due with "
            f"the Panel then ({days} working days from the notification)"
        )
    return ""


def agency_summaries_request(
    *, review: Review, user, agencies: Iterable[Agency], due_on: date
) -> list[AgencySummary]:
    """Asks each agency (of the lead partnership, not asked before) for a summary of its involvement with
    the child and family by `due_on`, while the rapid review is open: notes it on the timeline and asks the
    agency's people on the partnership (its members and partners), who are reminded as the date nears."""
    agencies = sorted(agencies, key=lambda a: a.name)
    if not agencies:
        raise SummaryRefused("Choose at least one agency to ask for a summary.", field="agencies")
    today = timezone.localdate()
    with transaction.atomic():
        review = review_lock(review.pk)
        if not workflow.allows(review, workflow.RAPID_REVIEW_OPEN):
            raise SummaryRefused(
                "The rapid review has been sent to the Panel: no more summaries can be asked for."
            )
        problem = _summary_due_problem(review, due_on, today)
        if problem:
            raise SummaryRefused(f"{problem}.", field="due_on")
        members = set(review.lead_board.agencies.values_list("pk", flat=True))
        asked = set(review.agency_summaries.values_list("agency_id", flat=True))
        wrong = [a.name for a in agencies if a.pk not in members or a.pk in asked]
        if wrong:
            raise SummaryRefused(
                f"{', '.join(wrong)} cannot be asked: already asked, or not an agency of the partnership.",
                field="agencies",
            )
        summaries = [
            AgencySummary(review=review, agency=a, requested_by=user, requested_on=today, due_on=due_on)
            for a in agencies
        ]
        for summary in summaries:
            summary.full_clean()
            summary.save()
        names = ", ".join(a.name for a in agencies)
        timeline_add(
            review=review,
            user=user,
            title=f"Agencies asked for summaries of their involvement by {long_date(due_on)}"[:200],
            body=f"Asked: {names}.",
        )
        for summary in summaries:
            notifications.notify(
                review=review,
                recipients=access.agency_people_on_board(review.lead_board_id, summary.agency_id),
                kind=Notification.Kind.ACTION_NEEDED,
                title=f"{review.reference}: the {review.words.body} asks {summary.agency.name} for a summary of its "
                f"involvement by {long_date(due_on)}",
                body="For the rapid review: what your agency knew of the child and family, what it did, and "
                "any immediate concerns for the safety of other children. Record it on the rapid review page, "
                "or send it to the business manager.",
                path=_rapid_review_path(review),
                key=summary_asked_key(summary),
            )
    return summaries


def agency_summary_record(
    *, summary: AgencySummary, user, summary_text: str, received_on: date
) -> AgencySummary:
    """Records an agency's summary and the day it was received (or changes one already recorded: the
    history keeps the earlier text) while the rapid review is open; what asked the agency for it is done,
    and the business managers are told when someone else recorded it."""
    text = summary_text.strip()
    if not text:
        raise SummaryRefused("Enter the agency's summary of its involvement.", field="summary_text")
    if received_on > timezone.localdate():
        raise SummaryRefused(
            "The date the summary was received cannot be in the future.", field="received_on"
        )
    with transaction.atomic():
        review = review_lock(summary.review_id)
        summary = AgencySummary.objects.select_for_update().select_related("agency").get(pk=summary.pk)
        if not workflow.allows(review, workflow.RAPID_REVIEW_OPEN):
            raise SummaryRefused(
                "The rapid review has been sent to the Panel: its summaries can no longer change."
            )
        if received_on < summary.requested_on:
            raise SummaryRefused(
                f"The summary cannot be received before it was asked for ({long_date(summary.requested_on)}).",
                field="received_on",
            )
        first = not summary.is_received
        if not first and summary.summary == text and summary.received_on == received_on:
            return summary
        summary.summary, summary.received_on = text, received_on
        summary.full_clean()
        summary.save(update_fields=["summary", "received_on"])
        agency = summary.agency.name
        timeline_add(
            review=review,
            user=user,
            title=f"Summary received from {agency}" if first else f"Summary from {agency} changed",
            body=f"Received on {long_date(received_on)}.",
        )
        notifications.resolve(review=review, keys=[summary_asked_key(summary)])
        if first:
            notifications.notify_roles(
                review,
                [Role.BUSINESS_MANAGER],
                actor=user,
                kind=Notification.Kind.INFORMATION,
                title=f"{review.reference}: summary received from {agency}",
                body=f"Recorded by {user.get_full_name()}.",
                path=_rapid_review_path(review),
                key=f"summary:{summary.pk}:received",
            )
    return summary
