"""What is waiting for the person: the things they are asked to do now, for every role they hold, each
linking straight to the page where they do it.

Each kind of thing is read with the rule that decides whether the person may do it, as a condition
(`access.holds_on_anyone(*roles, at=capability)` is the rule `on_review(*roles) & review_allows(capability)`
that the app's permissions.py declares: for example `answer_proposal` is `on_review(BM, CHAIR) &
review_allows(OPEN)`) and the workflow's own groups of statuses, so a thing is listed exactly when the
person may act on it. All kinds are read together in one query whatever the number of reviews: a UNION,
the oldest first, limited, with the count of them all on each row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import connection
from django.db.models import (
    CharField,
    DateField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone

from commissioning.models import InputInvitation, InputReply, Proposal, ToRComment, ToRVersion
from commissioning.tor import workflow as tor_workflow
from documents.models import Document
from reviews import workflow
from reviews.access import PERSON_ID, holds_on_anyone, roles_held
from reviews.models import Role
from reviews.next_step import OwnStep
from scr_portal.dates import long_date
from scr_portal.links import url_for_each
from scr_portal.queries import Param, bound, shaped

BM, CHAIR, MEMBER, REVIEWER = Role.BUSINESS_MANAGER, Role.CHAIR, Role.BOARD_MEMBER, Role.LEAD_REVIEWER

# How many things the home page lists; the rest are on the "waiting for you" page.
WAITING_SHOWN = 10
# How long an answer to the lead reviewer's proposal stays on their list.
ANSWER_SHOWN_DAYS = 14

PROPOSAL, ANSWERED, ADDRESS, READ, COMMENT, INPUT, DOCUMENT = (
    "proposal",
    "answered",
    "address",
    "read",
    "comment",
    "input",
    "document",
)
COLUMNS = ("w_kind", "w_review", "w_reference", "w_target", "w_number", "w_label", "w_since", "w_due", "w_n")


@dataclass(frozen=True)
class Waiting:
    """One thing the person is asked to do: what, on which review, since when, by when, and where."""

    kind: str
    review_id: int
    reference: str
    what: str
    url: str
    since: datetime | None
    due: date | None = None


def _rows(
    qs: QuerySet,
    kind: str,
    *,
    since: str,
    review="review",
    target="pk",
    number=None,
    label=None,
    due=None,
    n=None,
):
    """The query's rows as the union's columns (the same names, types and order in every part), in one step:
    by default each row is about its own review (`review`) and leads to itself (`target`)."""
    return qs.order_by().values(
        w_kind=Value(kind, output_field=CharField()),
        w_review=F(f"{review}_id"),
        w_reference=F(f"{review}__reference"),
        w_target=F(target),
        w_number=number if number is not None else Value(0, output_field=IntegerField()),
        w_label=label if label is not None else Value("", output_field=CharField()),
        w_since=F(since),
        w_due=F(due) if due else Value(None, output_field=DateField()),
        w_n=n if n is not None else Value(0, output_field=IntegerField()),
    )


def _version_rows(versions: QuerySet, kind: str) -> QuerySet:
    """A terms-of-reference version as a thing to do: on its review, since it went out, due when comments close."""
    return _rows(versions, kind, number=F("number"), since="sent_for_comment_at", due="comments_close_on")


# The values a "waiting for you" query is run with (scr_portal.queries.shaped): built once per shape, from
# these parameters, whoever asks.
TODAY = Param("today", DateField())
ANSWERED_SINCE = Param("answered_since", DateTimeField())
REVIEW = Param("review_id", IntegerField())


def _parts(held: frozenset[str]) -> list[QuerySet]:
    """One query for each kind of thing the roles `held` may ask of a person (each built in one filter and
    one values()), with the person, the day and their boards and reviews as parameters."""
    parts = []
    commentable = Q(status__in=tor_workflow.COMMENTABLE_STATUSES)
    if held & {BM, CHAIR}:
        # answer_proposal: runs_review(BM, CHAIR) & review_allows(OPEN)
        proposals = Proposal.objects.filter(
            holds_on_anyone(BM, CHAIR, at=workflow.OPEN, running=True), answer=""
        )
        parts.append(
            _rows(
                proposals,
                PROPOSAL,
                label=F("topic"),
                since="created_at",
            )
        )
    if BM in held:
        # edit_terms_of_reference (marking comments addressed): runs_review(BM) & review_allows(COMMISSIONING_OPEN);
        # the threads' first comments not yet addressed, read from their partial index.
        unaddressed = ToRComment.objects.filter(
            section__version=OuterRef("pk"), parent__isnull=True, addressed_at__isnull=True
        )
        waiting = ToRVersion.objects.filter(
            commentable,
            holds_on_anyone(BM, at=workflow.COMMISSIONING_OPEN, running=True),
            Exists(unaddressed),
        )
        parts.append(_version_rows(waiting, ADDRESS))
        # make_documents: runs_review(BM) & review_allows(OPEN); a failed document not made again since
        newer = Document.objects.filter(
            review=OuterRef("review"), kind=OuterRef("kind"), requested_at__gt=OuterRef("requested_at")
        )
        failed = Document.objects.filter(
            holds_on_anyone(BM, at=workflow.OPEN, running=True),
            ~Exists(newer),
            status=Document.Status.FAILED,
        )
        parts.append(
            _rows(
                failed,
                DOCUMENT,
                label=F("label"),
                since="requested_at",
            )
        )
    # comment_terms_of_reference: on_review(board roles, lead reviewer) & review_allows(COMMISSIONING_OPEN);
    # the business manager runs the round, so it is the others who are asked to comment.
    commenters = (MEMBER, CHAIR, REVIEWER)
    if held & set(commenters):
        mine = ToRComment.objects.filter(section__version=OuterRef("pk"), author_id=PERSON_ID)
        due = ToRVersion.objects.filter(
            commentable,
            holds_on_anyone(*commenters, at=workflow.COMMISSIONING_OPEN),
            ~Exists(mine),
            comments_close_on__gte=TODAY,
        )
        parts.append(_version_rows(due, COMMENT))
    if held & {MEMBER, CHAIR}:
        # give_input: on_review(BOARD_MEMBER, CHAIR) & review_allows(COMMISSIONING_OPEN)
        replied = InputReply.objects.filter(invitation=OuterRef("pk"))
        invited = InputInvitation.objects.filter(
            holds_on_anyone(MEMBER, CHAIR, at=workflow.COMMISSIONING_OPEN, field="round__review"),
            ~Exists(replied),
            member_id=PERSON_ID,
            round__closes_on__gte=TODAY,
        )
        parts.append(
            _rows(
                invited,
                INPUT,
                review="round__review",
                target="round_id",
                since="round__opened_at",
                due="round__closes_on",
            )
        )
    if REVIEWER in held:
        # The lead reviewer's own proposals, answered lately (propose_scope_change: on_review(LEAD_REVIEWER))
        answered = Proposal.objects.filter(
            holds_on_anyone(REVIEWER, at=workflow.OPEN),
            author_id=PERSON_ID,
            answered_at__gte=ANSWERED_SINCE,
        )
        parts.append(
            _rows(
                answered,
                ANSWERED,
                label=F("answer"),
                since="answered_at",
            )
        )
        # What others said on the terms of reference out for comment (view_commissioning)
        said_by_others = ToRComment.objects.filter(section__version=OuterRef("pk")).exclude(
            author_id=PERSON_ID
        )
        said = ToRVersion.objects.filter(
            commentable, holds_on_anyone(REVIEWER, at=workflow.COMMISSIONING_OPEN), Exists(said_by_others)
        )
        parts.append(_version_rows(said, READ))
    return parts


ASKED = frozenset({BM, CHAIR, MEMBER, REVIEWER})  # the roles `_parts` asks things of
ORDER = "w_since, w_review, w_target"


def _union_sql(held: frozenset[str], *, on_review: bool) -> tuple[str, list]:
    """The UNION of `_parts(held)` as SQL with its parameters (`Param`s among them), limited to one review
    (`REVIEW`) when `on_review`."""
    parts = _parts(held)
    if on_review:
        parts = [part.filter(w_review=REVIEW) for part in parts]
    first, *rest = parts
    union = first.union(*rest, all=True) if rest else first
    return union.query.sql_with_params()


def _shape(user, *, on_review: bool = False) -> tuple[str, tuple] | None:
    """The person's "waiting for you" UNION, compiled once for everyone whose roles ask the same kinds of
    things (None for someone asked nothing): its SQL and its parameters."""
    held = frozenset(roles_held(user) & ASKED)
    if not held:
        return None
    return shaped(("waiting", held, on_review), lambda: _union_sql(held, on_review=on_review))


def _values(user, today: date, review_id: int | None = None) -> dict:
    return {
        "user": user,
        "today": today,
        "answered_since": timezone.now() - timedelta(days=ANSWER_SHOWN_DAYS),
        "review_id": review_id,
    }


def _run(sql: str, params: Sequence) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def first_on_review(user, review) -> OwnStep | None:
    """The thing waiting longest for the person on this review, as the review page's "your next step"
    (one query; registered with `reviews.next_step` by the app's ready())."""
    shape = _shape(user, on_review=True)
    if shape is None:
        return None
    sql, params = shape
    # Only the ORM's own compiled SQL and this module's names are put into the text; values are parameters.
    first = _run(
        f"SELECT {', '.join(COLUMNS)} FROM ({sql}) waiting ORDER BY {ORDER} LIMIT 1",  # noqa: S608  # nosec B608
        bound(params, _values(user, timezone.localdate(), review.pk)),
    )
    items = described([_as_read(row) for row in first])
    return OwnStep(f"{items[0].what}.", items[0].url) if items else None


class _AllWaiting:
    """Every thing waiting for the person, the oldest first, as a Paginator reads it: counted, then sliced
    (one query each)."""

    def __init__(self, sql: str, params: list) -> None:
        self.sql, self.params = sql, params

    def count(self) -> int:
        return _run(f"SELECT COUNT(*) FROM ({self.sql}) waiting", self.params)[0][0]  # noqa: S608  # nosec B608

    def __getitem__(self, window: slice) -> list[tuple]:
        start, stop = window.start or 0, window.stop
        rows = _run(
            f"SELECT {', '.join(COLUMNS)} FROM ({self.sql}) waiting ORDER BY {ORDER} "  # noqa: S608  # nosec B608
            "LIMIT %s OFFSET %s",
            [*self.params, stop - start, start],
        )
        return [_as_read(row) for row in rows]


def all_waiting(user, today: date | None = None) -> _AllWaiting | list:
    """Every thing waiting for the person, the oldest first, as rows for `described` (for a paginated list)."""
    shape = _shape(user)
    if shape is None:
        return []
    sql, params = shape
    return _AllWaiting(sql, bound(params, _values(user, today or timezone.localdate())))


def waiting_for(user, today: date | None = None, limit: int = WAITING_SHOWN) -> tuple[list[Waiting], int]:
    """The things waiting for the person, the oldest first (at most `limit`), and how many there are in all:
    one query whatever the data (none for someone with no role that is asked anything)."""
    shape = _shape(user)
    if shape is None:
        return [], 0
    sql, params = shape
    # The count rides on the rows (a window over the union), so the union is planned and run once. Only the
    # ORM's own compiled SQL and this module's column names are put into the text; every value is a
    # parameter.
    fetched = _run(
        f"SELECT {', '.join(COLUMNS)}, COUNT(*) OVER () FROM ({sql}) waiting "  # noqa: S608  # nosec B608
        f"ORDER BY {ORDER} LIMIT %s",
        [*bound(params, _values(user, today or timezone.localdate())), limit],
    )
    # A database without time zones gives the union's times as they are stored: read them back as Django does.
    rows = [_as_read(row[:-1]) for row in fetched]
    return described(rows), fetched[0][-1] if fetched else 0


def _as_read(row: tuple) -> tuple:
    since = row[6]
    if isinstance(since, str):
        since = datetime.fromisoformat(since)
    if since is not None and timezone.is_naive(since):
        since = timezone.make_aware(since, UTC)
    due = date.fromisoformat(row[7]) if isinstance(row[7], str) else row[7]
    return (*row[:6], since, due, row[8])


# What each kind says, and where it leads ---------------------------------------------------------------


def described(rows) -> list[Waiting]:
    """The union's rows as things to do, each with what it asks in words and the page where it is done."""
    if not rows:
        return []
    links = {
        PROPOSAL: url_for_each("proposal_list"),
        ANSWERED: url_for_each("proposal_list"),
        ADDRESS: url_for_each("tor_comments", variable=2),
        READ: url_for_each("tor_comments", variable=2),
        COMMENT: url_for_each("tor_comments", variable=2),
        INPUT: url_for_each("input_reply", variable=2),
        DOCUMENT: url_for_each("document_detail", variable=2),
    }
    topics = dict(Proposal.Topic.choices)
    answers = dict(Proposal.Answer.choices)
    items = []
    for row in rows:
        kind, review_id, reference, target, number, label, since, due, n = (
            [row[c] for c in COLUMNS] if isinstance(row, dict) else row
        )
        link = links[kind]
        if kind in (PROPOSAL, ANSWERED):
            url = f"{link(review_id)}#proposal-{target}"
        elif kind in (ADDRESS, READ, COMMENT):
            url = link(review_id, number)
        else:
            url = link(review_id, target)
        what = _what(kind, number=number, label=label, due=due, n=n, topics=topics, answers=answers)
        items.append(Waiting(kind, review_id, reference, what, url, since, due))
    return items


def _what(
    kind: str, *, number: int, label: str, due: date | None, n: int, topics: dict, answers: dict
) -> str:
    if kind == PROPOSAL:
        return f"Answer the lead reviewer's proposal to change the {topics.get(label, label).lower()}"
    if kind == ANSWERED:
        return f"Read the board's answer to your proposal: {answers.get(label, label).lower()}"
    # Not counted here: counting each version's comments was most of the list's time on a busy board; the
    # comments page says how many.
    if kind == ADDRESS:
        return (
            f"Address the comments on version {number} of the terms of reference: the chair cannot approve "
            "it until then"
        )
    if kind == READ:
        return f"Read the comments on version {number} of the terms of reference"
    if kind == COMMENT:
        return f"Comment on the terms of reference (version {number}) by {long_date(due)}"
    if kind == INPUT:
        return f"Give your input to the board by {long_date(due)}"
    return f"{label} could not be made: ask for it again"


def actions_to_update(due: list, today: date) -> list[Waiting]:
    """The person's own actions due soon or overdue with no progress recorded for a fortnight (rows the home
    page has read already, with their latest progress date), as things to do: record progress on each."""
    link = url_for_each("action_progress", variable=2)
    return [
        Waiting(
            "action",
            a.review_id,
            a.review.reference,
            f"Record progress on action {a.number}: "
            + (
                f"overdue since {long_date(a.due_on)}"
                if a.due_on < today
                else f"due by {long_date(a.due_on)}"
            ),
            link(a.review_id, a.number),
            None,
            a.due_on,
        )
        for a in due
    ]
