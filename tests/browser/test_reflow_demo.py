"""The demonstration data at phone width, as each demo role would see it: every page type they reach by
following links from home, checked at 320 px (no sideways scrolling, WCAG 1.4.10) and at 412 px (axe-core's
target-size rule, WCAG 2.5.8). The walk in test_reflow.py covers every URL pattern with a small world; this
one has the demo's real lengths: long names, many columns filled, fingerprints, full action plans."""

from __future__ import annotations

import io
from collections import deque
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from tests.browser.a11y import sideways_scroll, small_targets
from tests.browser.test_reflow import PHONE, TAP

pytestmark = [pytest.mark.browser, pytest.mark.layout, pytest.mark.django_db(transaction=True)]

PEOPLE = (
    "manager@north.example",
    "chair@north.example",
    "member@north.example",
    "reviewer@north.example",
    "owner@north.example",
    "manager@south.example",
)
# Links that lead to files, to leaving, or to the administration site (Django's own pages).
SKIP = ("/accounts/logout", "/admin/", "/static/", "/media/", "download", "export", ".csv", ".xlsx", ".pdf")


def _page_type(path: str) -> str | None:
    try:
        return resolve(path).url_name
    except Resolver404:
        return None


def _links(page: Page) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "main a[href], nav a[href]", "els => els.map(e => e.getAttribute('href'))"
    )
    return [h.split("#")[0] for h in hrefs if h.startswith("/") and not any(s in h for s in SKIP)]


def _walk(page: Page, person: str, checked: set[str], problems: list[str]) -> None:
    """Visits the first page of each type not yet checked, breadth first from home (each person's home,
    which has its own sections)."""
    queue, queued = deque(["/"]), {"/"}
    while queue:
        url = queue.popleft()
        kind = _page_type(urlsplit(url).path)
        if kind == "home":
            kind = f"home of {person}"
        if kind is None or kind in checked:
            continue
        try:
            response = page.goto(url)
        except PlaywrightError:  # a link that turned out to be a download
            continue
        if (
            response is None
            or response.status != 200
            or "html" not in response.headers.get("content-type", "")
        ):
            continue
        checked.add(kind)
        if wide := sideways_scroll(page, PHONE):
            problems.append(f"{kind} ({url}): {wide}")
        problems += [f"{kind} ({url}): small target: {t}" for t in small_targets(page, TAP)]
        page.set_viewport_size({"width": PHONE, "height": 900})
        for link in _links(page):
            if link not in queued:
                queued.add(link)
                queue.append(link)


def test_the_demo_pages_fit_a_phone(
    login_as, page: Page, standard_factors, standard_themes, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("seed_demo", stdout=io.StringIO())
    checked: set[str] = set()
    problems: list[str] = []
    for email in PEOPLE:
        page.context.clear_cookies()
        login_as(get_user_model().objects.get(email=email))
        _walk(page, email, checked, problems)

    assert len(checked) > 60, sorted(checked)
    assert not problems, "\n".join(problems)
