"""Writes for actions: agreeing an action, changing it, and recording progress (with an optional status change
and evidence files).

Each write follows one shape: in one transaction it locks the row it changes, checks, changes, records the
step on the review's timeline and notifies after the commit. A refusal raises ActionRefused with a plain
message and changes nothing (files already written for a refused update are removed again)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from responses.models import Action, ActionUpdate, Evidence, Finding, PlanPriority, evidence_upload_to
from reviews import access, notifications
from reviews.models import Agency, Notification, Review, Role, TimelineEntry
from reviews.services import review_lock, timeline_add
from scr_portal.dates import long_date
from scr_portal.files import removed_unless_recorded
from scr_portal.uploads import Kind, safe_display_name

from . import selectors, workflow

Status = Action.Status
EDITABLE = (
    "description",
    "kind",
    "function",
    "level",
    "owner_agency",
    "owner",
    "priority",
    "priority_reason",
    "plan_priority",
    "due_on",
)


class ActionRefused(Exception):
    """The step cannot be taken now; the message says why, in words for the person who tried."""


class EditConflict(ActionRefused):
    """Someone else changed the action after this person opened it: nothing was saved."""

    def __init__(self, message: str, *, fingerprint: str):
        super().__init__(message)
        self.fingerprint = fingerprint


class StatusConflict(ActionRefused):
    """Someone else changed the action's status after this person opened the page: nothing was saved.
    Carries the status as it is now, so the page can offer the moves allowed from it."""

    def __init__(self, status: str):
        super().__init__(
            f"Someone else changed this action's status to {Status(status).label} after you opened this "
            "page. Nothing was saved: check the action as it is now, then try again."
        )
        self.status = status


def _name(user) -> str:
    return user.get_full_name() or user.email


def action_path(action: Action) -> str:
    return reverse("action_detail", args=[action.review_id, action.number])


EXPORT_REFRESH_CHUNK = 2000


def export_columns_refresh(*, action_ids: Iterable[int]) -> None:
    """Writes on each action what exports read of its other rows: its findings as exports write them
    ("1. title; 2. title") and its latest progress update, with the update's date and text. Every service that changes them calls it, in
    its own transaction: agreeing or changing an action, recording progress, changing a finding; so a
    board's export of thousands of actions reads them with the actions instead of one lookup per action."""
    ids = sorted(set(action_ids))
    for start in range(0, len(ids), EXPORT_REFRESH_CHUNK):
        chunk = ids[start : start + EXPORT_REFRESH_CHUNK]
        labels, latest = selectors.findings_labels(chunk), selectors.latest_updates(chunk)
        Action.objects.bulk_update(
            [
                Action(
                    pk=pk,
                    findings_label=labels.get(pk, ""),
                    latest_update_id=latest[pk][0] if pk in latest else None,
                    latest_progress_on=latest[pk][1] if pk in latest else None,
                    latest_progress=latest[pk][2] if pk in latest else "",
                )
                for pk in chunk
            ],
            ["findings_label", "latest_update", "latest_progress_on", "latest_progress"],
        )


def fingerprint(action: Action, finding_ids=None) -> str:
    """A digest of what the action form edits, taken when the form is opened and checked when it is saved,
    so two people changing the same action never silently overwrite each other."""
    if finding_ids is None:
        finding_ids = action.findings.values_list("pk", flat=True)
    parts = [
        str(getattr(action, f"{f}_id" if f in ("owner_agency", "owner", "plan_priority") else f))
        for f in EDITABLE
    ]
    parts.append(",".join(str(pk) for pk in sorted(finding_ids)))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


# Agreeing and changing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionDetails:
    """What the board agrees about an action (what the action form edits)."""

    findings: list[Finding]
    description: str
    kind: str
    function: str
    level: str
    owner_agency: Agency
    owner: object  # the named owner (a user)
    priority: int
    priority_reason: str
    plan_priority: PlanPriority | None
    due_on: date

    def values(self) -> dict:
        """The action's own fields (all but the findings, which are a many-to-many)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "findings"}


def _check_details(review: Review, details: ActionDetails, *, due_on_was: date | None = None) -> None:
    """The business rules of an action's details; raises ActionRefused with the first problem found."""
    if not details.findings:
        raise ActionRefused("Select the findings this action responds to.")
    if any(f.review_id != review.pk for f in details.findings):
        raise ActionRefused("An action can only respond to findings of this review.")
    agency = details.owner_agency
    if not selectors.owner_agencies(review).filter(pk=agency.pk).exists():
        raise ActionRefused(f"{agency.name} is not an agency of the boards taking part in this review.")
    problem = selectors.owner_problem(selectors.owner_candidates(review).get(details.owner.pk), agency)
    if problem:
        raise ActionRefused(problem + ".")
    plan_priority = details.plan_priority
    if plan_priority is not None and plan_priority.period.board_id != review.lead_board_id:
        raise ActionRefused("Choose a priority of the lead board's business plan.")
    if details.due_on != due_on_was and details.due_on < timezone.localdate():
        raise ActionRefused("The due date cannot be in the past.")


