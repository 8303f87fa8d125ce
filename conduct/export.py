"""The merged chronology as a CSV file, safe to open in a spreadsheet (`scr_portal.spreadsheets`).

Asked for from the chronology's page with its filters (agency, period, order), the file is written by a
worker (documents.services.export_make), never in the request: its entries are read in chunks and written
as they come, with how far it has got reported every PROGRESS_EVERY rows, so neither the worker's memory
nor the person's wait on a page grows with the chronology."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO
from urllib.parse import urlencode

from reviews.models import Review
from scr_portal.downloads import safe_name_part
from scr_portal.spreadsheets import csv_chunks, xlsx_text

from . import selectors
from .forms import ChronologyFilterForm, chronology_query
from .models import ChronologyEntry

HEADER = ["Date", "Time", "Agency", "What happened", "Source", "Significance"]
SIGNIFICANCE = {value: str(label) for value, label in ChronologyEntry.Significance.choices}
# How often the writer reports how far it has got (the export's rows_done).
PROGRESS_EVERY = 500


def rows(entries: Iterable[ChronologyEntry]) -> Iterator[list]:
    for entry in entries:
        yield [
            entry.occurred_on.isoformat(),
            entry.occurred_at.strftime("%H:%M") if entry.occurred_at else "",
            entry.agency.name,
            entry.event,
            entry.source,
            SIGNIFICANCE.get(entry.significance, entry.significance),
        ]


def file_name(review: Review, made_on: date, extension: str = "csv") -> str:
    return f"{safe_name_part(review.reference)}-chronology-{made_on:%Y-%m-%d}.{extension}"


@dataclass(frozen=True)
class Chronology:
    """A review's merged chronology as its page shows it (filtered, every page), ready to export."""

    review: Review
    filters: dict  # as selectors.merged_chronology takes them
    query: str  # the filters that were understood, as a query string (bad values left out)
    understood: bool  # whether every filter asked for was understood

    def count(self) -> int:
        filters = {k: v for k, v in self.filters.items() if k != "newest_first"}
        return selectors.merged_entries(self.review, **filters).count()

    def entries(self) -> Iterator[ChronologyEntry]:
        """The entries in the page's order, with their agency, read in chunks as they are iterated."""
        return selectors.chronology_rows_for_export(self.review, **self.filters)


def chronology_of(review: Review, data: Mapping) -> Chronology:
    """The review's merged chronology filtered by `data` (the page's filter fields) as its page filters it;
    values that are not understood are left out. The caller has checked that the person may read the
    chronology (`read_chronology`)."""
    form = ChronologyFilterForm(data or None, agencies=selectors.agencies_in_chronology(review))
    filters = form.filters()
    understood = not form.is_bound or form.is_valid()
    return Chronology(review, filters, urlencode(chronology_query(filters)), understood)


def write_csv(
    entries: Iterable[ChronologyEntry], out: BinaryIO, *, progress: Callable[[int], None] | None = None
) -> int:
    """Writes the entries to `out` as CSV (byte order mark, header, a row per entry, text neutralised),
    calling `progress` with the number of rows written every PROGRESS_EVERY rows. Returns how many rows
    were written."""
    written = 0

    def counted() -> Iterator[list]:
        nonlocal written
        for row in rows(entries):
            yield row
            written += 1  # csv_chunks has written the row by the time it asks for the next
            if progress is not None and written % PROGRESS_EVERY == 0:
                progress(written)

    for chunk in csv_chunks(HEADER, counted()):
        out.write(chunk)
    return written


# The same rows as an Excel workbook (the inquiry work): every text cell a string, never a formula.
XLSX_WIDTHS = (12, 7, 28, 80, 28, 14)


def write_xlsx(
    entries: Iterable[ChronologyEntry],
    out: BinaryIO,
    *,
    title: str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Writes the entries to `out` as an Excel workbook in openpyxl's write-only mode (memory does not grow
    with the chronology): a bold header row, frozen, with a filter; the date as a date; text neutralised
    and kept as text (`scr_portal.spreadsheets.xlsx_text`). Calls `progress` every PROGRESS_EVERY rows.
    Returns how many rows were written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Chronology")
    sheet.freeze_panes = "A2"
    for n, width in enumerate(XLSX_WIDTHS, 1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    bold = Font(bold=True)
    header = []
    for text in HEADER:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    written = 0
    for entry in entries:
        day = WriteOnlyCell(sheet, value=entry.occurred_on)
        day.number_format = "d mmm yyyy"
        sheet.append(
            [
                day,
                entry.occurred_at.strftime("%H:%M") if entry.occurred_at else None,
                xlsx_text(sheet, entry.agency.name),
                xlsx_text(sheet, entry.event),
                xlsx_text(sheet, entry.source),
                SIGNIFICANCE.get(entry.significance, entry.significance),
            ]
        )
        written += 1
        if progress is not None and written % PROGRESS_EVERY == 0:
            progress(written)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADER))}{written + 1}"
    sheet.oddHeader.center.text = "OFFICIAL-SENSITIVE"
    sheet.oddFooter.center.text = "OFFICIAL-SENSITIVE"
    book.properties.title = title[:200]
    book.properties.creator = "SCR Portal"
    book.save(out)
    return written
