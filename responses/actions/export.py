"""Action plans as CSV and Excel files that are safe to open in a spreadsheet.

A spreadsheet treats a cell that starts with =, +, -, @, a tab or a carriage return as a formula (CSV
injection, OWASP): every such text cell is prefixed with a single quote, in both formats. The Excel file also
never holds a formula or an error value: a text cell is always text. CSV is UTF-8 with a byte order mark, so
Excel reads names with accents correctly.

Nothing here holds a whole plan in memory: rows are read from the database in chunks (a server-side cursor
on PostgreSQL) and written as they come. The CSV is streamed to the browser while it is read; the Excel file
is written by a worker (documents.services.export_make) into a file the person downloads when it is ready."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from responses.models import Action, PlanPriority, Rag
from reviews.models import Board, Review
from scr_portal.downloads import attachment_stream

from . import selectors
from .forms import PlanFilterForm

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
# Rows read per round trip from the database's cursor (and per query for their findings).
CHUNK_SIZE = selectors.EXPORT_CHUNK_SIZE
# Rows of CSV sent to the browser at a time.
CSV_ROWS_PER_WRITE = 200
# How often the Excel writer reports how far it has got.
PROGRESS_EVERY = 500


def neutralise(text: str) -> str:
    """The text as a spreadsheet will show it and never run it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# What a row holds -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[dict], object]  # the cell's value, from a row as selectors.for_export reads it
    width: int = 16


# Choice labels looked up once per export's process, not built again for every row.
KINDS = {value: str(label) for value, label in Action.Kind.choices}
FUNCTIONS = {value: str(label) for value, label in Action.Function.choices}
LEVELS = {value: str(label) for value, label in Action.Level.choices}
PRIORITIES = {value: str(label) for value, label in Action.Priority.choices}
STATUSES = {value: str(label) for value, label in Action.Status.choices}
RAGS = {value: str(label) for value, label in Rag.choices}


def _plan_priority(row: dict) -> str:
    if row["plan_number"] is None:
        return ""
    return PlanPriority.label_of(row["plan_period"], row["plan_number"], row["plan_title"])


COLUMNS = [
    Column("Review", lambda r: r["reference"], 12),
    Column("Action", lambda r: r["number"], 8),
    Column("What will be done", lambda r: r["description"], 60),
    Column("Findings", lambda r: r["findings"], 40),
    Column("Kind", lambda r: KINDS.get(r["kind"], r["kind"]), 12),
    Column("Board function", lambda r: FUNCTIONS.get(r["function"], r["function"]), 30),
    Column("Level", lambda r: LEVELS.get(r["level"], r["level"]), 14),
    Column("Owner agency", lambda r: r["agency"], 28),
    Column("Named owner", lambda r: r["owner_name"] or r["owner_email"], 24),
    Column("Priority", lambda r: PRIORITIES.get(r["priority"], r["priority"]), 10),
    Column("Why this priority", lambda r: r["priority_reason"], 40),
    Column("Business plan priority", _plan_priority, 36),
    Column("Due date", lambda r: r["due_on"], 14),
    Column("Status", lambda r: STATUSES.get(r["status"], r["status"]), 16),
    Column("RAG", lambda r: RAGS[r["rag_value"]], 24),
    Column("Deferred until", lambda r: r["deferred_until"], 14),
    Column("Why it is deferred", lambda r: r["deferred_reason"], 30),
    Column("Completed on", lambda r: r["completed_on"], 14),
    Column("Latest progress on", lambda r: r["latest_on"], 14),
    Column("Latest progress", lambda r: r["latest_text"] or "", 60),
]
VALUES = tuple(column.value for column in COLUMNS)


def rows(actions: Iterable[dict]) -> Iterator[list]:
    """Each row's cell values, unconverted, in the columns' order."""
    for row in actions:
        yield [value(row) for value in VALUES]


def file_name(stem: str, extension: str, today: date | None = None) -> str:
    """A plain ASCII file name: letters, digits and hyphens only, dated."""
    today = today or timezone.localdate()
    safe = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-")[:80] or "action-plan"
    return f"{safe}-action-plan-{today:%Y-%m-%d}.{extension}"


# Which actions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """A plan as its page shows it (filtered, not paginated), ready to export."""

    filtered: QuerySet[Action]  # the actions matching the filters, with `rag_value`
    stem: str  # what the file is named after: the review's reference or the board's name
    query: str  # the filters that were understood, as a query string (bad values left out)

    def rows(self) -> Iterator[dict]:
        """The rows with everything a row shows, in the page's order, read CHUNK_SIZE at a time when they
        are iterated (selectors.for_export)."""
        return selectors.for_export(self.filtered, CHUNK_SIZE)

    def count(self) -> int:
        return self.filtered.order_by().count()