def action_agree(*, review: Review, user, details: ActionDetails) -> Action:
    """Records an action the board agreed, numbered next in the review, and tells its named owner."""
    _check_details(review, details)
    with transaction.atomic():
        # Locking the review serialises numbering: two people agreeing at once never share a number.
        review_lock(review.pk)
        number = (Action.objects.filter(review=review).aggregate(n=Max("number"))["n"] or 0) + 1
        action = Action.objects.create(review=review, number=number, created_by=user, **details.values())
        action.findings.set(details.findings)
        export_columns_refresh(action_ids=[action.pk])
        numbers = ", ".join(str(f.number) for f in sorted(details.findings, key=lambda f: f.number))
        timeline_add(
            review=review,
            user=user,
            kind=TimelineEntry.Kind.DECISION,
            title=f"Action {number} agreed",
            body=(
                f"{action.description[:300]} Responds to finding{'s' if len(details.findings) != 1 else ''} "
                f"{numbers}. Owned by {_name(action.owner)} ({action.owner_agency.name}); "
                f"{action.get_priority_display().lower()} priority; due {long_date(action.due_on)}."
            ),
        )
        transaction.on_commit(lambda: _notify_owner(action, user))
    return action


def action_change(*, action: Action, user, details: ActionDetails, seen: str) -> Action:
    """Changes an action's details. Refused (EditConflict) when someone else changed them since `seen`."""
    review = action.review
    with transaction.atomic():
        locked = Action.objects.select_for_update().select_related("owner", "owner_agency").get(pk=action.pk)
        now = fingerprint(locked)
        if now != seen:
            raise EditConflict(
                "Someone else changed this action after you opened it, so your changes were not saved. "
                "Check the action as it is now below, then save again.",
                fingerprint=now,
            )
        _check_details(review, details, due_on_was=locked.due_on)
        old_owner_id, old_due = locked.owner_id, locked.due_on
        values = details.values()
        changed = [
            str(Action._meta.get_field(f).verbose_name) for f in EDITABLE if getattr(locked, f) != values[f]
        ]
        old_findings = set(locked.findings.values_list("pk", flat=True))
        if old_findings != {f.pk for f in details.findings}:
            changed.append("findings")
        if not changed:
            return locked
        for f in EDITABLE:
            setattr(locked, f, values[f])
        locked.save()
        locked.findings.set(details.findings)
        export_columns_refresh(action_ids=[locked.pk])
        locked.review = review
        timeline_add(
            review=review,
            user=user,
            title=f"Action {locked.number} changed",
            body=f"Changed: {', '.join(changed)}.",
        )
        if locked.owner_id != old_owner_id:
            # The former owner no longer has to take it on.
            notifications.resolve(review=review, keys=[f"action:{locked.pk}:owner:{old_owner_id}"])
            transaction.on_commit(lambda: _notify_owner(locked, user))
        elif locked.due_on != old_due:
            transaction.on_commit(lambda: _notify_due_changed(locked, user, old_due))
    return locked


def _tell_owner(action: Action, actor, *, kind: str, title: str, body: str, key: str) -> None:
    """Tells the action's owner about a change someone else made to it."""
    if action.owner_id == actor.pk:
        return
    notifications.notify(
        review=action.review,
        recipients=[action.owner],
        kind=kind,
        title=f"{action.review.reference}: {title}",
        body=body,
        path=action_path(action),
        key=f"action:{action.pk}:{key}:{action.owner_id}",
    )


def _notify_owner(action: Action, actor) -> None:
    _tell_owner(
        action,
        actor,
        kind=Notification.Kind.ACTION_NEEDED,
        title=f"you own action {action.number}",
        body=f"{_name(actor)} named you as the owner of action {action.number} for "
        f"{action.owner_agency.name}: {action.description[:300]} It is due on {long_date(action.due_on)}. "
        "Record progress on the action's page.",
        key="owner",
    )


def _notify_due_changed(action: Action, actor, old_due: date) -> None:
    _tell_owner(
        action,
        actor,
        kind=Notification.Kind.INFORMATION,
        title=f"action {action.number} is now due on {long_date(action.due_on)}",
        body=f"{_name(actor)} moved the due date from {long_date(old_due)} to {long_date(action.due_on)}.",
        key=f"due:{action.due_on:%Y%m%d}",
    )


# Progress and status ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A file that passed the type and size checks, with the kind its content showed."""

    file: UploadedFile
    kind: Kind


