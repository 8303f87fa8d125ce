"""The "after a change" step of the page benchmark: a real status change on the board between rounds, made
through the portal's service (`responses.actions.services.action_progress_record`, what the status form
calls), along a move the workflow table declares, and back again on the next step, so the action always
ends where it started.

One action of the board's largest plan is chosen: one whose status has a round trip in
`responses.actions.workflow.MACHINE` (a move away and a move straight back, e.g. agreed -> deferred ->
agreed, in progress -> deferred -> in progress) whose guards pass with what the step gives (a date, a
reason and a future date to look again when deferring). Each step records a progress update, a timeline
entry and the notifications the service sends, as any status change does; emails are muted (the people
are made up, and the in-process eager queue would print them). `restore()` moves the action home if it is
away and checks its status and deferral are as they were; the progress updates, timeline entries,
notifications and history rows the steps wrote stay, as the record of real changes.

Imports Django models at the top: import it only once Django is set up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from responses.actions import services, workflow
from responses.models import Action
from reviews import notifications
from scr_portal.statemachine import Machine, Transition

LOOK_AGAIN_DAYS = 28
# What every progress update, timeline entry and notification the steps write begins with or contains, so
# that a later run can tell them from the dataset's own when it picks its targets (bench.pages).
MARK = "Benchmark (bench/pages):"
TEXT = (
    f"{MARK} status changed between measuring rounds to time the pages after a change; it is put back at "
    "the end of the run."
)
REASON = f"{MARK} deferred between measuring rounds; resumed at the end of the run."


def round_trip(machine: Machine, state: str) -> tuple[Transition, Transition] | None:
    """The first move the table declares from `state` that has a move straight back to `state`, with that
    move back; None when every move from `state` is one way."""
    for there in machine.from_state(state):
        back = machine.between(there.target, state)
        if back is not None:
            return there, back
    return None


@dataclass(frozen=True)
class Home:
    """What the action was before the benchmark touched it: what restoring it must give again."""

    status: str
    deferred_reason: str
    deferred_until: date | None

    @classmethod
    def of(cls, action: Action) -> Home:
        return cls(action.status, action.deferred_reason, action.deferred_until)


def _move_for(target: str, home: Home, today: date) -> workflow.Move:
    """What comes with a move to `target`: today's date, and when deferring, the reason and date the action
    had if it was deferred (going home must give them back: when that date has passed, the workflow's
    guard refuses the move and the action is not chosen), or the benchmark's own reason and a date
    LOOK_AGAIN_DAYS ahead."""
    if not workflow.is_deferred(target):
        return workflow.Move(on=today, today=today)
    if workflow.is_deferred(home.status):
        return workflow.Move(on=today, reason=home.deferred_reason, until=home.deferred_until, today=today)
    return workflow.Move(on=today, reason=REASON, until=today + timedelta(days=LOOK_AGAIN_DAYS), today=today)


class StatusFlip:
    """Moves one action away along its round trip and home again, one step at a time."""

    def __init__(self, action: Action, actor, trip: tuple[Transition, Transition]) -> None:
        self.action_pk = action.pk
        self.label = f"{action.review.reference} action {action.number}"
        self.actor = actor
        self.home = Home.of(action)
        self.trip = trip
        self.away = False
        self.steps = 0

    @classmethod
    def pick(cls, actions: QuerySet[Action], actor, *, avoid=()) -> StatusFlip | None:
        """The first action of `actions` (in number order, leaving out the pks in `avoid`) with a round trip
        whose guards pass; None when there is none."""
        today = timezone.localdate()
        candidates = (
            actions.exclude(pk__in=list(avoid)).select_related("review").order_by("review_id", "number")
        )
        for action in candidates.iterator(chunk_size=200):
            trip = round_trip(workflow.MACHINE, action.status)
            if trip is None:
                continue
            home = Home.of(action)
            if any(workflow.MACHINE.blockers(t, action, _move_for(t.target, home, today)) for t in trip):
                continue
            return cls(action, actor, trip)
        return None

    def describe(self) -> str:
        there, back = self.trip
        return (
            f"{self.label}: {self.home.status} -> {there.target} -> {back.target} ({there.name}, {back.name})"
        )

    def step(self) -> str:
        """Makes the next move of the round trip (away, or home when away) through the service; returns
        the status the action is now at."""
        there, back = self.trip
        move = back if self.away else there
        self._apply(move)
        self.away = not self.away
        self.steps += 1
        return move.target

    def restore(self) -> None:
        """Moves the action home if a step left it away, then checks it is as it was (raises if not)."""
        if self.away:
            self._apply(self.trip[1])
            self.away = False
            self.steps += 1
        now = Home.of(Action.objects.get(pk=self.action_pk))
        if now != self.home:
            raise RuntimeError(f"{self.label} was not put back: it is {now}, it was {self.home}")

    def _apply(self, move: Transition) -> None:
        action = Action.objects.select_related("review").get(pk=self.action_pk)
        today = timezone.localdate()
        given = _move_for(move.target, self.home, today)
        with notifications.muted():
            services.action_progress_record(
                action=action,
                user=self.actor,
                on=today,
                text=TEXT,
                status_to=move.target,
                deferred_reason=given.reason,
                deferred_until=given.until,
                seen_status=action.status,
            )
