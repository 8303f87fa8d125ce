"""The Celery app. Configuration comes from Django settings (CELERY_*), tasks from every installed app.

A worker or beat started without the services it needs (the task queue, the database) refuses to start
with a plain message and a non-zero exit (scr_portal/startup.py)."""

import os

from celery import Celery
from celery.signals import beat_init, celeryd_init

from scr_portal.startup import refuse_to_start_without_services

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr_portal.settings")

app = Celery("scr_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@celeryd_init.connect
def _worker_needs_services(**kwargs) -> None:
    refuse_to_start_without_services("worker")


@beat_init.connect
def _beat_needs_services(**kwargs) -> None:
    refuse_to_start_without_services("beat")
