"""The settings do what the README promises: embedded defaults, production-grade when configured."""

import os
import secrets
import subprocess
import sys
from datetime import date

from django.conf import settings
from django.template import Context, Template
from django.utils import timezone, translation

from scr_portal.settings import BASE_DIR


def _run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # DJANGO_ALLOW_ASYNC_UNSAFE belongs to the browser tests, not to a deployment.
    dropped = {"DJANGO_SETTINGS_MODULE", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "scr_portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _check_deploy(*, base_url: str) -> subprocess.CompletedProcess:
    """`check --deploy` failing on warnings, with production values and `base_url` as PORTAL_BASE_URL."""
    return _run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="portal.example",
        PORTAL_BASE_URL=base_url,
    )


def test_check_deploy_is_clean_with_production_values():
    result = _check_deploy(base_url="https://portal.example")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_emails_would_link_to_this_machine():
    result = _check_deploy(base_url="")
    assert result.returncode != 0
    assert "scr_portal.W001" in result.stdout + result.stderr


def test_check_deploy_flags_debug():
    result = _run_manage(
        "check", "--deploy", "--fail-level", "WARNING", DEBUG="1", SECRET_KEY=secrets.token_urlsafe(50)
    )
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


def test_embedded_default_without_configuration():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND)"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL")}
    result = subprocess.run(
        [sys.executable, "-c", f"import django;django.setup();{code}"],
        cwd=BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "scr_portal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.console.EmailBackend",
    ], result.stderr


def test_postgres_and_redis_when_configured():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['CONN_HEALTH_CHECKS'],"
        " s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django;django.setup();{code}"],
        cwd=BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "scr_portal.settings",
            "DATABASE_URL": "postgres://scr:pw@db.internal:5432/scr",
            "REDIS_URL": "redis://cache.internal:6379/0",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "True",
        "False",
        "redis://cache.internal:6379/0",
        "django.core.cache.backends.dummy.DummyCache",
    ], result.stderr


def test_celery_is_configured_for_safe_redelivery():
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_ACCEPT_CONTENT == ["json"]
    assert settings.CELERY_TASK_SERIALIZER == "json"


def test_dates_read_like_3_march_2026():
    with translation.override("en-gb"):
        rendered = Template("{{ d|date }}").render(Context({"d": date(2026, 3, 3)}))
    assert rendered == "3 March 2026"


def test_locale_and_time_zone():
    assert settings.LANGUAGE_CODE == "en-gb"
    assert timezone.get_default_timezone_name() == "Europe/London"
