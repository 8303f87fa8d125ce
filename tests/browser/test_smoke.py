"""The first thing anyone does: sign in and land on the home page, with nothing inaccessible on the way."""

import os

import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y import assert_accessible
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_and_land_on_home_page(page: Page):
    UserFactory(email="manager@north.example", full_name="Morgan Reed")

    page.goto("/")
    expect(page).to_have_url("/accounts/login/?next=/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to SCR Portal")
    assert_accessible(page)

    page.get_by_label("Email address").fill("Manager@North.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work")
    expect(page.get_by_text("Signed in as")).to_contain_text("Morgan Reed")
    assert_accessible(page)


def test_wrong_password_explains_itself(page: Page):
    UserFactory(email="manager@north.example")

    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("manager@north.example")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a correct email address and password")
    assert_accessible(page)


def test_sign_out(login_as, page: Page):
    login_as(UserFactory())
    page.goto("/")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url("/accounts/login/")
    page.goto("/")
    expect(page).to_have_url("/accounts/login/?next=/")


def test_help_is_one_click_from_any_page_and_accessible(login_as, page: Page):
    login_as(UserFactory())
    page.goto("/")
    page.get_by_role("link", name="Help: how a review runs").click()
    expect(page).to_have_url("/help/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Help: how a review runs")
    expect(page.get_by_role("heading", name="The stages")).to_be_visible()
    assert_accessible(page)
    if folder := os.environ.get("SCREENSHOTS"):  # for looking at the page by eye
        page.screenshot(path=os.path.join(folder, "help.png"), full_page=True)
