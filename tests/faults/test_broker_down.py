"""Broker down: with Redis stopped, every page still serves, work a person starts (an email, a document) is
kept in the database and they are told in plain words that it is delayed, and once Redis is back the
catch-up does it, exactly once.

The services tests stop the real Redis that .ci/run started (`redis_server`, which always starts it
again), use PostgreSQL and start real Celery worker processes; they skip without those services and fail
under REQUIRE_SERVICES=1. The tests of the outbox's messages and the catch-up run on the embedded default
(SQLite, tasks in-process) too, with the broker's failure simulated."""

from __future__ import annotations

import dataclasses
import json
import re
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from kombu.exceptions import OperationalError

from commissioning.tor import services as tor
from documents.models import Document
from reviews import notifications
from reviews.models import Notification, Review
from scr_portal import outbox
from scr_portal.accounts.models import User
from tests.conftest import World
from tests.faults.conftest import wait_for
from tests.reviews.test_workflow import date_input
from tests.test_authorization import ROUTES

BROKER_AWAY = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def _commissioning(review: Review) -> Review:
    Review.objects.filter(pk=review.pk).update(state="commissioning")
    review.refresh_from_db()
    return review


def _shown(page: str, message: str) -> bool:
    return escape(message) in page


# The outbox's messages and the catch-up (no services needed) -----------------------------------------


def _send_for_comment(client, world: World):
    """The business manager sends the north review's draft terms of reference for comment, as on the page:
    everyone on the review is notified (emailed at once by default)."""
    review = _commissioning(world.north_review)
    version = tor.tor_draft_create(review=review, user=world.north_manager)
    closes = timezone.localdate() + timedelta(days=10)
    client.force_login(world.north_manager)
    started = time.monotonic()
    response = client.post(
        reverse("tor_send", args=[review.pk, version.number]), date_input("closes_on", closes)
    )
    took = time.monotonic() - started
    assert response.status_code == 302, response.content.decode()[:2000]
    return version, response["Location"], took


def _ask_for_document(client, version):
    started = time.monotonic()
    response = client.post(
        reverse("document_make", args=[version.review_id]), {"kind": "tor", "number": version.number}
    )
    took = time.monotonic() - started
    assert response.status_code == 302, response.content.decode()[:2000]
    return Document.objects.get(), response["Location"], took


@pytest.mark.django_db(transaction=True)
def test_when_the_email_cannot_be_queued_the_person_is_told_and_the_notifications_are_kept(client, world):
    with mock.patch("reviews.tasks.send_notification_emails.delay", side_effect=BROKER_AWAY) as delay:
        version, location, _ = _send_for_comment(client, world)
    assert delay.call_count == 2  # the comment round's notice, and the chair's about approval

    page = client.get(location).content.decode()
    assert _shown(page, outbox.EMAIL_DELAYED)
    assert page.count(escape(outbox.EMAIL_DELAYED)) == 1, "told once, however many emails wait"
    notes = Notification.objects.filter(key__startswith=f"tor:{version.pk}:")
    assert {n.recipient for n in notes} >= {world.north_member, world.north_chair, world.north_reviewer}
    assert not notes.exclude(emailed_at=None).exists()
    assert not _shown(client.get(location).content.decode(), outbox.EMAIL_DELAYED), "told once only"


@pytest.mark.django_db(transaction=True)
def test_nobody_is_told_of_a_delay_when_the_queue_answers(client, world):
    version, location, _ = _send_for_comment(client, world)
    page = client.get(location).content.decode()
    assert "is out for comment" in page and not _shown(page, outbox.EMAIL_DELAYED)
    assert not Notification.objects.filter(key__startswith=f"tor:{version.pk}:", emailed_at=None).exists()


@pytest.mark.django_db(transaction=True)
def test_a_document_asked_for_while_the_queue_is_away_waits_and_the_page_says_what_happens_next(
    client, world
):
    review = _commissioning(world.north_review)
    version = tor.tor_draft_create(review=review, user=world.north_manager)
    client.force_login(world.north_manager)
    with mock.patch("documents.tasks.render_document.delay", side_effect=BROKER_AWAY):
        document, location, _ = _ask_for_document(client, version)
    assert document.status == Document.Status.QUEUED

    page = client.get(location).content.decode()
    assert _shown(page, outbox.DOCUMENT_DELAYED)
    assert "Waiting to be made" in page and "you will get a notification when the document is ready" in page
    assert "could not be made" not in page

    # Later, still waiting: the page itself explains, without the one-off message.
    Document.objects.filter(pk=document.pk).update(requested_at=timezone.now() - timedelta(minutes=5))
    page = client.get(location).content.decode()
    assert not _shown(page, outbox.DOCUMENT_DELAYED)
    assert "This is taking longer than usual because the portal's task queue is busy or not answering" in page
    assert "This is not an error" in page


