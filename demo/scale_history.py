"""The scale dataset's history rows (django-simple-history's tables), and the bulk writer they go in with.

The services write a history row each time they save an object: '+' when it is made, '~' each time it
changes. The scale dataset goes in with `bulk_create`, which writes none, so this module writes them
afterwards: it reads each object back and retells how it came to be as it is now. A review has a row at each
stage it passed (with what that stage recorded, and its deadline then), an action one at each status it
went through (and a due date moved now and then), a version of the terms of reference is drafted, sent for
comment and approved, a comment is made and later addressed, a finding gets the board's position at the
meeting, an engagement activity is planned and later done, a person's job title changes, a member moves
agency. Every object has its rows oldest first, starting with '+'; the newest holds exactly the object's
values now; each names the person whose change it was (`history_user`), never "system". The many-to-many
history rows (an action's findings, a finding's themes, an agency's boards) are written for each version.

Rows go in with PostgreSQL's COPY (executemany elsewhere, for the tests on SQLite), with the history ids
given here so the many-to-many rows can point at them; the tables' sequences are moved past them after."""

from __future__ import annotations

import copy
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from itertools import islice
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

from commissioning.models import (
    AgencyInvolvement,
    FactorAssessment,
    InputInvitation,
    InputReply,
    InputRound,
    LineOfEnquiry,
    Scope,
    ToRComment,
    ToRVersion,
    Weight,
)
from responses.models import (
    Action,
    ActionUpdate,
    Attendance,
    EngagementActivity,
    Finding,
    FindingDiscussion,
    LearningItem,
    Meeting,
    PlanPeriod,
    PlanPriority,
    ResponseVersion,
)
from reviews.models import Agency, Appointment, Board, Child, Membership, ParticipatingBoard, Review, State
from reviews.services import review_refresh_due
from reviews.workflow import TABLES
from scr_portal.accounts.models import User

MAIN_PATH = TABLES["scr"].main_path  # the national dataset is of Serious Case Reviews

COPY_BATCH = 20_000
HISTORY_COLUMNS = ["history_id", "history_date", "history_change_reason", "history_type", "history_user_id"]

# What each stage of a review records on its row (blank before the review reaches it).
STAGE_FIELDS: dict[str, tuple[str, ...]] = {
    State.DECISION: ("national_panel_notified_on", "inspectorate_notified_on"),
    State.COMMISSIONING: ("decision", "decision_date", "decision_rationale", "decided_by_id"),
    State.NOT_INITIATED: ("decision", "decision_date", "decision_rationale", "decided_by_id"),
    State.IN_PROGRESS: ("started_on",),
    State.REPORT_RECEIVED: ("final_report", "final_report_name", "report_received_on"),
    State.PUBLISHED: ("report_published_on", "response_published_on"),
    State.CLOSED: ("closed_on",),
    State.WITHDRAWN: ("closed_on", "end_reason"),
}
STAGE_ATTNAMES = frozenset(a for names in STAGE_FIELDS.values() for a in names)
DECIDED_BY_CHAIR = (State.COMMISSIONING, State.NOT_INITIATED, State.CLOSED)
EARLIER_TITLES = {
    "Business manager": "Board business manager",
    "Independent chair": "Independent scrutineer",
    "Designated safeguarding lead": "Safeguarding lead",
    "Independent reviewer": "Associate reviewer",
}
Status = Action.Status
ToRStatus = ToRVersion.Status


def chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


# Writing rows in bulk ------------------------------------------------------------------------------------


_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_TEXT: dict[type, Callable[[Any], str]] = {
    str: lambda v: v.translate(_ESCAPE),
    int: str,
    type(None): lambda v: "\\N",
    bool: lambda v: "t" if v else "f",
    datetime: datetime.isoformat,  # keeps the offset
    date: date.isoformat,
}


def _copy_text(value: Any) -> str:
    """A value in COPY's text format."""
    return _COPY_TEXT.get(type(value), str)(value)


def write_rows(model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> int:
    """Inserts `rows` (tuples of values for the fields whose attnames are `columns`) into the model's table,
    without calling `save` or `pre_save`: the values go in as given (dates included). COPY on PostgreSQL,
    executemany elsewhere. Returns how many rows went in."""
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_attname[c] for c in columns]
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    n = 0
    with connection.cursor() as cursor:
        for batch in chunks(rows, COPY_BATCH):
            if connection.vendor == "postgresql":
                text = "".join("\t".join(map(_copy_text, row)) + "\n" for row in batch)
                cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", io.StringIO(text))
            else:
                cursor.executemany(
                    # The table's and columns' names come from the model, quoted; the values are parameters.
                    f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})",  # noqa: S608  # nosec B608
                    [
                        [f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)]
                        for row in batch
                    ],
                )
            n += len(batch)
    return n


