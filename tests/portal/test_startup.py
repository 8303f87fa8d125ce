"""A Celery worker or beat started without the services it needs (the task queue, the database) refuses
to start: a plain message saying which setting is missing or which service does not answer, and a
non-zero exit. `manage.py check_services` says the same."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from scr_portal import startup

ROOT = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once it is closed


def _celery(program: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    environment.update(env, DJANGO_SETTINGS_MODULE="scr_portal.settings")
    extra = ["-s", str(tmp_path / "celerybeat-schedule")] if program == "beat" else ["-c", "1"]
    return subprocess.run(
        [sys.executable, "-m", "celery", "-A", "scr_portal", program, *extra],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("program", ["beat", "worker"])
def test_worker_and_beat_without_a_broker_or_database_refuse_to_start(program, tmp_path):
    done = _celery(program, tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == startup.EXIT_MISSING_SERVICES
    assert f"SCR Portal: the Celery {program} cannot start." in output
    assert "REDIS_URL is not set" in output and "DATABASE_URL is not set" in output
    assert "no such table" not in output


def test_a_worker_whose_broker_does_not_answer_refuses_to_start(tmp_path):
    port = _closed_port()
    done = _celery(
        "worker", tmp_path, REDIS_URL=f"redis://127.0.0.1:{port}/0", DATABASE_URL=f"sqlite:///{tmp_path}/x.db"
    )
    output = done.stdout + done.stderr
    assert done.returncode == startup.EXIT_MISSING_SERVICES
    assert f"Redis at 127.0.0.1:{port}/0 does not answer" in output
    assert "DATABASE_URL" not in output  # set, and an SQLite file always answers


@pytest.mark.django_db
def test_check_services_says_what_a_worker_would_lack(settings, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings.REDIS_URL = ""
    out = StringIO()
    call_command("check_services", stdout=out)  # the embedded default needs no worker: not a failure
    assert "worker and beat would refuse to start:" in out.getvalue()
    assert "REDIS_URL is not set" in out.getvalue()

    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("check_services", stdout=out)
    assert "does not answer" in out.getvalue() and "DATABASE_URL is not set" in out.getvalue()
