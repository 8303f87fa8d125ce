"""Text for spreadsheets, safe to open: the one rule every export follows (action plans, the merged
chronology). A spreadsheet treats a cell that starts with =, +, -, @, a tab or a carriage return as a
formula (CSV injection, OWASP): every such text cell is prefixed with a single quote. CSV is UTF-8 with a
byte order mark, so Excel reads names with accents correctly."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
LINE_END = "\r\n"  # as csv.writer ends a row (and RFC 4180)


def neutralise(text: str) -> str:
    """The text as a spreadsheet will show it and never run it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Pending:
    """Where csv.writer writes: the text written since it was last taken."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.write = self.parts.append

    def take(self) -> bytes:
        text = "".join(self.parts)
        self.parts.clear()
        return text.encode("utf-8")


def csv_chunks(header: list[str], rows: Iterable[list], rows_per_write: int = 200) -> Iterator[bytes]:
    """A CSV file in pieces for a streamed response: the byte order mark and the header first, then the rows
    a few hundred at a time as they are read. Text cells are neutralised; other values written as str()."""
    pending = _Pending()
    writer = csv.writer(pending, quoting=csv.QUOTE_MINIMAL, lineterminator=LINE_END)
    pending.write("\ufeff")
    writer.writerow([neutralise(h) for h in header])
    yield pending.take()
    for written, row in enumerate(rows, 1):
        writer.writerow([neutralise(v) if isinstance(v, str) else ("" if v is None else v) for v in row])
        if written % rows_per_write == 0:
            yield pending.take()
    if pending.parts:
        yield pending.take()


def xlsx_text(sheet, text: str):
    """What an openpyxl write-only `sheet` is given for a text cell: neutralised (openpyxl makes a formula of
    any str starting with "="), cleared of the control characters a workbook cannot hold, and kept as text
    even when it reads like an error code ("#N/A")."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("", neutralise(text))
    if text in ERROR_CODES:
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text
