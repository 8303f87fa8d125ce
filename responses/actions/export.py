"""Action plans as CSV and Excel files that are safe to open in a spreadsheet.

A spreadsheet treats a cell that starts with =, +, -, @, a tab or a carriage return as a formula (CSV
injection, OWASP): every such text cell is prefixed with a single quote, in both formats. The Excel file also
never holds a formula or an error value: a text cell is always text. CSV is UTF-8 with a byte order mark, so
Excel reads names with accents correctly.

Nothing here holds a whole plan in memory: rows are read from the database in chunks (a server-side cursor
on PostgreSQL) and written as they come. The CSV is streamed to the browser while it is read; the Excel file
is written by a worker (documents.services.export_make) into a file the person downloads when it is ready.

On PostgreSQL the database writes the CSV's rows itself (`csv_copy_chunks`: COPY ... (FORMAT csv), a few
thousand rows at a time), the same bytes as Python writes them (`csv_chunks`, which SQLite uses), several
times sooner on a board's plan of thousands of actions (bench/README.md): each column of COLUMNS says how
to get its value in Python and, beside it, in SQL (`Cell`); tests/responses/test_export_copy.py compares
the two."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from django.db import connection, transaction
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
from reviews.words import SCR, Words
from scr_portal.downloads import attachment_stream
from scr_portal.spreadsheets import FORMULA_STARTS, neutralise

from . import selectors
from .forms import PlanFilterForm

CSV_TYPE = "text/csv; charset=utf-8"
# Rows read per round trip from the database's cursor (and per query for their findings).
CHUNK_SIZE = selectors.EXPORT_CHUNK_SIZE
# Rows PostgreSQL writes per COPY (csv_copy_chunks): about 4.3 MB of CSV at most, the largest board's plan
# (9,332 actions) in one statement. Fewer, larger chunks cost fewer plans and fewer reads of the small
# tables the rows join.
COPY_CHUNK_SIZE = 10000
# Rows of CSV sent to the browser at a time.
CSV_ROWS_PER_WRITE = 200
# How often the Excel writer reports how far it has got.
PROGRESS_EVERY = 500


# What a row holds -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A cell as PostgreSQL writes it (`csv_copy_chunks`): SQL over `r`, a row as
    selectors.export_rows_sql reads it (the same names as a row of selectors.for_export), with its
    parameters in the order of their placeholders. COPY then writes it as csv.writer would write the
    Python path's value: quoted only when it holds a comma, a double quote or a line break."""

    sql: str
    params: tuple = ()


# The codes of FORMULA_STARTS, which PostgreSQL's ascii() gives for a text's first character.
FORMULA_CODES = [ord(start) for start in FORMULA_STARTS]


def plain_cell(name: str) -> Cell:
    """A number or a date as csv.writer writes it (str()): digits, or ISO 8601 (PostgreSQL's ISO
    DateStyle, which psycopg2 sets on any connection whose server says otherwise). No value: an empty
    cell."""
    return Cell(f"r.{name}")


def text_cell(sql: str, params: tuple = ()) -> Cell:
    """Text as `neutralise` makes it, in SQL: a single quote in front when its first character is one of
    FORMULA_STARTS; an empty text, or none, as an empty cell (COPY would write an empty text as "",
    which csv.writer never does; NULL it writes as nothing)."""
    return Cell(
        f"CASE WHEN ascii({sql}) = ANY(%s) THEN '''' || {sql} ELSE NULLIF({sql}, '') END",
        (*params, FORMULA_CODES, *params, *params),
    )


def label_cell(name: str, labels: Mapping, *, text: bool = True) -> Cell:
    """A choice's label from `labels`, the Python path's own dict (each passed as a parameter, already
    neutralised); a value with no label is written as itself, as `labels.get(value, value)` is: as text
    (`text`) or as a number."""
    whens = " ".join("WHEN %s THEN %s" for _ in labels)
    params = [p for value, shown in labels.items() for p in (value, neutralise(shown) or None)]
    itself = text_cell(f"r.{name}::text") if text else Cell(f"r.{name}::text")
    return Cell(f"CASE r.{name} {whens} ELSE {itself.sql} END", (*params, *itself.params))


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[dict], object]  # the cell's value, from a row as selectors.for_export reads it
    width: int
    cell: Cell  # the same cell in SQL, for PostgreSQL's path


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


# The owner's name, or their email when they have no name; PlanPriority.label_of's words around its values.
OWNER_SQL = "COALESCE(NULLIF(r.owner_name, ''), r.owner_email)"
PLAN_PRIORITY_SQL = (
    "CASE WHEN r.plan_number IS NOT NULL THEN concat(r.plan_period, %s, r.plan_number, %s, r.plan_title) END"
)
PLAN_PRIORITY_WORDS = (" – Priority ", ": ")

