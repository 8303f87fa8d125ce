"""The report's page in the browser: a draft with an agency's comments, the lead reviewer records how one
was dealt with, and the page and its forms are accessible."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y import assert_accessible
from tests.browser.pages import h1, main
from tests.conduct.helpers import in_progress
from tests.conduct.report_helpers import check, draft
from tests.responses.helpers import agency_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_lead_reviewer_deals_with_an_agencys_comment(login_as, page: Page, world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    review = in_progress(world.north_review)
    made = draft(review)
    check(made, agency_of(world.north_member, world.north), replied=True, comments=("Visit was on 4 March.",))

    login_as(world.north_reviewer)
    page.goto(f"/reviews/{review.pk}/")
    main(page).get_by_role("link", name="The report: drafts, factual accuracy", exact=False).click()
    expect(h1(page)).to_have_text("The report")
    expect(main(page)).to_contain_text("Not yet dealt with")
    assert_accessible(page)
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    main(page).get_by_role("link", name="Record how it was dealt with", exact=False).click()
    assert_accessible(page)
    page.get_by_label("How the comment was dealt with").fill("Corrected on page 4.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("has been recorded")
    expect(main(page)).to_contain_text("Dealt with: Corrected on page 4.")
    page.screenshot(path="/tmp/report-page.png", full_page=True)
