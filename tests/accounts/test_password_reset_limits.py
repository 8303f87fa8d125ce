"""Password-reset emails are limited per address and per computer; over a limit the page says exactly
what it always says (no hint whether the address has an account, or whether anything was sent)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from scr_portal.accounts.models import PasswordResetRequest
from tests.accounts.helpers import HOME_COMPUTER, OTHER_COMPUTER
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def ask(client, email: str, ip: str = HOME_COMPUTER):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_ten_requests_in_a_minute_do_not_send_ten_emails(client, settings):
    UserFactory(email="jo@west.example")

    responses = [ask(client, "jo@west.example") for _ in range(10)]

    assert len(mail.outbox) == settings.PASSWORD_RESET_LIMIT_PER_ADDRESS == 3
    assert {r.status_code for r in responses} == {302}
    assert {r["Location"] for r in responses} == {reverse("password_reset_done")}


def test_the_limit_per_address_counts_any_capitals_and_any_computer(client):
    UserFactory(email="jo@west.example")

    for n, spelling in enumerate(
        ["jo@west.example", "JO@west.example", " Jo@West.Example ", "jo@WEST.example"]
    ):
        ask(client, spelling, ip=f"10.0.1.{n}")

    assert len(mail.outbox) == 3


def test_one_computer_cannot_send_email_to_everyone(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_IP = 5
    for n in range(8):
        UserFactory(email=f"person{n}@west.example")

    for n in range(8):
        ask(client, f"person{n}@west.example")

    assert len(mail.outbox) == 5
    # Another computer is not held back by the first one's requests.
    ask(client, "person7@west.example", ip=OTHER_COMPUTER)
    assert len(mail.outbox) == 6


def test_unknown_addresses_count_towards_a_computer_s_limit_like_known_ones(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_IP = 3
    UserFactory(email="jo@west.example")
    for n in range(3):
        ask(client, f"nobody{n}@west.example")

    ask(client, "jo@west.example")

    assert mail.outbox == []


def test_throttled_known_and_unknown_addresses_get_the_same_page(client):
    UserFactory(email="jo@west.example")
    for _ in range(3):
        ask(client, "jo@west.example")
        ask(client, "nobody@west.example")

    throttled_known = client.get(ask(client, "jo@west.example")["Location"])
    throttled_unknown = client.get(ask(client, "nobody@west.example")["Location"])
    fresh_client_known = client.get(ask(client, "sam@west.example", ip=OTHER_COMPUTER)["Location"])

    assert throttled_known.status_code == throttled_unknown.status_code == 200
    assert throttled_known.content == throttled_unknown.content == fresh_client_known.content
    assert "If the address you entered belongs to an account" in throttled_known.content.decode()


def test_requests_older_than_the_window_no_longer_count_and_are_removed(client, settings):
    UserFactory(email="jo@west.example")
    for _ in range(3):
        ask(client, "jo@west.example")
    PasswordResetRequest.objects.update(
        requested_at=timezone.now() - settings.PASSWORD_RESET_WINDOW - timedelta(minutes=1)
    )

    ask(client, "jo@west.example")

    assert len(mail.outbox) == 4
    assert PasswordResetRequest.objects.count() == 1


def test_the_address_itself_is_not_stored(client):
    ask(client, "jo@west.example")

    stored = PasswordResetRequest.objects.get()
    assert "jo@" not in stored.address_digest
    assert stored.ip_address == HOME_COMPUTER


def test_the_reset_link_still_works_within_the_limit(client):
    UserFactory(email="jo@west.example")

    ask(client, "jo@west.example")

    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body
