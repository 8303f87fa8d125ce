"""The Celery app. Configuration comes from Django settings (CELERY_*), tasks from every installed app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr_portal.settings")

app = Celery("scr_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
