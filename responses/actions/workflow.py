"""An action's status, declared as data: the statuses, the moves between them (who may make each, what must
be true first, what each changes), the named groups of statuses, and the RAG colour that follows from the
status and the dates. `services.action_progress_record` applies a move; the status form offers the moves
this table allows from the status the person sees. Nothing else sets `action.status`.

Agreed → in progress → completed → impact evidenced. An open action (agreed or in progress) may be deferred,
with a reason and a date to look at it again; a deferred action resumes as agreed or in progress. Completing
dates the completion; impact is evidenced only with at least one evidence file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Case, CharField, Count, Q, Value, When
from django.utils import timezone

from responses.models import Action, Evidence, Rag
from reviews.models import BOARD_ROLES, Role
from scr_portal.statemachine import Machine, Transition

Status = Action.Status

# Named groups of statuses.
OPEN_STATUSES = (Status.AGREED, Status.IN_PROGRESS)  # still to be done: counted as due and overdue
DONE_STATUSES = (Status.COMPLETED, Status.IMPACT_EVIDENCED)  # done: dated, always green
DEFERRED_STATUSES = (Status.DEFERRED,)  # put off by the board, with a reason and a date to look again
EVIDENCED_STATUSES = (Status.IMPACT_EVIDENCED,)  # reached only with at least one evidence file

# Who may move an action on: board people, and the named owner when they own it as an action owner (someone
# of the agency without a board role). Which of them may, action by action (the owner, their agency's board
# member, the business manager), is the `update_action` rule.
WHO = frozenset({*BOARD_ROLES, Role.ACTION_OWNER})


@dataclass(frozen=True)
class Move:
    """What comes with a status change: the date of the progress, the deferral's reason and date, and
    whether evidence files are attached with it."""

    on: date
    reason: str = ""
    until: date | None = None
    attaching: bool = False
    today: date | None = None


def _deferral_given(action: Action, move: Move) -> list[str]:
    today = move.today or timezone.localdate()
    if not (move.reason or "").strip():
        return ["Enter why the action is deferred."]
    if move.until is None:
        return ["Enter the date to look at the action again."]
    if move.until <= today:
        return ["The date to look at the action again must be in the future."]
    return []


def has_evidence(action: Action) -> bool:
    return Evidence.objects.filter(update__action=action).exists()


def _impact_evidenced(action: Action, move: Move) -> list[str]:
    if move.attaching or has_evidence(action):
        return []
    return [
        "Attach the evidence of impact: the action needs at least one evidence file before its impact "
        "can be marked as evidenced."
    ]


def _defer(action: Action, move: Move) -> None:
    action.deferred_reason, action.deferred_until = move.reason.strip(), move.until


def _resume(action: Action, move: Move) -> None:
    action.deferred_reason, action.deferred_until = "", None


def _date_completion(action: Action, move: Move) -> None:
    if action.completed_on is None:
        action.completed_on = move.on


MACHINE: Machine[Action] = Machine(
    field="status",
    states=Status.values,
    transitions=[
        Transition(
            name="start",
            label="Start the action",
            source=frozenset({Status.AGREED}),
            target=Status.IN_PROGRESS,
            roles=WHO,
        ),
        Transition(
            name="complete",
            label="Mark the action completed",
            source=frozenset({Status.IN_PROGRESS}),
            target=Status.COMPLETED,
            roles=WHO,
            effect=_date_completion,
        ),
        Transition(
            name="evidence_impact",
            label="Mark the action's impact evidenced",
            source=frozenset({Status.COMPLETED}),
            target=Status.IMPACT_EVIDENCED,
            roles=WHO,
            guard=_impact_evidenced,
            effect=_date_completion,
        ),
        Transition(
            name="defer",
            label="Defer the action",
            source=frozenset(OPEN_STATUSES),
            target=Status.DEFERRED,
            roles=WHO,
            guard=_deferral_given,
            effect=_defer,
        ),
        Transition(
            name="resume",
            label="Resume the action as agreed",
            source=frozenset(DEFERRED_STATUSES),
            target=Status.AGREED,
            roles=WHO,
            effect=_resume,
        ),
        Transition(
            name="resume_in_progress",
            label="Resume the action in progress",
            source=frozenset(DEFERRED_STATUSES),
            target=Status.IN_PROGRESS,
            roles=WHO,
            effect=_resume,
        ),
    ],
)


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


def is_deferred(status: str) -> bool:
    return status in DEFERRED_STATUSES


def moves_from(status: str) -> list[str]:
    """The statuses an action may move to from `status`, in the order a page offers them."""
    return MACHINE.targets(status)


def choices_from(status: str) -> list[tuple[str, str]]:
    """The status form's choices from `status`: (value, label) of each status it may move to."""
    return [(s, Status(s).label) for s in moves_from(status)]


