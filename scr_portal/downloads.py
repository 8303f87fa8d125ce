"""Serving stored files and generated downloads: only through views that have checked permission first,
always as an attachment under a safe name, never sniffed, rendered or cached by the browser."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable

from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse


def safe_name_part(text: str) -> str:
    """`text` reduced to letters, digits, hyphens and underscores, for a download's file name."""
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text)


def _as_attachment(response, filename: str | None = None):
    if filename is not None:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def attachment(field_file, display_name: str) -> FileResponse:
    """A stored file (a FileField's value) as an attachment named `display_name`."""
    if not field_file:
        raise Http404("There is no file.")
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as missing:
        raise Http404("The file is missing from storage.") from missing
    content_type = mimetypes.guess_type(display_name)[0] or "application/octet-stream"
    return _as_attachment(
        FileResponse(handle, as_attachment=True, filename=display_name, content_type=content_type)
    )


def attachment_bytes(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """Bytes made for this request (an export, a text copy) as an attachment named `filename`."""
    return _as_attachment(HttpResponse(content, content_type=content_type), filename)


def attachment_stream(chunks: Iterable[bytes], filename: str, content_type: str) -> StreamingHttpResponse:
    """Bytes made while they are sent (an export read from the database in chunks) as an attachment named
    `filename`: the first chunk leaves before the last row is read, and no copy of the whole is held."""
    return _as_attachment(StreamingHttpResponse(chunks, content_type=content_type), filename)
