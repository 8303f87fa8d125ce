"""Checks the services this installation is configured to use: database, Redis and a Celery worker, and
says which settings a Celery worker or beat would refuse to start without (scr_portal/startup.py)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from scr_portal import health, startup
from scr_portal.tasks import heartbeat


class Command(BaseCommand):
    help = "Checks the database, Redis and a round trip through a Celery worker; exits non-zero on failure."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=30.0, help="Seconds to wait for a worker.")

    def handle(self, *args, timeout: float, **options):
        states = health.services()
        for name, state in states.items():
            self.stdout.write(f"{name}: {state}")
        failed = not health.healthy(states)
        # What a Celery worker and beat would say at their start (they refuse to start on any of it).
        problems = startup.problems()
        if problems:
            self.stdout.write("worker and beat would refuse to start:")
            for problem in problems:
                self.stdout.write(f"  - {problem}")
            failed = failed or bool(settings.REDIS_URL)  # the embedded default runs no worker or beat
        else:
            self.stdout.write("worker and beat: their settings are complete and the services answer")
        if settings.CELERY_TASK_ALWAYS_EAGER:
            self.stdout.write("worker: tasks run in-process (no REDIS_URL)")
        elif not failed:
            started = time.monotonic()
            try:
                result = heartbeat.delay().get(timeout=timeout)
            except Exception as exc:  # noqa: BLE001 - report any failure of the round trip plainly
                self.stdout.write(f"worker: error: {exc.__class__.__name__}: {exc}")
                failed = True
            else:
                took = (time.monotonic() - started) * 1000
                self.stdout.write(f"worker: ok ({result['worker']}, round trip {took:.0f} ms)")
        if failed:
            raise CommandError("One or more services are not working.")
