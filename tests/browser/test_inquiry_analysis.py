"""The analysis in the browser: from the merged chronology the lead reviewer opens the analysis, adds a
key practice episode, chooses the entries it rests on from two agencies, and the chronology then shows
them cited — every page accessible."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y import assert_accessible
from tests.browser.pages import h1, main
from tests.conduct.helpers import author_for, entry, in_progress, other_agency, request_to
from tests.conduct.inquiry_helpers import line
from tests.responses.helpers import agency_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_reviewer_records_an_episode_citing_two_agencies(login_as, page: Page, world):
    review = in_progress(world.north_review)
    health = other_agency(world.north)
    health_author = author_for(health, world.north, email="author@health.example", full_name="Hal Health")
    police = request_to(
        review, world.north_author, agency_of(world.north_member, world.north), status="submitted"
    )
    gp = request_to(review, health_author, health, status="accepted")
    entry(police, date(2025, 2, 1), event="Police called to the flat")
    entry(gp, date(2025, 2, 3), event="GP sees Child A with a bruise")
    line(review, "How was risk shared between agencies?")

    login_as(world.north_reviewer)
    page.goto(f"/reviews/{review.pk}/chronology/")
    main(page).get_by_role("link", name="The analysis: lines of enquiry and key practice episodes").click()
    expect(h1(page)).to_have_text("Analysis")
    assert_accessible(page)
    page.get_by_role("link", name="Add a key practice episode").click()
    page.get_by_label("Title").fill("February 2025")
    for prefix, day in (("Start of the period", "1"), ("End of the period", "28")):
        group = page.get_by_role("group", name=prefix)
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill("2")
        group.get_by_label("Year").fill("2025")
    page.get_by_label("What happened").fill("Both agencies saw signs of harm.")
    page.get_by_label("Why practice was as it was").fill("Neither knew what the other knew.")
    page.get_by_label("How was risk shared between agencies?").check()
    page.get_by_role("button", name="Save the episode").click()

    expect(h1(page)).to_have_text("Evidence for February 2025")
    assert_accessible(page)
    page.get_by_label("Police called to the flat", exact=False).check()
    page.get_by_label("GP sees Child A", exact=False).check()
    page.get_by_role("button", name="Save the evidence").click()
    expect(main(page)).to_contain_text("2 chronology entries from")
    expect(main(page).locator(".govuk-summary-card")).to_contain_text("North Health Trust")
    expect(main(page)).to_contain_text("Taken up by 1 episode")
    assert_accessible(page)
    page.screenshot(path="/tmp/inquiry-analysis.png", full_page=True)

    page.goto(f"/reviews/{review.pk}/chronology/")
    expect(main(page).get_by_role("link", name="February 2025")).to_have_count(2)
    assert_accessible(page)