def reset_sequences(models_: list[type[models.Model]]) -> None:
    """Moves the tables' id sequences past the ids written here (PostgreSQL; SQLite follows by itself)."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models_):
            cursor.execute(sql)


# History in general ----------------------------------------------------------------------------------------


@dataclass
class Version:
    """One history row of an object: when, by whom, and the values that differed then from the object's
    values now (`was`, by attname). The newest version has nothing in `was`."""

    at: datetime
    user: int | None
    was: dict[str, Any] = field(default_factory=dict)


def ascending(times: list[datetime], end: datetime) -> list[datetime]:
    """`times` made strictly ascending (a minute apart at least) and no later than `end`, the last one moved
    onto `end` if it was later: each row of an object must follow the one before."""
    n = len(times)
    capped = [min(t, end - timedelta(minutes=n - 1 - i)) for i, t in enumerate(times)]
    for i in range(1, n):
        capped[i] = max(capped[i], capped[i - 1] + timedelta(minutes=1))
    return capped


class HistoryWriter:
    """Writes the history rows of one model at a time, from a rule that tells each object's versions."""

    def __init__(self, now: datetime, made) -> None:
        self.now = now
        self.made = made  # demo.scale.Made: counts by label, and totals
        self.written: list[type[models.Model]] = []

    def write(self, model: type[models.Model], versions: Callable[[dict], list[Version]]) -> None:
        history = model.history.model
        tracked = [f.attname for f in history.tracked_fields]
        known = set(tracked)
        next_id = (history.objects.aggregate(n=Max("history_id"))["n"] or 0) + 1
        m2m = [(f, self._links(model, f)) for f in history._history_m2m_fields]
        m2m_rows: dict[type[models.Model], list[tuple]] = defaultdict(list)
        m2m_columns = {}
        for f, _ in m2m:
            through = getattr(model, f.name).through
            m2m_columns[f] = [x.attname for x in through._meta.concrete_fields] + ["history_id"]

        def rows() -> Iterator[tuple]:
            nonlocal next_id
            objects = model._base_manager.order_by("pk").values_list(*tracked)
            for values in objects.iterator(chunk_size=5000):
                now = dict(zip(tracked, values, strict=True))
                told = versions(now)
                if not told or told[-1].was:
                    raise ValueError(
                        f"{model.__name__} {now['id']}: the newest version must be the object now"
                    )
                times = ascending([v.at for v in told], min(told[-1].at, self.now))
                for i, (v, at) in enumerate(zip(told, times, strict=True)):
                    if not known.issuperset(v.was):
                        raise ValueError(f"{model.__name__} has no field {set(v.was) - known}")
                    row = (
                        values
                        if not v.was
                        else tuple(v.was.get(a, x) for a, x in zip(tracked, values, strict=True))
                    )
                    yield (*row, next_id, at, None, "~" if i else "+", v.user)
                    for f, links in m2m:
                        m2m_rows[f].extend((*link, next_id) for link in links.get(now["id"], ()))
                    next_id += 1

        n = write_rows(history, [*tracked, *HISTORY_COLUMNS], rows())
        self.made.counts[str(history._meta.verbose_name_plural)] += n
        self.made.history += n
        self.written.append(history)
        for f, _ in m2m:
            m2m_history = apps.get_model(history._meta.app_label, f"{history.__name__}_{f.name}")
            written = write_rows(m2m_history, m2m_columns[f], m2m_rows.pop(f))
            self.made.counts[f"historical {model._meta.verbose_name} {f.name}"] += written
            self.made.history_links += written

    @staticmethod
    def _links(model: type[models.Model], f: models.ManyToManyField) -> dict[int, list[tuple]]:
        """The model's links of `f` (the through table's rows), by the id of the object that holds them."""
        through = getattr(model, f.name).through
        columns = [x.attname for x in through._meta.concrete_fields]
        owner = f.m2m_column_name()
        links: dict[int, list[tuple]] = defaultdict(list)
        for row in through.objects.order_by("pk").values_list(*columns).iterator(chunk_size=5000):
            links[row[columns.index(owner)]].append(row)
        return links

    def finish(self) -> None:
        reset_sequences(self.written)


# The scale dataset's history -----------------------------------------------------------------------------


