"""A board pack made by a real Celery worker through Redis, and made exactly once even when the worker is
killed mid-render: the whole worker (main process and the child rendering) dies with SIGKILL, a new worker
starts on the same queue, and the document ends ready, one row, one file, its SHA-256 matching the file.

Two ways back from a dead worker are proved: Redis handing the unacknowledged message out again after the
broker's visibility timeout (set low here through CELERY_VISIBILITY_TIMEOUT, which only the consuming
workers use: kombu restores unacknowledged messages in the consumer, on a worker's start and then on a
timer), and, when the message is lost altogether, the new worker's start-up catch-up, which takes over a
document whose lease holder is gone (`documents.services.documents_requeue_stale`): at once when the holder
was a process of this machine, when its lease runs out otherwise."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from documents import services as documents
from documents.models import Document
from responses.models import EngagementActivity, LearningItem, Meeting
from reviews.models import Review, State
from tests.conftest import World
from tests.integration.conftest import Worker, Workers, live_processes, worker_pool
from tests.responses.helpers import action, at_stage, finding, plan_priority, theme

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

VISIBILITY_TIMEOUT = 5  # seconds: how long Redis keeps an unacknowledged message from other workers
FINDINGS = 40  # enough for a render of several seconds (about 40 pages)
PARAGRAPH = (
    "Agencies each held part of the picture: the health visitor knew the appointments were missed, the "
    "school knew the child was often late and hungry, and the police knew of the partner's history. No one "
    "brought these together, and each agency's own threshold was never reached on its own evidence."
)


def _wait_for(
    what: str,
    condition: Callable[[], bool],
    timeout: float,
    interval: float = 0.1,
    details: Callable[[], str] = str,
) -> float:
    """Waits until `condition()` holds; returns the seconds it took, fails the test after `timeout` (with
    `details()`, read then: the workers' logs)."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{details()}")
        time.sleep(interval)
    return time.monotonic() - started


def _status(pk: int) -> str:
    """The document's status now; fails the test at once if the render failed (a worker's error, not a
    kill, so no point waiting)."""
    status, error = Document.objects.filter(pk=pk).values_list("status", "error").get()
    if status == Document.Status.FAILED:
        pytest.fail(f"the render failed: {error}")
    return status


def _kill_worker(worker: Worker) -> None:
    """SIGKILL to the worker's whole process group: the main process and the pool child mid-render."""
    pgid = worker.process.pid  # started with start_new_session=True: the group is the worker's own
    os.killpg(pgid, signal.SIGKILL)
    worker.process.wait(timeout=10)
    _wait_for("every process of the killed worker to be gone", lambda: not live_processes(group=pgid), 10)


def _big_board_pack(world: World) -> Review:
    """The north review at the response stage with enough findings, actions, engagement and learning for a
    render of a few seconds."""
    review = at_stage(world.north_review, State.RESPONSE)
    meeting = Meeting.objects.create(
        review=review,
        kind=Meeting.Kind.EXTRAORDINARY,
        held_on=date(2026, 2, 10),
        minutes_given=120,
        chaired_by="The chair",
        created_by=world.north_manager,
    )
    priority = plan_priority(world.north, 1)
    names = ("Neglect", "Information sharing", "Voice of the child", "Domestic abuse")
    for n in range(1, FINDINGS + 1):
        f = finding(
            review, n, title=f"Finding {n}", text=f"{PARAGRAPH}\n\n{PARAGRAPH}", themes=(names[n % 4],)
        )
        f.position, f.position_reason, f.position_meeting = "accepted", f"The board agrees ({n}).", meeting
        f.save()
        action(
            review,
            world.north_member,
            findings=[f],
            number=n,
            description=f"Action {n}: bring agencies' information together at every strategy discussion.",
            priority=1 + n % 3,
            plan_priority=priority,
            due_on=date(2026, 6, 1) + timedelta(days=n),
        )
        EngagementActivity.objects.create(
            review=review,
            audience=EngagementActivity.Audience.values[n % len(EngagementActivity.Audience.values)],
            description=f"Briefing on finding {n}",
            method=EngagementActivity.Method.BRIEFING,
            planned_on=date(2026, 4, 1) + timedelta(days=n),
        )
    for name in names:
        item = LearningItem.objects.create(
            board=world.north,
            title=f"Audit: {name.lower()}",
            source=LearningItem.Source.AUDIT,
            summary=PARAGRAPH,
            learned_on=date(2025, 11, 1),
            created_by=world.north_manager,
        )
        item.themes.set([theme(name)])
    return review


@pytest.fixture
def workers(services, tmp_path, settings, monkeypatch) -> Iterator[Workers]:
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", str(VISIBILITY_TIMEOUT))  # seen by the workers
    yield from worker_pool(tmp_path, settings, monkeypatch)


def _ask_and_kill_mid_render(world: World, workers: Workers) -> tuple[Document, dict[str, float]]:
    """Asks for the board pack (the real request path: the HTML is fixed, the task queued after commit),
    waits until the first worker is rendering it, and kills that worker outright."""
    review = _big_board_pack(world)
    first = workers.start()
    timings = {}
    started = time.monotonic()
    document = documents.document_request(review=review, user=world.north_manager, kind="board_pack")
    timings["to rendering"] = _wait_for(
        "the first worker to start rendering",
        lambda: _status(document.pk) == Document.Status.RENDERING,
        60,
        details=workers.logs,
    )
    time.sleep(0.5)  # well into the render (it takes several seconds)
    _kill_worker(first)
    timings["killed at"] = time.monotonic() - started
    document.refresh_from_db()
    assert document.status == Document.Status.RENDERING, "the render finished before the kill: make it bigger"
    assert document.attempts == 1 and not document.file
    assert "Task documents.render_document" in first.log.read_text(errors="replace")
    return document, timings


def _assert_made_once(document: Document) -> Document:
    assert Document.objects.filter(review=document.review, kind="board_pack").count() == 1
    assert Document.objects.filter(data_version=document.data_version).count() == 1
    made = Document.objects.get(pk=document.pk)
    assert made.status == Document.Status.READY
    assert made.attempts >= 2  # the killed attempt and the one that finished
    assert made.pages and made.pages > 10
    files = list(Path(made.file.storage.location, "documents", str(made.review_id)).iterdir())
    assert files == [Path(made.file.path)], "exactly one file: the killed render stored nothing"
    body = Path(made.file.path).read_bytes()
    assert body.startswith(b"%PDF") and len(body) == made.size
    assert hashlib.sha256(body).hexdigest() == made.sha256
    return made


def test_a_worker_killed_mid_render_is_replaced_and_the_board_pack_is_made_once(workers, world):
    """Redis gives the message the dead worker held (unacknowledged: acks_late) to the next worker once
    the visibility timeout has passed; the rerun finishes the same document."""
    document, timings = _ask_and_kill_mid_render(world, workers)
    # A worker restores messages unacknowledged for longer than the visibility timeout when it starts
    # (then on a timer), so start the next one once the dead worker's message is past it.
    time.sleep(VISIBILITY_TIMEOUT + 1)
    started = time.monotonic()
    second = workers.start()
    timings["second worker up"] = time.monotonic() - started
    timings["to ready"] = _wait_for(
        "the second worker to finish the board pack",
        lambda: _status(document.pk) == Document.Status.READY,
        180,
        interval=0.2,
        details=workers.logs,
    )
    made = _assert_made_once(document)
    assert "Task documents.render_document" in second.log.read_text(errors="replace")
    print(
        f"\nkill and redelivery: {made.pages} pages, attempts {made.attempts}, timings (s) {json.dumps({k: round(v, 1) for k, v in timings.items()})}"
    )


def _lose_the_message(workers: Workers) -> None:
    """Removes the dead worker's unacknowledged message, as when Redis restarted without persistence while
    the worker was dying: nothing is left to redeliver."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    lost = [tag for tag, payload in client.hgetall("unacked").items() if workers.queue.encode() in payload]
    assert lost, "the dead worker's message should be waiting, unacknowledged"
    client.hdel("unacked", *lost)
    client.zrem("unacked_index", *lost)


def test_when_the_message_is_lost_too_a_new_worker_takes_the_document_over_at_its_start(workers, world):
    """The row stays "rendering" under the dead worker's lease; its holder (the killed pool process of
    this machine) is gone, so the next worker's start-up catch-up hands it out again at once."""
    document, timings = _ask_and_kill_mid_render(world, workers)
    _lose_the_message(workers)
    started = time.monotonic()
    second = workers.start()
    _wait_for(
        "the new worker to take the board pack over and finish it",
        lambda: _status(document.pk) == Document.Status.READY,
        120,
        interval=0.2,
        details=workers.logs,
    )
    timings["worker start to ready"] = time.monotonic() - started
    made = _assert_made_once(document)
    assert made.lease_until is None  # ready: nobody holds it any more
    assert timings["worker start to ready"] < 120
    assert "Task documents.render_document" in second.log.read_text(errors="replace")
    assert documents.documents_requeue_stale() == 0  # nothing left to hand out
    print(
        f"\ntaken over at a worker's start: {made.pages} pages, timings (s) {json.dumps({k: round(v, 1) for k, v in timings.items()})}"
    )


def test_a_document_whose_worker_stopped_on_another_machine_is_taken_over_when_its_lease_runs_out(
    workers, world
):
    """The holder is on another machine, so only its lease tells: the worker's start-up catch-up looks
    again when the lease runs out (WORK_LEASE_SECONDS, 60 s) and hands the document out then, well within
    two minutes of the worker starting rather than at the sweep's next run."""
    document, timings = _ask_and_kill_mid_render(world, workers)
    _lose_the_message(workers)
    Document.objects.filter(pk=document.pk).update(claimed_by="another-machine.example:4242")
    lease_until = Document.objects.get(pk=document.pk).lease_until
    started = time.monotonic()
    workers.start()
    _wait_for(
        "the lease to run out and the board pack to be made",
        lambda: _status(document.pk) == Document.Status.READY,
        120,
        interval=0.5,
        details=workers.logs,
    )
    timings["worker start to ready"] = time.monotonic() - started
    made = _assert_made_once(document)
    assert made.started_at >= lease_until  # not taken from a holder whose lease still ran
    assert timings["worker start to ready"] < 120
    print(
        f"\ntaken over when the lease ran out: timings (s) {json.dumps({k: round(v, 1) for k, v in timings.items()})}"
    )
