"""Security headers, cookies and session expiry as a deployment sends them: the project's settings with
production values in a separate process (the test suite's own settings relax some of them for plain-HTTP
test servers), signing in through the real form with CSRF checks on."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def seen(tmp_path_factory) -> dict:
    database = tmp_path_factory.mktemp("production") / "db.sqlite3"
    dropped = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="portal.example",
        DATABASE_URL=f"sqlite:///{database}",
        STATIC_MANIFEST="0",  # hashed static names need collectstatic; everything else is as deployed
        LOG_LEVEL="WARNING",
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.portal.production_probe"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_the_probe_ran_with_production_settings(seen):
    assert seen["debug"] is False
    assert seen["sign_in"]["status"] == 302 and seen["home"]["status"] == 200


def test_plain_http_is_redirected_to_https(seen):
    assert seen["plain_http"]["status"] == 301
    assert seen["plain_http"]["location"].startswith("https://portal.example/")


@pytest.mark.parametrize("page", ["login", "home", "home_error_page_headers"])
def test_every_response_carries_the_security_headers(seen, page):
    headers = seen[page]["headers"] if "headers" in seen[page] else seen[page]
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_cookies_are_secure_httponly_and_end_with_the_browser(seen):
    for name in ("csrf_cookie", "session_cookie"):
        cookie = seen[name]
        assert cookie["secure"] is True and cookie["httponly"] is True, name
        assert cookie["samesite"] == "Lax", name
    session = seen["session_cookie"]
    assert session["max-age"] == "" and session["expires"] == ""  # no lifetime: gone when the browser closes


def test_the_server_ends_an_idle_session_after_thirty_minutes(seen):
    assert 30 * 60 - 60 <= seen["session_seconds_left"] <= 30 * 60
    assert seen["after_idle"]["status"] == 302
    assert seen["after_idle"]["location"].startswith("/accounts/login/")
