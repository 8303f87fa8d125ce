"""A business manager opens a review from the review list, completes its referral, sends it for a decision
and records the chair's decision to initiate a Serious Case Review, landing at the commissioning stage —
every page on the way, and a form shown again with its errors, accessible."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from reviews.models import Review, State
from tests.browser.a11y import assert_accessible
from tests.browser.pages import fill_date, h1, main

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = date.today()
INCIDENT = TODAY - timedelta(days=12)
LEARNED = TODAY - timedelta(days=10)
NOTIFIED = TODAY - timedelta(days=8)
DECIDED = TODAY - timedelta(days=3)


def _timeline_titles(page: Page) -> list[str]:
    return [t.strip() for t in page.locator(".app-timeline__item h3").all_inner_texts()]


def test_business_manager_takes_a_referral_to_commissioning(login_as, page: Page, world):
    chair = world.north_chair
    chair.full_name = "Helen Marsh"
    chair.save()
    login_as(world.north_manager)

    # The review list, and the way to open a new review.
    page.goto("/")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Reviews").click()
    expect(h1(page)).to_have_text("Reviews")
    assert_accessible(page)

    page.get_by_role("link", name="Open a new review").click()
    expect(h1(page)).to_have_text("Open a new review")
    assert_accessible(page)

    # A first try with the dates the wrong way round: the form says so and keeps what was typed.
    page.get_by_label("Reference").fill("NSCB-2026-09")
    page.get_by_label("Pseudonym of the child").fill("Child R")
    page.get_by_role("group", name="What happened to the child").get_by_label("Seriously harmed").check()
    page.get_by_label("Summary of the case").fill(
        "Admitted to hospital with a skull fracture; the parents gave no explanation."
    )
    fill_date(page, "Date of the incident", LEARNED)
    fill_date(page, "Date the board learned of the incident", INCIDENT)
    page.get_by_role("button", name="Create the review").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("The board cannot learn of the incident before it happened")
    expect(page.get_by_label("Pseudonym of the child")).to_have_value("Child R")
    assert_accessible(page)

    fill_date(page, "Date of the incident", INCIDENT)
    fill_date(page, "Date the board learned of the incident", LEARNED)
    page.get_by_role("button", name="Create the review").click()

    # The new review, at the referral stage, with one thing still missing before a decision.
    expect(h1(page)).to_contain_text("NSCB-2026-09")
    expect(page.locator(".app-stage-tag")).to_have_text("Referral")
    expect(main(page)).to_contain_text("Review NSCB-2026-09 opened at the referral stage.")
    expect(main(page)).to_contain_text("Not yet: Record which criteria were considered.")
    assert_accessible(page)

    page.get_by_role("link", name="Change the referral details").click()
    expect(h1(page)).to_have_text("Referral details")
    assert_accessible(page)
    page.get_by_role("group", name="Criteria considered").get_by_label(
        "Statutory: the criteria for a review are met"
    ).check()
    page.get_by_role("button", name="Save referral").click()

    expect(h1(page)).to_contain_text("NSCB-2026-09")
    expect(main(page)).not_to_contain_text("Not yet:")
    assert_accessible(page)

    # Send it for a decision.
    page.get_by_role("link", name="Send for a decision", exact=True).click()
    expect(h1(page)).to_have_text("Send for a decision")
    assert_accessible(page)
    page.get_by_label("Note for the timeline (optional)").fill(
        "All agencies have confirmed their involvement."
    )
    page.get_by_role("button", name="Confirm").click()

    expect(page.locator(".app-stage-tag")).to_have_text("Decision")
    expect(main(page)).to_contain_text("Done: send for a decision.")
    assert_accessible(page)

    # Record the chair's decision to initiate, with the notifications made.
    page.get_by_role("link", name="Record the decision to initiate a review", exact=True).click()
    expect(h1(page)).to_have_text("Record the decision to initiate a review")
    assert_accessible(page)

    # Submitted without the notifications first: statutory criteria need both.
    fill_date(page, "Date of the decision", DECIDED)
    page.get_by_label("Chair who made the decision").select_option(label="Helen Marsh")
    page.get_by_label("Why").fill("The statutory criteria are met; agencies did not share what they knew.")
    page.get_by_role("button", name="Record the decision to initiate").click()

    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the date the national panel was notified"
    )
    assert_accessible(page)

    fill_date(page, "Date the national panel was notified", NOTIFIED)
    fill_date(page, "Date Ofsted was notified", NOTIFIED)
    page.get_by_role("button", name="Record the decision to initiate").click()

    # The review page at the commissioning stage, with the story so far on its timeline.
    expect(h1(page)).to_contain_text("NSCB-2026-09")
    expect(page.locator(".app-stage-tag")).to_have_text("Commissioning")
    expect(page.locator('[aria-current="step"]')).to_contain_text("Commissioning")
    expect(main(page)).to_contain_text(f"Hold a review, {DECIDED:%-d %B %Y}, by Helen Marsh")
    expect(page.locator(".app-timeline")).to_contain_text(f"Decided by Helen Marsh on {DECIDED:%-d %B %Y}.")
    assert _timeline_titles(page) == [
        "Referral opened",
        "Referral details updated",
        "Referral → Decision",
        "Record the decision to initiate a review",
    ]
    assert_accessible(page)

    review = Review.objects.get(reference="NSCB-2026-09")
    assert review.state == State.COMMISSIONING
    assert review.decided_by == chair
    assert review.due_kind == "completion"
