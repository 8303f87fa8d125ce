"""Leases on work a worker has claimed (a document or an export being made, a retention decision being
applied): who claimed it and until when, renewed while the work goes on. A lease that has run out, or whose
holder is a process of this machine that no longer runs, means the worker stopped: anyone may take the work
over at once. A live holder keeps renewing, so its work is never taken from it.

Every kind of claimed work follows the same rule, declared once here (`Work`): a worker claims a row
(`Work.claim`) and renews the claim while it works (`Work.renewed`); the catch-up (at a worker's start and
periodically) hands out again what the task queue no longer holds and what a stopped worker held
(`Work.to_hand_out`); the status pages say which of these a row waiting is in (`Work.progress`)."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connections, models
from django.db.models import QuerySet
from django.utils import timezone

from . import outbox

log = logging.getLogger(__name__)

# When the task queue cannot be read (no broker, or it does not answer), work still waiting after this long
# is handed out again by the catch-up; when it can, work the queue no longer holds is handed out at once.
STALE_QUEUED = timedelta(minutes=2)
# What a claim writes, for the caller's save(update_fields=...).
CLAIM_FIELDS = ("status", "started_at", "claimed_by", "lease_until", "attempts")


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
    transaction and needs no attention. If the block raises, the claim is given up (the lease ends now), so
    the task's retry, or the next catch-up, takes the work over at once rather than once the lease runs
    out. `rows` should name the status the work is done in, so that a renewal waiting on the row's lock
    while the work is recorded changes nothing once it is."""
    stop = threading.Event()
    every = length().total_seconds() / 4

    def renew() -> None:
        try:
            while not stop.wait(every):
                try:
                    rows.filter(claimed_by=claimed_by).update(lease_until=timezone.now() + length())
                except DatabaseError as error:  # tried again at the next turn; if it never works, the
                    log.warning("Could not renew a lease on %s: %s", rows.model.__name__, error)  # lease ends
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=renew, name="lease-renewal", daemon=True)
    thread.start()
    try:
        yield
    except BaseException:
        stop.set()
        with contextlib.suppress(DatabaseError):  # the database may be why it failed: the lease runs out then
            rows.filter(claimed_by=claimed_by).update(lease_until=timezone.now())
        raise
    finally:
        stop.set()
        thread.join(timeout=10)


@dataclass(frozen=True)
class Work:
    """A kind of work workers claim: rows of `model` (a documents.models.Job) waiting in status `queued`,
    worked on in status `working` by the task named `task`, handed out again by the periodic catch-up
    scheduled as `catch_up` in CELERY_BEAT_SCHEDULE."""

    model: type[models.Model]
    task: str
    working: str
    catch_up: str
    queued: str = "queued"

    def claim(self, job: models.Model, now: datetime | None = None) -> bool:
        """Claims `job` (its row locked by the caller) for this process, unless a live worker holds it:
        False then, and nothing is changed. Otherwise the job is now being worked on, by this process
        until the lease runs out; the caller saves CLAIM_FIELDS (with any of its own)."""
        if job.status == self.working and not expired(job.claimed_by, job.lease_until, now):
            return False
        now = now or timezone.now()
        job.status, job.started_at = self.working, now
        job.claimed_by, job.lease_until = holder(), now + length()
        job.attempts += 1
        return True

    def held_by_another(self, job: models.Model, now: datetime | None = None) -> bool:
        """Whether a live worker other than this process is working on `job` (it took the work over from
        this one): this process then records nothing of its own about the job."""
        return (
            job.status == self.working
            and job.claimed_by != holder()
            and not expired(job.claimed_by, job.lease_until, now)
        )

    def renewed(self, pk: int, claimed_by: str):
        """`renewed` for the job `pk` while it is being worked on."""
        return renewed(self.model._default_manager.filter(pk=pk, status=self.working), claimed_by)

    def stopped(self, now: datetime | None = None) -> list[int]:
        """The jobs being worked on whose worker stopped (their lease ran out, or its process is gone)."""
        working = self.model._default_manager.filter(status=self.working).only(
            "pk", "claimed_by", "lease_until"
        )
        return [job.pk for job in working if expired(job.claimed_by, job.lease_until, now)]

    def to_hand_out(self, now: datetime | None = None) -> list[int]:
        """The jobs the catch-up hands out again, at once: those waiting that the task queue no longer
        holds (Redis restarted empty, or was away when they were asked for), and those whose worker
        stopped. When the queue cannot be read, a waiting job is handed out again once it has waited
        STALE_QUEUED."""
        now = now or timezone.now()
        queued = self.model._default_manager.filter(status=self.queued)
        held = outbox.held_by_queue(self.task)
        if held is None:
            queued = queued.filter(requested_at__lt=now - STALE_QUEUED)
        else:
            queued = queued.exclude(pk__in=held)
        return [*queued.values_list("pk", flat=True), *self.stopped(now)]

    def last_lease_end(self, now: datetime | None = None) -> datetime | None:
        """When the last of the leases held now runs out if not renewed (None when there is none)."""
        now = now or timezone.now()
        return (
            self.model._default_manager.filter(status=self.working, lease_until__gt=now)
            .order_by("-lease_until")
            .values_list("lease_until", flat=True)
            .first()
        )

    def sweep_minutes(self) -> int:
        """Minutes between two runs of the periodic catch-up that hands this work out again."""
        minutes = sorted(settings.CELERY_BEAT_SCHEDULE[self.catch_up]["schedule"].minute)
        return minutes[1] - minutes[0] if len(minutes) > 1 else 60

    def progress(self, job: models.Model, now: datetime | None = None) -> str:
        """Where a job on its way stands, for its status page to say truthfully how long it may take:
        "stopped" (its worker stopped: the next catch-up hands it out again, within `sweep_minutes()`),
        "working" (a live worker has it), "waiting long" (the queue is busy or away) or "waiting"."""
        now = now or timezone.now()
        if job.status == self.working:
            return "stopped" if expired(job.claimed_by, job.lease_until, now) else "working"
        return "waiting long" if job.requested_at < now - STALE_QUEUED else "waiting"


def looked_at_again(task, works: list[Work], now: datetime | None = None) -> datetime | None:
    """At a worker's start, asks the catch-up `task` to run once more when the last lease held now on
    `works` runs out (every stopped holder's has then: only live ones renew), so work whose worker
    stopped on another machine is taken over then, not at the next periodic run. Returns that time."""
    now = now or timezone.now()
    ends = [end for end in (work.last_lease_end(now) for work in works) if end is not None]
    if not ends:
        return None
    last = max(ends)
    task.apply_async(kwargs={"at_start": False}, countdown=max(1.0, (last - now).total_seconds() + 1))
    return last
