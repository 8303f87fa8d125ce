"""Practitioners and the family in a browser: the business manager records a practitioner event with who
came from each agency; the lead reviewer keeps the family record (a member, a contact and the views given);
the self-checks' evidence moves; the chair finds no family record. Every page is checked with axe, and at
320 px for sideways scrolling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.a11y import assert_accessible, sideways_scroll
from tests.browser.pages import fill_date, h1, main
from tests.conduct.helpers import in_progress
from tests.responses.helpers import agency_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _checked(page: Page) -> None:
    assert_accessible(page)
    width = page.viewport_size["width"]
    problem = sideways_scroll(page, 320)
    page.set_viewport_size({"width": width, "height": 900})
    assert problem is None, problem


def test_practitioners_and_the_family_are_recorded_and_the_family_stays_restricted(
    login_as, page: Page, world, live_server
):
    review = in_progress(world.north_review)
    police = agency_of(world.north_member, world.north)
    today = timezone.localdate()
    base = f"{live_server.url}/reviews/{review.pk}"

    # 1. The business manager records a learning event: 3 of the police's 4 practitioners came.
    login_as(world.north_manager)
    page.goto(f"{base}/")
    page.get_by_role("link", name="Practitioners: learning events").click()
    expect(h1(page)).to_have_text("Practitioners")
    expect(main(page)).to_contain_text("No practitioner event or interview is recorded.")
    _checked(page)
    page.get_by_role("link", name="Record a practitioner event").click()
    _checked(page)
    page.get_by_label("Learning event").check()
    page.get_by_label("Purpose").fill("What the practitioners knew of the home in 2025.")
    fill_date(page, "Date of the event", today - timedelta(days=3))
    fill_date(page, "Date the practitioners were briefed", today - timedelta(days=5))
    page.get_by_label(f"{police.name}: were invited").fill("4")
    page.get_by_label(f"{police.name}: attended").fill("3")
    page.get_by_role("button", name="Save the event").click()
    expect(main(page)).to_contain_text(f"{police.name}: 3 of 4 invited")
    expect(main(page)).to_contain_text("3 of 4 practitioners invited attended")
    _checked(page)
    page.get_by_role("link", name="Quality marker 11 self-check").click()
    _checked(page)

    # 2. The lead reviewer keeps the family record.
    page.context.clear_cookies()
    login_as(world.north_reviewer)
    page.goto(f"{base}/")
    page.get_by_role("link", name="The family (restricted)").click()
    expect(h1(page)).to_have_text("The family")
    _checked(page)
    page.get_by_role("link", name="Add a family member").click()
    _checked(page)
    page.get_by_label("Real name").fill("Joanne Smith")
    page.get_by_label("Pseudonym used in the report").fill("Mother")
    page.get_by_label("Relationship to the child").fill("Mother")
    page.get_by_label("Child", exact=True).select_option(label=world.north_child.pseudonym)
    fill_date(page, "Date they were first told of the review", today - timedelta(days=20))
    page.get_by_label("Who told them").fill("Business manager")
    page.get_by_label("Visit").check()
    page.get_by_label("Agreed to take part").check()
    page.get_by_role("button", name="Save").click()
    expect(h1(page)).to_have_text("Mother")
    _checked(page)
    page.get_by_role("link", name="Record a contact").click()
    _checked(page)
    fill_date(page, "Date of the contact", today)
    page.get_by_label("Meeting").check()
    page.get_by_label("Met them").check()
    page.get_by_label("The views they gave").fill("Asked why nobody visited after the move.")
    page.get_by_role("button", name="Save the contact").click()
    expect(main(page)).to_contain_text("Asked why nobody visited after the move.")
    page.get_by_role("link", name="The family", exact=True).click()
    expect(main(page)).to_contain_text("Contact with every family member is recorded.")
    page.get_by_role("link", name="Quality marker 12 self-check").click()
    _checked(page)

    # 3. The chair: the practitioners page, but no family record, not even a link to it.
    page.context.clear_cookies()
    login_as(world.north_chair)
    page.goto(f"{base}/")
    expect(main(page)).not_to_contain_text("The family")
    response = page.goto(f"{base}/family/")
    assert response.status == 404
    page.goto(f"{base}/practitioners/")
    expect(main(page)).not_to_contain_text("Joanne Smith")
    expect(main(page)).not_to_contain_text("Mother")
