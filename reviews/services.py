"""Writes for boards and reviews. Each is one transaction; stage changes lock the review row first."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from scr_portal.permissions import roles_on_review

from . import clocks, notifications, workflow
from .models import Child, ParallelProcess, Review, ReviewAccess, State, TimelineEntry
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


def timeline_add(*, review: Review, user, kind: str, title: str, body: str = "", **extra) -> TimelineEntry:
    return TimelineEntry.objects.create(
        review=review, actor=user, kind=kind, title=title[:200], body=body, **extra
    )


def review_refresh_due(review: Review) -> None:
    """Recomputes the review's next deadline (kept on the row so lists can filter and sort by it)."""
    current = clocks.current_deadline(review)
    review.due_on, review.due_kind = (current.due, current.key) if current else (None, "")


@transaction.atomic
def review_create(*, board, user, data: dict) -> Review:
    review = Review(
        lead_board=board,
        **{
            k: data[k]
            for k in (
                "reference",
                "regime",
                "case_summary",
                "incident_date",
                "notification_date",
                "criteria",
                "criteria_notes",
            )
        },
    )
    review_refresh_due(review)
    review.full_clean()
    review.save()
    Child.objects.create(review=review, pseudonym=data["pseudonym"].strip(), outcome=data["outcome"])
    timeline_add(
        review=review,
        user=user,
        kind=TimelineEntry.Kind.UPDATE,
        title="Referral opened",
        body=data["case_summary"],
    )
    return review


@transaction.atomic
def review_update(*, review: Review, user, form) -> Review:
    """Saves an edit of the case record (the history keeps what changed) and notes it on the timeline."""
    review = form.save(commit=False)
    review_refresh_due(review)
    review.save()
    form.save_m2m()
    if form.changed_data:
        labels = ", ".join(str(form.fields[name].label).lower() for name in form.changed_data)
        timeline_add(
            review=review,
            user=user,
            kind=TimelineEntry.Kind.UPDATE,
            title="Referral details updated",
            body=f"Changed: {labels}.",
        )
    return review


@transaction.atomic
def child_save(*, review: Review, user, form) -> Child:
    child = form.save(commit=False)
    child.review = review
    created = child.pk is None
    child.save()
    timeline_add(
        review=review,
        user=user,
        kind=TimelineEntry.Kind.UPDATE,
        title=f"{'Added' if created else 'Updated'} {child.pseudonym}",
    )
    return child


@transaction.atomic
def parallel_process_save(*, review: Review, user, form) -> ParallelProcess:
    process = form.save(commit=False)
    process.review = review
    created = process.pk is None
    process.save()
    verb = "Recorded" if created else "Updated"
    timeline_add(
        review=review,
        user=user,
        kind=TimelineEntry.Kind.UPDATE,
        title=f"{verb} parallel process: {process.get_kind_display()}",
    )
    return process


@transaction.atomic
def board_timescales_update(*, board, form):
    board = form.save()
    for review in board.led_reviews.exclude(state__in=workflow.TERMINAL_STATES).select_for_update():
        review_refresh_due(review)
        review.save(update_fields=["due_on", "due_kind"])
    return board


def review_transition(*, review_id: int, name: str, user, data: dict) -> Review:
    """Takes one step of the lifecycle: locks the review, checks the stage, the person's role and the
    step's preconditions, applies the step's data, moves the stage and writes one timeline entry.

    Raises TransitionRefused with a plain message when any check fails; nothing is changed then."""
    step = workflow.TRANSITIONS.get(name)
    if step is None:
        raise TransitionRefused("There is no such step.")
    with transaction.atomic():
        review = Review.objects.select_for_update().select_related("lead_board").get(pk=review_id)
        if review.state not in step.source:
            raise TransitionRefused(
                f"This review is now at the {review.get_state_display().lower()} stage, so “{step.label.lower()}” "
                "cannot be done. Nothing was changed."
            )
        if not workflow.permitted(step, roles_on_review(user, review)):
            raise TransitionRefused(
                f"Only a {workflow.roles_named(step)} can {step.label[0].lower()}{step.label[1:]}."
            )
        blockers = step.guard(review)
        if blockers:
            raise TransitionRefused("First: " + " ".join(blockers))
        before = review.state
        step.effect(review, data, user)
        review.state = step.target
        review.state_changed_at = timezone.now()
        review_refresh_due(review)
        try:
            review.full_clean(exclude=["final_report"])
        except ValidationError as error:
            raise TransitionRefused(" ".join(error.messages)) from error
        review.save()
        timeline_add(
            review=review,
            user=user,
            kind=TimelineEntry.Kind.DECISION if step.is_decision else TimelineEntry.Kind.TRANSITION,
            title=step.label if step.is_decision else f"{State(before).label} → {State(step.target).label}",
            body=step.body(data),
            from_state=before,
            to_state=step.target,
            transition=step.name,
        )
        if not notifications.is_muted():
            transaction.on_commit(lambda: notifications.notify_stage_reached(review, user))
    return review


def notification_open(*, note) -> None:
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])


def notifications_mark_all_read(*, user) -> int:
    """Marks read what the person's list shows them (not what it hides: see notifications_of)."""
    return notifications_of(user).filter(read_at__isnull=True).update(read_at=timezone.now())
