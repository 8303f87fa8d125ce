"""Action plans as CSV and Excel files that are safe to open in a spreadsheet.

A spreadsheet treats a cell that starts with =, +, -, @, a tab or a carriage return as a formula (CSV
injection, OWASP): every such text cell is prefixed with a single quote, in both formats. The Excel file also
stores every text cell explicitly as a string, so it never holds a formula. CSV is UTF-8 with a byte order
mark, so Excel reads names with accents correctly."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from responses.models import Action
from scr_portal.downloads import attachment_bytes

from . import workflow

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(text: str) -> str:
    """The text as a spreadsheet will show it and never run it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Action], object]
    width: int = 16


def _person(user) -> str:
    return user.get_full_name() or user.email


def _findings(action: Action) -> str:
    return "; ".join(f"{f.number}. {f.title}" for f in sorted(action.findings.all(), key=lambda f: f.number))


def _plan_priority(action: Action) -> str:
    return action.plan_priority.choice_label if action.plan_priority else ""


COLUMNS = [
    Column("Review", lambda a: a.review.reference, 12),
    Column("Action", lambda a: a.number, 8),
    Column("What will be done", lambda a: a.description, 60),
    Column("Findings", _findings, 40),
    Column("Kind", lambda a: a.get_kind_display(), 12),
    Column("Board function", lambda a: a.get_function_display(), 30),
    Column("Level", lambda a: a.get_level_display(), 14),
    Column("Owner agency", lambda a: a.owner_agency.name, 28),
    Column("Named owner", lambda a: _person(a.owner), 24),
    Column("Priority", lambda a: a.get_priority_display(), 10),
    Column("Why this priority", lambda a: a.priority_reason, 40),
    Column("Business plan priority", _plan_priority, 36),
    Column("Due date", lambda a: a.due_on, 14),
    Column("Status", lambda a: a.get_status_display(), 16),
    Column("RAG", lambda a: workflow.rag_of(a).label, 24),
    Column("Deferred until", lambda a: a.deferred_until, 14),
    Column("Why it is deferred", lambda a: a.deferred_reason, 30),
    Column("Completed on", lambda a: a.completed_on, 14),
    Column("Latest progress on", lambda a: getattr(a, "latest_on", None), 14),
    Column("Latest progress", lambda a: getattr(a, "latest_text", None) or "", 60),
]


def rows(actions: Iterable[Action]) -> Iterable[list]:
    for action in actions:
        yield [column.value(action) for column in COLUMNS]


def file_name(stem: str, extension: str, today: date | None = None) -> str:
    """A plain ASCII file name: letters, digits and hyphens only, dated."""
    today = today or timezone.localdate()
    safe = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-")[:80] or "action-plan"
    return f"{safe}-action-plan-{today:%Y-%m-%d}.{extension}"


# CSV -------------------------------------------------------------------------------------------------


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def as_csv(actions: Iterable[Action], stem: str) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # byte order mark: Excel then reads the file as UTF-8
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([neutralise(c.header) for c in COLUMNS])
    for row in rows(actions):
        writer.writerow([_csv_cell(v) for v in row])
    return attachment_bytes(buffer.getvalue().encode("utf-8"), file_name(stem, "csv"), CSV_TYPE)


# Excel -----------------------------------------------------------------------------------------------


def _xlsx_cell(sheet, value) -> WriteOnlyCell:
    if value is None:
        return WriteOnlyCell(sheet, value=None)
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "d mmm yyyy"
        return cell
    if isinstance(value, int):
        return WriteOnlyCell(sheet, value=value)
    text = ILLEGAL_CHARACTERS_RE.sub("", neutralise(str(value)))
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # a string, always: never a formula
    return cell


def as_xlsx(actions: Iterable[Action], stem: str, title: str) -> HttpResponse:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Action plan")
    sheet.freeze_panes = "A2"
    for n, column in enumerate(COLUMNS, 1):
        sheet.column_dimensions[_letter(n)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = _xlsx_cell(sheet, column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows(actions):
        sheet.append([_xlsx_cell(sheet, v) for v in row])
        count += 1
    sheet.auto_filter.ref = f"A1:{_letter(len(COLUMNS))}{count + 1}"
    sheet.oddHeader.center.text = "OFFICIAL-SENSITIVE"
    sheet.oddFooter.center.text = "OFFICIAL-SENSITIVE"
    book.properties.title = title[:200]
    book.properties.creator = "SCR Portal"
    out = io.BytesIO()
    book.save(out)
    return attachment_bytes(out.getvalue(), file_name(stem, "xlsx"), XLSX_TYPE)


def _letter(n: int) -> str:
    return get_column_letter(n)
