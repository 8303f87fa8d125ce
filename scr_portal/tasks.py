"""Tasks that belong to the portal as a whole."""

from __future__ import annotations

import socket

from celery import shared_task
from django.db import connection
from django.utils import timezone

from scr_portal import files


@shared_task(name="portal.heartbeat", ignore_result=False)
def heartbeat() -> dict:
    """Proves a worker is consuming and can reach the database; used by `manage.py check_services`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {
        "worker": socket.gethostname(),
        "database": connection.settings_dict["NAME"],
        "at": timezone.now().isoformat(),
    }


@shared_task(name="portal.sweep_files")
def sweep_files() -> int:
    """Every quarter of an hour: stored files no record names, past their grace period, are removed."""
    return files.orphans_sweep()
