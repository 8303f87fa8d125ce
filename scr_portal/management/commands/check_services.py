"""Checks the services this installation is configured to use: database, Redis and a Celery worker."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from scr_portal import health
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
