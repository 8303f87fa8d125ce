"""The plan and governance in a browser: the business manager opens the plan of a review in progress (made
from the template), explains an overdue milestone's delay, sets the quality assurance and sign-off and logs a
challenge; the lead reviewer declares their independence; the governance self-check moves to met. Every
page is checked with axe, and at 320 px for sideways scrolling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conduct.models import MilestoneDelay
from tests.browser.a11y import assert_accessible, sideways_scroll
from tests.browser.pages import fill_date, h1, main
from tests.conduct.helpers import in_progress
from tests.conduct.plan_helpers import milestone_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _checked(page: Page) -> None:
    assert_accessible(page)
    width = page.viewport_size["width"]
    problem = sideways_scroll(page, 320)
    page.set_viewport_size({"width": width, "height": 900})
    assert problem is None, problem


def test_the_manager_keeps_the_plan_and_governance_and_the_reviewer_declares(login_as, page: Page, world):
    review = in_progress(world.north_review)
    base = f"/reviews/{review.pk}"

    login_as(world.north_manager)
    page.goto(f"{base}/")
    page.get_by_role("link", name="Plan and governance").click()
    expect(h1(page)).to_have_text("Plan and governance")
    expect(main(page)).to_contain_text("Final report to the board")
    _checked(page)

    # An overdue milestone: its delay explained, with a new date.
    late = milestone_for(review, name="Chronologies merged", days=-3, owner=world.north_manager)
    page.reload()
    expect(main(page)).to_contain_text("Overdue")
    page.get_by_role("link", name="Explain the delay Chronologies merged").click()
    expect(h1(page)).to_have_text("Explain the delay")
    _checked(page)
    fill_date(page, "Date it is due", timezone.localdate() + timedelta(days=10))
    page.get_by_label("Reason for the delay").fill("Two agencies sent their chronologies late.")
    page.get_by_role("button", name="Save the milestone").click()
    expect(main(page)).to_contain_text("Two agencies sent their chronologies late.")
    assert MilestoneDelay.objects.filter(milestone=late).exists()

    # Quality assurance and sign-off.
    page.get_by_role("link", name="Set the quality assurance and sign-off arrangements").click()
    _checked(page)
    page.get_by_label("Who quality-assures the review").fill("A review panel named by the board")
    page.get_by_label("How the review is quality-assured").fill("It reads each draft.")
    page.get_by_label("How the final report is signed off").fill("The chair, at the board meeting.")
    page.get_by_role("button", name="Save the arrangements").click()
    expect(main(page)).to_contain_text("A review panel named by the board")

    # A challenge, logged.
    page.get_by_role("link", name="Log a challenge or impasse").click()
    _checked(page)
    page.get_by_label("The issue").fill("The police question the draft's account of the strategy meeting.")
    page.get_by_label("Raised by").fill("Police board member")
    page.get_by_role("button", name="Log it").click()
    expect(main(page)).to_contain_text("Police board member")

    # The lead reviewer declares their independence.
    login_as(world.north_reviewer)
    page.goto(f"{base}/plan/")
    page.get_by_role("link", name="Declare your independence").click()
    _checked(page)
    page.get_by_label("Yes: I have no line management").check()
    page.get_by_role("button", name="Declare").click()
    expect(main(page)).to_contain_text("Declared no line management")

    page.get_by_role("link", name="The board's self-check: governance").click()
    _checked(page)
    expect(main(page)).to_contain_text("Quality-assured by A review panel named by the board")
