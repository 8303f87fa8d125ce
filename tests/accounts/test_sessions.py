"""Sessions end after thirty minutes without activity, and when the browser closes. Each request moves
the end forward again (SESSION_SAVE_EVERY_REQUEST); the server, not the cookie, enforces it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests.accounts.helpers import sign_in
from tests.factories import PASSWORD, login_verified

pytestmark = pytest.mark.django_db

IDLE_LIMIT = timedelta(minutes=30)
SLACK = timedelta(seconds=30)


def stored_session(client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def set_expiry(client, when) -> None:
    Session.objects.filter(session_key=stored_session(client).session_key).update(expire_date=when)


@pytest.fixture
def signed_in(client, user):
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    return client


def test_idle_limit_is_thirty_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_session_after_sign_in_lasts_thirty_minutes_of_inactivity(signed_in):
    response = signed_in.get(reverse("home"))

    assert response.wsgi_request.session.get_expiry_age() == IDLE_LIMIT.total_seconds()
    remaining = stored_session(signed_in).expire_date - timezone.now()
    assert IDLE_LIMIT - SLACK < remaining <= IDLE_LIMIT


def test_session_cookie_ends_when_the_browser_closes(signed_in):
    response = signed_in.get(reverse("home"))

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    assert cookie["httponly"]


def test_each_request_moves_the_end_of_the_session_forward(signed_in):
    set_expiry(signed_in, timezone.now() + timedelta(minutes=1))  # idle for 29 minutes

    assert signed_in.get(reverse("home")).status_code == 200

    remaining = stored_session(signed_in).expire_date - timezone.now()
    assert IDLE_LIMIT - SLACK < remaining <= IDLE_LIMIT


def test_session_idle_for_thirty_minutes_is_sent_to_sign_in(signed_in):
    set_expiry(signed_in, timezone.now() - timedelta(seconds=1))

    response = signed_in.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_expired_session_also_needs_the_second_factor_again(client, user):
    login_verified(client, user)
    assert client.get(reverse("home")).status_code == 200
    set_expiry(client, timezone.now() - timedelta(seconds=1))

    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor_verify"))


def test_signing_out_ends_the_session_on_the_server(signed_in):
    key = stored_session(signed_in).session_key

    signed_in.post(reverse("logout"))

    assert not Session.objects.filter(session_key=key).exists()


def test_signing_in_starts_a_new_session(client, user):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key

    sign_in(client, user.email, PASSWORD)

    assert client.session.session_key != before
