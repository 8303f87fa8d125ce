"""A chair's first sign-in: the portal insists on two-factor set-up, the key can be typed in instead of
scanned, and the account page then shows two-factor as on — all of it accessible."""

import base64
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from reviews.models import Role
from tests.browser.a11y import assert_accessible
from tests.factories import PASSWORD, BoardFactory, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chair_sets_up_two_factor_on_first_sign_in(page: Page):
    board = BoardFactory(name="West Safeguarding Children Board")
    member_of(board, Role.CHAIR, email="chair@west.example", full_name="Casey Chair")

    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("chair@west.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url("/account/two-factor/set-up/?next=%2F")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    assert_accessible(page)

    page.get_by_text("I cannot scan the QR code").click()
    key_text = page.locator("#totp-key")
    expect(key_text).to_be_visible()
    key = re.sub(r"\s", "", key_text.inner_text())
    code = f"{totp(base64.b32decode(key)):06d}"
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work")
    expect(page.get_by_text("Two-factor authentication is set up")).to_be_visible()

    page.goto("/account/")
    two_factor = page.locator(".govuk-summary-list__row", has_text="Two-factor authentication")
    expect(two_factor).to_contain_text("On: you enter a code from your authenticator app")
    expect(two_factor).to_contain_text("Your role needs it.")
    assert_accessible(page)
