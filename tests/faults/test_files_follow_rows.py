"""Files follow their rows, against the real services: the portal under gunicorn on the test's PostgreSQL,
a person uploading a 4.1 MB evidence file with a progress update, and the request's process killed while
the database keeps the update waiting (a row lock held by the test):

- SIGKILLed by an operator, or killed by gunicorn's own timeout: the evidence file was stored (before the
  transaction) but no row names it. `verify_integrity` reports it; the file sweep removes it once past
  its grace period, and `verify_integrity` then finds nothing. What the killed process was receiving is
  removed when gunicorn sees it exit (gunicorn.conf.py's child_exit).
- Under the production configuration a wait that long ends instead in the 503 page (the web processes'
  statement timeout, here shortened to 3 s), and nothing is left behind at all.
- A 20-second database outage: every request refused gets the 503 page, uploads included, and is logged
  once, at WARNING, without a traceback."""

from __future__ import annotations

import io
import os
import signal
import threading
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import psycopg2
import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfWriter

from bench.server import Server, csrf_token, sign_in
from responses.models import Action, Evidence
from scr_portal import files
from tests.conftest import World
from tests.factories import PASSWORD
from tests.faults.conftest import wait_for
from tests.faults.test_database_restart import assert_database_unavailable_page, postgres  # noqa: F401
from tests.integration.conftest import _test_database_url, live_processes
from tests.responses.helpers import action, at_stage, finding

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _big_pdf() -> bytes:
    """A readable PDF of 4.1 MB, the size of the document found left behind."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Padding": "x" * 4_100_000})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def places(services, settings, tmp_path, monkeypatch) -> tuple[Path, Path]:
    """The media store and the uploads folder, shared by the portal under test and this process."""
    media, uploads = tmp_path / "media", tmp_path / "uploads"
    uploads.mkdir()
    settings.MEDIA_ROOT, settings.FILE_UPLOAD_TEMP_DIR = str(media), str(uploads)
    monkeypatch.setenv("MEDIA_ROOT", str(media))
    monkeypatch.setenv("FILE_UPLOAD_TEMP_DIR", str(uploads))
    monkeypatch.setenv("DATABASE_URL", _test_database_url())
    return media, uploads


@pytest.fixture
def owned(world: World, places) -> Action:
    """An action of a review at the response stage, owned by the board member, whose password is hashed
    as production hashes it (the portal under test does not know the tests' fast hasher)."""
    review = at_stage(world.north_review)
    made = action(review, world.north_member, findings=[finding(review, 1)])
    hasher = PBKDF2PasswordHasher()
    world.north_member.password = hasher.encode(PASSWORD, hasher.salt())
    world.north_member.save(update_fields=["password"])
    return made


def _portal(tmp_path: Path, *extra: str, threads: int | None = None) -> Server:
    server = Server(workers=1, threads=threads, log=tmp_path / "gunicorn.log")
    server.overrides += list(extra)
    return server


class RowLock:
    """The action's row locked FOR UPDATE from another connection: a progress update waits for it."""

    def __init__(self, action_pk: int):
        self.connection = psycopg2.connect(**connection.get_connection_params())
        self.connection.cursor().execute(
            f"SELECT 1 FROM {Action._meta.db_table} WHERE id = %s FOR UPDATE", [action_pk]
        )

    def someone_waits(self) -> bool:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            return cursor.fetchone()[0] >= 1

    def release(self) -> None:
        self.connection.rollback()
        self.connection.close()


def _post_progress(session: requests.Session, url: str, token: str, outcome: dict) -> None:
    """Sends a progress update with the 4.1 MB evidence file as a browser would; keeps what came back
    (a response, or the error of a dropped connection) in `outcome`."""
    today = timezone.localdate()
    try:
        outcome["response"] = session.post(
            url,
            data={
                "csrfmiddlewaretoken": token,
                "on_0": today.day,
                "on_1": today.month,
                "on_2": today.year,
                "text": "Audit of strategy discussions done.",
                "status": "",
            },
            files={"evidence": ("Audit report.pdf", _big_pdf(), "application/pdf")},
            headers={"Referer": url},
            allow_redirects=False,
            timeout=90,
        )
    except requests.RequestException as error:
        outcome["error"] = error


def _stored_evidence(media: Path) -> list[Path]:
    folder = media / "evidence"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def _verify() -> tuple[bool, str]:
    out = StringIO()
    try:
        call_command("verify_integrity", stdout=out)
    except CommandError:
        return False, out.getvalue()
    return True, out.getvalue()


@pytest.mark.parametrize("killed_by", ["SIGKILL", "gunicorn's timeout"])
def test_a_web_process_killed_between_storing_evidence_and_committing_leaves_nothing_after_the_sweep(
    killed_by, owned, places, world, tmp_path
):
    media, uploads = places
    # gunicorn's timeout kills a process whose request waits (the sync worker, one thread: gthread's
    # main loop keeps answering the arbiter while a request waits); the statement timeout is off so that
    # the kill comes first, as before this was fixed.
    extra = ("--worker-class", "sync", "--timeout", "5") if killed_by != "SIGKILL" else ()
    os.environ["DATABASE_STATEMENT_TIMEOUT"] = "0" if extra else "20"
    try:
        server = _portal(tmp_path, *extra, threads=1 if extra else None).__enter__()
    finally:
        del os.environ["DATABASE_STATEMENT_TIMEOUT"]
    try:
        session = sign_in(requests.Session(), server.url(""), world.north_member.email, PASSWORD)
        url = server.url(reverse("action_progress", args=[owned.review_id, owned.number]))
        token = csrf_token(session.get(url, timeout=30).text)
        (web_process,) = live_processes(parent=server.process.pid)
        lock = RowLock(owned.pk)
        outcome: dict = {}
        try:
            sender = threading.Thread(target=_post_progress, args=(session, url, token, outcome))
            sender.start()
            wait_for("the update to wait for the row lock", lock.someone_waits, 60)
            assert len(_stored_evidence(media)) == 1  # stored before the transaction, not yet recorded
            if killed_by == "SIGKILL":
                os.kill(web_process, signal.SIGKILL)
            sender.join(timeout=60)
            wait_for(
                "the web process to be gone",
                lambda: web_process not in live_processes(parent=server.process.pid),
                30,
            )
        finally:
            lock.release()
        assert "error" in outcome or outcome["response"].status_code >= 500  # the person lost the request
        wait_for(
            "the killed process's uploads to be removed",
            lambda: not (uploads / str(web_process)).exists(),
            30,
        )
    finally:
        server.__exit__(None, None, None)

    (orphan,) = _stored_evidence(media)
    assert orphan.stat().st_size > 4_000_000
    assert not Evidence.objects.exists()
    ok, report = _verify()
    assert not ok
    assert f"Stored file evidence/{orphan.name} (" in report and "is named by no record" in report

    assert files.orphans_sweep() == 0  # within its grace period: it could still be a transaction's
    later = timezone.now() + files.grace() + timedelta(seconds=1)
    assert files.orphans_sweep(now=later) == 1
    assert _stored_evidence(media) == []
    ok, report = _verify()
    assert ok, report
    assert "named by no record: 0" in report
    assert [p for p in uploads.rglob("*") if p.is_file()] == []


def test_a_long_wait_during_an_upload_gives_the_503_page_and_leaves_nothing(
    owned, places, world, tmp_path, monkeypatch
):
    media, uploads = places
    monkeypatch.setenv("DATABASE_STATEMENT_TIMEOUT", "3")  # 20 s in production: the same path, sooner
    with _portal(tmp_path) as server:
        session = sign_in(requests.Session(), server.url(""), world.north_member.email, PASSWORD)
        url = server.url(reverse("action_progress", args=[owned.review_id, owned.number]))
        token = csrf_token(session.get(url, timeout=30).text)
        lock = RowLock(owned.pk)
        outcome: dict = {}
        started = time.monotonic()
        try:
            _post_progress(session, url, token, outcome)
        finally:
            lock.release()
        took = time.monotonic() - started
        after = session.get(server.url(f"/reviews/{owned.review_id}/"), timeout=30)
    assert "error" not in outcome, outcome.get("error")
    assert_database_unavailable_page(outcome["response"])
    assert took < 20
    assert after.status_code == 200  # the process lived on
    assert _stored_evidence(media) == [] and not Evidence.objects.exists()
    assert files.orphans() == []
    assert [p for p in uploads.rglob("*") if p.is_file()] == []
    log = server.log.read_text(errors="replace")
    assert log.count("Service Unavailable: /reviews/") == 1
    assert "Traceback" not in log and "[ERROR]" not in log


def test_a_20_second_database_outage_logs_one_warning_per_refused_request(
    postgres,  # noqa: F811 - the fixture imported above
    owned,
    places,
    world,
    tmp_path,
):
    with _portal(tmp_path) as server:
        session = sign_in(requests.Session(), server.url(""), world.north_member.email, PASSWORD)
        page = server.url(f"/reviews/{owned.review_id}/")
        url = server.url(reverse("action_progress", args=[owned.review_id, owned.number]))
        token = csrf_token(session.get(url, timeout=30).text)

        postgres.stop()
        refused = []
        try:
            until = time.monotonic() + 20
            while time.monotonic() < until:
                refused.append(("page", session.get(page, timeout=30)))
                outcome: dict = {}
                _post_progress(session, url, token, outcome)
                assert "error" not in outcome, outcome.get("error")
                refused.append(("upload", outcome["response"]))
                time.sleep(2)
        finally:
            postgres.start()
        connection.close()
        back = session.get(page, timeout=30)
    for _, response in refused:
        assert_database_unavailable_page(response)
    assert back.status_code == 200
    lines = [
        line for line in server.log.read_text(errors="replace").splitlines() if "Service Unavailable" in line
    ]
    assert len(lines) == len(refused) >= 10
    assert all(" WARNING django.request " in line for line in lines)
    assert sum(
        f"Service Unavailable: /reviews/{owned.review_id}/response/actions/" in line for line in lines
    ) == len([r for r in refused if r[0] == "upload"])
    assert "Traceback" not in server.log.read_text(errors="replace")
    assert not Evidence.objects.exists()
