"""Reads for actions: one review's action plan, a board's action plan across the reviews the person may see,
one action with its progress, and the choices the action form offers. Every list is scoped at the query and
read in a fixed number of queries, however many actions there are (an export reads its rows in chunks of
2,000 from one cursor, with one query for each chunk's findings)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.text import Truncator

from responses.models import Action, ActionUpdate, Evidence, Finding, Rag
from reviews.access import (
    PERSON_ID,
    PersonIds,
    action_owner_agencies,
    board_agencies,
    can,
    require,
    review_board_ids,
    roles_on_review,
    sees_anyone,
    sees_review_of,
    visible_reviews,
)
from reviews.models import (
    AGENCY_ROLES,
    BOARD_ROLES,
    Agency,
    Board,
    Membership,
    ParticipatingBoard,
    Review,
    Role,
)
from reviews.selectors import with_boards
from scr_portal.queries import IdsParam, InIds, InParam, InSubquery, Param, values_shape

from . import workflow
from .workflow import OPEN_STATUSES, rag_expression

User = get_user_model()
Status = Action.Status

# RAG, colour class, and what it means in words (shown in the key beside every RAG tag).
RAG_TAG_CLASSES = {
    Rag.RED: "govuk-tag--red",
    Rag.AMBER: "govuk-tag--orange",
    Rag.GREEN: "govuk-tag--green",
    Rag.GREY: "govuk-tag--grey",
}
RAG_MEANINGS = {
    Rag.RED: "Open and past its due date, or deferred and past the date to look at it again.",
    Rag.AMBER: f"Open and due within the next {Action.DUE_SOON_DAYS} days.",
    Rag.GREEN: f"Open and not due for more than {Action.DUE_SOON_DAYS} days, or completed.",
    Rag.GREY: "Deferred by the board, with a reason and a date to look at it again.",
}
STATUS_TAG_CLASSES = {
    Status.AGREED: "govuk-tag--blue",
    Status.IN_PROGRESS: "govuk-tag--light-blue",
    Status.COMPLETED: "govuk-tag--green",
    Status.IMPACT_EVIDENCED: "govuk-tag--turquoise",
    Status.DEFERRED: "govuk-tag--grey",
}


@dataclass(frozen=True)
class RagKeyItem:
    value: str
    label: str
    tag_class: str
    meaning: str


RAG_KEY = [RagKeyItem(r.value, r.label, RAG_TAG_CLASSES[r], RAG_MEANINGS[r]) for r in Rag]
RAG_BY_VALUE = {item.value: item for item in RAG_KEY}


# Scopes ----------------------------------------------------------------------------------------------


def actions_of_review(review: Review) -> QuerySet[Action]:
    return Action.objects.filter(review=review)


BOARD = Param("board", IntegerField())


def _of_board(board) -> Q:
    """Reviews whose lead or a participating board is `board` (an id, or the `BOARD` parameter)."""
    return Q(lead_board_id=board) | Q(
        InSubquery("pk", ParticipatingBoard.objects.filter(board_id=board).values("review_id"))
    )


def board_reviews(user, board: Board) -> QuerySet[Review]:
    """Reviews the person may see whose lead or a participating board is `board`. Someone who takes part in
    the board's work sees all of them, so for them the board alone decides (a query the planner estimates
    well); anyone else, only those of them they may see."""
    of_board = _of_board(board.pk)
    if can(user, "view_action_plan", board):
        return Review.objects.filter(of_board)
    return visible_reviews(user).filter(of_board)


def board_review_names(user, board: Board) -> list[tuple[int, str]]:
    """`board_reviews` as (id, reference) pairs in reference order. For those who take part in the board's
    work (everyone who opens its plan's page) one query built once, its board bound when it runs."""
    if not can(user, "view_action_plan", board):
        return list(board_reviews(user, board).order_by("reference").values_list("pk", "reference"))

    def build() -> QuerySet:
        return Review.objects.filter(_of_board(BOARD)).order_by("reference").values_list("pk", "reference")

    return values_shape(("board reviews",), build).tuples({"board": board.pk})


def actions_of_board(user, board: Board, review_ids: list[int] | None = None) -> QuerySet[Action]:
    """Actions of every review of the board the person may see (scoped in the query). `review_ids`, when
    the caller has already read them from `board_reviews`, saves reading them again; as a list of ids the
    planner knows how few reviews they are and reads their actions by index."""
    if review_ids is None:
        review_ids = list(board_reviews(user, board).values_list("pk", flat=True))
    return Action.objects.filter(InIds("review_id", review_ids))


def my_agency_ids(user) -> set[int]:
    """The agencies the person represents as a board member, on any board."""
    return {agency for agencies in board_agencies(user).values() for agency in agencies}


def mine(user) -> Q:
    """Actions the person owns, or their agency owns."""
    return Q(owner=user) | Q(owner_agency_id__in=my_agency_ids(user))


class MyAgencies(IdsParam):
    """`my_agency_ids` of `values["user"]`, given when a query built once (scr_portal.queries.shaped) runs."""

    def __init__(self) -> None:
        super().__init__("my agencies")

    def value(self, values) -> list[int]:
        return sorted(my_agency_ids(values["user"]))


def mine_anyone() -> Q:
    """`mine`'s rule for a query built once and run for anyone: the person is `values["user"]`."""
    return Q(owner_id=PERSON_ID) | Q(InParam("owner_agency_id", MyAgencies()))


def openable_anyone() -> Q:
    """`openable`'s rule for a query built once and run for anyone: the person is `values["user"]`."""
    owned = Q(owner_id=PERSON_ID) & Q(InParam("owner_agency_id", PersonIds("owner agencies")))
    return sees_anyone(id_column="review_id", lead_board="review__lead_board_id") | owned


def owned_by(user) -> Q:
    """Actions the person owns as an action owner, for an agency they act for as one: the only actions of a
    review whose pages they may not open that they see (the rule `view_action` asks the same of one)."""
    agencies = action_owner_agencies(user)
    if not agencies:
        return Q(pk__in=[])
    return Q(owner=user, owner_agency_id__in=sorted(agencies))


def roles_on_action(user, action: Action) -> frozenset[str]:
    """The person's roles on the action's review, and action owner when they own the action as one (the
    roles the action's workflow table names for each move)."""
    roles = roles_on_review(user, action.review)
    if action.owner_id == user.pk and action.owner_agency_id in action_owner_agencies(user):
        roles |= {Role.ACTION_OWNER}
    return roles


def told_about_owned(user) -> Q | None:
    """Notifications about the reviews of the actions the person owns as an action owner (see
    `reviews.access.told_about`); None for everyone else."""
    if not action_owner_agencies(user):
        return None
    return Q(review__in=Action.objects.filter(owned_by(user)).values("review_id"))


def action_owners_of(review: Review) -> QuerySet:
    """The ids of the people who own actions of the review as action owners (told about those actions)."""
    return (
        Action.objects.filter(
            review=review,
            owner__memberships__role=Role.ACTION_OWNER,
            owner__memberships__is_active=True,
            owner__memberships__agency_id=F("owner_agency_id"),
        )
        .values_list("owner_id", flat=True)
        .distinct()
    )


def openable(user) -> Q:
    """Actions the person may open: those of reviews they see, and those they own as an action owner."""
    return sees_review_of(user) | owned_by(user)


# Filtering -------------------------------------------------------------------------------------------


@dataclass
class Filters:
    mine: bool = False
    owner: int | None = None
    owner_agency: int | None = None
    status: str = ""
    rag: str = ""
    overdue: bool = False
    priority: int | None = None
    review: int | None = None

    @property
    def any(self) -> bool:
        return any(
            (
                self.mine,
                self.owner,
                self.owner_agency,
                self.status,
                self.rag,
                self.overdue,
                self.priority,
                self.review,
            )
        )

    def query(self) -> str:
        """The filters as a query string the plan's filter form reads back (an export keeps them so)."""
        pairs = []
        for field in fields(self):
            value = getattr(self, field.name)
            if value is True:
                pairs.append((field.name, "on"))
            elif value not in (None, "", False):
                pairs.append((field.name, str(value)))
        return urlencode(pairs)


def with_rag(actions: QuerySet[Action], today: date | None = None) -> QuerySet[Action]:
    return actions.annotate(rag_value=rag_expression(today or timezone.localdate()))


def filter_condition(filters: Filters, mine_rule: Q | None, today, soon) -> Q:
    """What the filters keep, as one condition: the one home of each filter's rule, for the ORM's queries
    (`apply_filters`) and for the plan page's queries built once (`plan_page`), where the values are
    parameters. `mine_rule` is the person's `mine` (or its form for anyone), `soon` the amber window's end."""
    condition = Q()
    if filters.mine:
        condition &= mine_rule
    if filters.owner:
        condition &= Q(owner_id=filters.owner)
    if filters.owner_agency:
        condition &= Q(owner_agency_id=filters.owner_agency)
    if filters.status:
        condition &= Q(status=filters.status)
    if filters.rag:
        condition &= workflow.rag_condition(filters.rag, today, soon)
    if filters.overdue:
        condition &= Q(status__in=OPEN_STATUSES, due_on__lt=today)
    if filters.priority:
        condition &= Q(priority=filters.priority)
    if filters.review:
        condition &= Q(review_id=filters.review)
    return condition


def apply_filters(
    actions: QuerySet[Action], filters: Filters, user, today: date | None = None
) -> QuerySet[Action]:
    """The actions matching the filters, with `rag_value` annotated."""
    today = today or timezone.localdate()
    mine_rule = mine(user) if filters.mine else None
    return with_rag(actions, today).filter(
        filter_condition(filters, mine_rule, today, workflow.amber_end(today))
    )


# Priority, then due date; actions of the same priority and date by review (the oldest first) and number.
# By the review's id, not its reference: the order is then the action's own columns, which an index holds
# ("action_plan_order"), so a page's ids are read without joining and sorting the board's reviews.
DISPLAY_ORDER = ("priority", "due_on", "review_id", "number")


# The plan's page -------------------------------------------------------------------------------------
#
# A plan page's queries are the same for every plan and person but for their values (the plan's reviews,
# the person, the day, the filters' values): each is built once per process and shape (which filters are
# set) with parameters in place of the values (scr_portal.queries.values_shape) and run with them bound.
# Building and compiling them with the ORM on every request took longer than running them: on the largest
# board's plan, about 7 ms of Python for 6 ms of SQL.

PLAN = IdsParam("plan")  # the plan's reviews, when given as a list
TODAY = Param("today", DateField())
AMBER_END = Param("amber end", DateField())
PAGE = IdsParam("page")  # the actions of a page
OWNERS = IdsParam("owners")
AGENCIES = IdsParam("agencies")
# The filters whose value is a parameter; the others (mine, overdue, RAG) choose the query's shape.
FILTER_PARAMS = {
    "owner": IntegerField(),
    "owner_agency": IntegerField(),
    "status": CharField(),
    "priority": IntegerField(),
    "review": IntegerField(),
}


@dataclass(frozen=True)
class PlanScope:
    """Whose actions a plan page shows: `reviews`, a list of reviews (one review's plan; a board's reviews);
    with `board`, they are every review of that board (what those who take part in its work see)."""

    reviews: tuple[int, ...]
    board: int | None = None

    def condition(self, *, by_board: bool = False) -> Q:
        """The scope as a condition on actions, with a parameter for its value: the list of reviews, or with
        `by_board` (for a board's scope) the board's reviews read inside the query, as `board_review_names`
        reads them.

        PostgreSQL runs that small query first and reads the reviews' actions by index, as it does a list
        of their ids, without parsing and planning a list of hundreds of ids: the largest board's counts
        (`plan_groups`) take 1 ms less so. Its page of ids, though, is read better from the list, whose
        length the planner then knows: it walks the index in display order until it has a page, where
        with the query it reads and sorts every action of the plan (1.7 ms against 4 ms)."""
        if by_board and self.board is not None:
            return Q(InSubquery("review_id", Review.objects.filter(_of_board(BOARD)).values("pk")))
        return Q(InParam("review_id", PLAN))

    def shape(self, *, by_board: bool = False) -> str:
        return "board" if by_board and self.board is not None else "reviews"

    def values(self) -> dict:
        return {"board": self.board, "plan": list(self.reviews)}


def plan_scope(user, board: Board, reviews: list[tuple[int, str]]) -> PlanScope:
    """The scope of the board's plan for the person, `reviews` being `board_review_names`: for those who take
    part in its work, they are the whole board's."""
    ids = tuple(pk for pk, _ in reviews)
    return PlanScope(ids, board.pk if can(user, "view_action_plan", board) else None)


def plan_values(
    scope: PlanScope, user=None, filters: Filters | None = None, today: date | None = None
) -> dict:
    """The values the plan page's queries are run with."""
    today = today or timezone.localdate()
    values = {**scope.values(), "user": user, "today": today, "amber end": workflow.amber_end(today)}
    for name in FILTER_PARAMS:
        if filters is not None and getattr(filters, name):
            values[f"filter {name}"] = getattr(filters, name)
    return values


def _filters_shaped(filters: Filters) -> tuple[tuple, Filters]:
    """The shape of `filters` (a key for `values_shape`) and the filters with parameters for their values."""
    params = {
        name: Param(f"filter {name}", field)
        for name, field in FILTER_PARAMS.items()
        if getattr(filters, name)
    }
    shaped_filters = Filters(mine=filters.mine, overdue=filters.overdue, rag=filters.rag, **params)
    return (filters.mine, filters.overdue, filters.rag, *sorted(params)), shaped_filters


class PlanIds:
    """A plan's action ids under its filters in display order, read a page at a time (a slice is one query
    with the page's bounds as parameters): what a plan page's paginator pages through."""

    def __init__(self, scope: PlanScope, filters: Filters, user, today: date | None = None) -> None:
        key, shaped_filters = _filters_shaped(filters)

        def build() -> QuerySet:
            condition = filter_condition(shaped_filters, mine_anyone(), TODAY, AMBER_END)
            return (
                Action.objects.filter(scope.condition())
                .filter(condition)
                .order_by(*DISPLAY_ORDER)
                .values_list("pk")
            )

        self.shape = values_shape(("plan ids", *key), build)
        self.values = plan_values(scope, user, filters, today)

    def __getitem__(self, window: slice) -> list[int]:
        start, stop = window.start or 0, window.stop
        if stop is not None and stop <= start:
            return []
        limit = None if stop is None else stop - start
        return [pk for (pk,) in self.shape.tuples(self.values, limit=limit, offset=start)]


def plan_page(ids: PlanIds, number, per_page: int, *, count: int) -> Page:
    """The page asked for of a plan (a bad or too-high number gives the nearest page), `count` being its
    total (which `counts_of` has read already: no COUNT query). Its ids are read by sorting only the narrow
    columns of the order, which an index holds (`action_plan_order`), and then just those rows
    (`page_rows`): sorting the whole joined rows instead took ten times as long on the largest board."""
    paginator = Paginator(ids, per_page)  # type: ignore[arg-type]
    paginator.count = count  # a cached property: the known total stands in for a COUNT query
    return paginator.get_page(number)


SUMMARY_LENGTH = 200  # characters of an action's description a plan's row shows


@dataclass
class PlanRow:
    """One row of an action plan page as it is shown: read as plain values (not model instances) and put
    in words here, so the page's rows cost neither building models nor template lookups."""

    review_id: int
    number: int
    reference: str
    description: str
    findings: tuple[int, ...]
    plan_priority: int | None
    agency: str
    owner_name: str
    priority: str
    due_on: date
    status: str
    status_value: str
    deferred_until: date | None
    rag_item: RagKeyItem
    url: str = ""  # the action's page, which the view adds

    @property
    def status_class(self) -> str:
        return STATUS_TAG_CLASSES[self.status_value]

    @property
    def summary(self) -> str:
        # Most descriptions are short: only a longer one goes through Truncator, which reads it character by
        # character (no text of 200 characters or fewer is ever cut).
        if len(self.description) <= SUMMARY_LENGTH:
            return self.description
        return Truncator(self.description).chars(SUMMARY_LENGTH)

    @property
    def finding_numbers(self) -> str:
        return ", ".join(str(number) for number in self.findings)


PRIORITY_LABELS = {value: str(label) for value, label in Action.Priority.choices}
STATUS_LABELS = {value: str(label) for value, label in Status.choices}


@dataclass(frozen=True)
class Names:
    """Names a plan's page has already read, by id: its reviews' references (the review filter's list, or
    the one review) and its owners' and agencies' names (the filter lists, from the plan's groups).
    `page_rows` takes them from here rather than joining four tables for 25 rows."""

    references: dict[int, str]
    owners: dict[int, str]
    agencies: dict[int, str]


def _row_query() -> QuerySet:
    return (
        Action.objects.filter(InParam("pk", PAGE))
        .order_by()  # put in the page's order by `page_rows`: no sorting here
        .values_list(
            "pk",
            "review_id",
            "number",
            "description",
            "priority",
            "due_on",
            "status",
            "deferred_until",
            "owner_id",
            "owner_agency_id",
            "plan_priority__number",
        )
    )


def _row_findings_query() -> QuerySet:
    return (
        Action.findings.through.objects.filter(InParam("action_id", PAGE))
        .order_by("finding__number")
        .values_list("action_id", "finding__number")
    )


def page_rows(page: Page, names: Names | None = None, today: date | None = None) -> list[PlanRow]:
    """The rows of a `plan_page`, in order (three queries: the page's ids, their rows, their findings; a
    fourth only for names that `names` lacks, as when an action changed owner since the lists were read)."""
    today = today or timezone.localdate()
    ids = list(page.object_list)
    # The ids came from the plan's own actions, so the rows are read by id alone: filtering again by a
    # board's hundreds of review ids would only cost compiling and planning that list a second time.
    if not ids:
        return []
    values = values_shape(("plan rows",), _row_query).tuples({"page": ids})
    names = _with_missing(names or Names({}, {}, {}), values)
    findings: dict[int, list[int]] = defaultdict(list)
    for action_id, number in values_shape(("plan row findings",), _row_findings_query).tuples({"page": ids}):
        findings[action_id].append(number)
    rows = {
        pk: PlanRow(
            review_id=review_id,
            number=number,
            reference=names.references[review_id],
            description=description,
            findings=tuple(findings[pk]),
            plan_priority=plan_number,
            agency=names.agencies[agency_id],
            owner_name=names.owners[owner_id],
            priority=PRIORITY_LABELS.get(priority, str(priority)),
            due_on=due_on,
            status=STATUS_LABELS.get(status, status),
            status_value=status,
            deferred_until=deferred_until if workflow.is_deferred(status) else None,
            rag_item=RAG_BY_VALUE[workflow.rag_for(status, due_on, deferred_until, today)],
        )
        for (
            pk,
            review_id,
            number,
            description,
            priority,
            due_on,
            status,
            deferred_until,
            owner_id,
            agency_id,
            plan_number,
        ) in values
    }
    return [rows[pk] for pk in ids if pk in rows]


def _with_missing(names: Names, values: list[tuple]) -> Names:
    """`names` with whatever the rows name that it lacks read by id (no query when it lacks nothing)."""
    references = {row[1] for row in values} - names.references.keys()
    owners = {row[8] for row in values} - names.owners.keys()
    agencies = {row[9] for row in values} - names.agencies.keys()
    if not (references or owners or agencies):
        return names
    named = _named_choices(owners, agencies)
    read = dict(Review.objects.filter(pk__in=references).values_list("pk", "reference")) if references else {}
    return Names(
        references={**names.references, **read},
        owners={**names.owners, **dict(named["owners"])},
        agencies={**names.agencies, **dict(named["agencies"])},
    )


# What an export reads of each action: its own columns, and these from the rows it points at.
EXPORT_FIELDS = (
    "pk",
    "review_id",
    "number",
    "description",
    "kind",
    "function",
    "level",
    "priority",
    "priority_reason",
    "due_on",
    "status",
    "rag_value",
    "deferred_until",
    "deferred_reason",
    "completed_on",
    "findings_label",
)
EXPORT_RELATED = {
    "reference": F("review__reference"),
    "agency": F("owner_agency__name"),
    "owner_name": F("owner__full_name"),
    "owner_email": F("owner__email"),
    "plan_period": F("plan_priority__period__title"),
    "plan_number": F("plan_priority__number"),
    "plan_title": F("plan_priority__title"),
    "latest_on": F("latest_progress_on"),
    "latest_text": F("latest_progress"),
}
EXPORT_CHUNK_SIZE = 2000
# An action's findings in an export: "1. title; 2. title".
FINDING_NUMBER_SEPARATOR = ". "
FINDINGS_SEPARATOR = "; "


def for_export(actions: QuerySet[Action], chunk_size: int = EXPORT_CHUNK_SIZE) -> Iterator[dict]:
    """The plan's rows as an export writes them, in the page's order: one dict per action holding
    EXPORT_FIELDS and the EXPORT_RELATED names, its findings ("1. title; 2. title", `findings_label`) and
    its latest progress update's date and text (`latest_on`, `latest_text`), which the services keep on the
    action (`export_columns_refresh`). Rows are read `chunk_size` at a time from one query's cursor
    (server-side on PostgreSQL); plain values, no model instances, so a board's thousands of actions take a
    fraction of the time and the memory. Nothing is read until the first row is asked for."""
    if "rag_value" not in actions.query.annotations:
        actions = with_rag(actions)
    return (
        actions.order_by(*DISPLAY_ORDER)
        .values(*EXPORT_FIELDS, **EXPORT_RELATED)
        .iterator(chunk_size=chunk_size)
    )


# The page's order by the names of a row as an export reads it ("review__reference" is "reference").
EXPORT_ORDER = tuple(
    {expression.name: name for name, expression in EXPORT_RELATED.items()}.get(field, field)
    for field in DISPLAY_ORDER
)
# A row's names as an export reads them, the order's first (see export_rows_sql).
EXPORT_NAMES = (
    *EXPORT_ORDER,
    *(name for name in (*EXPORT_FIELDS, *EXPORT_RELATED) if name not in EXPORT_ORDER),
)


def after_in_order(values: tuple) -> Q:
    """The actions after the one whose DISPLAY_ORDER values are `values`, in that order (which is unique)."""
    after = Q()
    for position, name in enumerate(DISPLAY_ORDER):
        equal = dict(zip(DISPLAY_ORDER[:position], values, strict=False))
        after |= Q(**equal, **{f"{name}__gt": values[position]})
    return after


def export_rows_sql(actions: QuerySet[Action], first: int | None = None) -> tuple[str, list]:
    """PostgreSQL only: a query (SQL and its parameters) for the rows of `actions` (a plan's filtered actions,
    with `rag_value`), unordered (with `first`, the first `first` of them in DISPLAY_ORDER). Each row holds
    EXPORT_NAMES, the order's first: every name a row of `for_export` holds, the findings and the latest
    progress among them (kept on the action by the services: no lookup per action, where looking up the
    latest update by its id cost a quarter of the largest board's CSV). The text holds only the ORM's SQL
    and names from the models; every value is a parameter."""
    rows = actions.order_by().values(*EXPORT_FIELDS, **EXPORT_RELATED)
    if first is not None:  # only the first `first` actions in DISPLAY_ORDER, read from its index
        rows = rows.order_by(*DISPLAY_ORDER)[:first]
    rows, params = rows.query.sql_with_params()
    columns = ", ".join(f"a.{connection.ops.quote_name(name)}" for name in EXPORT_NAMES)
    return f"SELECT {columns} FROM ({rows}) AS a", list(params)  # noqa: S608  # nosec B608


def latest_updates(action_ids: list[int]) -> dict[int, tuple[int, date, str]]:
    """Each action's latest progress update (the latest date, then the last written) as its id, date and
    text, by action id (one query)."""
    updates = ActionUpdate.objects.filter(action_id__in=action_ids).order_by("action_id", "-on", "-pk")
    columns = ("action_id", "pk", "on", "text")
    if connection.features.can_distinct_on_fields:
        return {row[0]: row[1:] for row in updates.distinct("action_id").values_list(*columns)}
    found: dict[int, tuple[int, date, str]] = {}
    for row in updates.values_list(*columns):
        found.setdefault(row[0], row[1:])
    return found


def findings_labels(action_ids: list[int]) -> dict[int, str]:
    """Each action's findings as an export shows them, "1. title; 2. title" (one query)."""
    labels: dict[int, list[str]] = {}
    linked = (
        Action.findings.through.objects.filter(action_id__in=action_ids)
        .order_by("action_id", "finding__number")
        .values_list("action_id", "finding__number", "finding__title")
    )
    for action_id, number, title in linked:
        labels.setdefault(action_id, []).append(f"{number}{FINDING_NUMBER_SEPARATOR}{title}")
    return {action_id: FINDINGS_SEPARATOR.join(found) for action_id, found in labels.items()}


def _summary(grid: dict[tuple[str, str], int]) -> dict:
    """`counts`' answer from the number of actions in each (status, RAG) pair."""
    by_status = {status.value: 0 for status in Status}
    by_rag = {rag.value: 0 for rag in Rag}
    for (status, rag), n in grid.items():
        by_status[status] += n
        by_rag[rag] += n
    return {
        "total": sum(grid.values()),
        "by_status": [(s.value, s.label, by_status[s.value]) for s in Status],
        "by_rag": [(k, by_rag[k.value]) for k in RAG_KEY],
    }


def counts(actions: QuerySet[Action]) -> dict:
    """How many actions there are in each status and each RAG colour (one query: each action's RAG worked
    out once, grouped). `actions` carries `rag_value` (see with_rag / apply_filters)."""
    grid = actions.order_by().values_list("status", "rag_value").annotate(n=Count("pk"))
    return _summary({(status, rag): n for status, rag, n in grid})


def _names_query() -> QuerySet:
    owners = (
        User.objects.filter(InParam("pk", OWNERS))
        .order_by()
        .values_list(Value("owners"), "pk", "full_name", "email")
    )
    agencies = (
        Agency.objects.filter(InParam("pk", AGENCIES))
        .order_by()
        .values_list(Value("agencies"), "pk", "name", "name")
    )
    return owners.union(agencies, all=True)


def _named_choices(owner_ids: set[int], agency_ids: set[int]) -> dict:
    """The filter lists' (id, name) pairs for these owners and agencies, in name order (one query, by id)."""
    # One query for both lists (UNION ALL), put in alphabetical order here (ignoring case): a plan has tens of
    # owners and agencies.
    named: dict[str, list] = {"owners": [], "agencies": []}
    ids = {"owners": sorted(owner_ids), "agencies": sorted(agency_ids)}
    for kind, pk, name, email in values_shape(("plan names",), _names_query).tuples(ids):
        named[kind].append((name or email, pk))
    return {
        kind: [(pk, name) for name, pk in sorted(pairs, key=lambda item: (item[0].casefold(), item[1]))]
        for kind, pairs in named.items()
    }


def filter_choices(actions: QuerySet[Action]) -> dict:
    """The owners and owner agencies that appear in the plan, for the filter lists (two queries: the plan's
    actions read once for their distinct owner and agency, then the names by id)."""
    pairs = actions.order_by().values_list("owner_id", "owner_agency_id").distinct()
    owner_ids, agency_ids = set(), set()
    for owner_id, agency_id in pairs:
        owner_ids.add(owner_id)
        agency_ids.add(agency_id)
    return _named_choices(owner_ids, agency_ids)


@dataclass(frozen=True)
class Group:
    """How many of a plan's actions share a status, RAG colour, owner, owner agency and priority."""

    status: str
    rag: str
    owner_id: int
    owner_agency_id: int
    priority: int
    n: int


def _groups_query(scope: PlanScope) -> QuerySet:
    return (
        Action.objects.filter(scope.condition(by_board=True))
        .order_by()
        .values_list("status", "owner_id", "owner_agency_id", "priority")
        .annotate(n=Count("*"), **workflow.rag_tallies(TODAY, AMBER_END))
    )


def plan_groups(scope: PlanScope, today: date | None = None) -> list[Group]:
    """The plan's actions counted by status, RAG, owner, agency and priority (one query, one reading of the
    actions). The groups are as many as the plan's owners, not its actions, and from them come the filter
    lists (`choices_of`) and the counts under every filter but the review (`counts_of`): a board's plan
    of thousands of actions is read once however it is filtered."""
    # Grouped by the action's own columns, with the date counts each colour needs (`workflow.rag_tallies`),
    # rather than by each action's colour worked out in SQL: fewer, cheaper groups (a board's 9,000 actions
    # in 190 groups, read in 4.4 ms rather than 350 in 5.5 ms), split by colour here.
    shape = values_shape(("plan groups", scope.shape(by_board=True)), lambda: _groups_query(scope))
    rows = shape.tuples(plan_values(scope, today=today))
    return [
        Group(status, rag.value, owner_id, agency_id, priority, count)
        for status, owner_id, agency_id, priority, n, *tallies in rows
        for rag, count in workflow.rag_split(status, n, *tallies).items()
        if count
    ]


def choices_of(groups: list[Group]) -> dict:
    """`filter_choices` from a plan's groups (one query, by id)."""
    return _named_choices({g.owner_id for g in groups}, {g.owner_agency_id for g in groups})


def counts_of(groups: list[Group], filters: Filters, user) -> dict:
    """`counts` of the plan filtered by `filters`, worked out from its groups without reading it again
    (`filters.review` excepted: the groups are not by review). An action is overdue when it is open and
    red: for an open action, red means past its due date."""
    if filters.review:
        raise ValueError("The groups are not by review: count the filtered actions instead.")
    agencies = my_agency_ids(user) if filters.mine else set()

    def kept(g: Group) -> bool:
        return (
            (not filters.mine or g.owner_id == user.pk or g.owner_agency_id in agencies)
            and (not filters.owner or g.owner_id == filters.owner)
            and (not filters.owner_agency or g.owner_agency_id == filters.owner_agency)
            and (not filters.status or g.status == filters.status)
            and (not filters.rag or g.rag == filters.rag)
            and (not filters.overdue or (g.status in OPEN_STATUSES and g.rag == Rag.RED))
            and (not filters.priority or g.priority == filters.priority)
        )

    grid: dict[tuple[str, str], int] = defaultdict(int)
    for g in groups:
        if kept(g):
            grid[(g.status, g.rag)] += g.n
    return _summary(grid)


# One action ------------------------------------------------------------------------------------------


def action_for(user, pk: int, number: int, rule: str = "view_action") -> Action:
    """Review `pk`'s action numbered `number` for a page about it: 404 when the person may see neither the
    review nor the action (an action owner sees only their own actions of it), 403 when they may see it but
    not do `rule`. The review is read as `review_for` reads it, for the rules and the page's header."""
    candidates = Review.objects.filter(pk=pk)
    reachable = visible_reviews(user, candidates)
    if action_owner_agencies(user):
        owned = Action.objects.filter(owned_by(user), review=OuterRef("pk"), number=number)
        reachable = reachable | candidates.filter(Exists(owned))
    review = get_object_or_404(with_boards(reachable))
    action = action_of(review, number)
    require(user, rule, action)
    return action


def action_of(review: Review, number: int) -> Action:
    """The review's action by its number, or 404 (actions of other reviews are never found here)."""
    action = get_object_or_404(
        Action.objects.select_related(
            "owner", "owner_agency", "plan_priority", "plan_priority__period", "created_by"
        ),
        review=review,
        number=number,
    )
    action.review = review  # the caller's copy, with its prefetched boards, for permission checks
    return action


def findings_of(action: Action) -> list[Finding]:
    return list(action.findings.order_by("number"))


def updates_of(action: Action) -> list[ActionUpdate]:
    """Progress updates, newest first, each with its author and evidence files (three queries)."""
    return list(
        ActionUpdate.objects.filter(action=action)
        .select_related("author")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("pk")))
        .order_by("-on", "-pk")
    )


