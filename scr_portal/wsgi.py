"""WSGI entry point (gunicorn scr_portal.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr_portal.settings")
# A request's statement may wait at most this long (PostgreSQL only): under gunicorn's 30 s timeout, so a
# long lock wait or slow query gives the 503 page rather than a killed process and a dropped connection.
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "20")
application = get_wsgi_application()
