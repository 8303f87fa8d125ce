"""The error pages with production-like settings (DEBUG off, exceptions turned into pages, not raised into
the test): each answers with the right status, plain words, the portal's layout and its security headers,
never a traceback; and the 500 and 503 pages still render when the database is out of reach, whether it
fails before the view (reading the session), inside it, or while the response is finished (saving the
session, storing a message).

This module is also the URLconf of its tests: the portal's URLs and error handlers, plus views that fail
on purpose."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from unittest import mock

import pytest
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.sessions.backends.db import SessionStore
from django.db import IntegrityError, InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest
from django.test import Client
from django.urls import include, path, reverse

from reviews.models import Child, Role
from scr_portal import urls as portal_urls
from tests.factories import ReviewFactory, member_of

handler400 = portal_urls.handler400
handler403 = portal_urls.handler403
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500

SECRET = "secret-internal-detail"  # put in every exception raised here: it must never reach the page
FAULTS = {
    "runtime": lambda: RuntimeError(SECRET),
    "operational": lambda: OperationalError(f"server closed the connection unexpectedly {SECRET}"),
    "interface": lambda: InterfaceError(f"connection already closed {SECRET}"),
    "integrity": lambda: IntegrityError(f"duplicate key value violates unique constraint {SECRET}"),
}


def _refuse_connection(self, *args, **kwargs):
    raise OperationalError(
        f'connection to server at "127.0.0.1", port 5432 failed: Connection refused {SECRET}'
    )


# Every query goes through ensure_connection: while this patch is active the database is out of reach,
# exactly as when its server is stopped.
database_down = mock.patch.object(BaseDatabaseWrapper, "ensure_connection", _refuse_connection)


@login_not_required
def fail(request: HttpRequest, kind: str):
    raise FAULTS[kind]()


def save_then_lose_the_database(request: HttpRequest):
    """Does what a form's view does on success (a message, a changed session), then the database goes."""
    messages.success(request, "Child B saved.")
    request.session["last_saved"] = "Child B"
    database_down.start()  # stopped by the `client` fixture
    return request.user.notifications.count()


