"""Worker killed mid-task, for notification emails: the worker's pool process (the child running the task)
dies with SIGKILL while it is sending, the task runs again (acks_late and reject_on_worker_lost: the main
process hands the message back at once) and each notification is emailed once.

As in tests/integration/test_documents_worker.py the kill is made deterministic by waiting for the task to
be at a known point before killing: here the test's mail server holds its answer to the second email, so
the child is stuck mid-send.

One window cannot be closed: an email the mail server has accepted but whose `emailed_at` the dead child
never committed is sent again by the rerun. The second test holds the child exactly there (a table lock
keeps its UPDATE waiting) to show what then happens: that one email twice, with the same Message-ID, which
mail systems that drop duplicate Message-IDs show once; every other email once."""

from __future__ import annotations

import os
import signal
from collections import Counter

import psycopg2
import pytest
from django.db import connection
from django.utils import timezone

from reviews import notifications
from reviews.models import Notification
from tests.conftest import World
from tests.faults.conftest import wait_for
from tests.integration.conftest import live_processes

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _kill_the_child(worker) -> int:
    """SIGKILL to the worker's pool process running the task; the worker's main process lives on."""
    (child,) = live_processes(parent=worker.process.pid)
    os.kill(child, signal.SIGKILL)
    wait_for(
        "the killed child to be gone", lambda: child not in live_processes(parent=worker.process.pid), 10
    )
    return child


def _notify_three(world: World) -> list[Notification]:
    """Three people who want emails at once are notified (the real path: rows, then the task queued)."""
    Notification.objects.update(emailed_at=timezone.now())  # the fixture's own notice is not part of this
    notes = notifications.notify(
        review=world.north_review,
        recipients=[world.north_member, world.north_chair, world.north_reviewer],
        kind=Notification.Kind.INFORMATION,
        title="NSCB-1: the panel meets on Thursday",
        body="Papers are on the review's page.",
        path=f"/reviews/{world.north_review.pk}/",
        key="fault:worker-killed",
    )
    assert len(notes) == 3
    return notes


def _all_emailed() -> bool:
    return not Notification.objects.filter(emailed_at=None).exists()


def test_a_worker_killed_while_sending_emails_each_notification_once(workers, mail_server, world):
    mail_server.hold(2)  # the mail server keeps the child waiting for its answer to the second email
    worker = workers.start()
    notes = _notify_three(world)
    wait_for("the second email to be mid-send", mail_server.holding.is_set, 60, workers.logs)
    sent_before = Notification.objects.filter(pk__in=[n.pk for n in notes]).exclude(emailed_at=None)
    assert sent_before.count() == 1  # the first is sent and marked

    _kill_the_child(worker)
    mail_server.release()  # too late: the sender is gone, so that email was never accepted
    rerun = wait_for("every notification to be emailed", _all_emailed, 60, workers.logs)

    expected = sorted(notifications.message_id(n) for n in notes)
    assert sorted(mail_server.message_ids()) == expected, "each email accepted once"
    assert mail_server.dropped == 1
    log = worker.log.read_text(errors="replace")
    assert "WorkerLostError" in log and "SIGKILL" in log
    assert log.count("Task reviews.send_notification_emails[") >= 3  # received, received again, succeeded
    print(
        f"\nkilled mid-send: {mail_server.received} emails received by the mail server, "
        f"{len(mail_server.accepted)} accepted, {mail_server.dropped} dropped with the killed sender; "
        f"all emailed {rerun:.1f} s after the kill"
    )


def test_a_worker_killed_between_sending_and_marking_sends_that_email_again_with_the_same_message_id(
    workers, mail_server, world
):
    notes = _notify_three(world)  # queued; no worker yet
    lock = psycopg2.connect(**connection.get_connection_params())
    try:
        # Readers and row locks pass, but the child's UPDATE of emailed_at waits after the first email.
        lock.cursor().execute(f"LOCK TABLE {Notification._meta.db_table} IN SHARE MODE")
        worker = workers.start()

        def waiting_to_mark() -> bool:
            with lock.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                return cursor.fetchone()[0] == 1

        wait_for("the first email to be accepted", lambda: len(mail_server.accepted) == 1, 60, workers.logs)
        wait_for("the child to wait to mark it emailed", waiting_to_mark, 30, workers.logs)
        _kill_the_child(worker)
    finally:
        lock.rollback()
        lock.close()
    rerun = wait_for("every notification to be emailed", _all_emailed, 60, workers.logs)

    sent = Counter(mail_server.message_ids())
    first = mail_server.accepted[0]["Message-ID"]
    assert sent == {
        notifications.message_id(n): 2 if notifications.message_id(n) == first else 1 for n in notes
    }
    assert mail_server.dropped == 0
    print(
        f"\nkilled between send and mark: {sum(sent.values())} emails for 3 notifications (the repeat under "
        f"one Message-ID); all emailed {rerun:.1f} s after the kill"
    )