def action_progress_record(
    *,
    action: Action,
    user,
    on: date,
    text: str,
    status_to: str = "",
    deferred_reason: str = "",
    deferred_until: date | None = None,
    files: list[Upload] | tuple = (),
    seen_status: str | None = None,
) -> ActionUpdate:
    """Records a dated progress update, optionally moving the status on (a move the workflow table allows
    from the status now, by someone whose role it names, once its guard passes), with any evidence files.

    Completed and impact evidenced date the completion; impact evidenced needs at least one evidence file
    on the action (already there, or attached now); deferring needs the reason and a future date to look
    at the action again; resuming a deferred action clears the deferral (see `workflow`).

    `seen_status` is the status the person was shown when they opened the page. A status change is
    refused (StatusConflict) when the action's status is no longer that one, or is already the one asked
    for: of two people changing the status at once, the second is told rather than applied over the
    first. A progress update without a status change adds to the record and is never refused for this."""
    today = timezone.localdate()
    text = (text or "").strip()
    if on > today:
        raise ActionRefused("The date of the progress cannot be in the future.")
    if not text:
        raise ActionRefused("Enter the progress made.")
    # The files are stored before the transaction (no lock is held while they are written) and removed if
    # it fails; a process killed in between leaves them to the file sweep (scr_portal/files.py).
    with removed_unless_recorded([]) as stored:
        storage = Evidence._meta.get_field("file").storage
        for upload in files:
            stored.append(storage.save(evidence_upload_to(None, upload.file.name), upload.file))
        with transaction.atomic():
            locked = Action.objects.select_for_update().get(pk=action.pk)
            locked.review = action.review
            status_from = locked.status
            moving = bool(status_to)
            if moving:
                _check_not_moved_on(status_from, status_to, seen_status)
                move = workflow.Move(
                    on=on, reason=deferred_reason, until=deferred_until, attaching=bool(files), today=today
                )
                _move(locked, user, status_to, move)
                locked.save()
            update = ActionUpdate.objects.create(
                action=locked,
                author=user,
                on=on,
                text=text,
                status_from=status_from if moving else "",
                status_to=status_to if moving else "",
            )
            export_columns_refresh(action_ids=[locked.pk])
            # Progress is recorded: what the action's notices asked (take it on, look at it again) is done.
            notifications.resolve(review=locked.review_id, prefix=f"action:{locked.pk}:")
            for upload, name in zip(files, stored, strict=True):
                Evidence.objects.create(
                    update=update,
                    file=name,
                    name=safe_display_name(upload.file.name, upload.kind),
                    size=upload.file.size,
                )
            timeline_add(
                review=action.review,
                user=user,
                title=(
                    f"Action {locked.number}: {Status(status_from).label.lower()} → "
                    f"{Status(status_to).label.lower()}"
                    if moving
                    else f"Action {locked.number}: progress recorded"
                ),
                body=text[:500]
                + (f" ({len(files)} evidence file{'s' if len(files) != 1 else ''})" if files else ""),
            )
            if moving:
                transaction.on_commit(lambda: _notify_moved(locked, update, user))
    return update


def _check_not_moved_on(current: str, target: str, seen: str | None) -> None:
    """Refuses a status change when the status is no longer the one the person saw (`seen`), or already
    is the target, which no page offers as a move, so someone else must have made it."""
    if (seen is not None and seen != current) or (seen is None and target == current):
        raise StatusConflict(current)
    if target == current:
        raise ActionRefused(f"This action is already {Status(current).label.lower()}.")


def _move(action: Action, user, target: str, move: workflow.Move) -> None:
    """Applies the workflow's transition to `target`: refused when the table has none from the status now,
    when the person's roles are not among those it names, or when its guard finds something missing."""
    step = workflow.MACHINE.between(action.status, target)
    if step is None:
        raise ActionRefused(workflow.move_problem(action.status, target))
    if not workflow.MACHINE.permitted(step, selectors.roles_on_action(user, action)):
        raise ActionRefused(
            "Only the action's owner, their agency or the business manager can change its status."
        )
    blockers = workflow.MACHINE.blockers(step, action, move)
    if blockers:
        raise ActionRefused(" ".join(blockers))
    workflow.MACHINE.apply(step, action, move)


def _notify_moved(action: Action, update: ActionUpdate, actor) -> None:
    """Tells the review's business managers, and the named owner, when an action's status changes."""
    review = action.review
    managers = access.people_on_review(review, (Role.BUSINESS_MANAGER,)).exclude(pk=actor.pk)
    recipients = list(managers)
    if action.owner_id != actor.pk and all(u.pk != action.owner_id for u in recipients):
        recipients.append(action.owner)
    to = Status(update.status_to).label.lower()
    notifications.notify(
        review=review,
        recipients=recipients,
        kind=Notification.Kind.INFORMATION,
        title=f"{review.reference}: action {action.number} is {to}",
        body=f"{_name(actor)} moved action {action.number} to {to}: {update.text[:300]}",
        path=action_path(action),
        key=f"action:{action.pk}:update:{update.pk}",
    )
