"""Leases on work a worker has claimed (a document being made): who claimed it and until when, renewed
while the work goes on. A lease that has run out, or whose holder is a process of this machine that no
longer runs, means the worker stopped: anyone may take the work over at once. A live holder keeps renewing,
so its work is never taken from it."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone


def length() -> timedelta:
    return timedelta(seconds=settings.WORK_LEASE_SECONDS)


def holder() -> str:
    """Who is claiming: this machine and process (a Celery pool process, or a web process's thread)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _holder_gone(claimed_by: str) -> bool:
    """Whether the holder is known to have stopped: a process of this machine that no longer runs."""
    host, _, pid = claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's: only its lease running out tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def expired(claimed_by: str, until: datetime | None, now: datetime | None = None) -> bool:
    """Whether work claimed by `claimed_by` until `until` may be taken over now."""
    return until is None or until <= (now or timezone.now()) or _holder_gone(claimed_by)


@contextlib.contextmanager
def renewed(rows: QuerySet, claimed_by: str) -> Iterator[None]:
    """Renews the lease of `rows` (those still claimed by `claimed_by`) from a thread of its own while the
    block runs, every quarter of the lease's length: the long work in the block (a render) holds no
    transaction and needs no attention."""
    stop = threading.Event()
    every = length().total_seconds() / 4

    def renew() -> None:
        try:
            while not stop.wait(every):
                rows.filter(claimed_by=claimed_by).update(lease_until=timezone.now() + length())
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=renew, name="lease-renewal", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
