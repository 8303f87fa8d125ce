"""The set-up page keeps at most one unconfirmed device per person, however often it is opened."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from scr_portal.accounts import services
from tests.accounts.helpers import key_on_page, valid_code
from tests.factories import confirmed_totp_device, login_verified

pytestmark = pytest.mark.django_db


def _unconfirmed(user) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.filter(user=user, confirmed=False))


def test_ten_visits_to_set_up_save_one_unconfirmed_device(client, member):
    client.force_login(member)

    keys = {key_on_page(client.get(reverse("two_factor_setup")).content.decode()) for _ in range(10)}

    assert len(keys) == 1
    assert len(_unconfirmed(member)) == 1
    assert TOTPDevice.objects.filter(user=member).count() == 1


def test_wrong_codes_posted_on_set_up_save_no_further_device(client, member):
    client.force_login(member)
    client.get(reverse("two_factor_setup"))

    for _ in range(3):
        assert client.post(reverse("two_factor_setup"), {"token": "12345x"}).status_code == 200

    assert len(_unconfirmed(member)) == 1


def test_a_person_replacing_their_device_has_one_confirmed_and_one_unconfirmed(client, member):
    current = confirmed_totp_device(member)
    login_verified(client, member)

    for _ in range(5):
        assert client.get(reverse("two_factor_setup")).status_code == 200

    assert TOTPDevice.objects.get(user=member, confirmed=True) == current
    assert len(_unconfirmed(member)) == 1


def test_unconfirmed_devices_left_from_before_are_cleared_down_to_one(client, member):
    first = TOTPDevice.objects.create(user=member, name="Authenticator app", confirmed=False)
    for _ in range(3):
        TOTPDevice.objects.create(user=member, name="Authenticator app", confirmed=False)
    client.force_login(member)

    client.get(reverse("two_factor_setup"))

    assert _unconfirmed(member) == [first]


def test_the_one_unconfirmed_device_is_the_one_confirmed(client, member):
    client.force_login(member)
    client.get(reverse("two_factor_setup"))
    client.get(reverse("two_factor_setup"))
    device = services.totp_device_prepare(user=member)

    client.post(reverse("two_factor_setup"), {"token": valid_code(device)})

    assert list(TOTPDevice.objects.filter(user=member)) == [device]
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
