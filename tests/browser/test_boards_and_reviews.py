"""A business manager finds their board and a cross-border review, and reads the history of each, with
nothing inaccessible on the way."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NORTH = "North Safeguarding Children Board"


def _main_menu(page: Page):
    return page.get_by_role("navigation", name="Main menu")


def _h1(page: Page):
    return page.get_by_role("heading", level=1)


def test_business_manager_reads_the_history_of_their_board(login_as, page: Page, world):
    login_as(world.north_manager)
    page.goto("/")

    _main_menu(page).get_by_role("link", name="Boards").click()
    expect(_h1(page)).to_have_text("Your boards")
    assert_accessible(page)

    page.get_by_role("main").get_by_role("link", name=NORTH).click()
    expect(_h1(page)).to_have_text(NORTH)
    expect(page.get_by_role("heading", level=2, name="People")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Member agencies")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="History of changes to this board").click()
    expect(_h1(page)).to_have_text(f"History of {NORTH}")
    expect(page.get_by_role("table", name="Changes")).to_be_visible()
    assert_accessible(page)


def test_business_manager_reads_the_history_of_a_cross_border_review(login_as, page: Page, world):
    login_as(world.north_manager)
    page.goto("/")

    _main_menu(page).get_by_role("link", name="Reviews").click()
    expect(_h1(page)).to_have_text("Reviews")
    expect(page.get_by_role("main").get_by_role("link", name="SSCB-1")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("main").get_by_role("link", name="NSCB-X", exact=True).click()
    expect(_h1(page)).to_contain_text("NSCB-X")
    assert_accessible(page)

    page.get_by_role("link", name="History of changes and who opened this review").click()
    expect(_h1(page)).to_have_text("History of NSCB-X")
    expect(page.get_by_role("heading", level=2, name="Who opened this review")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(world.north_manager.get_full_name())
    assert_accessible(page)
