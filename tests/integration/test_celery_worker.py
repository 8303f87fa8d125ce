"""A task goes through Redis to a real worker process and its result comes back."""

import pytest
from django.db import connection

from scr_portal.tasks import heartbeat

pytestmark = pytest.mark.services


def test_task_round_trips_through_redis_to_a_real_worker(celery_worker):
    result = heartbeat.apply_async(queue=celery_worker.queue).get(timeout=60)
    assert result["database"] == connection.settings_dict["NAME"]  # the worker used the test's database
    assert "celery@" not in result["worker"]
    assert "Task portal.heartbeat" in celery_worker.log.read_text()


def test_check_services_command_reports_a_working_worker(celery_worker, settings):
    from io import StringIO

    from django.core.management import call_command

    from scr_portal.celery import app

    app.conf.task_default_queue = celery_worker.queue
    try:
        out = StringIO()
        call_command("check_services", "--timeout", "60", stdout=out)
    finally:
        app.conf.task_default_queue = "celery"
    assert "worker: ok" in out.getvalue()
    assert "redis: ok" in out.getvalue()
