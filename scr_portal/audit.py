"""The audit trail as people read it: history rows (django-simple-history) turned into "who changed what,
when, from what to what", for the history pages of boards and reviews.

A page is chosen in the database (one UNION of the sources' history rows, ordered, counted and sliced), so
only the page's rows are read, with their previous versions; each field is compared as simple-history's
`diff_against` compares it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db import connection, models
from django.db.models import F, IntegerField, Value, Window
from django.db.models.functions import Lag
from django.utils import timezone

from .dates import long_date, long_datetime, short_datetime

ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}

# (historical-record queryset, subject): `subject(row, labels)` names the object a row is about; `labels`
# maps (model, pk) to text for the foreign keys the rows hold.
Source = tuple[models.QuerySet, Callable[[models.Model, dict], str]]


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    shown_when: str  # "7 Mar 2026, 14:05", as the table shows it
    who: str
    action: str
    subject: str
    changes: list[Change] = field(default_factory=list)


def _display(value, f: models.Field, labels: dict) -> str:
    if value is None or value == "":
        return "–"
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.ForeignKey):
        return labels.get((f.related_model, value), f"#{value}")
    if isinstance(f, models.BooleanField):
        return "Yes" if value else "No"
    if isinstance(f, models.DateTimeField):
        return long_datetime(value)  # the portal's DATETIME_FORMAT, as the `date` filter would write it
    if isinstance(f, models.DateField):
        return long_date(value)  # the portal's DATE_FORMAT
    return str(value)


def _shown_fields(history_model) -> list[models.Field]:
    # Keys and automatic timestamps say nothing the entry's own "when" does not.
    return [f for f in history_model.tracked_fields if f.editable and not f.primary_key]


def _foreign_key_labels(fetched, known: dict) -> dict:
    """Looks up every foreign key the rows of every source name, one query per related model for the whole
    page (sources point at the same models: boards, people), for readable values. `fetched` holds (rows,
    foreign keys) pairs; `known` maps (model, pk) to the labels already at hand (the page's own board or
    review), which are not read again."""
    wanted: dict[type, set] = defaultdict(set)
    for rows, keys in fetched:
        for f in keys:
            wanted[f.related_model].update(
                getattr(r, f.attname) for r in rows if getattr(r, f.attname) is not None
            )
    labels = dict(known)
    for model, pks in wanted.items():
        missing = [pk for pk in pks if (model, pk) not in labels]
        if missing:
            labels.update(
                ((model, pk), str(obj)) for pk, obj in model._default_manager.in_bulk(missing).items()
            )
    return labels


def _changes(row, previous, fields: list[models.Field], labels: dict) -> list[Change]:
    if row.history_type == "+":
        return [
            Change(f.verbose_name.capitalize(), "", _display(getattr(row, f.attname), f, labels))
            for f in fields
            if getattr(row, f.attname) not in (None, "")
        ]
    if row.history_type != "~" or previous is None:
        return []
    # What simple-history's `diff_against` compares (each field's `value_from_object`), field by field here:
    # a page of entries asked it for a dictionary of every field of both versions, for each entry.
    shown = (
        Change(f.verbose_name.capitalize(), _display(old, f, labels), _display(new, f, labels))
        for f in fields  # in the model's order, as the form shows them
        if (old := f.value_from_object(previous)) != (new := f.value_from_object(row))
    )
    # A difference nobody could see (the microseconds of a time) is not worth a line.
    return [c for c in shown if c.old != c.new]


def _history_user(history_model) -> models.ForeignKey:
    """Who made each change: named with the other people the rows point to."""
    return history_model._meta.get_field("history_user")


def _rows(qs: models.QuerySet, history_ids: list[int], previous_ids: dict[int, int | None]) -> list[tuple]:
    """The rows asked for, each with the version of the same object just before it (its id known from the
    page's query), read by primary key in one query."""
    wanted = [*history_ids, *(p for p in previous_ids.values() if p is not None)]
    rows = {row.history_id: row for row in qs.filter(history_id__in=wanted)}
    return [(rows[h], rows.get(previous_ids[h])) for h in history_ids if h in rows]


def _keys(qs: models.QuerySet, source: int) -> models.QuerySet:
    """What the page is chosen by: the source, the row, its date, and the row of the same object just before
    it (a window over the source's rows, which the page's query reads anyway)."""
    previous = Window(
        Lag("history_id"), partition_by=[F("id")], order_by=[F("history_date").asc(), F("history_id").asc()]
    )
    return (
        qs.order_by()
        .annotate(source=Value(source, IntegerField()), previous_id=previous)
        .values_list("source", "history_id", "history_date", "previous_id")
    )


def _page_of_keys(keys: models.QuerySet, number, per_page: int) -> tuple[Page, list[tuple]]:
    """The page asked for and its keys (source, history id, date, previous history id), newest first, in one
    query: the database counts the rows (`COUNT(*) OVER ()`, before the LIMIT) beside the page's, where a
    Paginator would ask for the count by a query of its own. A number that is no page gets the page
    `Paginator.get_page` gives (the first, or the last), with two queries more."""
    sql, params = keys.query.sql_with_params()
    # Django's own SQL for the union, ordered by position (date, history id, source); the page's size and
    # offset are parameters.
    paged = (
        f"SELECT keyed.*, COUNT(*) OVER () FROM ({sql}) keyed ORDER BY 3 DESC, 2 DESC, 1 LIMIT %s OFFSET %s"  # noqa: S608  # nosec B608
    )

    def read(page_number: int) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(paged, [*params, per_page, (page_number - 1) * per_page])
            return cursor.fetchall()

    try:
        asked = min(
            int(number or 1), 10**9
        )  # a page past any history's end, with an offset the database takes
    except (TypeError, ValueError):
        asked = 1  # as Paginator.get_page: not a number, the first page
    rows = read(asked) if asked >= 1 else []
    if rows or asked == 1:
        total = rows[0][-1] if rows else 0
        return Paginator(range(total), per_page).get_page(asked), [row[:-1] for row in rows]
    page = Paginator(range(keys.count()), per_page).get_page(asked)  # past the end or before it: the last
    return page, [row[:-1] for row in read(page.number)]


def history_page(sources: list[Source], number, per_page: int = 50, *, known: Iterable = ()) -> Page:
    """A page of history entries from the sources, newest first. The page's rows are chosen and counted by
    one query over every source, which also names each row's previous version; then one query per source reads the
    rows and their previous versions by primary key, and one query per related model the names of what
    their foreign keys point to (who made each change among them). `known` holds objects the page has
    already read (its board or review), named without reading them again."""

    each = [_keys(qs, i) for i, (qs, _) in enumerate(sources)]
    page, chosen = _page_of_keys(each[0].union(*each[1:], all=True), number, per_page)
    wanted: dict[int, list[int]] = defaultdict(list)
    previous_ids: dict[int, dict[int, int | None]] = defaultdict(dict)
    for source, history_id, _, previous_id in chosen:
        wanted[source].append(history_id)
        previous_ids[source][history_id] = previous_id
    fetched = {
        i: (_rows(sources[i][0], history_ids, previous_ids[i]), _shown_fields(sources[i][0].model))
        for i, history_ids in wanted.items()
    }
    keys = {
        i: [f for f in fields if isinstance(f, models.ForeignKey)] + [_history_user(sources[i][0].model)]
        for i, (_, fields) in fetched.items()
    }
    labels = _foreign_key_labels(
        (
            ([r for pair in pairs for r in pair if r is not None], keys[i])
            for i, (pairs, _) in fetched.items()
        ),
        known={(type(obj), obj.pk): str(obj) for obj in known},
    )
    entries, tz = {}, timezone.get_current_timezone()
    for i, (pairs, fields) in fetched.items():
        subject, who_model = sources[i][1], _history_user(sources[i][0].model).related_model
        for row, previous in pairs:
            entries[i, row.history_id] = HistoryEntry(
                when=row.history_date,
                shown_when=short_datetime(row.history_date, separator=", ", tz=tz),
                who=labels.get((who_model, row.history_user_id), "System"),
                action=ACTIONS[row.history_type],
                subject=subject(row, labels),
                changes=_changes(row, previous, fields, labels),
            )
    page.object_list = [entries[source, history_id] for source, history_id, _, _ in chosen]
    return page
