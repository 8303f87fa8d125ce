"""Serving stored files: only through views that have checked permission first, always as an attachment
under the stored display name, never sniffed or rendered by the browser."""

from __future__ import annotations

import mimetypes

from django.http import FileResponse, Http404


def attachment(field_file, display_name: str) -> FileResponse:
    if not field_file:
        raise Http404("There is no file.")
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as missing:
        raise Http404("The file is missing from storage.") from missing
    content_type = mimetypes.guess_type(display_name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=display_name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
