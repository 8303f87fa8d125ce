"""The error pages in a real browser, for someone signed in: page not found, no permission (with the
portal's reason), a form sent with a stale security token, a bad request, a fault in the portal and the
database out of reach. Each answers with its status, says what happened in plain words, shows no
technical detail, leads home, and passes axe.

This module is also the URLconf of its tests: the portal's URLs and error handlers, plus views that fail
on purpose, served by the live server like any other page."""

from __future__ import annotations

import os

import pytest
from django.core.exceptions import SuspiciousOperation
from django.db import OperationalError
from django.http import HttpRequest
from django.urls import include, path, reverse
from playwright.sync_api import Page, expect

from scr_portal import urls as portal_urls
from tests.browser.a11y import assert_accessible
from tests.browser.pages import h1, main
from tests.conftest import World

handler400 = portal_urls.handler400
handler403 = portal_urls.handler403
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500

SECRET = "secret-internal-detail"  # in every exception raised here: it must never reach the page
FAULTS = {
    "bad-request": lambda: SuspiciousOperation(f"Invalid HTTP_HOST header {SECRET}"),
    "runtime": lambda: RuntimeError(SECRET),
    "database": lambda: OperationalError(f"server closed the connection unexpectedly {SECRET}"),
}


def fail(request: HttpRequest, kind: str):
    raise FAULTS[kind]()


urlpatterns = [
    path("test-errors/fail/<str:kind>/", fail),
    path("", include("scr_portal.urls")),
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.urls(__name__)]


def _shot(page: Page, name: str) -> None:
    """Saves a screenshot when SCREENSHOTS names a folder (for looking at the pages by eye)."""
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"error-{name}.png"), full_page=True)


def _assert_plain_error_page(page: Page, title: str) -> None:
    """The page's heading and title say what happened; no technical detail; a way home; passes axe."""
    expect(h1(page)).to_have_text(title)
    expect(page).to_have_title(f"{title} – SCR Portal")
    for detail in ("Traceback", SECRET, "Exception", "Django"):
        expect(main(page)).not_to_contain_text(detail)
    assert_accessible(page)


def _go_home(page: Page) -> None:
    page.get_by_role("link", name="Go to your home page").click()
    expect(h1(page)).to_have_text("Your work")


def test_a_page_that_does_not_exist(login_as, page: Page, world: World):
    login_as(world.north_manager)
    response = page.goto("/no-such-page/")
    assert response.status == 404
    _assert_plain_error_page(page, "Page not found")
    expect(main(page)).to_contain_text("If you typed the web address, check it is correct.")
    _shot(page, "404")
    _go_home(page)


def test_another_boards_page_is_not_found_rather_than_forbidden(login_as, page: Page, world: World):
    """South's manager is not told that North's retention page exists."""
    login_as(world.south_manager)
    response = page.goto(reverse("retention_due", args=[world.north.pk]))
    assert response.status == 404
    _assert_plain_error_page(page, "Page not found")
    expect(main(page)).to_contain_text("it may belong to a board you are not a member of")


def test_a_board_member_opening_the_retention_page_is_told_why_not(login_as, page: Page, world: World):
    login_as(world.north_member)
    response = page.goto(reverse("retention_due", args=[world.north.pk]))
    assert response.status == 403
    _assert_plain_error_page(page, "You do not have permission to do this")
    expect(main(page)).to_contain_text("You do not have permission to manage retention.")
    expect(main(page)).to_contain_text("ask your board's business manager")
    _shot(page, "403")
    _go_home(page)


def test_a_form_sent_with_a_stale_security_token(login_as, page: Page, world: World):
    """As when the page was left open across signing out and in again in another tab."""
    login_as(world.north_manager)
    page.goto(reverse("retention_period", args=[world.north.pk]))
    main(page).locator("input[name=csrfmiddlewaretoken]").evaluate("input => { input.value = 'stale' }")
    page.get_by_role("button", name="Save retention period").click()
    _assert_plain_error_page(page, "Your form could not be sent")
    expect(main(page)).to_contain_text("Go back, refresh the page and send the form again.")
    _shot(page, "403-csrf")
    world.north.refresh_from_db()
    assert world.north.retention_years == 25


@pytest.mark.parametrize(
    ("kind", "status", "title", "advice"),
    [
        ("bad-request", 400, "Sorry, there is a problem with your request", "Nothing you saved before"),
        ("runtime", 500, "Sorry, there is a problem with the service", "Try again later."),
        ("database", 503, "Sorry, the service is unavailable", "Try again in a few minutes."),
    ],
)
def test_a_fault_in_the_portal(login_as, page: Page, world: World, kind, status, title, advice):
    login_as(world.north_manager)
    response = page.goto(f"/test-errors/fail/{kind}/")
    assert response.status == status
    _assert_plain_error_page(page, title)
    expect(main(page)).to_contain_text(advice)
    _shot(page, str(status))


def test_a_signed_in_person_who_is_not_an_administrator_opening_the_admin(login_as, page: Page, world: World):
    """Refused plainly, once: not sent round sign-in and back for ever."""
    login_as(world.north_manager)
    response = page.goto("/admin/")
    assert response.status == 403
    assert page.url.endswith("/admin/")
    _assert_plain_error_page(page, "You do not have permission to do this")
    expect(main(page)).to_contain_text("The administration site is for administrators only.")
    _shot(page, "403-admin")
    _go_home(page)