COLUMNS = [
    Column("Review", lambda r: r["reference"], 12, text_cell("r.reference")),
    Column("Action", lambda r: r["number"], 8, plain_cell("number")),
    Column("What will be done", lambda r: r["description"], 60, text_cell("r.description")),
    Column("Findings", lambda r: r["findings_label"], 40, text_cell("r.findings_label")),
    Column("Kind", lambda r: KINDS.get(r["kind"], r["kind"]), 12, label_cell("kind", KINDS)),
    Column(
        "Board function",
        lambda r: FUNCTIONS.get(r["function"], r["function"]),
        30,
        label_cell("function", FUNCTIONS),
    ),
    Column("Level", lambda r: LEVELS.get(r["level"], r["level"]), 14, label_cell("level", LEVELS)),
    Column("Owner agency", lambda r: r["agency"], 28, text_cell("r.agency")),
    Column("Named owner", lambda r: r["owner_name"] or r["owner_email"], 24, text_cell(OWNER_SQL)),
    Column(
        "Priority",
        lambda r: PRIORITIES.get(r["priority"], r["priority"]),
        10,
        label_cell("priority", PRIORITIES, text=False),
    ),
    Column("Why this priority", lambda r: r["priority_reason"], 40, text_cell("r.priority_reason")),
    Column("Business plan priority", _plan_priority, 36, text_cell(PLAN_PRIORITY_SQL, PLAN_PRIORITY_WORDS)),
    Column("Due date", lambda r: r["due_on"], 14, plain_cell("due_on")),
    Column("Status", lambda r: STATUSES.get(r["status"], r["status"]), 16, label_cell("status", STATUSES)),
    Column("RAG", lambda r: RAGS[r["rag_value"]], 24, label_cell("rag_value", RAGS)),
    Column("Deferred until", lambda r: r["deferred_until"], 14, plain_cell("deferred_until")),
    Column("Why it is deferred", lambda r: r["deferred_reason"], 30, text_cell("r.deferred_reason")),
    Column("Completed on", lambda r: r["completed_on"], 14, plain_cell("completed_on")),
    Column("Latest progress on", lambda r: r["latest_on"], 14, plain_cell("latest_on")),
    Column("Latest progress", lambda r: r["latest_text"] or "", 60, text_cell("r.latest_text")),
]
VALUES = tuple(column.value for column in COLUMNS)


def headers(words: Words) -> list[str]:
    """The columns' headers in the plan's words: the body's function and the plan's priority are the
    board's or the partnership's."""
    named = {
        "Board function": f"{words.Body} function",
        "Business plan priority": words.plan_priority[0].upper() + words.plan_priority[1:],
    }
    return [named.get(c.header, c.header) for c in COLUMNS]


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
    today: date  # the day the RAG colours (and an overdue or RAG filter) were worked out for

    words: Words = SCR  # the board's or the partnership's, for the headers

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
        words = review.words
    else:
        reviews = selectors.board_review_names(user, board)
        scoped, stem = selectors.actions_of_board(user, board, [pk for pk, _ in reviews]), board.name
        words = board.words
    # The owners and agencies in the plan (two queries) are only needed to check an owner or agency filter.
    if query and (query.get("owner") or query.get("owner_agency")):
        choices = selectors.filter_choices(scoped)
    else:
        choices = {"owners": [], "agencies": []}
    form = PlanFilterForm(
        query or None, owners=choices["owners"], agencies=choices["agencies"], reviews=reviews
    )
    filters, today = form.filters(), timezone.localdate()
    return Plan(selectors.apply_filters(scoped, filters, user, today), stem, filters.query(), today, words)


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


LINE_END = "\r\n"  # as csv.writer ends a row (and RFC 4180)


def _header(writer, pending: _Pending, words: Words) -> bytes:
    pending.write("\ufeff")  # byte order mark: Excel then reads the file as UTF-8
    writer.writerow([neutralise(h) for h in headers(words)])
    return pending.take()


def csv_chunks(actions: Iterable[dict], words: Words = SCR) -> Iterator[bytes]:
    """The CSV file in pieces: the byte order mark and the header first (before any row is read), then the
    rows a few hundred at a time as they are read."""
    pending = _Pending()
    writer = csv.writer(pending, quoting=csv.QUOTE_MINIMAL, lineterminator=LINE_END)
    yield _header(writer, pending, words)
    for written, row in enumerate(rows(actions), 1):
        writer.writerow(_csv_cells(row))
        if written % CSV_ROWS_PER_WRITE == 0:
            yield pending.take()
    if pending.parts:
        yield pending.take()


