"""What WeasyPrint may fetch while rendering: the project's own static files, nothing else.

WeasyPrint's default fetcher follows file:, http:, https: and data: URLs, so a document could embed a local
file (`<link rel="attachment" href="file:///etc/passwd">`) or call a server. Templates escape user text,
and this fetcher is the second wall: only URLs under our own invented origin and STATIC_URL are answered,
from Django's staticfiles finders (the files in the repository, not whatever a URL names)."""

from __future__ import annotations

import logging
import mimetypes
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from weasyprint import URLFetcher
from weasyprint.urls import URLFetcherResponse

log = logging.getLogger(__name__)

BASE_URL = "https://scr-portal.invalid/"


class FetchRefused(ValueError):
    """A URL the renderer may not fetch."""


class StaticOnlyFetcher(URLFetcher):
    def __init__(self) -> None:
        super().__init__(allowed_protocols=("https",), allow_redirects=False, fail_on_errors=False)
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        static = "/" + settings.STATIC_URL.strip("/") + "/"
        if (
            parts.scheme != "https"
            or parts.netloc != urlsplit(BASE_URL).netloc
            or not parts.path.startswith(static)
        ):
            return self._refuse(url)
        relative = unquote(parts.path[len(static) :])
        if not relative or ".." in relative.split("/") or relative.startswith("/"):
            return self._refuse(url)
        body = _static_bytes(relative)
        if body is None:
            return self._refuse(url)
        self.served.append(relative)
        content_type = mimetypes.guess_type(relative)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    def _refuse(self, url: str):
        self.refused.append(url[:200])
        log.warning("Document renderer refused to fetch %s", url[:200])
        raise FetchRefused(f"The document renderer does not fetch {url[:80]}")


def _static_bytes(relative: str) -> bytes | None:
    """A static file's bytes: from the app and project folders (development, tests), or, once collected,
    from the static files storage under its hashed name (production). Nothing else."""
    found = finders.find(relative)
    if found:
        with open(found, "rb") as handle:
            return handle.read()
    if staticfiles_storage.exists(relative):
        with staticfiles_storage.open(relative, "rb") as handle:
            return handle.read()
    return None
