"""Counting the SQL a page runs, for the tests that hold a page's query count constant in the data size.

`queries` reads a page twice and counts the second request (per-process caches filled once, such as
content types, do not count). `cold_and_warm` reads it as the first request of a new session with the
cache emptied, then again at once, and counts both. Both give each query's first 160 characters, for
failure messages that show what ran."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

SHOWN = 160  # characters of each query a failure message shows


def _get(client, url: str):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return [q["sql"][:SHOWN] for q in ctx.captured_queries], response


def queries(client, url: str) -> list[str]:
    """The queries of the second of two requests for `url`."""
    client.get(url)  # warm up: caches filled once per process (content types, templates) do not count
    return _get(client, url)[0]


def cold_and_warm(client, user, url: str) -> tuple[list[str], list[str], HttpResponse]:
    """The queries of `user`'s first request for `url` with the cache emptied and a session just begun
    (nothing read before counts), then of the same request again at once; and the page as it came."""
    cache.clear()
    client.logout()
    client.force_login(user)
    cold, _ = _get(client, url)
    warm, response = _get(client, url)
    return cold, warm, response


def listing(*parts: tuple[str, list[str]]) -> str:
    """Labelled lists of queries, one a line, for a failure message."""
    lines = []
    for label, sql in parts:
        lines += ["", f"{label} ({len(sql)} queries):", *(f"  {q}" for q in sql)]
    return "\n".join(lines)
