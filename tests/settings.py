"""Settings for the test suite: the project's settings (so DATABASE_URL and REDIS_URL still choose the
real services), with fast password hashing, plain static storage, plain HTTP for the live server, and
Celery tasks run in-process except in the integration tests that start a real worker."""

import os
import tempfile
from pathlib import Path

from scr_portal.settings import *

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
CELERY_TASK_ALWAYS_EAGER = True
TASKS_IN_BACKGROUND_THREAD = False  # documents are made there and then; tests of the thread turn it on
MEDIA_ROOT = VAR_DIR / "test-media"
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not SQLite's shared in-memory database: there a second connection (a document made in a
    # thread of the server process) gets "database table is locked" at once instead of waiting its turn.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"scr-test-{os.getpid()}.sqlite3")
    }
