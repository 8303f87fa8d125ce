"""What a Celery worker or beat needs before it starts: a task queue (REDIS_URL) and a database
(DATABASE_URL), both answering. Without them a worker would consume nothing and beat would run the periodic
jobs in its own process against an empty local SQLite file, failing quietly every few minutes; instead
they refuse to start, saying what is missing, and exit non-zero (`refuse_to_start_without_services`).
`manage.py check_services` reports the same."""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit

from django.conf import settings

from . import health

EXIT_MISSING_SERVICES = 78  # EX_CONFIG: a supervisor should not simply restart it in a loop


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or ''}".rstrip(":") + (parts.path or "")


def problems() -> list[str]:
    """What stops a worker or beat from doing its work, in plain words; empty when nothing does."""
    found = []
    if not settings.REDIS_URL:
        found.append(
            "REDIS_URL is not set: workers and beat need the task queue (Redis), e.g. "
            "REDIS_URL=redis://redis-host:6379/0."
        )
    else:
        state = health.redis_state()
        if state != health.OK:
            found.append(f"Redis at {_where(settings.REDIS_URL)} does not answer ({state}).")
    if not os.environ.get("DATABASE_URL"):
        found.append(
            "DATABASE_URL is not set: workers and beat need the portal's database, e.g. "
            "DATABASE_URL=postgres://user:password@db-host:5432/scr_portal."
        )
    else:
        state = health.database_state()
        if state != health.OK:
            database = settings.DATABASES["default"]
            found.append(
                f"The database {database.get('NAME')} at {database.get('HOST') or 'localhost'}:"
                f"{database.get('PORT') or ''} does not answer ({state})."
            )
    return found


def refuse_to_start_without_services(program: str) -> None:
    """Exits the process with a plain message when `problems()` finds any."""
    found = problems()
    if not found:
        return
    lines = [f"SCR Portal: the Celery {program} cannot start.", *(f"  - {p}" for p in found)]
    lines.append("Fix the settings above, check with `python manage.py check_services`, then start it again.")
    print("\n".join(lines), file=sys.stderr, flush=True)
    raise SystemExit(EXIT_MISSING_SERVICES)