def move_problem(current: str, target: str | None = None) -> str:
    """Why the action cannot move from `current` to `target` (to anywhere, when None), or "" when it can."""
    allowed = moves_from(current)
    if target == current or target in allowed or (target is None and allowed):
        return ""
    if not allowed:
        return "This action's impact is already evidenced, so its status cannot change."
    now = Status(current).label.lower()
    options = " or ".join(f"“{Status(s).label.lower()}”" for s in allowed)
    return (
        f"An action that is {now} cannot be moved to “{Status(target).label.lower()}”. "
        f"From {now} it can move to {options}."
    )


# RAG: how an action stands at a glance, from its status and dates. `rag_for` and `rag_expression` are the
# same rule, in Python for one action and in SQL for lists that filter and count by colour.


def rag_for(status: str, due_on: date, deferred_until: date | None, on: date | None = None) -> Rag:
    on = on or timezone.localdate()
    if status in DONE_STATUSES:
        return Rag.GREEN
    if status in DEFERRED_STATUSES:
        return Rag.RED if deferred_until and deferred_until < on else Rag.GREY
    if due_on < on:
        return Rag.RED
    if due_on <= amber_end(on):
        return Rag.AMBER
    return Rag.GREEN


def rag_of(action: Action, on: date | None = None) -> Rag:
    return rag_for(action.status, action.due_on, action.deferred_until, on)


def amber_end(today: date) -> date:
    """The last due date of the amber window that starts `today`."""
    return today + timedelta(days=Action.DUE_SOON_DAYS)


def rag_condition(rag: str, today: date, soon: date | None = None) -> Q:
    """The actions `rag_for` gives the colour `rag`, as conditions on their own columns: the same sets as
    filtering on `rag_expression`, but PostgreSQL can estimate them from the columns' statistics and read
    them by index (a filter on the CASE expression it takes for a handful of rows, and a board's 8,000
    green actions were then read one by one). `soon` is `amber_end(today)` unless given (as a query built once
    gives both dates as parameters)."""
    deferred = Q(status__in=DEFERRED_STATUSES)
    others = Q(status__in=OPEN_STATUSES)  # neither done nor deferred: the database allows no other status
    soon = amber_end(today) if soon is None else soon
    return {
        Rag.GREEN: Q(status__in=DONE_STATUSES) | (others & Q(due_on__gt=soon)),
        # Red also says, redundantly, that the action is not done: PostgreSQL then sees that the partial index
        # of undone actions in display order (`action_undone_plan_order`) holds them all, and reads a board's
        # red actions from it (2 ms) instead of walking the whole plan's index (18 ms).
        Rag.RED: Q(status__in=OPEN_STATUSES + DEFERRED_STATUSES)
        & ((deferred & Q(deferred_until__lt=today)) | (others & Q(due_on__lt=today))),
        Rag.GREY: deferred & ~Q(deferred_until__lt=today),
        Rag.AMBER: others & Q(due_on__gte=today, due_on__lte=soon),
    }[Rag(rag)]


def rag_tallies(today: date, soon: date | None = None) -> dict[str, Count]:
    """The counts that `rag_split` needs of a group of actions (aggregates for `annotate`): how many are past
    their due date, due by the end of the amber window, and deferred past their date. A plan's counts by
    colour then come from grouping its actions by their other columns only, without working out each
    action's colour in the database. `soon` as for `rag_condition`."""
    soon = amber_end(today) if soon is None else soon
    # Each counts the column its condition is on (never empty where the condition holds), not the id: with no
    # need of the id, a covering index answers alone (`action_plan_groups`).
    return {
        "past_due": Count("due_on", filter=Q(due_on__lt=today)),
        "due_by_soon": Count("due_on", filter=Q(due_on__lte=soon)),
        "deferred_past": Count("deferred_until", filter=Q(deferred_until__lt=today)),
    }


def rag_split(status: str, n: int, past_due: int, due_by_soon: int, deferred_past: int) -> dict[Rag, int]:
    """How many of `n` actions of one status are of each colour, from their `rag_tallies`: `rag_for` for a
    group of actions at once."""
    if status in DONE_STATUSES:
        return {Rag.GREEN: n}
    if status in DEFERRED_STATUSES:
        return {Rag.RED: deferred_past, Rag.GREY: n - deferred_past}
    return {Rag.RED: past_due, Rag.AMBER: due_by_soon - past_due, Rag.GREEN: n - due_by_soon}


def rag_expression(today: date) -> Case:
    """`rag_for` as SQL, so lists can filter and count by RAG in the database."""
    return Case(
        When(status__in=DONE_STATUSES, then=Value(Rag.GREEN.value)),
        When(status__in=DEFERRED_STATUSES, deferred_until__lt=today, then=Value(Rag.RED.value)),
        When(status__in=DEFERRED_STATUSES, then=Value(Rag.GREY.value)),
        When(due_on__lt=today, then=Value(Rag.RED.value)),
        When(due_on__lte=amber_end(today), then=Value(Rag.AMBER.value)),
        default=Value(Rag.GREEN.value),
        output_field=CharField(),
    )
