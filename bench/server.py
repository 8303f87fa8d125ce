"""The portal under gunicorn on loopback, for the benchmarks in this folder.

    with Server() as server:
        session = server.session("manager@board-001.example")
        session.get(server.url("/help/"))

gunicorn runs with the repository's gunicorn.conf.py, the configuration production uses (workers, threads,
timeout: the file says why); a benchmark may ask for other numbers of workers or threads, and says so.
Production settings (DEBUG off, the template and session machinery as deployed) with only what plain HTTP
on loopback needs changed: no redirect to HTTPS and cookies without the Secure flag. The database is the
one DATABASE_URL names (the benchmark is meant for PostgreSQL holding `manage.py seed_scale`); REDIS_URL
is passed through when set, so tasks go to a real broker, else they run in-process as in the embedded
default."""

from __future__ import annotations

import os
import re
import runpy
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
GUNICORN_CONFIG = ROOT / "gunicorn.conf.py"
PASSWORD = "scale-password"  # every person `seed_scale` makes signs in with this


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn_config() -> dict:
    """The settings gunicorn.conf.py gives (in this environment: WEB_CONCURRENCY and WEB_THREADS count)."""
    config = runpy.run_path(str(GUNICORN_CONFIG))
    return {key: config[key] for key in ("worker_class", "workers", "threads", "timeout", "keepalive")}


def server_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="scr_portal.settings",
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        STATIC_MANIFEST="0",
        LOG_LEVEL="WARNING",
        # Many people sign in from one address in a load run: that is not an attack here.
        AXES_FAILURE_LIMIT="1000",
    )
    env.update(extra)
    return env


def setup_django() -> None:
    """Django in this process as the server runs it (server_env: DEBUG off, the same database)."""
    os.environ.update(server_env())
    import django

    django.setup()


class Server:
    """gunicorn serving scr_portal.wsgi on 127.0.0.1 and a free port, started and stopped around a block."""

    def __init__(
        self, *, workers: int | None = None, threads: int | None = None, log: Path | None = None
    ) -> None:
        config = gunicorn_config()
        self.workers = workers or config["workers"]
        self.threads = threads or config["threads"]
        self.overrides = [
            *(["--workers", str(workers)] if workers else []),
            *(["--threads", str(threads)] if threads else []),
        ]
        self.port = free_port()
        self.log = log or Path(tempfile.gettempdir()) / f"scr-bench-gunicorn-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> Server:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self._log_file = self.log.open("wb")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "-c",
                str(GUNICORN_CONFIG),
                "scr_portal.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                *self.overrides,
                # Our own control socket, so two benchmarks at once do not share gunicorn's default one.
                "--control-socket",
                str(Path(tempfile.gettempdir()) / f"scr-bench-gunicorn-{self.port}.ctl"),
                "--error-logfile",
                "-",
            ],
            cwd=ROOT,
            env=server_env(),
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            try:
                if requests.get(self.url("/healthz"), timeout=10).status_code in (200, 503):
                    return self
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within 60 s; see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._log_file.close()

    def server_errors(self) -> list[str]:
        """Lines of gunicorn's log that report a failed request or a crashed worker."""
        text = self.log.read_text(errors="replace")
        return [
            line
            for line in text.splitlines()
            if re.search(r"Traceback|\[ERROR\]|Internal Server Error", line)
        ]

    def session(self, email: str, password: str = PASSWORD) -> requests.Session:
        return sign_in(requests.Session(), self.url(""), email, password)


def sign_in(session: requests.Session, base: str, email: str, password: str = PASSWORD) -> requests.Session:
    """Signs in through the real sign-in form (CSRF token and all); raises if the portal refuses."""
    login = base + "/accounts/login/"
    page = session.get(login, timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if not token:
        raise RuntimeError("no CSRF token on the sign-in page")
    done = session.post(
        login,
        data={"csrfmiddlewaretoken": token.group(1), "username": email, "password": password},
        headers={"Referer": login},
        timeout=30,
    )
    if done.url.rstrip("/").endswith("/accounts/login") or "sessionid" not in session.cookies:
        raise RuntimeError(f"could not sign in as {email}")
    return session


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)
