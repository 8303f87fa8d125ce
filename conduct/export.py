"""The merged chronology as a CSV file, safe to open in a spreadsheet (`scr_portal.spreadsheets`), streamed
while its entries are read in chunks: neither the request nor its memory grows with the chronology."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone

from reviews.models import Review
from scr_portal.downloads import attachment_stream, safe_name_part
from scr_portal.spreadsheets import CSV_TYPE, csv_chunks

from .models import ChronologyEntry

HEADER = ["Date", "Time", "Agency", "What happened", "Source", "Significance"]
SIGNIFICANCE = {value: str(label) for value, label in ChronologyEntry.Significance.choices}


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


def file_name(review: Review) -> str:
    return f"{safe_name_part(review.reference)}-chronology-{timezone.localdate():%Y-%m-%d}.csv"


def csv_response(review: Review, entries: Iterable[ChronologyEntry]) -> StreamingHttpResponse:
    return attachment_stream(csv_chunks(HEADER, rows(entries)), file_name(review), CSV_TYPE)