def plan_of(user, query: Mapping, *, review: Review | None = None, board: Board | None = None) -> Plan:
    """A review's plan, or a board's across the reviews `user` may see, filtered by `query` as the plan's page
    filters it (values that are not understood are left out). The caller has checked that `user` may see
    the plan (reviews.selectors.review_for / board_for)."""
    if review is not None:
        scoped, reviews, stem = selectors.actions_of_review(review), None, review.reference
    else:
        reviews = list(
            selectors.board_reviews(user, board).order_by("reference").values_list("pk", "reference")
        )
        scoped, stem = selectors.actions_of_board(user, board, [pk for pk, _ in reviews]), board.name
    # The owners and agencies in the plan (two queries) are only needed to check an owner or agency filter.
    if query and (query.get("owner") or query.get("owner_agency")):
        choices = selectors.filter_choices(scoped)
    else:
        choices = {"owners": [], "agencies": []}
    form = PlanFilterForm(
        query or None, owners=choices["owners"], agencies=choices["agencies"], reviews=reviews
    )
    filters = form.filters()
    return Plan(selectors.apply_filters(scoped, filters, user), stem, filters.query())


# CSV -------------------------------------------------------------------------------------------------


def _csv_cells(values: list) -> list:
    """Text neutralised; the csv module writes the rest as they should read: None as an empty cell,
    numbers as digits, dates (str(date)) as ISO 8601."""
    return [neutralise(v) if type(v) is str else v for v in values]


class _Pending:
    """Where csv.writer writes: the text written since it was last taken."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.write = self.parts.append

    def take(self) -> bytes:
        text = "".join(self.parts)
        self.parts.clear()
        return text.encode("utf-8")


def csv_chunks(actions: Iterable[dict]) -> Iterator[bytes]:
    """The CSV file in pieces: the byte order mark and the header first (before any row is read), then the
    rows a few hundred at a time as they are read."""
    pending = _Pending()
    writer = csv.writer(pending, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    pending.write("\ufeff")  # byte order mark: Excel then reads the file as UTF-8
    writer.writerow([neutralise(c.header) for c in COLUMNS])
    yield pending.take()
    for written, row in enumerate(rows(actions), 1):
        writer.writerow(_csv_cells(row))
        if written % CSV_ROWS_PER_WRITE == 0:
            yield pending.take()
    if pending.parts:
        yield pending.take()


def csv_response(plan: Plan) -> StreamingHttpResponse:
    """The plan as a CSV attachment, streamed: the rows are read from a server-side cursor in chunks while
    the response is sent, so neither the request nor the memory it takes grows with the plan."""
    chunks = csv_chunks(plan.rows())
    return attachment_stream(chunks, file_name(plan.stem, "csv"), CSV_TYPE)


# Excel -----------------------------------------------------------------------------------------------

DATE_FORMAT = "d mmm yyyy"
ERRORS = frozenset(ERROR_CODES)


def _xlsx_value(sheet, value):
    """What the write-only sheet is given for `value`. Text is neutralised, cleared of the control
    characters a workbook cannot hold and kept as text; a plain str (the fast path) is written as text by
    openpyxl unless it starts with "=" (neutralise prevents that) or is an error code (given as a text cell
    here). Dates get a readable format; numbers and empty cells pass through."""
    kind = type(value)
    if kind is str:
        if value.startswith(FORMULA_STARTS):
            value = "'" + value
        if ILLEGAL_CHARACTERS_RE.search(value):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value in ERRORS:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell
        return value
    if value is None or kind is int:
        return value
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return _xlsx_value(sheet, str(value))


def write_xlsx(
    actions: Iterable[dict], out: BinaryIO, *, title: str, progress: Callable[[int], object] | None = None
) -> int:
    """Writes `actions` (rows as selectors.for_export reads them, e.g. `Plan.rows()`) as an Excel workbook
    to `out`, a binary file, in openpyxl's write-only mode (each row is written as it comes: memory does not
    grow with the plan). `progress(rows_done)` is called every PROGRESS_EVERY rows. Returns the number of
    rows written."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Action plan")
    sheet.freeze_panes = "A2"
    for n, column in enumerate(COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(n)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=neutralise(column.header))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    append, values = sheet.append, VALUES
    count = 0
    for action in actions:
        append([_xlsx_value(sheet, value(action)) for value in values])
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    sheet.oddHeader.center.text = "OFFICIAL-SENSITIVE"
    sheet.oddFooter.center.text = "OFFICIAL-SENSITIVE"
    book.properties.title = title[:200]
    book.properties.creator = "SCR Portal"
    book.save(out)
    return count
