"""The daily reminders about actions: each open action's named owner is told when it falls due within 14 days
and again when it is overdue; a deferred action's owner is told when the date to look at it again comes.
Each reminder is made once per action, phase and date (notify's key), however often the task runs; a new
due date starts the reminders again.

The review's business managers get one summary each per run, listing what is newly due, overdue or back
for a look since the last run (and, until someone takes it on, any action whose named owner can no longer
be told), so a second run the same day tells nobody anything."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from responses.models import Action
from reviews import access, notifications, workflow
from reviews.models import Notification, Role

from .workflow import DEFERRED_STATUSES, OPEN_STATUSES

SOON, OVERDUE, LOOK_AGAIN = "due_soon", "overdue", "look_again"
KINDS = {
    SOON: Notification.Kind.DEADLINE_APPROACHING,
    OVERDUE: Notification.Kind.DEADLINE_PASSED,
    LOOK_AGAIN: Notification.Kind.ACTION_NEEDED,
}


@dataclass(frozen=True)
class Reminder:
    action: Action
    phase: str
    on: date

    @property
    def key(self) -> str:
        return f"action:{self.action.pk}:{self.phase}:{self.on:%Y%m%d}"

    @property
    def what(self) -> str:
        label = f"{self.on:%-d %B %Y}"
        if self.phase == OVERDUE:
            return f"overdue: it was due on {label}"
        if self.phase == SOON:
            return f"due on {label}"
        return f"deferred, to be looked at again on {label}"

    @property
    def line(self) -> str:
        a = self.action
        owner = a.owner.get_full_name() or a.owner.email
        return f"{a.review.reference} action {a.number} ({a.owner_agency.name}, {owner}) is {self.what}."


def due_reminders(today: date) -> list[Reminder]:
    """Every reminder that applies today (two queries)."""
    actions = Action.objects.filter(
        review__state__in=workflow.states_allowing(workflow.RESPONSE_OPEN)
    ).select_related("review", "owner", "owner_agency")
    horizon = today + timedelta(days=Action.DUE_SOON_DAYS)
    found = [
        Reminder(a, OVERDUE if a.due_on < today else SOON, a.due_on)
        for a in actions.filter(status__in=OPEN_STATUSES, due_on__lte=horizon)
    ]
    found += [
        Reminder(a, LOOK_AGAIN, a.deferred_until)
        for a in actions.filter(status__in=DEFERRED_STATUSES, deferred_until__lte=today)
    ]
    return sorted(found, key=lambda r: (r.action.review.reference, r.on, r.action.number))


def send_action_reminders(today: date | None = None) -> int:
    """Daily: the reminders to owners, then one summary per business manager. Returns how many
    notifications were created (none on a second run the same day)."""
    today = today or timezone.localdate()
    reminders = due_reminders(today)
    if not reminders:
        return 0
    already = set(
        Notification.objects.filter(key__in=[r.key for r in reminders]).values_list("key", flat=True)
    )
    created = 0
    for reminder in reminders:
        created += _remind_owner(reminder)
    fresh = [r for r in reminders if r.key not in already]
    return created + _summarise_for_managers(fresh)


def _remind_owner(reminder: Reminder) -> int:
    a = reminder.action
    review = a.review
    if reminder.phase == OVERDUE:
        title = f"{review.reference}: action {a.number} is overdue"
        body = f"Your action was due on {reminder.on:%-d %B %Y}. Record its progress, or agree a new date with the business manager."
    elif reminder.phase == SOON:
        title = f"{review.reference}: action {a.number} is due on {reminder.on:%-d %B %Y}"
        body = "Your action is due within two weeks. Record its progress on the action's page."
    else:
        title = f"{review.reference}: time to look again at deferred action {a.number}"
        body = (
            f"The board deferred this action until {reminder.on:%-d %B %Y}. Resume it, or record why it "
            "stays deferred."
        )
    with transaction.atomic():
        return len(
            notifications.notify(
                review=review,
                recipients=[a.owner],
                kind=KINDS[reminder.phase],
                title=title,
                body=f"{body}\n\n{a.description[:300]}",
                path=reverse("action_detail", args=[review.pk, a.number]),
                key=reminder.key,
            )
        )


def _summarise_for_managers(fresh: list[Reminder]) -> int:
    """One notification per business manager of the reviews concerned, listing what is new for them."""
    if not fresh:
        return 0
    by_review: dict[int, list[Reminder]] = {}
    for r in fresh:
        by_review.setdefault(r.action.review_id, []).append(r)
    per_manager: dict[int, tuple[object, list[Reminder]]] = {}
    for items in by_review.values():
        review = items[0].action.review
        for manager in access.people_on_review(review, (Role.BUSINESS_MANAGER,)):
            per_manager.setdefault(manager.pk, (manager, []))[1].extend(items)
    created = 0
    for manager, items in per_manager.values():
        digest = hashlib.sha256("|".join(sorted(r.key for r in items)).encode()).hexdigest()[:24]
        overdue = sum(r.phase == OVERDUE for r in items)
        n = len(items)
        reviews = {r.action.review_id for r in items}
        path = (
            reverse("action_plan", args=[items[0].action.review_id]) if len(reviews) == 1 else reverse("home")
        )
        with transaction.atomic():
            created += len(
                notifications.notify(
                    review=None,  # a summary across reviews; each is one the manager manages
                    recipients=[manager],
                    kind=Notification.Kind.DEADLINE_PASSED
                    if overdue
                    else Notification.Kind.DEADLINE_APPROACHING,
                    title=f"{n} action{'s' if n != 1 else ''} need{'s' if n == 1 else ''} attention"
                    + (f" ({overdue} overdue)" if overdue else ""),
                    body="\n".join(r.line for r in items),
                    path=path,
                    key=f"actions-summary:{manager.pk}:{digest}",
                )
            )
    return created