def _pending(world: World, person: str, minutes_ago: float, key: str) -> Notification:
    return Notification.objects.create(
        recipient=getattr(world, person),
        review=world.north_review,
        kind=Notification.Kind.INFORMATION,
        title=f"Update {key}",
        path=f"/reviews/{world.north_review.pk}/",
        key=key,
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_the_catch_up_emails_what_the_queue_missed_once(world):
    User.objects.filter(pk=world.north_chair.pk).update(email_frequency=User.EmailFrequency.DAILY)
    Notification.objects.update(emailed_at=timezone.now())
    missed = [_pending(world, "north_member", 5, "a"), _pending(world, "north_reviewer", 3, "b")]
    fresh = _pending(world, "north_member", 0.2, "c")  # its own task may still be on its way
    daily = _pending(world, "north_chair", 5, "d")  # the chair asked for a daily summary

    assert notifications.email_pending() == 2
    assert notifications.email_pending() == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["member@north.example", "reviewer@north.example"]
    assert {m.extra_headers["Message-ID"] for m in mail.outbox} == {
        notifications.message_id(n) for n in missed
    }
    assert Notification.objects.filter(pk__in=[fresh.pk, daily.pk], emailed_at=None).count() == 2


def test_a_notification_keeps_its_message_id_however_often_it_is_emailed(world):
    note = world.north_notification
    first = notifications.message_id(note)
    assert first == notifications.message_id(Notification.objects.get(pk=note.pk))
    assert re.fullmatch(rf"<notification\.{note.pk}\.\d{{14}}@[\w.-]+>", first)
    notifications.email_notifications([note.pk])
    assert mail.outbox[0].message()["Message-ID"] == first


# With the real services: Redis stopped, pages, healthz, and the way back -----------------------------


def _fresh(world: World) -> World:
    """The world as the database now has it (after a rolled-back page visit changed some of it)."""
    return dataclasses.replace(
        world,
        **{
            f.name: type(value)._default_manager.get(pk=value.pk)
            for f in dataclasses.fields(world)
            if hasattr(value := getattr(world, f.name), "pk")
        },
    )


GET_PAGES = sorted(name for name, route in ROUTES.items() if route.method == "get")
# The pages the issue names, which must not merely answer as before but show the page itself.
KEY_PAGES = (
    "home",
    "review_list",
    "review_detail",
    "action_plan",
    "board_action_plan",
    "tor_comments",
    "notification_list",
    "documents",
    "document_detail",
    "response",
    "board_detail",
)


def _visit_every_page(client, world: World) -> dict[str, tuple[int, float]]:
    """Every GET page of the authorization table, as the person entitled to it (a business manager for the
    pages of no particular object, nobody for the public ones), each on the world as the fixture made it:
    what it answered and how long it took."""
    answers = {}
    for name in GET_PAGES:
        route = ROUTES[name]
        with transaction.atomic():
            w = _fresh(world)
            if route.public:
                client.logout()
            else:
                client.force_login(getattr(w, route.allowed or "north_manager"))
            url = reverse(name, kwargs=route.kwargs(w))
            started = time.monotonic()
            status = client.get(url, route.data).status_code
            answers[name] = (status, time.monotonic() - started)
            transaction.set_rollback(True)
    return answers


def test_with_redis_stopped_every_page_answers_as_it_does_with_redis_running(redis_server, client, world):
    assert len(GET_PAGES) > 100 and set(KEY_PAGES) <= set(GET_PAGES)
    running = _visit_every_page(client, world)
    assert not {n: s for n, (s, _) in running.items() if s >= 500}

    redis_server.stop()
    stopped = _visit_every_page(client, world)
    health = client.get(reverse("healthz"))

    differ = {n: (running[n][0], stopped[n][0]) for n in GET_PAGES if running[n][0] != stopped[n][0]}
    assert differ == {"healthz": (200, 503)}, differ
    assert {n: stopped[n][0] for n in KEY_PAGES} == dict.fromkeys(KEY_PAGES, 200)
    assert health.json()["redis"].startswith("error: ") and health.json()["database"] == "ok"
    slowest = max(stopped, key=lambda n: stopped[n][1])
    print(
        f"\n{len(GET_PAGES)} pages with Redis stopped: "
        f"{sum(t for _, t in stopped.values()):.1f} s in all against {sum(t for _, t in running.values()):.1f} s "
        f"with Redis running; slowest {slowest} {stopped[slowest][1] * 1000:.0f} ms"
    )


def _task_done(workers, name: str) -> bool:
    return any(
        re.search(rf"Task {re.escape(name)}\[[0-9a-f-]+\] succeeded", w.log.read_text(errors="replace"))
        for w in workers.started
    )


def test_with_redis_stopped_work_is_kept_and_done_exactly_once_when_it_is_back(
    redis_server, workers, mail_server, client, world
):
    from scr_portal.celery import app

    Notification.objects.update(emailed_at=timezone.now())  # the fixture's own notice is not part of this
    timings = {}
    redis_server.stop()

    # An email for everyone on the review: in the portal at once, the email delayed, the manager told.
    version, location, timings["send for comment (POST)"] = _send_for_comment(client, world)
    started = time.monotonic()
    page = client.get(location).content.decode()
    timings["comments page (GET)"] = time.monotonic() - started
    assert _shown(page, outbox.EMAIL_DELAYED)
    waiting = list(Notification.objects.filter(emailed_at=None).select_related("recipient"))
    assert {n.recipient for n in waiting} == {world.north_member, world.north_chair, world.north_reviewer}
    client.force_login(world.north_member)
    assert "comment on the terms of reference" in client.get(reverse("notification_list")).content.decode()

    # A document: recorded as waiting, and the page says so and what happens next.
    client.force_login(world.north_manager)
    document, location, timings["ask for a document (POST)"] = _ask_for_document(client, version)
    page = client.get(location).content.decode()
    assert document.status == Document.Status.QUEUED
    assert _shown(page, outbox.DOCUMENT_DELAYED) and "Waiting to be made" in page

    # Redis comes back (empty: nothing that was queued survives) and a worker starts. At its start it
    # runs the catch-up at once: the queue no longer holds the document, so it is made at once, however
    # short a time it has waited; the emails wait for the periodic catch-up (nothing has waited a minute).
    redis_server.start()
    started = time.monotonic()
    workers.start()
    for name in outbox.CATCH_UP_TASKS:
        wait_for(
            f"the worker's own {name} at its start", lambda n=name: _task_done(workers, n), 60, workers.logs
        )
    wait_for(
        "the document to be made at the worker's start",
        lambda: Document.objects.get(pk=document.pk).status == Document.Status.READY,
        60,
        workers.logs,
    )
    timings["worker start to ready"] = time.monotonic() - started
    # Its "ready" notice to the manager goes the ordinary way, now the queue answers.
    wait_for("the document's ready notice", lambda: len(mail_server.accepted) == 1, 60, workers.logs)
    assert mail_server.accepted[0]["To"] == world.north_manager.email
    assert Notification.objects.filter(emailed_at=None).count() == len(waiting)

    # The outage lasted some minutes: the periodic catch-up runs, sent through the broker as beat sends it.
    Notification.objects.filter(emailed_at=None).update(created_at=timezone.now() - timedelta(minutes=5))
    started = time.monotonic()
    assert app.send_task("reviews.send_pending_emails", ignore_result=False).get(timeout=60) == len(waiting)
    assert app.send_task("documents.requeue_stale", ignore_result=False).get(timeout=60) == 0  # made
    expected = len(waiting) + 1
    timings["all emails sent"] = wait_for(
        f"{expected} emails", lambda: len(mail_server.accepted) >= expected, 60, workers.logs
    )
    timings["catch-up to done"] = time.monotonic() - started

    # Running the catch-up again finds nothing to do: each email once, the document once.
    assert app.send_task("reviews.send_pending_emails", ignore_result=False).get(timeout=60) == 0
    assert app.send_task("documents.requeue_stale", ignore_result=False).get(timeout=60) == 0
    ids = mail_server.message_ids()
    sent = Notification.objects.select_related("recipient")
    assert sorted(ids) == sorted(
        notifications.message_id(n) for n in sent.exclude(pk=world.north_notification.pk)
    )
    assert not sent.filter(emailed_at=None).exists()
    assert {m["To"] for m in mail_server.accepted} == {
        world.north_member.email,
        world.north_chair.email,
        world.north_reviewer.email,
        world.north_manager.email,
    }
    made = Document.objects.get(pk=document.pk)
    assert made.attempts == 1 and Document.objects.count() == 1
    assert [p.name for p in Path(made.file.path).parent.iterdir()] == [Path(made.file.path).name]
    print(
        f"\nbroker down and back: {len(waiting)} notifications waiting, 1 document; "
        f"timings (s) {json.dumps({k: round(v, 2) for k, v in timings.items()})}"
    )
