"""The business manager records the board's business plan and its learning and improvement framework: adds a
plan period (after a mistake in its dates), a priority with its themes, and a piece of learning (after
forgetting its themes), then filters the framework by theme; a board member reads both, read-only. Every
page on the way, and each form shown again with its error, is accessible."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from responses.models import LearningItem, PlanPeriod, PlanPriority
from tests.browser.a11y import assert_accessible
from tests.browser.pages import fill_date, h1, main

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()
STARTS = date(TODAY.year - 1, 4, 1)
ENDS = date(TODAY.year + 2, 3, 31)
PERIOD = f"Business plan {STARTS.year} to {ENDS.year}"


def _success(page: Page) -> Locator:
    return page.locator(".govuk-notification-banner--success")


def _error_summary(page: Page) -> Locator:
    return page.locator(".govuk-error-summary")


def test_business_manager_records_the_plan_and_the_learning_and_a_member_reads_them(
    login_as, page: Page, world
):
    board = world.north
    login_as(world.north_manager)

    # The plan is empty to begin with.
    page.goto(f"/boards/{board.pk}/business-plan/")
    expect(h1(page)).to_have_text("Business plan")
    expect(main(page)).to_contain_text("The board has not recorded its business plan yet.")
    assert_accessible(page)

    # A period, first with its dates the wrong way round.
    page.get_by_role("link", name="Add a plan period").click()
    expect(h1(page)).to_have_text("Add a plan period")
    page.get_by_label("Title").fill(PERIOD)
    fill_date(page, "Start date", STARTS)
    fill_date(page, "End date", date(STARTS.year - 1, 3, 31))
    page.get_by_role("button", name="Save the period").click()
    expect(_error_summary(page)).to_contain_text("The end date must be after the start date")
    expect(page.get_by_label("Title")).to_have_value(PERIOD)
    assert_accessible(page)
    fill_date(page, "End date", ENDS)
    page.get_by_role("button", name="Save the period").click()

    expect(h1(page)).to_have_text("Business plan")
    expect(_success(page)).to_contain_text(f"“{PERIOD}” is added to the business plan.")
    period = page.get_by_role("region", name=re.compile(PERIOD))
    expect(period.get_by_role("heading", level=2)).to_contain_text("Current")
    expect(period).to_contain_text("This period has no priorities yet.")
    assert_accessible(page)

    # A priority, numbered 1 for the business manager, with two themes.
    period.get_by_role("link", name=f"Add a priority to {PERIOD}").click()
    expect(h1(page)).to_have_text(f"Add a priority to “{PERIOD}”")
    expect(page.get_by_label("Priority number")).to_have_value("1")
    assert_accessible(page)
    page.get_by_label("Priority", exact=True).fill("Children living with neglect are identified early")
    page.get_by_label("What the board will do (optional)").fill("Neglect toolkit used by every agency.")
    themes = page.get_by_role("group", name="Themes")
    themes.get_by_label("Neglect", exact=True).check()
    themes.get_by_label("Voice of the child").check()
    page.get_by_role("button", name="Save the priority").click()

    expect(_success(page)).to_contain_text(f"Priority 1 is added to “{PERIOD}”.")
    table = page.get_by_role("table", name=f"Priorities of {PERIOD}")
    row = table.get_by_role("row", name=re.compile("Children living with neglect"))
    expect(row).to_contain_text("Neglect, Voice of the child")
    expect(row).to_contain_text("None")  # no review action is linked yet
    assert_accessible(page)

    # Learning, first without its themes.
    page.get_by_role("link", name="learning and improvement framework").click()
    expect(h1(page)).to_have_text("Learning and improvement framework")
    expect(main(page)).to_contain_text("The board has not recorded any learning yet.")
    assert_accessible(page)
    page.get_by_role("link", name="Add learning").click()
    page.get_by_label("Title").fill("Bruising in non-mobile babies")
    page.get_by_role("group", name="Where the learning came from").get_by_label(
        "Multi-agency or single-agency audit"
    ).check()
    page.get_by_label("Name of the source (optional)").fill("Multi-agency audit of bruising, 2025")
    page.get_by_label("What was learned").fill("Bruising in babies who cannot move was not always referred.")
    fill_date(page, "Date of the learning", date(TODAY.year - 1, 6, 12))
    page.get_by_role("button", name="Save the learning").click()
    expect(_error_summary(page)).to_contain_text("Select at least one theme")
    expect(page.get_by_label("What was learned")).to_have_value(
        "Bruising in babies who cannot move was not always referred."
    )
    assert_accessible(page)
    themes = page.get_by_role("group", name="Themes")
    themes.get_by_label("Neglect", exact=True).check()
    themes.get_by_label("Assessment of risk").check()
    page.get_by_role("button", name="Save the learning").click()

    expect(h1(page)).to_have_text("Bruising in non-mobile babies")
    expect(_success(page)).to_contain_text("is added to the learning and improvement framework")
    expect(main(page)).to_contain_text("Assessment of risk, Neglect")
    assert_accessible(page)

    # The framework lists it, counts it under both themes, and filters by theme.
    page.get_by_role("link", name="Back to the learning and improvement framework").click()
    expect(page.get_by_role("table", name=re.compile("Learning held by"))).to_contain_text(
        "Bruising in non-mobile babies"
    )
    page.get_by_label("Theme").select_option(label="Safe sleep")
    page.get_by_role("button", name="Apply the filter").click()
    expect(page.get_by_role("status")).to_have_text("0 items of learning match the filter.")
    page.get_by_role("link", name=re.compile("^Neglect: 1")).click()
    expect(page.get_by_role("status")).to_have_text("1 item of learning matches the filter.")
    expect(page.get_by_label("Theme")).to_have_value(
        str(LearningItem.objects.get().themes.get(name="Neglect").pk)
    )
    assert_accessible(page)

    assert PlanPeriod.objects.get().title == PERIOD
    assert PlanPriority.objects.get().themes.count() == 2

    # A board member reads both, with no way to change them.
    page.context.clear_cookies()
    login_as(world.north_member)
    page.goto(f"/boards/{board.pk}/business-plan/")
    expect(page.get_by_role("table", name=f"Priorities of {PERIOD}")).to_contain_text(
        "Children living with neglect are identified early"
    )
    expect(page.get_by_role("link", name="Add a plan period")).to_have_count(0)
    expect(main(page).get_by_role("link", name=re.compile("^Change"))).to_have_count(0)
    page.goto(f"/boards/{board.pk}/learning/")
    page.get_by_role("link", name="Bruising in non-mobile babies").click()
    expect(main(page)).to_contain_text("Multi-agency audit of bruising, 2025")
    expect(page.get_by_role("link", name="Change the learning")).to_have_count(0)
    assert_accessible(page)
