"""From data to PDF: the document's HTML (from `documents.content` and the print templates), the version
of the data it shows, and the PDF WeasyPrint makes of it with our fetcher.

The HTML is rendered with a placeholder where the date of making goes, so that its SHA-256 names the data
alone (`data_version`): asking again on another day for the same data reuses the same document."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone

from . import content
from .fetcher import BASE_URL, StaticOnlyFetcher
from .models import Document

DATE_PLACEHOLDER = "\u2063generated-on\u2063"


@dataclass(frozen=True)
class Prepared:
    kind: str
    label: str
    html: str  # with the date of making filled in
    data_version: str
    source_number: int | None = None


def _context(kind: str, review, tor_version=None) -> tuple[dict, str, int | None]:
    if kind == Document.Kind.TERMS_OF_REFERENCE:
        status = tor_version.get_status_display().lower()
        label = f"Terms of reference, version {tor_version.number} ({status})"
        return content.tor_context(tor_version), label, tor_version.number
    label = "Board pack"
    return content.board_pack_context(review), label, None


def prepare(kind: str, review, tor_version=None) -> Prepared:
    context, label, number = _context(kind, review, tor_version)
    html = render_to_string(
        f"documents/print/{kind}.html",
        {
            **context,
            "document_title": f"{review.reference}: {label}",
            "version_label": label,
            "generated_on": DATE_PLACEHOLDER,
        },
    )
    data_version = hashlib.sha256(html.encode("utf-8")).hexdigest()
    today = timezone.localdate()
    filled = html.replace(DATE_PLACEHOLDER, f"{today.day} {today:%B %Y}")
    return Prepared(kind, label, filled, data_version, number)


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    refused: tuple[str, ...]


def pdf_from_html(html: str) -> Rendered:
    """The PDF of `html`: A4 as the print stylesheet says, tagged for accessibility, fetching only our own
    static files (everything else is refused and listed)."""
    # Imported here: WeasyPrint is heavy and only the process that makes a PDF (a worker) needs it.
    from weasyprint import HTML

    fetcher = StaticOnlyFetcher()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
    pdf = document.write_pdf(pdf_tags=True)
    return Rendered(pdf, len(document.pages), tuple(fetcher.refused))
