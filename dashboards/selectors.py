"""What each role's home page shows (the home page is the one page that reads every part of the portal, so
it lives above them all). Every function reads only reviews the person may see, in a fixed
number of queries whatever the number of reviews.

The manager's and the chair's sections are each one query built by the ORM once per process
(scr_portal.queries.values_shape) from the access rules' forms for anyone (`sees_anyone`, `PersonIds`)
and run with the person and the day bound: building and compiling those queries anew was most of the home
page's time (95 ms of a chair's page against 44 ms now, on the scale dataset's largest board)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    Avg,
    Case,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, TruncDate
from django.utils import timezone

from conduct import selectors as conduct
from responses.actions import selectors as actions
from responses.actions.workflow import OPEN_STATUSES, rag_of
from responses.models import Action, ActionUpdate, ResponseVersion
from reviews import workflow
from reviews.access import PersonIds, boards_where, holds_role, participant_board_ids, sees_anyone
from reviews.models import TERMINAL_STATES, Appointment, Board, ParticipatingBoard, Review, Role, State
from reviews.selectors import board_summaries, reviews_visible_to, waiting_invitations_count
from reviews.workflow import MAIN_PATH, RESPONSE_OPEN, allows, states_acting
from scr_portal import workdays
from scr_portal.queries import InParam, Param, values_shape

from . import waiting

FORTNIGHT = 14
SCR_PATH = frozenset(workflow.TABLES["scr"].main_path)


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: float  # of the largest bar, for drawing
    average_days: int | None  # average days in this stage so far


def _acting(role: str) -> list[str]:
    """The stages at which `role` is asked to act (the regimes' tables of actors)."""
    return states_acting(role)


def _boards_with(user, role: str) -> list[int]:
    return boards_where(user, role)


# What changes from one person or day to the next in the home page's queries, each built once and run for
# anyone (scr_portal.queries.values_shape): the person (their boards and reviews, read by the access rules'
# `PersonIds`) and the day.
TODAY = Param("today", DateField())
FORTNIGHT_END = Param("fortnight_end", DateField())


def _values(user, today: date) -> dict:
    return {
        "user": user,
        "today": today,
        "fortnight_end": today + timedelta(days=FORTNIGHT),
    }


def _visible() -> QuerySet:
    """The reviews the person may see (`reviews_visible_to`), for a query built once."""
    return Review.objects.filter(sees_anyone())


def _stage_rows() -> QuerySet:
    in_stage = ExpressionWrapper(TODAY - TruncDate("state_changed_at"), output_field=DurationField())
    return (
        _visible()
        .order_by()
        .values("state")
        .annotate(n=Count("pk"), days=Avg(in_stage, filter=~Q(state__in=TERMINAL_STATES)))
    )


def stage_chart_and_total(user, today: date | None = None) -> tuple[list[Bar], int]:
    """Open reviews by stage, with the average time each has spent in its current stage, and how many reviews
    the person may open in all (closed ones too): counted and averaged by the database (one query, a row per
    stage), however many reviews the person sees."""
    today = today or timezone.localdate()
    rows = values_shape(("stage chart",), _stage_rows).rows(_values(user, today))
    total = sum(row.n for row in rows)
    rows = [row for row in rows if row.state not in TERMINAL_STATES]
    counts = {row.state: row.n for row in rows}
    days = {row.state: round(row.days.total_seconds() / 86400) for row in rows if row.days is not None}
    largest = max(counts.values(), default=0)
    bars = [
        Bar(
            label=s.label,
            count=counts.get(s, 0),
            percent=round(100 * counts.get(s, 0) / largest, 1) if largest else 0,
            average_days=days.get(s),
        )
        for s in MAIN_PATH
        # A practice review's own stages (the rapid review, waiting for the Panel) show when someone has
        # reviews there: a board's people, who hold Serious Case Reviews only, are not shown empty ones.
        if s not in TERMINAL_STATES and (s in SCR_PATH or counts.get(s))
    ]
    return bars, total


@dataclass(frozen=True)
class DueItem:
    review: object
    clock: workdays.Clock
    what: str
    url: str = ""  # the review's page, which the view adds


DEADLINE_NAMES = {
    "notification": "Notify the national panel and Ofsted",
    "decision": "Decide whether to hold a review",
    "completion": "Receive the final report",
    "publication": "Publish the report and response",
}


def _deadline_rows(limit: int) -> QuerySet:
    place = Window(
        RowNumber(),
        partition_by=Case(When(due_on__lt=TODAY, then=Value(True)), default=Value(False)),
        order_by=(F("due_on").asc(), F("reference").asc()),
    )
    return (
        _visible()
        .exclude(state__in=TERMINAL_STATES)
        .filter(due_on__isnull=False, due_on__lte=FORTNIGHT_END)
        .annotate(place=place)
        .filter(place__lte=limit)
        .order_by("due_on", "reference")
        .values("pk", "reference", "due_on", "due_kind")  # what a deadline line shows
    )


def due_soon(user, today: date | None = None, limit: int = 20) -> tuple[list[DueItem], list[DueItem]]:
    """Overdue deadlines, and those due within a fortnight, of the person's open reviews: at most `limit` of
    each, numbered within each list by the database, so a long overdue list never hides what falls due soon
    (one query)."""
    today = today or timezone.localdate()
    lists: tuple[list[DueItem], list[DueItem]] = ([], [])
    for r in values_shape(("deadlines", limit), lambda: _deadline_rows(limit)).rows(_values(user, today)):
        lists[0 if r.due_on < today else 1].append(
            DueItem(r, workdays.clock(r.due_on, today), DEADLINE_NAMES.get(r.due_kind, "Deadline"))
        )
    return lists


# How many of the reviews waiting for a chair the home page lists; the rest are counted by board and stage,
# each count linking to the review list filtered to them.
AWAITING_SHOWN = 20


@dataclass(frozen=True)
class Waiting:
    board_id: int
    board_name: str
    state: str
    label: str
    count: int


def _waiting_for_chair() -> QuerySet:
    """Reviews on the chair's boards that wait on a chair, for a query built once."""
    return _visible().filter(
        InParam("lead_board_id", PersonIds("boards", Role.CHAIR)), state__in=_acting(Role.CHAIR)
    )


def _awaiting_rows() -> QuerySet:
    draft = ResponseVersion.objects.filter(review=OuterRef("pk"), signed_at__isnull=True).values("number")[:1]
    return (
        _waiting_for_chair()
        .annotate(draft_response=Subquery(draft))
        .order_by("state_changed_at", "pk")
        # what the list shows
        .values("pk", "reference", "state", "state_changed_at", "lead_board__name", "draft_response")[
            :AWAITING_SHOWN
        ]
    )


def awaiting_chair(user) -> list:
    """Reviews on the chair's boards that wait on a chair (a decision, starting the review, the response), the
    one waiting longest first: the first AWAITING_SHOWN of them (one query)."""
    return values_shape(("awaiting chair",), _awaiting_rows).rows(_values(user, timezone.localdate()))


def _chair_count_rows() -> QuerySet:
    return (
        _waiting_for_chair()
        .order_by()
        .values("lead_board_id", "lead_board__name", "state")
        .annotate(n=Count("pk"))
    )


def waiting_for_chair_counts(user) -> list[Waiting]:
    """How many reviews wait for the chair, by board and stage (one query, grouped in the database)."""
    rows = values_shape(("chair counts",), _chair_count_rows).rows(_values(user, timezone.localdate()))
    labels = dict(State.choices)
    order = {state: i for i, state in enumerate(MAIN_PATH)}
    return sorted(
        (Waiting(r.lead_board_id, r.lead_board.name, r.state, labels[r.state], r.n) for r in rows),
        key=lambda w: (w.board_name, order.get(w.state, len(order))),
    )


def for_board_member(user) -> QuerySet:
    """Reviews of the member's boards (lead or participating) where members take part now: scoping, the
    board's response and monitoring the actions."""
    boards = _boards_with(user, Role.BOARD_MEMBER)
    on_board = Q(lead_board_id__in=boards) | Exists(
        ParticipatingBoard.objects.filter(review=OuterRef("pk"), board_id__in=boards)
    )
    return (
        reviews_visible_to(user)
        .filter(on_board, state__in=_acting(Role.BOARD_MEMBER))
        .select_related("lead_board")
        .only("pk", "reference", "state", "regime", "lead_board__name")  # what the list shows
        .order_by("state_changed_at")
    )


def for_lead_reviewer(user) -> QuerySet:
    appointed = Exists(
        Appointment.objects.filter(review=OuterRef("pk"), reviewer=user, ended_at__isnull=True)
    )
    return (
        reviews_visible_to(user)
        .filter(appointed)
        .exclude(state__in=TERMINAL_STATES)
        .only("pk", "reference", "state", "regime")  # what the list shows
        .order_by(F("due_on").asc(nulls_last=True), "reference")
    )


def next_step(review) -> str:
    who_what = workflow.next_step(review)
    return f"{who_what[0]}: {who_what[1]}" if who_what else ""


# Actions (the board's response, QM 15) ---------------------------------------------------------------


# What a line of "Your actions" shows (not the whole action, review and agency rows).
MY_ACTION_FIELDS = (
    "pk",
    "review_id",
    "number",
    "description",
    "due_on",
    "status",
    "deferred_until",
    "owner_agency_id",
    "review__reference",
    "review__state",
    "owner_agency__name",
)


def _my_action_rows(limit: int) -> QuerySet:
    latest = ActionUpdate.objects.filter(action=OuterRef("pk")).order_by("-on").values("on")[:1]
    return (
        Action.objects.filter(actions.mine_anyone(), actions.openable_anyone(), status__in=OPEN_STATUSES)
        # The latest progress (one row of the updates' action index each): whether it waits for an update.
        .annotate(progress_on=Subquery(latest))
        .order_by("due_on", "priority", "review__reference", "number")
        .values(*MY_ACTION_FIELDS, "progress_on")[:limit]
    )


def my_actions(user, today: date | None = None, limit: int = 20) -> list:
    """Open actions the person owns or their agency owns, of reviews they may see, overdue first (one
    query), each with `rag_item` for its RAG tag."""
    today = today or timezone.localdate()
    rows = values_shape(("my actions", limit), lambda: _my_action_rows(limit)).rows(_values(user, today))
    for action in rows:
        # Twenty rows at most: coloured here, by the rule the lists' SQL follows (`workflow.rag_for`).
        action.rag_item = actions.RAG_BY_VALUE[rag_of(action, today)]
    return rows


@dataclass(frozen=True)
class BoardOverdue:
    board: object
    overdue: int


def _overdue_on_board():
    """How many open actions of a board's reviews (lead or participating) are past their due date (`TODAY`),
    as an annotation of boards."""

    # A business manager or chair sees every review their board leads or takes part in, so the board alone
    # says which reviews count. Counted as two sums (led, taking part; a lead board never also takes part)
    # so that each reads one board's reviews by index, then their open actions by the partial index.
    # COUNT(*) rather than COUNT(id): the open actions' partial index (review, due date) then answers it
    # alone, without reading the actions (1.6 ms instead of 10-20 ms for a board of 8,000 actions).
    def count(rows) -> Coalesce:
        n = rows.order_by().annotate(n=Func(template="COUNT(*)", output_field=IntegerField()))
        return Coalesce(Subquery(n.values("n")), 0)

    overdue = Action.objects.filter(status__in=OPEN_STATUSES, due_on__lt=TODAY)
    led = count(overdue.filter(review__lead_board_id=OuterRef("pk")))
    taking_part = count(
        overdue.filter(
            review_id__in=ParticipatingBoard.objects.filter(board_id=OuterRef(OuterRef("pk"))).values(
                "review_id"
            )
        )
    )
    return led + taking_part


def _board_rows() -> QuerySet:
    overseen = InParam("pk", PersonIds("boards", Role.BUSINESS_MANAGER, Role.CHAIR))
    return (
        board_summaries(Board.objects.filter(InParam("pk", PersonIds("boards"))))
        .annotate(overdue=Case(When(overseen, then=_overdue_on_board()), default=Value(0)))
        .order_by("name")
        .values("pk", "name", "review_count", "member_count", "overdue")
    )


def boards_with_overdue(user, today: date | None = None) -> tuple[list, list[BoardOverdue]]:
    """The home page's board summaries, and for the boards where the person is business manager or chair
    how many open actions of the reviews their board leads or takes part in are past their due date: one
    query for both. (A business manager or chair sees every review their board leads or takes part in, so the
    board alone says which count.)"""
    if not participant_board_ids(user):
        return [], []  # no board: nothing to read
    overseen = {*_boards_with(user, Role.BUSINESS_MANAGER), *_boards_with(user, Role.CHAIR)}
    boards = values_shape(("board summaries",), _board_rows).rows(
        _values(user, today or timezone.localdate())
    )
    return boards, [BoardOverdue(b, b.overdue or 0) for b in boards if b.pk in overseen]


def action_sections(user, today: date | None = None) -> dict:
    """The home page's own-actions section: the person's open actions, with the RAG key, and those due within
    a fortnight or overdue as things waiting for them (read from the same rows: no query of their own)."""
    today = today or timezone.localdate()
    mine = my_actions(user, today)
    soon = today + timedelta(days=FORTNIGHT)
    stale = today - timedelta(days=FORTNIGHT)
    # Progress can be recorded only while the review's response is open (update_action's rule): an action
    # of a closed review is shown in the list, but not asked of the person.
    due = [
        a
        for a in mine
        if a.due_on <= soon
        and (a.progress_on is None or a.progress_on < stale)
        and allows(a.review, RESPONSE_OPEN)
    ]
    return {
        "my_actions": mine,
        "rag_key": actions.RAG_KEY,
        "actions_waiting": waiting.actions_to_update(due, today),
    }


def home_for(user) -> dict:
    """Everything the person's home page shows: one section for each role they hold, each read afresh."""
    sections: dict = {
        "is_manager": holds_role(user, Role.BUSINESS_MANAGER),
        "is_chair": holds_role(user, Role.CHAIR),
        "is_member": holds_role(user, Role.BOARD_MEMBER),
        "is_reviewer": holds_role(user, Role.LEAD_REVIEWER),
        "is_action_owner": holds_role(user, Role.ACTION_OWNER),
        "is_agency_author": holds_role(user, Role.AGENCY_AUTHOR),
    }
    if sections["is_agency_author"]:
        sections["information_asked"] = conduct.asked_of(user)
    sections["boards"], overdue_actions = boards_with_overdue(user)
    if sections["is_manager"]:
        sections["invitations_waiting"] = waiting_invitations_count(user)
    if sections["is_manager"] or sections["is_chair"]:
        sections["overdue"], sections["due_soon"] = due_soon(user)
        sections["chart"], sections["review_count"] = stage_chart_and_total(user)
        sections["overdue_actions"] = overdue_actions
    else:
        sections["review_count"] = reviews_visible_to(user).count()
    if sections["is_chair"]:
        sections["awaiting_chair"] = awaiting_chair(user)
        sections["waiting_counts"] = waiting_for_chair_counts(user)
        sections["waiting_total"] = sum(w.count for w in sections["waiting_counts"])
        sections["waiting_many_boards"] = len({w.board_id for w in sections["waiting_counts"]}) > 1
    if sections["is_member"]:
        sections["member_reviews"] = list(for_board_member(user))
    if sections["is_reviewer"]:
        sections["reviewer_reviews"] = [(r, next_step(r)) for r in for_lead_reviewer(user)]
    sections["waiting"], sections["waiting_count"] = waiting.waiting_for(user)
    return sections | action_sections(user)
