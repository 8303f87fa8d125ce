"""Database restart and outage, against the real PostgreSQL that .ci/run starts (see tests/faults/pg.py).

The portal runs as in production (gunicorn, DEBUG off, persistent connections with health checks) in its
own process, on the test's database. A person signs in through the real sign-in form, then:

- PostgreSQL restarts (pg_ctl restart -m fast): the very next request, a page and then a form that
  saves, succeeds, though the connection the portal held died with the old server;
- PostgreSQL stops: a page and a form each get the 503 page, quickly, in plain words, with no traceback;
  /healthz says 503; once PostgreSQL is started again the next request succeeds, the person is still
  signed in and everything saved before the outage is there;
- a Celery worker's next task after a restart reaches the database too (`workers` comes from
  tests/faults/conftest.py).

After each restart this process's own connections are dead as well: they are closed before
pytest-django's teardown, and the cluster is always started again, so later tests keep their database."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection, connections

from bench.server import Server, csrf_token, sign_in
from reviews.models import Child, Review, Role
from scr_portal.tasks import heartbeat
from tests.factories import PASSWORD, BoardFactory, ReviewFactory, member_of
from tests.faults.pg import PostgresCluster
from tests.integration.conftest import _require_services, _test_database_url

pytestmark = pytest.mark.services

# A request during an outage must be answered at once, not after a long wait for the database: the
# connection is refused, so anything near this limit means something waits that should not.
OUTAGE_ANSWER_LIMIT_SECONDS = 5.0
# The first request after PostgreSQL is back pays for one failed health check and a new connection.
FIRST_REQUEST_LIMIT_SECONDS = 5.0


@pytest.fixture
def postgres(transactional_db) -> Iterator[PostgresCluster]:
    """The cluster serving the test's database, which the test may stop or restart. Started again and
    this process's dead connections closed afterwards, before pytest-django cleans the database."""
    _require_services()
    cluster = PostgresCluster.from_environment()
    if cluster is None:
        message = "needs SCR_PG_BIN, SCR_PG_DATA, SCR_PG_LOG and SCR_PG_OPTIONS (.ci/run exports them)"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    database = connection.settings_dict
    assert database["HOST"] in ("127.0.0.1", "localhost"), "fault tests restart only a local PostgreSQL"
    assert cluster.port() == int(database["PORT"]), "SCR_PG_DATA is not the cluster DATABASE_URL names"
    try:
        yield cluster
    finally:
        if not cluster.running():
            cluster.start()
        connections.close_all()


@pytest.fixture
def review(transactional_db) -> Review:
    return ReviewFactory(
        lead_board=BoardFactory(name="Restart Safeguarding Children Board"), reference="RST-1"
    )


@pytest.fixture
def manager(review):
    """A business manager (no second factor needed to sign in through the form), whose password is
    hashed as production hashes it: the portal under test does not know the tests' fast hasher."""
    person = member_of(review.lead_board, Role.BUSINESS_MANAGER, email="manager@restart.example")
    hasher = PBKDF2PasswordHasher()
    person.password = hasher.encode(PASSWORD, hasher.salt())
    person.save(update_fields=["password"])
    return person


@pytest.fixture
def portal(postgres, monkeypatch, tmp_path) -> Iterator[Server]:
    """The portal under gunicorn with production settings and one worker (so the request after a restart
    reaches the process whose connection the restart killed), on the test's database."""
    monkeypatch.setenv("DATABASE_URL", _test_database_url())
    with Server(workers=1, log=tmp_path / "gunicorn.log") as server:
        yield server


@pytest.fixture
def signed_in(portal, manager) -> requests.Session:
    return sign_in(requests.Session(), portal.url(""), manager.email, PASSWORD)


def timed_get(session: requests.Session, url: str) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = session.get(url, timeout=30)
    return response, time.monotonic() - started


def add_child(
    session: requests.Session, url: str, token: str, pseudonym: str
) -> tuple[requests.Response, float]:
    """Sends the "Add a child" form as a browser would, with a token read from the form page earlier."""
    started = time.monotonic()
    response = session.post(
        url,
        data={"csrfmiddlewaretoken": token, "pseudonym": pseudonym, "outcome": Child.Outcome.DIED},
        headers={"Referer": url},
        allow_redirects=False,
        timeout=30,
    )
    return response, time.monotonic() - started


