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


def _context(kind: str, review, source=None) -> tuple[dict, str, int | None]:
    """The template's context, the label and the source's version number. `source` is the version the
    document shows: of the terms of reference, or of the response (signed)."""
    if kind == Document.Kind.TERMS_OF_REFERENCE:
        status = source.get_status_display().lower()
        label = f"Terms of reference, version {source.number} ({status})"
        return content.tor_context(source), label, source.number
    if kind == Document.Kind.RESPONSE:
        label = f"The {review.words.response}, version {source.number} (signed)"
        return content.response_context(source), label, source.number
    label = review.words.Pack
    return content.board_pack_context(review), label, None


def prepare(kind: str, review, source=None) -> Prepared:
    context, label, number = _context(kind, review, source)
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


# PDF/UA-1 (ISO 14289-1): tagged, with the document's title shown, its language, and XMP metadata naming
# the standard (pdfuaid:part 1), which WeasyPrint writes for this variant.
PDF_VARIANT = "pdf/ua-1"

# A header cell's `scope` in the HTML, as the /Scope of its TH structure element.
_SCOPES = {"col": "/Column", "colgroup": "/Column", "row": "/Row", "rowgroup": "/Row"}


def _label(element) -> str:
    """What a link is called: its aria-label, else its text, on one line."""
    text = element.get("aria-label") or " ".join("".join(element.itertext()).split())
    return text or "Link"


def _finish(document, pdf) -> None:
    """What WeasyPrint 70's tagging leaves out, added before the PDF is written: each table header cell's
    scope (/Scope in its attributes, from the HTML's `scope`, a column when none is given), and each link
    annotation labelled by the link's own words rather than the id of its target ("section-purpose").

    It reads what the tagging left on the laid-out boxes: `mark`, a cell's structure element, and
    `link_annotation`. Both are WeasyPrint internals of the pinned version; the tests read the scopes and
    the labels back from the PDF, so a change of version that breaks this fails them."""
    import pydyf  # WeasyPrint's PDF writer, imported where WeasyPrint is

    for page in document.pages:
        for box in page._page_box.descendants(placeholders=True):
            element = getattr(box, "element", None)
            if element is None:
                continue
            cell = getattr(box, "mark", None)
            if cell is not None and cell.get("S") == "/TH":
                cell["A"]["Scope"] = _SCOPES.get(element.get("scope", "").lower(), "/Column")
            annotation = getattr(box, "link_annotation", None)
            if annotation is not None and element.tag == "a":
                annotation["Contents"] = pydyf.String(_label(element))


def pdf_from_html(html: str) -> Rendered:
    """The PDF of `html`: A4 as the print stylesheet says, tagged for accessibility as PDF/UA-1, fetching
    only our own static files (everything else is refused and listed)."""
    # Imported here: WeasyPrint is heavy and only the process that makes a PDF (a worker) needs it.
    from weasyprint import HTML

    fetcher = StaticOnlyFetcher()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True, finisher=_finish)
    return Rendered(pdf, len(document.pages), tuple(fetcher.refused))