def evidence_of(review: Review, number: int, evidence_pk: int) -> Evidence:
    """An evidence file of this review's action, or 404 (files of any other action or review are never
    found here, whatever their id)."""
    return get_object_or_404(
        Evidence.objects.select_related("update__action"),
        pk=evidence_pk,
        update__action__review=review,
        update__action__number=number,
    )


# The action form's choices ---------------------------------------------------------------------------


def owner_agencies(review: Review) -> QuerySet[Agency]:
    """Agencies of the review's lead and participating boards."""
    return Agency.objects.filter(boards__in=review_board_ids(review)).distinct().order_by("name")


@dataclass(frozen=True)
class Candidate:
    """Someone who may be named as an action's owner, and the agencies they represent (if a board member)."""

    user: object
    roles: tuple[str, ...]
    agency_ids: frozenset[int]
    agency_names: tuple[str, ...]

    @property
    def label(self) -> str:
        name = self.user.get_full_name() or self.user.email
        if self.agency_names:
            return f"{name} ({', '.join(self.agency_names)})"
        return f"{name} ({', '.join(self.roles)})"


def owner_candidates(review: Review) -> dict[int, Candidate]:
    """People with an active board role (business manager, board member, chair) on the review's boards, and
    the action owners of their agencies, by user id, in name order (one query)."""
    rows = (
        Membership.objects.active()
        .filter(
            board_id__in=review_board_ids(review),
            role__in=[*BOARD_ROLES, Role.ACTION_OWNER],
            user__is_active=True,
        )
        .select_related("user", "agency")
        .order_by("user__full_name", "user__email", "role")
    )
    people: dict[int, dict] = {}
    for m in rows:
        entry = people.setdefault(m.user_id, {"user": m.user, "roles": [], "agencies": {}})
        label = Role(m.role).label
        if label not in entry["roles"]:
            entry["roles"].append(label)
        if m.role in AGENCY_ROLES and m.agency_id:
            entry["agencies"][m.agency_id] = m.agency.name
    return {
        pk: Candidate(
            user=e["user"],
            roles=tuple(e["roles"]),
            agency_ids=frozenset(e["agencies"]),
            agency_names=tuple(sorted(e["agencies"].values())),
        )
        for pk, e in people.items()
    }


def owner_problem(candidate: Candidate | None, agency: Agency | None) -> str:
    """Why this person cannot own an action of this agency, or "" when they can."""
    if candidate is None:
        return (
            "Choose someone with a role on the boards taking part in this review: a business manager, "
            "chair, board member or action owner"
        )
    if agency is not None and candidate.agency_ids and agency.pk not in candidate.agency_ids:
        name = candidate.user.get_full_name() or candidate.user.email
        represents = " and ".join(candidate.agency_names)
        return (
            f"{name} acts for {represents}, so they can only own actions of "
            f"{represents}. Choose {represents} as the owner agency, or choose another person"
        )
    return ""