def other_connections() -> int:
    """Connections to the test's database other than this process's own: the portal's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return cursor.fetchone()[0]


def assert_database_unavailable_page(response: requests.Response) -> None:
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    text = response.text
    assert "Sorry, the service is unavailable" in text
    assert "The portal cannot reach its database at the moment." in text
    assert "Nothing you saved before this is lost." in text
    for internal in ("Traceback", "OperationalError", "psycopg2", "connection to server", "5432"):
        assert internal not in text


def test_the_next_request_after_a_restart_succeeds(postgres, portal, signed_in, review):
    page = portal.url(f"/reviews/{review.pk}/")
    form = portal.url(f"/reviews/{review.pk}/children/add/")
    first = signed_in.get(page, timeout=30)
    assert first.status_code == 200 and "RST-1" in first.text
    assert other_connections() >= 1  # the portal keeps its connection between requests

    restart_took = postgres.restart()
    connections.close_all()  # ours died with the old server too
    after, after_took = timed_get(signed_in, page)
    assert after.status_code == 200
    assert "RST-1" in after.text
    assert after_took < FIRST_REQUEST_LIMIT_SECONDS

    # A form that writes, as the very first request after a second restart (token read before it).
    token = csrf_token(signed_in.get(form, timeout=30).text)
    postgres.restart()
    connections.close_all()
    saved, saved_took = add_child(signed_in, form, token, "Child R")
    assert saved.status_code == 302, saved.text[:500]
    assert saved.headers["Location"] == f"/reviews/{review.pk}/"
    assert Child.objects.filter(review=review, pseudonym="Child R").exists()
    assert "Child R saved." in signed_in.get(page, timeout=30).text

    assert portal.server_errors() == []  # not one request failed, not even one logged
    print(
        f"restart: pg_ctl restart {restart_took:.2f} s; next page {after_took * 1000:.0f} ms (200);"
        f" next form post {saved_took * 1000:.0f} ms (302, saved)"
    )


def test_an_outage_gives_the_503_page_and_loses_nothing(postgres, portal, signed_in, review):
    page = portal.url(f"/reviews/{review.pk}/")
    form = portal.url(f"/reviews/{review.pk}/children/add/")
    token = csrf_token(signed_in.get(form, timeout=30).text)
    before, _ = add_child(signed_in, form, token, "Child S")
    assert before.status_code == 302
    token = csrf_token(signed_in.get(form, timeout=30).text)

    stop_took = postgres.stop()
    try:
        down_page, page_took = timed_get(signed_in, page)
        down_post, post_took = add_child(signed_in, form, token, "Child T")
        health, _ = timed_get(requests.Session(), portal.url("/healthz"))
    finally:
        start_took = postgres.start()
    connections.close_all()

    assert_database_unavailable_page(down_page)
    assert_database_unavailable_page(down_post)
    assert page_took < OUTAGE_ANSWER_LIMIT_SECONDS
    assert post_took < OUTAGE_ANSWER_LIMIT_SECONDS
    assert health.status_code == 503
    assert health.json()["database"].startswith("error")

    back, back_took = timed_get(signed_in, page)
    assert back.status_code == 200  # and still signed in: the session outlived the outage
    assert "Child S" in back.text and "Child T" not in back.text
    assert back_took < FIRST_REQUEST_LIMIT_SECONDS
    health_after = requests.get(portal.url("/healthz"), timeout=30)
    assert health_after.status_code == 200 and health_after.json()["database"] == "ok"
    assert list(Child.objects.filter(review=review).values_list("pseudonym", flat=True)) == ["Child S"]

    log = portal.log.read_text(errors="replace")
    assert f"Service Unavailable: /reviews/{review.pk}/" in log  # logged for whoever runs the portal
    assert f"Service Unavailable: /reviews/{review.pk}/children/add/" in log
    print(
        f"outage: pg_ctl stop {stop_took:.2f} s; page during outage {page_took * 1000:.0f} ms (503);"
        f" form post during outage {post_took * 1000:.0f} ms (503); healthz 503;"
        f" pg_ctl start {start_took:.2f} s; first page after {back_took * 1000:.0f} ms (200)"
    )


def test_a_celery_worker_reaches_the_database_after_a_restart(postgres, workers):
    workers.start()
    assert heartbeat.delay().get(timeout=60)["database"] == connection.settings_dict["NAME"]
    postgres.restart()
    connections.close_all()
    started = time.monotonic()
    result = heartbeat.delay().get(timeout=60)
    took = time.monotonic() - started
    assert result["database"] == connection.settings_dict["NAME"]
    assert "OperationalError" not in workers.logs()
    print(f"worker: first task after restart {took * 1000:.0f} ms (succeeded)")
