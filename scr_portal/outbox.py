"""The outbox: how the portal hands work to its Celery workers without ever losing it.

Work is recorded in the database before it is queued (a notification not yet emailed, a document still
queued), so the queued message is only a nudge. When the task queue (Redis) cannot be reached, `send`
logs it and returns False instead of raising; the record stays as it is and a periodic catch-up task
(and each worker as it starts) hands it out again once the queue is back. The person whose action was
delayed is told so in plain words on the next page they see (`DelayMessagesMiddleware`).

With no broker (the embedded default) tasks run in the process that asks for them. Long work sent with
`background=True` (documents, exports) then runs in a thread of the server process, so the request returns
at once and the person watches the status page move from queued to ready as with a worker
(TASKS_IN_BACKGROUND_THREAD; the test settings keep it off so that tests run the work there and then)."""

from __future__ import annotations

import ast
import json
import logging
import threading
from contextvars import ContextVar

import redis
from celery.signals import worker_ready
from django.conf import settings
from django.contrib import messages
from django.db import connections
from kombu.exceptions import OperationalError

from .celery import app

log = logging.getLogger(__name__)

EMAIL_DELAYED = (
    "The portal's task queue is not answering just now, so the email about this will be sent a little "
    "later. Nothing is lost: the portal will send it automatically once the queue is back."
)
DOCUMENT_DELAYED = (
    "The portal's task queue is not answering just now, so your document is waiting to be made. Nothing "
    "is lost: the portal will make it automatically once the queue is back, and you will get a "
    "notification when it is ready."
)
EXPORT_DELAYED = (
    "The portal's task queue is not answering just now, so your Excel file is waiting to be made. Nothing "
    "is lost: the portal will make it automatically once the queue is back; this page shows when it is "
    "ready."
)
# Periodic tasks that hand out again whatever the queue missed; also run when a worker starts.
CATCH_UP_TASKS = ("reviews.send_pending_emails", "documents.requeue_stale", "records.requeue_stale")
# Those of them that hand out work claimed under a lease (scr_portal/leases.py): at a worker's start they
# also look again when the leases held now run out.
LEASED_CATCH_UP_TASKS = ("documents.requeue_stale", "records.requeue_stale")
# Kombu's Redis transport keeps a queue's messages of priority N (1-9) in the list "<queue>\x06\x16N", and
# the messages handed to a worker and not yet acknowledged in the hash "unacked".
_PRIORITY_SEPARATOR = "\x06\x16"

# What to tell the person making the current request (None outside a request: a worker, a command).
_delays: ContextVar[list[str] | None] = ContextVar("outbox_delays", default=None)


def task_named(name: str):
    """The registered task called `name`. Services queue work by the task's name, so a service never
    imports the tasks module that calls it back (tasks stay thin: load by id, call a service)."""
    if name not in app.tasks:
        app.loader.import_default_modules()  # the apps' tasks modules (autodiscovery), imported once
    return app.tasks[name]


def in_background_thread() -> bool:
    """Whether work sent with `background=True` runs in a thread of this process: only with no broker."""
    return bool(settings.CELERY_TASK_ALWAYS_EAGER and getattr(settings, "TASKS_IN_BACKGROUND_THREAD", False))


def _run_in_thread(task, args: tuple) -> threading.Thread:
    """Runs `task` eagerly in a new daemon thread. The thread has its own database connection (Django's are
    per thread), closed when the task ends so none is left open; a failure the task does not record
    itself is logged. Work cut short by the process stopping stays recorded (queued or being made) for the
    catch-up, as with a worker that dies."""

    def run() -> None:
        try:
            task.apply(args=args, throw=True)
        except Exception:  # nobody waits on this thread: log it, never lose it silently
            log.exception("Background task %s%r failed", task.name, args)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=f"outbox-{task.name}", daemon=True)
    thread.start()
    return thread


def send(task_name: str, *args, delayed: str, background: bool = False) -> bool:
    """Queues the task named `task_name` with `args` (in the embedded default, runs it now, or with
    `background` in a thread of this process). False when the task queue cannot be reached: the work
    stays recorded in the database for the catch-up, and the person is told `delayed`."""
    try:
        if background and in_background_thread():
            _run_in_thread(task_named(task_name), args)
            return True
        task_named(task_name).delay(*args)
    except (OperationalError, OSError) as error:  # kombu's retries are over: the broker is away
        log.warning("Could not queue %s%r, left for the catch-up: %s", task_name, args, error)
        told = _delays.get()
        if told is not None and delayed not in told:
            told.append(delayed)
        return False
    return True


def held_by_queue(task_name: str) -> set | None:
    """The first argument (a row's id) of every message for `task_name` the task queue still holds: waiting
    on the portal's queue, or handed to a worker that has not acknowledged it. None when that cannot be
    told (no broker, or it does not answer): callers then fall back on how long the work has waited."""
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.REDIS_URL:
        return None
    queue = app.conf.task_default_queue
    keys = [queue, *(f"{queue}{_PRIORITY_SEPARATOR}{n}" for n in range(1, 10))]
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=5)
        messages_held = [m for key in keys for m in client.lrange(key, 0, -1)]
        messages_held += list(client.hvals("unacked"))
    except redis.RedisError as error:
        log.warning("Could not read the task queue: %s", error)
        return None
    held = set()
    for raw in messages_held:
        try:
            message = json.loads(raw)
            if isinstance(message, list):  # an unacknowledged one: [message, exchange, routing key]
                message = message[0]
            headers = message.get("headers") or {}
            if headers.get("task") == task_name:
                args = ast.literal_eval(headers.get("argsrepr") or "()")
                if args:
                    held.add(args[0])
        except (ValueError, TypeError, AttributeError, IndexError, SyntaxError):
            continue  # not one of ours
    return held


class DelayMessagesMiddleware:
    """Tells the person, once per kind, which of their actions' queued work was delayed. The message is
    added after the view has run (the work is queued once its transaction commits), so it shows on the
    page they see next: after a form, the page they are sent to. Must come after MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _delays.set([])
        try:
            response = self.get_response(request)
            for text in _delays.get():
                messages.warning(request, text)
        finally:
            _delays.reset(token)
        return response


@worker_ready.connect
def catch_up_when_a_worker_starts(sender, **kwargs) -> None:
    """A worker that starts (after a restart, or after the queue was away) asks for the catch-up at once
    rather than at the next periodic run, on the first queue it consumes, so it does the catch-up itself."""
    queue = next(iter(sender.app.amqp.queues.consume_from))
    for name in CATCH_UP_TASKS:
        kwargs = {"at_start": True} if name in LEASED_CATCH_UP_TASKS else {}
        sender.app.send_task(name, queue=queue, kwargs=kwargs)