@cache
def blank(model: type[models.Model], attname: str):
    """What the field holds when nothing is recorded in it."""
    f = next(f for f in model._meta.concrete_fields if f.attname == attname)
    return None if f.null else ""


class ScaleHistory:
    """The rules that tell how each object of the scale dataset came to be as it is. `build` is the
    `demo.scale.Builder` that made them: its random generator, its people and its reviews."""

    def __init__(self, build) -> None:
        self.b = build
        self.rng = build.rng
        self.writer = HistoryWriter(build.now, build.made)
        self.review = {r.review.pk: r for r in build.reviews}

    def moment(self, day: date, hour: int = 10) -> datetime:
        return self.b.moment(day, hour)

    def manager(self, review_id: int) -> int:
        return self.b.people[self.review[review_id].board].manager

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randrange(low, high))

    def once(self, model, at: Callable[[dict], datetime], by: Callable[[dict], int]) -> None:
        """Objects made once and never changed: a '+' row each."""
        self.writer.write(model, lambda o: [Version(at(o), by(o))])

    # People and boards --------------------------------------------------------------------------------

    def people_and_boards(self) -> None:
        b = self.b
        self.writer.write(User, self.user)
        started = b.board_started

        def board(o: dict) -> list[Version]:
            manager = b.people[o["id"]].manager
            return [
                Version(started, manager, {"independent_chair_id": None}),
                Version(started + timedelta(days=1), manager),
            ]

        self.writer.write(Board, board)
        self.once(
            Agency, lambda o: started + timedelta(days=2), lambda o: b.people[b.agency_board[o["id"]]].manager
        )
        self.writer.write(Membership, self.membership)

    def user(self, o: dict) -> list[Version]:
        joined, by = o["date_joined"], self.b.creator[o["id"]]
        earlier = EARLIER_TITLES.get(o["job_title"])
        if o["id"] % 4 or not earlier:
            return [Version(joined, by)]
        return [Version(joined, by, {"job_title": earlier}), Version(joined + self.days(30, 700), o["id"])]

    def membership(self, o: dict) -> list[Version]:
        people = self.b.people[o["board_id"]]
        made = Version(o["created_at"], people.manager)
        others = [a for a in people.agencies if a != o["agency_id"]]
        if o["agency_id"] is None or o["id"] % 3 or not others:
            return [made]
        made.was = {"agency_id": self.rng.choice(others)}
        return [made, Version(o["created_at"] + self.days(60, 900), people.manager)]

    # Reviews ------------------------------------------------------------------------------------------

    def reviews(self) -> None:
        self.writer.write(Review, self.review_versions)
        self.once(
            Child,
            lambda o: self.moment(self.review[o["review_id"]].review.notification_date, 11),
            self._by_manager,
        )
        self.once(ParticipatingBoard, lambda o: o["joined_at"], self._by_manager)
        self.once(Appointment, lambda o: o["appointed_at"], self._by_manager)

    def _by_manager(self, o: dict) -> int:
        return self.manager(o["review_id"])

    def review_versions(self, o: dict) -> list[Version]:
        """A row at each stage the review passed, with what each stage recorded and the deadline then; a
        third of them had their case summary corrected the day after the referral."""
        r = self.review[o["id"]]
        review, people = r.review, self.b.people[r.board]
        path = list(MAIN_PATH[: r.stage + 1])
        if review.state in (State.NOT_INITIATED, State.WITHDRAWN):
            path.append(review.state)
        notified, received = review.notification_date, review.report_received_on
        when = {
            State.REFERRAL: notified,
            State.DECISION: notified + timedelta(days=3),
            State.COMMISSIONING: review.decision_date,
            State.NOT_INITIATED: review.decision_date,
            State.IN_PROGRESS: review.started_on,
            State.REPORT_RECEIVED: received,
            State.RESPONSE: received and received + timedelta(days=2),
            State.PUBLISHED: review.report_published_on,
            State.MONITORING: review.report_published_on and review.report_published_on + timedelta(days=1),
            State.CLOSED: review.closed_on,
            State.WITHDRAWN: review.closed_on,
        }
        ideal = [*(self.moment(when[s]) for s in path[:-1]), o["state_changed_at"]]
        edited = o["id"] % 3 == 0
        if edited:
            ideal.insert(1, self.moment(notified + timedelta(days=1), 15))
        times = ascending(ideal, min(o["state_changed_at"], self.b.now))
        stages = [path[0], path[0], *path[1:]] if edited else path
        versions = []
        for i, (state, at) in enumerate(zip(stages, times, strict=True)):
            if i == len(stages) - 1:
                versions.append(Version(at, people.chair if state in DECIDED_BY_CHAIR else people.manager))
                break
            recorded = {a for s in path[: path.index(state) + 1] for a in STAGE_FIELDS.get(s, ())}
            was: dict[str, Any] = {"state": state, "state_changed_at": at}
            was.update({a: blank(Review, a) for a in STAGE_ATTNAMES - recorded})
            if edited and i == 0:
                was["case_summary"] = o["case_summary"].split(". ")[0]
            then = copy.copy(review)
            for a, value in was.items():
                setattr(then, a, value)
            review_refresh_due(then)
            was["due_on"], was["due_kind"] = then.due_on, then.due_kind
            was = {a: v for a, v in was.items() if v != o[a]}
            who = people.chair if state in DECIDED_BY_CHAIR else people.manager
            versions.append(Version(at, who, was))
        return versions

    # Commissioning ------------------------------------------------------------------------------------

    def commissioning(self) -> None:
        weights = Weight.values

        def assessed(o: dict) -> list[Version]:
            by, at = o["updated_by_id"] or self._by_manager(o), o["updated_at"]
            if o["id"] % 5 >= 2:
                return [Version(at, by)]
            first = at - timedelta(days=7)
            other = self.rng.choice([w for w in weights if w != o["weight"]] or weights)
            return [Version(first, by, {"weight": other, "updated_at": first}), Version(at, by)]

        def scoped(o: dict) -> list[Version]:
            by, at = self._by_manager(o), o["updated_at"]
            if o["id"] % 2:
                return [Version(at, by)]
            first = at - timedelta(days=10)
            short = o["breadth_and_depth"].split(". ")[0]
            return [Version(first, by, {"breadth_and_depth": short, "updated_at": first}), Version(at, by)]

        self.writer.write(FactorAssessment, assessed)
        self.writer.write(Scope, scoped)
        decided = {pk: r.review.decision_date for pk, r in self.review.items()}
        self.once(
            LineOfEnquiry,
            lambda o: self.moment(decided[o["review_id"]] + timedelta(days=6)),
            self._by_manager,
        )
        self.once(
            AgencyInvolvement,
            lambda o: self.moment(decided[o["review_id"]] + timedelta(days=6), 14),
            self._by_manager,
        )
        self.once(InputRound, lambda o: o["opened_at"], lambda o: o["opened_by_id"])
        member = dict(InputInvitation.objects.values_list("pk", "member_id"))
        self.once(InputReply, lambda o: o["created_at"], lambda o: member[o["invitation_id"]])

    def terms_of_reference(self) -> None:
        def version(o: dict) -> list[Version]:
            draft = Version(
                o["created_at"],
                o["created_by_id"],
                {
                    "status": ToRStatus.DRAFT,
                    "sent_for_comment_at": None,
                    "comments_close_on": None,
                    "approved_at": None,
                    "approved_by_id": None,
                },
            )
            if o["status"] == ToRStatus.OUT_FOR_COMMENT:
                return [draft, Version(o["sent_for_comment_at"], o["created_by_id"])]
            sent = Version(
                o["sent_for_comment_at"],
                o["created_by_id"],
                {"status": ToRStatus.OUT_FOR_COMMENT, "approved_at": None, "approved_by_id": None},
            )
            return [draft, sent, Version(o["approved_at"], o["approved_by_id"])]

        def comment(o: dict) -> list[Version]:
            if o["addressed_at"] is None:
                return [Version(o["created_at"], o["author_id"])]
            was = {"addressed_at": None, "addressed_by_id": None, "addressed_how": ""}
            return [
                Version(o["created_at"], o["author_id"], was),
                Version(o["addressed_at"], o["addressed_by_id"]),
            ]

        self.writer.write(ToRVersion, version)
        self.writer.write(ToRComment, comment)

    # The response -------------------------------------------------------------------------------------

    def plans(self) -> None:
        b = self.b
        period = {
            pk: (board, start)
            for pk, board, start in PlanPeriod.objects.values_list("pk", "board_id", "starts_on")
        }
        self.once(
            PlanPeriod,
            lambda o: self.moment(o["starts_on"] - timedelta(days=30)),
            lambda o: b.people[o["board_id"]].manager,
        )
        self.once(
            PlanPriority,
            lambda o: self.moment(period[o["period_id"]][1] - timedelta(days=29)),
            lambda o: b.people[period[o["period_id"]][0]].manager,
        )
        self.once(LearningItem, lambda o: o["created_at"], lambda o: o["created_by_id"])

    def findings_and_meetings(self) -> None:
        held = self.b.meeting_held

        def finding(o: dict) -> list[Version]:
            by = self._by_manager(o)
            if o["position_meeting_id"] is None:
                return [Version(o["created_at"], by)]
            was = {"position": "", "position_reason": "", "position_meeting_id": None}
            return [
                Version(o["created_at"], by, was),
                Version(self.moment(held[o["position_meeting_id"]], 16), by),
            ]

        def activity(o: dict) -> list[Version]:
            r = self.review[o["review_id"]].review
            planned = Version(self.moment(r.report_received_on + timedelta(days=30)), self._by_manager(o))
            if o["status"] != EngagementActivity.Status.DONE:
                return [planned]
            planned.was = {"status": EngagementActivity.Status.PLANNED}
            return [planned, Version(self.moment(o["planned_on"], 17), self._by_manager(o))]

        self.writer.write(Finding, finding)
        self.once(Meeting, lambda o: o["created_at"], lambda o: o["created_by_id"])
        meeting_review = dict(Meeting.objects.values_list("pk", "review_id"))
        self.once(
            Attendance,
            lambda o: self.moment(held[o["meeting_id"]], 17),
            lambda o: self.manager(meeting_review[o["meeting_id"]]),
        )
        self.once(
            FindingDiscussion,
            lambda o: self.moment(held[o["meeting_id"]], 17),
            lambda o: self.manager(meeting_review[o["meeting_id"]]),
        )
        self.writer.write(EngagementActivity, activity)

    def actions(self) -> None:
        self.writer.write(Action, self.action_versions)
        self.once(ActionUpdate, lambda o: o["created_at"], lambda o: o["author_id"])
        self.writer.write(ResponseVersion, self.response_version)

    def action_versions(self, o: dict) -> list[Version]:
        """Agreed, then each status on the way to the one it has now (the owner moved it; the business
        manager deferred it); a quarter had their due date moved a few days after they were agreed."""
        status, made, last = o["status"], o["created_at"], o["updated_at"]
        manager = self.manager(o["review_id"])
        path = {
            Status.AGREED: [],
            Status.IN_PROGRESS: [Status.IN_PROGRESS],
            Status.COMPLETED: [Status.IN_PROGRESS, Status.COMPLETED],
            Status.IMPACT_EVIDENCED: [Status.IN_PROGRESS, Status.COMPLETED, Status.IMPACT_EVIDENCED],
            Status.DEFERRED: [Status.DEFERRED],
        }[status]
        moves: list[tuple[str, datetime]] = []
        if path:
            completed = self.moment(o["completed_on"], 15) if o["completed_on"] else None
            times = {
                Status.IN_PROGRESS: made + (last - made) / 3 if status != Status.IN_PROGRESS else last,
                Status.COMPLETED: completed if status == Status.IMPACT_EVIDENCED else last,
                Status.IMPACT_EVIDENCED: last,
                Status.DEFERRED: last,
            }
            moves = [(s, times[s]) for s in path]
        # Only a moved action: one agreed and never moved has its row as it was agreed (updated_at too).
        dated = o["id"] % 4 == 0 and bool(moves) and moves[0][1] - made > timedelta(days=4)
        start = {
            "status": Status.AGREED,
            "completed_on": None,
            "deferred_reason": "",
            "deferred_until": None,
            "updated_at": made,
        }
        if dated:
            start["due_on"] = o["due_on"] - timedelta(days=28)
        versions = [Version(made, o["created_by_id"], start)]
        if dated:
            at = made + timedelta(days=3)
            versions.append(Version(at, manager, {**start, "due_on": o["due_on"], "updated_at": at}))
        for n, (s, at) in enumerate(moves):
            was = {} if n == len(moves) - 1 else {"status": s, "updated_at": at}
            if s == Status.IN_PROGRESS and was:
                was["completed_on"] = None
            versions.append(Version(at, manager if s == Status.DEFERRED else o["owner_id"], was))
        return [Version(v.at, v.user, {a: x for a, x in v.was.items() if x != o[a]}) for v in versions]

    def response_version(self, o: dict) -> list[Version]:
        if o["signed_at"] is None:
            return [Version(o["created_at"], o["created_by_id"])]
        was = {"signed_at": None, "signed_by_id": None, "digest": ""}
        return [Version(o["created_at"], o["created_by_id"], was), Version(o["signed_at"], o["signed_by_id"])]

    def finish(self) -> None:
        self.writer.finish()
