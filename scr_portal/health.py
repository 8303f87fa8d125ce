"""Whether the services this installation is configured to use are answering."""

from __future__ import annotations

from django.conf import settings
from django.db import connection

OK = "ok"
NOT_CONFIGURED = "not configured"


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ok"; say which kind
        return f"error: {exc.__class__.__name__}"
    return OK


def redis_state() -> str:
    if not settings.REDIS_URL:
        return NOT_CONFIGURED
    import redis  # only where Redis is configured

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"
    return OK


def services() -> dict[str, str]:
    return {"database": database_state(), "redis": redis_state()}


def healthy(states: dict[str, str]) -> bool:
    return all(state in (OK, NOT_CONFIGURED) for state in states.values())
