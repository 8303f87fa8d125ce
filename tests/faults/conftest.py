"""Fixtures for the fault-injection tests: the real Redis stopped and started again, Celery workers of a
test's own, and a mail server that records what it was given (and can be held mid-message).

Everything listens on loopback only. A fixture that stops a service always starts it again, even when the
test fails, so later tests keep their Redis."""

from __future__ import annotations

import os
import socket
import socketserver
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.message import Message
from urllib.parse import urlsplit

import pytest

from tests.integration.conftest import Workers, _require_services, worker_pool


def wait_for(
    what: str, condition: Callable[[], bool], timeout: float, details: Callable[[], str] = str
) -> float:
    """Waits until `condition()` holds and returns the seconds it took; fails the test after `timeout`,
    showing `details()` (read then: the workers' logs)."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{details()}")
        time.sleep(0.1)
    return time.monotonic() - started


class RedisServer:
    """The Redis at REDIS_URL, stopped and started as an operator would (`redis-cli shutdown nosave`, then
    `redis-server` with the options .ci/run uses). It comes back empty, as after a crash without
    persistence: whatever was queued in it is gone."""

    def __init__(self, port: int):
        self.port = port

    def answers(self) -> bool:
        ping = ["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), "ping"]
        try:
            result = subprocess.run(ping, capture_output=True, timeout=5, check=False)
        except subprocess.TimeoutExpired:
            return False
        return result.stdout.strip() == b"PONG"

    def stop(self) -> None:
        shutdown = ["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), "shutdown", "nosave"]
        subprocess.run(shutdown, capture_output=True, timeout=10, check=False)
        wait_for("Redis to stop", lambda: not self.answers(), 10)

    def start(self) -> None:
        if self.answers():
            return
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--dir",
                tempfile.gettempdir(),
            ],
            check=True,
            timeout=10,
        )
        wait_for("Redis to answer PING", self.answers, 10)


@pytest.fixture
def services() -> None:
    """Skips the test without the real services (fails it under REQUIRE_SERVICES=1)."""
    _require_services()


@pytest.fixture
def redis_server(services) -> Iterator[RedisServer]:
    """The real Redis, which the test may stop; started again afterwards whatever happens."""
    url = urlsplit(os.environ["REDIS_URL"])
    assert url.hostname in ("127.0.0.1", "localhost"), "fault tests stop only a Redis on this machine"
    server = RedisServer(url.port or 6379)
    assert server.answers(), f"Redis at {url.hostname}:{server.port} should be running before the test"
    try:
        yield server
    finally:
        server.start()


@pytest.fixture
def workers(services, transactional_db, tmp_path, settings, monkeypatch) -> Iterator[Workers]:
    """Real workers on the test's own queue (tests/integration/conftest.py); their email goes to the
    `mail_server` when the test sets EMAIL_URL first."""
    yield from worker_pool(tmp_path, settings, monkeypatch)


class MailServer(socketserver.ThreadingTCPServer):
    """A minimal SMTP server on loopback that keeps each message it accepts (its final "250" sent).

    `hold(n)` makes it wait, before answering the n-th message's data, until `release()`: the sender is
    then stuck mid-send. A message whose sender has gone by the time it would be answered is dropped, as
    the sender never learned it was accepted."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.accepted: list[Message] = []
        self.dropped = 0
        self.received = 0
        self._lock = threading.Lock()
        self._hold_at: int | None = None
        self.holding = threading.Event()
        self._released = threading.Event()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.server_address[1]}"

    def hold(self, nth: int) -> None:
        self._hold_at = nth

    def release(self) -> None:
        self._released.set()

    def message_ids(self) -> list[str]:
        with self._lock:
            return [m["Message-ID"] for m in self.accepted]

    def _data_received(self) -> None:
        """Called with a message's data in hand, before answering: waits here if this one is held."""
        with self._lock:
            self.received += 1
            held = self.received == self._hold_at
        if held:
            self.holding.set()
            self._released.wait(timeout=120)


class _SMTPHandler(socketserver.StreamRequestHandler):
    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def _sender_gone(self) -> bool:
        self.connection.setblocking(False)
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except BlockingIOError:
            return False
        except OSError:
            return True
        finally:
            self.connection.setblocking(True)

    def handle(self) -> None:
        server: MailServer = self.server
        self._reply("220 127.0.0.1 test mail server")
        for raw in self.rfile:
            verb = raw.decode(errors="replace").strip().split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._reply("250 127.0.0.1")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                for line in self.rfile:
                    if line == b".\r\n":
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                server._data_received()
                if self._sender_gone():
                    with server._lock:
                        server.dropped += 1
                    return
                with server._lock:
                    server.accepted.append(message_from_bytes(b"".join(lines)))
                self._reply("250 OK: queued")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("502 Command not implemented")


@pytest.fixture
def mail_server(monkeypatch) -> Iterator[MailServer]:
    """A mail server that worker processes started afterwards send their email to (EMAIL_URL)."""
    server = MailServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("EMAIL_URL", server.url)
    try:
        yield server
    finally:
        server.release()
        server.shutdown()
        server.server_close()
