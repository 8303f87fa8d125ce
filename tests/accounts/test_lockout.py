"""Lockout after repeated wrong passwords (django-axes): five failures lock one email address from one
computer (username and IP address together) for fifteen minutes, so nobody can lock a colleague out from
elsewhere, and a successful sign-in wipes the slate."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.accounts.helpers import HOME_COMPUTER, OTHER_COMPUTER, is_signed_in, sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

EMAIL = "jo@north.example"
WRONG = "not-the-password"


@pytest.fixture
def jo(db):
    return UserFactory(email=EMAIL)


def fail(client: Client, times: int, email: str = EMAIL, ip: str = HOME_COMPUTER):
    """`times` wrong passwords; returns the last response."""
    response = None
    for _ in range(times):
        response = sign_in(client, email, WRONG, ip=ip)
    return response


def age_failures(minutes: int) -> None:
    """Moves every recorded failure `minutes` into the past, as if that long had gone by."""
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=minutes))


def test_limit_is_five_failures_for_fifteen_minutes_by_address_and_computer_together():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_four_wrong_passwords_still_allow_sign_in_with_the_right_one(client, jo):
    last = fail(client, 4)
    assert last.status_code == 200
    assert "Enter a correct email address and password" in last.content.decode()

    response = sign_in(client, EMAIL, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert is_signed_in(client)


def test_fifth_wrong_password_locks_that_address_from_that_computer(client, jo):
    response = fail(client, 5)

    assert response.status_code == 429
    assert "Sign-in is locked for now" in response.content.decode()


def test_right_password_is_refused_with_the_lockout_page_while_locked(client, jo):
    fail(client, 5)

    response = sign_in(client, EMAIL, PASSWORD)

    assert response.status_code == 429
    assert "Sign-in is locked for now" in response.content.decode()
    assert not is_signed_in(client)


def test_lockout_page_says_in_plain_words_how_long_to_wait(client, jo):
    body = fail(client, 5).content.decode()

    assert "too many wrong passwords for this email address from this computer" in body
    assert "15 minutes" in body
    assert "0:15:00" not in body  # a raw timedelta is not plain words
    assert reverse("password_reset") in body


def test_lockout_is_recorded_against_the_address_and_computer(client, jo):
    fail(client, 5)

    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address) == (EMAIL, HOME_COMPUTER)
    assert attempt.failures_since_start == 5
    log = AccessFailureLog.objects.filter(username=EMAIL, ip_address=HOME_COMPUTER).order_by("attempt_time")
    assert [entry.locked_out for entry in log] == [False, False, False, False, True]


def test_lockout_is_logged_as_a_warning(client, jo, caplog):
    with caplog.at_level(logging.WARNING, logger="axes"):
        fail(client, 5)

    lockouts = [r for r in caplog.records if "Locking out" in r.getMessage()]
    assert len(lockouts) == 1
    assert lockouts[0].levelno == logging.WARNING
    assert lockouts[0].name.startswith("axes")
    assert reverse("login") in lockouts[0].getMessage()


def test_same_email_from_another_computer_is_not_locked(client, jo):
    fail(client, 5, ip=HOME_COMPUTER)

    elsewhere = Client()
    response = sign_in(elsewhere, EMAIL, PASSWORD, ip=OTHER_COMPUTER)

    assert response.status_code == 302
    assert is_signed_in(elsewhere)


def test_another_email_from_the_same_computer_is_not_locked(client, jo):
    UserFactory(email="sam@north.example")
    fail(client, 5, ip=HOME_COMPUTER)

    colleague = Client()
    response = sign_in(colleague, "sam@north.example", PASSWORD, ip=HOME_COMPUTER)

    assert response.status_code == 302
    assert is_signed_in(colleague)


def test_changing_the_capitals_of_the_email_does_not_earn_more_guesses(client, jo):
    # Sign-in matches email addresses in any case, so the lockout must count them as one address too.
    for email in ("jo@north.example", "Jo@north.example", "JO@north.example", "jO@north.example"):
        assert sign_in(client, email, WRONG).status_code == 200

    response = sign_in(client, "Jo@North.example", WRONG)

    assert response.status_code == 429


def test_lock_still_holds_just_before_the_cool_off_ends(client, jo):
    fail(client, 5)
    age_failures(minutes=14)

    assert sign_in(client, EMAIL, PASSWORD).status_code == 429


def test_sign_in_works_again_after_the_cool_off(client, jo):
    fail(client, 5)
    age_failures(minutes=16)

    response = sign_in(client, EMAIL, PASSWORD)

    assert response.status_code == 302
    assert is_signed_in(client)


def test_successful_sign_in_resets_the_failure_count(client, jo):
    fail(client, 4)
    assert sign_in(client, EMAIL, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()

    later = Client()
    assert fail(later, 4).status_code == 200  # four more: not five in all
    assert sign_in(later, EMAIL, PASSWORD).status_code == 302


def test_failures_stay_in_the_log_after_a_successful_sign_in(client, jo):
    fail(client, 3)

    sign_in(client, EMAIL, PASSWORD)

    assert AccessFailureLog.objects.filter(username=EMAIL, ip_address=HOME_COMPUTER).count() == 3
