"""SCR Portal: settings, root URLs, the Celery app and infrastructure shared by every app."""

from .celery import app as celery_app

__all__ = ["celery_app"]
