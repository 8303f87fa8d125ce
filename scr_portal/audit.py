"""The audit trail as people read it: history rows (django-simple-history) turned into "who changed what,
when, from what to what", for the history pages of boards and reviews.

A page is chosen in the database (one UNION of the sources' history rows, ordered and sliced), so only the
page's rows are read, with their previous versions; simple-history's `diff_against` says what changed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import IntegerField, OuterRef, Q, Subquery, Value
from django.utils import timezone
from django.utils.formats import date_format

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
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(f, models.DateField):
        return date_format(value, "DATE_FORMAT")
    return str(value)


def _shown_fields(history_model) -> list[models.Field]:
    # Keys and automatic timestamps say nothing the entry's own "when" does not.
    return [f for f in history_model.tracked_fields if f.editable and not f.primary_key]


def _foreign_key_labels(rows, fields) -> dict:
    """Looks up every foreign key the rows name, one query per related model, for readable values."""
    wanted: dict[type, set] = defaultdict(set)
    for f in fields:
        if isinstance(f, models.ForeignKey):
            wanted[f.related_model].update(
                getattr(r, f.attname) for r in rows if getattr(r, f.attname) is not None
            )
    return {
        (model, pk): str(obj)
        for model, pks in wanted.items()
        for pk, obj in model._default_manager.in_bulk(pks).items()
    }


def _changes(row, previous, fields: list[models.Field], labels: dict) -> list[Change]:
    if row.history_type == "+":
        return [
            Change(f.verbose_name.capitalize(), "", _display(getattr(row, f.attname), f, labels))
            for f in fields
            if getattr(row, f.attname) not in (None, "")
        ]
    if row.history_type != "~" or previous is None:
        return []
    delta = row.diff_against(previous, included_fields=[f.name for f in fields])
    by_name = {c.field: c for c in delta.changes}
    shown = (
        Change(
            f.verbose_name.capitalize(),
            _display(by_name[f.name].old, f, labels),
            _display(by_name[f.name].new, f, labels),
        )
        for f in fields  # in the model's order, as the form shows them
        if f.name in by_name
    )
    # A difference nobody could see (the microseconds of a time) is not worth a line.
    return [c for c in shown if c.old != c.new]


def _rows_with_previous(qs: models.QuerySet, history_ids: list[int]) -> list[tuple]:
    """The rows asked for, each with the version of the same object just before it (among `qs`)."""
    previous = (
        qs.filter(id=OuterRef("id"))
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    rows = list(
        qs.filter(history_id__in=history_ids)
        .select_related("history_user")
        .annotate(previous_id=Subquery(previous))
    )
    before = qs.model._default_manager.in_bulk([r.previous_id for r in rows if r.previous_id])
    return [(row, before.get(row.previous_id)) for row in rows]


def history_page(sources: list[Source], number, per_page: int = 50) -> Page:
    """A page of history entries from the sources, newest first. The page's rows are chosen by one query
    over every source; then a fixed number of queries per source reads them, their previous versions and
    the names their foreign keys point to."""
    keys = [
        qs.order_by()
        .annotate(source=Value(i, IntegerField()))
        .values_list("source", "history_id", "history_date")
        for i, (qs, _) in enumerate(sources)
    ]
    union = keys[0].union(*keys[1:], all=True).order_by("-history_date", "-history_id", "source")
    page = Paginator(union, per_page).get_page(number)
    wanted: dict[int, list[int]] = defaultdict(list)
    for source, history_id, _ in page.object_list:
        wanted[source].append(history_id)
    entries = {}
    for i, history_ids in wanted.items():
        qs, subject = sources[i]
        pairs = _rows_with_previous(qs, history_ids)
        fields = _shown_fields(qs.model)
        labels = _foreign_key_labels([r for pair in pairs for r in pair if r is not None], fields)
        for row, previous in pairs:
            entries[i, row.history_id] = HistoryEntry(
                when=row.history_date,
                who=str(row.history_user) if row.history_user else "System",
                action=ACTIONS[row.history_type],
                subject=subject(row, labels),
                changes=_changes(row, previous, fields, labels),
            )
    page.object_list = [entries[source, history_id] for source, history_id, _ in page.object_list]
    return page