urlpatterns = [
    path("test-errors/fail/<str:kind>/", fail),
    path("test-errors/save-then-lose-the-database/", save_then_lose_the_database),
    path("", include("scr_portal.urls")),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture
def client(settings) -> Iterator[Client]:
    """A test client that returns what a browser would get instead of raising the view's exception."""
    settings.DEBUG = False
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    yield Client(raise_request_exception=False)
    database_down.stop()  # if a test left it on


@pytest.fixture
def manager(db):
    return member_of(ReviewFactory().lead_board, Role.BUSINESS_MANAGER, email="manager@errors.example")


def assert_error_page(response, status: int, heading: str) -> str:
    """The portal's page for `status`: its heading and layout, its security headers, nothing internal."""
    body = response.content.decode()
    assert response.status_code == status
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in body
    assert "app-header__service-name" in body  # the portal's layout
    assert "Signed in as" not in body  # drawn without the session or the person
    for internal in (SECRET, "Traceback", 'File "', "Error:", "Exception"):
        assert internal not in body
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    return body


def test_page_not_found(client):
    body = assert_error_page(client.get("/no-such-page/"), 404, "Page not found")
    assert "check you copied the entire address" in body


def test_page_not_found_for_a_signed_in_person_reveals_nothing(client, manager):
    client.force_login(manager)
    response = client.get(reverse("review_detail", args=[987654]))
    body = assert_error_page(response, 404, "Page not found")
    assert "No Review matches" not in body
    assert "it may belong to a board you are not a member of" in body


def test_permission_denied_says_why(client, manager):
    member = member_of(manager.memberships.get().board, Role.BOARD_MEMBER, email="member@errors.example")
    client.force_login(member)
    body = assert_error_page(
        client.get(reverse("review_create")), 403, "You do not have permission to do this"
    )
    assert "Only a business manager can open a review." in body
    assert "ask your board's business manager" in body


def test_bad_request(client):
    response = client.get(reverse("login"), HTTP_HOST="portal.attacker.example")
    body = assert_error_page(response, 400, "Sorry, there is a problem with your request")
    assert "Go back, refresh the page and try again." in body


def test_form_without_a_valid_security_token(client, manager):
    strict = Client(enforce_csrf_checks=True, raise_request_exception=False)
    response = strict.post(reverse("login"), {"username": manager.email, "password": "anything"})
    body = assert_error_page(response, 403, "Your form could not be sent")
    assert "refresh the page and send the form again" in body
    assert "CSRF" not in body


@pytest.mark.parametrize("kind", ["runtime", "integrity"])
def test_a_fault_in_the_portal_gives_the_500_page(client, caplog, kind):
    response = client.get(f"/test-errors/fail/{kind}/")
    body = assert_error_page(response, 500, "Sorry, there is a problem with the service")
    assert "Try again later." in body
    assert "Nothing you saved before this is lost." in body
    assert "Retry-After" not in response
    logged = [r for r in caplog.records if r.name == "django.request" and r.levelno == logging.ERROR]
    assert logged and SECRET in str(logged[0].exc_info[1])  # the detail goes to the log instead


@pytest.mark.parametrize("kind", ["operational", "interface"])
def test_a_lost_database_connection_gives_the_503_page(client, caplog, kind):
    response = client.get(f"/test-errors/fail/{kind}/")
    assert_database_unavailable(response)
    # A known outage: one line at WARNING for whoever runs the portal, naming the error, no traceback.
    logged = [r for r in caplog.records if r.name == "django.request"]
    assert [(r.status_code, r.levelno) for r in logged] == [(503, logging.WARNING)]
    assert logged[0].exc_info is None
    assert "Service Unavailable: /test-errors/fail/" in logged[0].getMessage()
    assert "database unavailable" in logged[0].getMessage()


def assert_database_unavailable(response) -> None:
    body = assert_error_page(response, 503, "Sorry, the service is unavailable")
    assert "The portal cannot reach its database at the moment." in body
    assert "Try again in a few minutes." in body
    assert "Nothing you saved before this is lost." in body
    assert int(response["Retry-After"]) > 0
    assert "no-store" in response["Cache-Control"]


def test_database_out_of_reach_when_the_session_is_read(client, manager):
    """The session, the person and the two-factor check are all read before the view: each needs the
    database, and each failure still gives the 503 page, for a page and for a form."""
    client.force_login(manager)
    review = manager.memberships.get().board.led_reviews.get()
    with database_down:
        assert_database_unavailable(client.get(reverse("home")))
        posted = client.post(
            reverse("child_add", args=[review.pk]), {"pseudonym": "Child Z", "outcome": "died"}
        )
        assert_database_unavailable(posted)
    assert not Child.objects.filter(pseudonym="Child Z").exists()
    assert client.get(reverse("home")).status_code == 200  # still signed in once the database is back


def test_database_lost_in_the_two_factor_check(client, manager):
    """The session and the person were read; the two-factor middleware's own query is the one that fails."""
    client.force_login(manager)
    with mock.patch("scr_portal.accounts.middleware.user_has_device", side_effect=_refuse_connection):
        assert_database_unavailable(client.get(reverse("home")))


def test_database_lost_during_the_view_with_a_message_and_a_changed_session(client, manager):
    """The message and the session change are finished on the way out; neither may turn the 503 page
    into a crash. The message is kept (in its cookie) and shows once the database is back."""
    client.force_login(manager)
    response = client.get("/test-errors/save-then-lose-the-database/")
    database_down.stop()
    assert_database_unavailable(response)
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "Child B saved." in home.content.decode()


def test_database_lost_while_saving_the_session_after_the_page(client, manager):
    """The view succeeded but saving the session fails: the 503 page is made outside the middleware that
    adds the security headers, so the page sets them itself."""
    client.force_login(manager)
    with mock.patch.object(SessionStore, "save", _refuse_connection):
        response = client.get(reverse("help"))
    assert_database_unavailable(response)


def test_500_and_404_pages_need_no_database(client):
    with database_down:
        assert_error_page(
            client.get("/test-errors/fail/runtime/"), 500, "Sorry, there is a problem with the service"
        )
        assert_error_page(client.get("/no-such-page/"), 404, "Page not found")


def test_the_sign_in_page_answers_503_when_the_database_is_out_of_reach(client, manager):
    client.get(reverse("login"))
    with database_down:
        response = client.post(reverse("login"), {"username": manager.email, "password": "anything"})
    assert_database_unavailable(response)


def test_an_error_page_that_cannot_be_drawn_falls_back_to_plain_words(client):
    with mock.patch("scr_portal.errors.render_to_string", side_effect=ValueError("missing manifest entry")):
        response = client.get("/test-errors/fail/operational/")
    body = response.content.decode()
    assert response.status_code == 503
    assert "Sorry, there is a problem with the service" in body
    assert "Nothing you saved before this is lost." in body
    assert "manifest" not in body and SECRET not in body
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_each_request_refused_in_an_outage_is_logged_once_at_warning_without_a_traceback(
    client, manager, caplog
):
    client.force_login(manager)
    review = manager.memberships.get().board.led_reviews.get()
    with database_down, caplog.at_level(logging.INFO):
        for _ in range(3):
            assert_database_unavailable(client.get(reverse("home")))
        assert_database_unavailable(
            client.post(reverse("child_add", args=[review.pk]), {"pseudonym": "Child Y", "outcome": "died"})
        )
    logged = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [(r.name, r.levelname) for r in logged] == [("django.request", "WARNING")] * 4
    assert all(r.exc_info is None and "Traceback" not in r.getMessage() for r in logged)
    assert [r.getMessage().split(" (")[0] for r in logged] == [
        "Service Unavailable: /",
        "Service Unavailable: /",
        "Service Unavailable: /",
        f"Service Unavailable: /reviews/{review.pk}/children/add/",
    ]