# On PostgreSQL the database writes the rows: the same bytes as csv_chunks, several times sooner.

CELLS_SQL = ", ".join(column.cell.sql for column in COLUMNS)
CELLS_PARAMS = tuple(param for column in COLUMNS for param in column.cell.params)


class _CopiedRows(list):
    """Where psycopg2's copy_expert writes a COPY's output: one row per write (PostgreSQL sends each row of
    a COPY as a message of its own, and libpq hands them over one by one), ending with "\n"."""

    write = list.append


def _copy_rows(statement: str, params: list) -> list[bytes]:
    """The rows `statement` selects (with `params`) as CSV lines that PostgreSQL wrote, each still ending with
    COPY's "\n". The sort runs in memory: a board's rows are about 4 MB, PostgreSQL's default work_mem,
    which sent the sort to disk (external merge) and cost a tenth of the export's time."""
    copied = _CopiedRows()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '32MB'")
        # Parallel workers cost more to start (about 19 ms) than they save on a plan's few thousand rows.
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        # The parameters are bound by the driver (compose_sql: psycopg2's mogrify): COPY takes none of its own.
        query = connection.ops.compose_sql(statement, params)
        cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", copied)
    return copied


def csv_copy_chunks(plan: Plan) -> Iterator[bytes]:
    """`csv_chunks` of the plan, byte for byte, with its rows written by PostgreSQL in the page's order, sent
    CSV_ROWS_PER_WRITE at a time. Python only ends each line as csv.writer does ("\r\n", where COPY writes
    "\n"): no Python work per cell.

    A plan of COPY_CHUNK_SIZE actions or fewer (the largest board's) is one statement: no list of its ids is
    read or sent first. A larger one is COPYed COPY_CHUNK_SIZE rows at a time, each chunk the actions after
    the last of the one before by the order's values (which are unique). The plan is counted first (a few
    milliseconds, from an index) to know which: with a LIMIT, PostgreSQL reads even a single chunk by nested
    loops rather than hash joins, 10 ms slower on the largest board."""
    pending = _Pending()
    yield _header(
        csv.writer(pending, quoting=csv.QUOTE_MINIMAL, lineterminator=LINE_END), pending, plan.words
    )
    order = ", ".join(f"r.{name}" for name in selectors.EXPORT_ORDER)
    end, chunked = LINE_END.encode(), plan.count() > COPY_CHUNK_SIZE
    actions, waiting = plan.filtered, []
    while True:
        source, params = selectors.export_rows_sql(actions, COPY_CHUNK_SIZE if chunked else None)
        # The text holds only this module's cell SQL, the selector's and names from the models; every value
        # is a parameter.
        statement = f"SELECT {CELLS_SQL} FROM ({source}) AS r ORDER BY {order}"  # noqa: S608  # nosec B608
        copied = _copy_rows(statement, [*CELLS_PARAMS, *params])
        waiting.extend(copied)
        sent = 0
        while len(waiting) - sent >= CSV_ROWS_PER_WRITE:
            yield end.join([row[:-1] for row in waiting[sent : sent + CSV_ROWS_PER_WRITE]]) + end
            sent += CSV_ROWS_PER_WRITE
        del waiting[:sent]
        if not chunked or len(copied) < COPY_CHUNK_SIZE:
            break
        # The last row's place in the order, read from the order's index (one query).
        ordered = actions.order_by(*selectors.DISPLAY_ORDER).values_list(*selectors.DISPLAY_ORDER)
        last = ordered[COPY_CHUNK_SIZE - 1]
        actions = actions.filter(selectors.after_in_order(last))
    if waiting:
        yield end.join([row[:-1] for row in waiting]) + end


def csv_response(plan: Plan) -> StreamingHttpResponse:
    """The plan as a CSV attachment, streamed: the rows are read in chunks while the response is sent, so
    neither the request nor the memory it takes grows with the plan. On PostgreSQL the database writes
    them (csv_copy_chunks); elsewhere Python does (csv_chunks, from a cursor's rows)."""
    chunks = (
        csv_copy_chunks(plan) if connection.vendor == "postgresql" else csv_chunks(plan.rows(), plan.words)
    )
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
    actions: Iterable[dict],
    out: BinaryIO,
    *,
    title: str,
    progress: Callable[[int], object] | None = None,
    words: Words = SCR,
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
    for header_text in headers(words):
        cell = WriteOnlyCell(sheet, value=neutralise(header_text))
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
