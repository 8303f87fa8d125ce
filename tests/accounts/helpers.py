"""Small helpers for the login-security tests: signing in through the real form, and TOTP codes."""

from __future__ import annotations

import base64
import re

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_totp.models import TOTPDevice

HOME_COMPUTER = "10.0.0.1"
OTHER_COMPUTER = "10.0.0.2"


def sign_in(client: Client, email: str, password: str, ip: str = HOME_COMPUTER):
    """Posts the sign-in form as a browser at `ip` would."""
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def valid_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


def wrong_code(device: TOTPDevice) -> str:
    """A six-digit code the device accepts at no step within its tolerance."""
    accepted = set()
    for drift in range(-device.tolerance - 1, device.tolerance + 2):
        t = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + drift)
        accepted.add(f"{t.token():06d}")
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def key_on_page(html: str) -> str:
    """The set-up key as the page shows it (groups of four), spaces removed."""
    match = re.search(r'id="totp-key">([^<]*)<', html)
    assert match, "the set-up page shows no #totp-key"
    return "".join(match.group(1).split())


def code_for_key(key: str) -> str:
    return f"{totp(base64.b32decode(key)):06d}"
