"""The audit trail as people read it: history rows (django-simple-history) turned into "who changed what,
when, from what to what", for the history pages of boards and reviews."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format

ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


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


def _display(row, f: models.Field, labels: dict) -> str:
    value = getattr(row, f.attname)
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


def history_entries(*sources) -> list[HistoryEntry]:
    """Entries from (historical-record queryset, subject) pairs, newest first. `subject(row, labels)` names
    the object a row is about; `labels` maps (model, pk) to text for the foreign keys the rows hold."""
    entries: list[HistoryEntry] = []
    for qs, subject in sources:
        rows = list(qs.select_related("history_user").order_by("history_date", "history_id"))
        if not rows:
            continue
        model = qs.model.instance_type
        fields = [
            f for f in model._meta.concrete_fields if f.name in {hf.name for hf in qs.model._meta.fields}
        ]
        # Keys and automatic timestamps say nothing the entry's own "when" does not.
        fields = [f for f in fields if f.editable and not f.primary_key]
        labels = _foreign_key_labels(rows, fields)
        by_object = defaultdict(list)
        for row in rows:
            by_object[row.id].append(row)
        for object_rows in by_object.values():
            for previous, row in [(None, object_rows[0]), *pairwise(object_rows)]:
                changes = []
                if row.history_type == "~" and previous is not None:
                    shown = (
                        Change(
                            f.verbose_name.capitalize(),
                            _display(previous, f, labels),
                            _display(row, f, labels),
                        )
                        for f in fields
                        if getattr(previous, f.attname) != getattr(row, f.attname)
                    )
                    # A difference nobody could see (the microseconds of a time) is not worth a line.
                    changes = [c for c in shown if c.old != c.new]
                elif row.history_type == "+":
                    changes = [
                        Change(f.verbose_name.capitalize(), "", _display(row, f, labels))
                        for f in fields
                        if getattr(row, f.attname) not in (None, "")
                    ]
                entries.append(
                    HistoryEntry(
                        when=row.history_date,
                        who=str(row.history_user) if row.history_user else "System",
                        action=ACTIONS[row.history_type],
                        subject=subject(row, labels),
                        changes=changes,
                    )
                )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
