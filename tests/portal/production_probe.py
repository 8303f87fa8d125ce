"""Run as a script by tests/portal/test_production_headers.py: the project's own settings with production
values (not the test suite's relaxed ones), a fresh SQLite database, and a browser-like client that signs in
through the real form with CSRF checks on. Prints what it saw as JSON for the test to judge."""

from __future__ import annotations

import json
import os
import re
import sys
from datetime import timedelta

import django

os.environ["DJANGO_SETTINGS_MODULE"] = "scr_portal.settings"
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

HEADERS = (
    "Content-Security-Policy",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
    "Cross-Origin-Opener-Policy",
)


def headers(response) -> dict:
    return {name: response.get(name) for name in HEADERS}


def cookie(response, name: str) -> dict:
    morsel = response.cookies[name]
    return {key: morsel[key] for key in ("secure", "httponly", "samesite", "max-age", "expires")}


def main() -> None:
    call_command("migrate", verbosity=0)
    from scr_portal.accounts.models import User

    User.objects.create_user(
        email="probe@board.example", password="probe-password-2026", full_name="Probe", two_factor_waived=True
    )
    client = Client(enforce_csrf_checks=True, HTTP_HOST=settings.ALLOWED_HOSTS[0])
    seen: dict = {"debug": settings.DEBUG}

    plain = client.get(reverse("login"))
    seen["plain_http"] = {"status": plain.status_code, "location": plain.get("Location", "")}

    login_page = client.get(reverse("login"), secure=True)
    seen["login"] = {"status": login_page.status_code, "headers": headers(login_page)}
    seen["csrf_cookie"] = cookie(login_page, settings.CSRF_COOKIE_NAME)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.content.decode()).group(1)

    signed_in = client.post(
        reverse("login"),
        {"username": "probe@board.example", "password": "probe-password-2026", "csrfmiddlewaretoken": token},
        secure=True,
        HTTP_REFERER=f"https://{settings.ALLOWED_HOSTS[0]}{reverse('login')}",  # HTTPS CSRF checks the referer
    )
    seen["sign_in"] = {"status": signed_in.status_code, "location": signed_in.get("Location", "")}
    if signed_in.status_code != 302:
        sys.exit(f"sign-in refused ({signed_in.status_code}): {signed_in.content.decode()[-3000:]}")
    seen["session_cookie"] = cookie(signed_in, settings.SESSION_COOKIE_NAME)

    home = client.get(reverse("home"), secure=True)
    seen["home"] = {"status": home.status_code, "headers": headers(home)}
    seen["home_error_page_headers"] = headers(client.get("/no-such-page/", secure=True))

    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    session = Session.objects.get(session_key=key)
    seen["session_seconds_left"] = round((session.expire_date - timezone.now()).total_seconds())
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    idle = client.get(reverse("home"), secure=True)
    seen["after_idle"] = {"status": idle.status_code, "location": idle.get("Location", "")}

    json.dump(seen, sys.stdout)


if __name__ == "__main__":
    main()
