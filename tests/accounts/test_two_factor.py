"""Two-factor authentication (TOTP): chairs and administrators must set it up and use it, unless waived for
a demonstration account; anyone else may use it and switch it off again."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.helpers import (
    code_for_key,
    is_signed_in,
    key_on_page,
    sign_in,
    valid_code,
    wrong_code,
)
from tests.factories import PASSWORD, confirmed_totp_device, login_verified

pytestmark = pytest.mark.django_db

PAGES = ["home", "review_list", "board_list", "account", "password_change"]


def sent_to(name: str, next_path: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_path})}"


def signed_in(client, user):
    """Signs `user` in through the sign-in form (password only: no second factor yet)."""
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 302, "sign-in with the right password failed"
    return client


def unconfirmed_device(client, user) -> TOTPDevice:
    """Opens the set-up page, which makes the device its QR code shows."""
    assert client.get(reverse("two_factor_setup")).status_code == 200
    return TOTPDevice.objects.get(user=user, confirmed=False)


# Who is asked to set it up


@pytest.mark.parametrize("name", PAGES)
def test_chair_is_sent_to_set_up_from_every_page(client, chair, name):
    signed_in(client, chair)
    path = reverse(name)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == sent_to("two_factor_setup", path)


def test_chair_lands_on_set_up_straight_after_signing_in(client, chair):
    response = sign_in(client, chair.email, PASSWORD)

    assert client.get(response["Location"])["Location"] == sent_to("two_factor_setup", reverse("home"))


def test_chair_may_sign_out_without_setting_up(client, chair):
    signed_in(client, chair)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert not is_signed_in(client)


@pytest.mark.parametrize("name", ["home", "review_list", "account", "admin:index"])
def test_staff_are_sent_to_set_up_from_every_page(client, staff, name):
    signed_in(client, staff)
    path = reverse(name)

    response = client.get(path)

    assert response["Location"] == sent_to("two_factor_setup", path)


@pytest.mark.parametrize("name", PAGES)
def test_chair_whose_two_factor_is_waived_is_not_asked_for_it(client, waived_chair, name):
    signed_in(client, waived_chair)

    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_board_member_is_not_asked_for_a_second_factor(client, member, name):
    signed_in(client, member)

    assert client.get(reverse(name)).status_code == 200


def test_set_up_page_explains_why_a_chair_needs_it(client, chair):
    signed_in(client, chair)

    body = client.get(reverse("two_factor_setup")).content.decode()

    assert "Your role needs a second step when you sign in" in body
    assert "I cannot scan the QR code" in body


# Setting it up


def test_set_up_with_a_wrong_code_shows_a_clear_error_and_confirms_nothing(client, chair):
    signed_in(client, chair)
    device = unconfirmed_device(client, chair)

    response = client.post(reverse("two_factor_setup"), {"token": wrong_code(device), "next": "/"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "That code did not match" in body
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("home"))["Location"] == sent_to("two_factor_setup", reverse("home"))


def test_set_up_with_letters_asks_for_six_digits(client, chair):
    signed_in(client, chair)
    unconfirmed_device(client, chair)

    response = client.post(reverse("two_factor_setup"), {"token": "12ab56"})

    assert response.status_code == 200
    assert "Enter the 6 digits your authenticator app shows" in response.content.decode()


def test_set_up_with_the_right_code_confirms_the_device_and_lets_the_chair_in(client, chair):
    signed_in(client, chair)
    device = unconfirmed_device(client, chair)

    response = client.post(reverse("two_factor_setup"), {"token": valid_code(device), "next": "/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "Two-factor authentication is set up" in home.content.decode()


def test_set_up_code_may_be_typed_with_spaces(client, chair):
    signed_in(client, chair)
    device = unconfirmed_device(client, chair)
    code = valid_code(device)

    response = client.post(reverse("two_factor_setup"), {"token": f" {code[:3]} {code[3:]} "})

    assert response.status_code == 302


def test_set_up_returns_to_the_page_the_chair_asked_for(client, chair):
    signed_in(client, chair)
    device = unconfirmed_device(client, chair)

    response = client.post(
        reverse("two_factor_setup"), {"token": valid_code(device), "next": reverse("review_list")}
    )

    assert response["Location"] == reverse("review_list")


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "http://evil.example/reviews/", "javascript:alert(1)"],
)
def test_set_up_refuses_to_send_the_chair_to_another_site(client, chair, next_url):
    signed_in(client, chair)
    device = unconfirmed_device(client, chair)

    response = client.post(reverse("two_factor_setup"), {"token": valid_code(device), "next": next_url})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_set_up_page_does_not_offer_an_external_next_page(client, chair):
    signed_in(client, chair)

    response = client.get(reverse("two_factor_setup"), {"next": "https://evil.example/"})

    assert "evil.example" not in response.content.decode()


def test_reloading_set_up_keeps_the_same_key(client, chair):
    signed_in(client, chair)

    first = key_on_page(client.get(reverse("two_factor_setup")).content.decode())
    second = key_on_page(client.get(reverse("two_factor_setup")).content.decode())

    assert first == second
    assert TOTPDevice.objects.filter(user=chair).count() == 1


def test_key_shown_as_text_gives_codes_the_portal_accepts(client, chair):
    signed_in(client, chair)
    key = key_on_page(client.get(reverse("two_factor_setup")).content.decode())

    response = client.post(reverse("two_factor_setup"), {"token": code_for_key(key)})

    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=chair).confirmed


def test_setting_up_again_needs_the_current_device_first(client, member):
    confirmed_totp_device(member)
    signed_in(client, member)

    response = client.get(reverse("two_factor_setup"))

    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor_verify")
    assert TOTPDevice.objects.filter(user=member).count() == 1


def test_confirming_a_new_device_replaces_the_old_one(client, member):
    old = confirmed_totp_device(member)
    login_verified(client, member)
    new = unconfirmed_device(client, member)

    client.post(reverse("two_factor_setup"), {"token": valid_code(new)})

    assert list(TOTPDevice.objects.filter(user=member)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


# Using it at sign-in


@pytest.mark.parametrize("person", ["chair", "member"])
def test_person_with_a_device_is_asked_for_a_code_on_a_new_sign_in(client, request, person):
    user = request.getfixturevalue(person)
    confirmed_totp_device(user)
    signed_in(client, user)

    response = client.get(reverse("home"))

    assert response["Location"] == sent_to("two_factor_verify", reverse("home"))


def test_valid_code_on_verify_lets_the_person_in(client, chair):
    device = confirmed_totp_device(chair)
    signed_in(client, chair)

    response = client.post(
        reverse("two_factor_verify"), {"token": valid_code(device), "next": reverse("review_list")}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("review_list")
    assert client.get(reverse("review_list")).status_code == 200


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/"])
def test_verify_refuses_to_send_the_person_to_another_site(client, chair, next_url):
    device = confirmed_totp_device(chair)
    signed_in(client, chair)

    response = client.post(reverse("two_factor_verify"), {"token": valid_code(device), "next": next_url})

    assert response["Location"] == "/"


def test_wrong_code_on_verify_shows_a_clear_error_and_keeps_the_person_out(client, chair):
    device = confirmed_totp_device(chair)
    signed_in(client, chair)

    response = client.post(reverse("two_factor_verify"), {"token": wrong_code(device), "next": "/"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "That code did not match" in body
    assert client.get(reverse("home"))["Location"] == sent_to("two_factor_verify", reverse("home"))


def test_repeated_wrong_codes_hold_off_further_guesses(client, chair):
    device = confirmed_totp_device(chair)
    signed_in(client, chair)
    for _ in range(3):
        client.post(reverse("two_factor_verify"), {"token": wrong_code(device)})

    response = client.post(reverse("two_factor_verify"), {"token": valid_code(device)})

    assert response.status_code == 200  # even the right code waits out the back-off
    assert client.get(reverse("home"))["Location"] == sent_to("two_factor_verify", reverse("home"))


def test_a_code_cannot_be_used_twice(client, chair):
    device = confirmed_totp_device(chair)
    code = valid_code(device)
    signed_in(client, chair)
    assert client.post(reverse("two_factor_verify"), {"token": code}).status_code == 302
    client.post(reverse("logout"))

    signed_in(client, chair)
    response = client.post(reverse("two_factor_verify"), {"token": code})

    assert response.status_code == 200
    assert "That code did not match" in response.content.decode()


def test_verify_without_a_device_sends_the_chair_to_set_up(client, chair):
    signed_in(client, chair)

    response = client.get(reverse("two_factor_verify"))

    assert response["Location"] == reverse("two_factor_setup")


# The account page and switching it off


def test_account_page_shows_two_factor_on_and_needed_for_a_chair(client, chair):
    login_verified(client, chair)

    body = client.get(reverse("account")).content.decode()

    assert "On: you enter a code from your authenticator app" in body
    assert "Your role needs it." in body
    assert "Switch off" not in body


def test_account_page_offers_a_member_to_switch_it_off(client, member):
    login_verified(client, member)

    body = client.get(reverse("account")).content.decode()

    assert "On: you enter a code from your authenticator app" in body
    assert "Switch off" in body


def test_member_can_switch_two_factor_off(client, member):
    login_verified(client, member)

    response = client.post(reverse("two_factor_remove"), follow=True)

    assert response.redirect_chain == [(reverse("account"), 302)]
    assert not TOTPDevice.objects.filter(user=member).exists()
    body = response.content.decode()
    assert "Two-factor authentication is switched off" in body
    assert client.get(reverse("home")).status_code == 200


def test_chair_cannot_switch_two_factor_off(client, chair):
    login_verified(client, chair)

    response = client.post(reverse("two_factor_remove"), follow=True)

    assert response.redirect_chain == [(reverse("account"), 302)]
    assert (
        "Your role needs two-factor authentication, so it cannot be switched off" in response.content.decode()
    )
    assert TOTPDevice.objects.filter(user=chair, confirmed=True).count() == 1


def test_staff_cannot_switch_two_factor_off(client, staff):
    login_verified(client, staff)

    client.post(reverse("two_factor_remove"))

    assert TOTPDevice.objects.filter(user=staff, confirmed=True).count() == 1


def test_switching_off_by_a_link_is_refused(client, member):
    login_verified(client, member)

    response = client.get(reverse("two_factor_remove"))

    assert response.status_code == 405
    assert TOTPDevice.objects.filter(user=member).exists()


def test_switching_off_needs_the_second_factor_first(client, member):
    confirmed_totp_device(member)
    signed_in(client, member)  # password only

    response = client.post(reverse("two_factor_remove"))

    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert TOTPDevice.objects.filter(user=member).exists()
