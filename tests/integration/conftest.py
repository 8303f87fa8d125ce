"""Integration tests run against the real services that .ci/run starts (PostgreSQL, Redis, a Celery worker
process). Without DATABASE_URL and REDIS_URL they are skipped, unless REQUIRE_SERVICES=1 (CI's second run),
where a missing service is a failure, so CI can never pass by skipping them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _require_services() -> None:
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing.append("PostgreSQL")
    if missing:
        message = f"needs the real services: {', '.join(missing)} not configured"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def services() -> None:
    _require_services()


def _test_database_url() -> str:
    """The URL of the database pytest-django created, so a worker process sees the test's data."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Worker:
    """A real `celery worker` process consuming a queue of its own on the test's Redis."""

    def __init__(self, queue: str, log: Path):
        self.queue = queue
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        env = {
            **os.environ,
            "DATABASE_URL": _test_database_url(),
            "DJANGO_SETTINGS_MODULE": "scr_portal.settings",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "scr_portal",
                "worker",
                "-P",
                "prefork",
                "-c",
                "1",
                "-Q",
                self.queue,
                "-n",
                f"{self.queue}@%h",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while "ready." not in self.log.read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start:\n{self.log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def celery_worker(services, transactional_db, tmp_path, settings) -> Iterator[Worker]:
    from scr_portal.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    worker = Worker(queue=f"test-{uuid.uuid4().hex[:12]}", log=tmp_path / "worker.log")
    try:
        yield worker.start()
    finally:
        worker.stop()
        app.conf.task_always_eager = True


class Workers:
    """Real worker processes consuming a queue of the test's own, which the test's publishing (`.delay()`,
    `send_task`) is routed to. Started when the test asks, stopped at its end."""

    def __init__(self, tmp_path: Path):
        self.queue = f"test-{uuid.uuid4().hex[:12]}"
        self.tmp_path = tmp_path
        self.started: list[Worker] = []

    def start(self) -> Worker:
        worker = Worker(queue=self.queue, log=self.tmp_path / f"worker-{len(self.started) + 1}.log")
        self.started.append(worker)
        return worker.start()

    def logs(self) -> str:
        return "\n".join(
            f"--- {w.log.name}\n{w.log.read_text(errors='replace')[-4000:]}" for w in self.started
        )


def worker_pool(tmp_path: Path, settings, monkeypatch) -> Iterator[Workers]:
    """For a `workers` fixture: tasks go through the broker (not run in-process) to workers the test starts,
    on the test's own queue (what the workers' own tasks send goes there too). Workers and the test share
    the media directory, so the test reads the files a worker stored."""
    from scr_portal.celery import app

    settings.MEDIA_ROOT = str(tmp_path / "media")
    monkeypatch.setenv("MEDIA_ROOT", settings.MEDIA_ROOT)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    pool = Workers(tmp_path)
    app.conf.task_default_queue = pool.queue
    monkeypatch.setenv("CELERY_QUEUE", pool.queue)
    try:
        yield pool
    finally:
        for worker in pool.started:
            worker.stop()
        app.conf.task_default_queue = "celery"
        app.conf.task_always_eager = True


def live_processes(*, parent: int | None = None, group: int | None = None) -> list[int]:
    """The running processes (zombies waiting to be reaped do not count) whose parent is `parent`, or whose
    process group is `group`: a worker's pool children, or every process of a worker's own group."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError, ValueError):
            continue
        if state != "Z" and (int(ppid) == parent or int(pgrp) == group):
            found.append(int(stat.parent.name))
    return found
