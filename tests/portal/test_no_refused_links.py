"""Never offer what will be refused: signed in as each demo person, the portal is crawled from the home page
through every link it shows (GET only, each address once), and no link answers 403 for the person it was
shown to. A link someone may not use is either not shown or shown as plain text with the reason.

The crawl follows the portal's own pages only: not downloads (a file is not a page to crawl), not
signing out, not the Django admin (its own pages), not static files."""

from __future__ import annotations

import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

pytestmark = [pytest.mark.layout, pytest.mark.django_db(transaction=False)]

# Every demo person the README lists who signs in to the portal itself.
PEOPLE = (
    "manager@north.example",
    "member@north.example",
    "chair@north.example",
    "reviewer@north.example",
    "owner@north.example",
    "manager@south.example",
    "member@south.example",
    "chair@south.example",
    "reviewer@south.example",
)
# Pages per person: enough for every page type the demo shows, bounded so the test stays quick.
LIMIT = 400
PER_KIND = 5
SKIPPED_PREFIXES = ("/static/", "/media/", "/admin/", "/accounts/logout", "/__")
# Addresses that end in a file, not a page (the download views answer with an attachment).
DOWNLOAD_HINTS = (".csv", ".txt", ".pdf", ".xlsx", ".zip", "/download", "/file")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _links(page: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        url = urldefrag(urljoin(page, href)).url
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue  # another site, mailto:, tel:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith(SKIPPED_PREFIXES) or any(hint in parts.path for hint in DOWNLOAD_HINTS):
            continue
        found.append(path)
    return found


def _crawl(client: Client) -> tuple[list[tuple[str, str]], int]:
    """(page, link) pairs whose link answered 403, and how many pages were read. Each kind of page (its
    address with the numbers taken out, and the names in its query string) is read for up to PER_KIND
    different objects: links differ by the object's state (a review at each stage), not by its number."""
    seen = {"/"}
    kinds: Counter = Counter()
    queue = deque([("/", "")])
    refused = []
    read = 0
    while queue and read < LIMIT:
        path, shown_on = queue.popleft()
        response = client.get(path)
        read += 1
        if response.status_code == 403:
            refused.append((shown_on, path))
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for link in _links(path, response.content.decode()):
            base, _, query = link.partition("?")
            kind = (
                re.sub(r"\d+", "N", base) + "?" + "&".join(sorted(p.split("=")[0] for p in query.split("&")))
            )
            if link not in seen and kinds[kind] < PER_KIND:
                seen.add(link)
                kinds[kind] += 1
                queue.append((link, path))
    return refused, read


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.parametrize("email", PEOPLE)
def test_no_link_shown_answers_403(demo, email):
    person = get_user_model().objects.get(email=email)
    client = Client()
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    refused, read = _crawl(client)
    # An action owner's portal is their home, their actions and their account: a few pages, not dozens.
    least = 10 if email.startswith("owner@") else 30
    assert read > least, f"only {read} pages reached as {email}"

    assert not refused, f"as {email}, these links answered 403 (shown on → link):\n" + "\n".join(
        f"  {page} → {link}" for page, link in refused
    )
