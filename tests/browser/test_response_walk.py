"""Issue 6's acceptance walk, in a browser, across roles: the business manager records the report's
findings and starts the response; a meeting records the discussion and the board's position; an action is
agreed, prioritised and linked to a business-plan priority; its owner posts progress with evidence; the
chair signs the written response off; the signed version is frozen and a downloaded copy verifies.
Every page on the way is checked for accessibility."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from responses.models import Action, ActionUpdate, Finding, ResponseVersion, digest_of
from reviews.models import State
from tests.browser.a11y import assert_accessible
from tests.browser.pages import choose_files, fill_date, h1, main
from tests.responses.helpers import PDF_BYTES, agency_of, at_stage, plan_priority

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAST_WEEK = date.today() - timedelta(days=7)
IN_THREE_MONTHS = date.today() + timedelta(days=90)


def _success(page: Page):
    return page.locator(".govuk-notification-banner--success")


def test_from_findings_to_a_signed_response_that_verifies(login_as, page: Page, world, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    from responses.themes import ensure_standard_themes

    ensure_standard_themes()
    review = at_stage(world.north_review, State.REPORT_RECEIVED)
    world.north_process.concluded_on = LAST_WEEK
    world.north_process.save()
    priority = plan_priority(world.north, 2, themes=("Neglect",))
    agency = agency_of(world.north_member, world.north)
    base = f"/reviews/{review.pk}"

    # 1. The business manager records a finding of the report, then starts the response.
    login_as(world.north_manager)
    page.goto(f"{base}/response/report/")
    expect(h1(page)).to_have_text("Report and findings")
    expect(main(page)).to_contain_text("No findings are recorded yet.")
    assert_accessible(page)
    page.get_by_role("link", name="Record a finding").click()
    page.get_by_label("Short title").fill("Bruising in a baby was not referred")
    page.get_by_label("The finding", exact=True).fill("A health visitor saw bruising and did not refer it.")
    page.get_by_label("Neglect").check()
    page.get_by_role("button", name="Save the finding").click()
    expect(_success(page)).to_contain_text("Finding 1 saved.")
    expect(page.locator("#finding-1")).to_contain_text("Priority 2")  # the plan priority on the same theme
    assert_accessible(page)

    page.goto(f"{base}/steps/begin_response/")
    page.get_by_role("button", name="Confirm").click()
    expect(main(page)).to_contain_text("Board response")

    # 2. A meeting records the discussion and challenge, and the board's position.
    page.goto(f"{base}/response/meetings/new/")
    page.get_by_label("Extraordinary meeting").check()
    fill_date(page, "Date of the meeting", LAST_WEEK)
    page.get_by_label("Time given to the review, in minutes").fill("120")
    page.get_by_label(f"Who attended for {agency.name}").fill("Sam Patel, head of safeguarding")
    page.get_by_role("button", name="Save the meeting").click()
    expect(_success(page)).to_contain_text("recorded")
    assert_accessible(page)
    page.get_by_role("link", name="Record the discussion of finding 1").click()
    page.get_by_label("What was discussed about finding 1").fill(
        "Why bruising in a non-mobile baby was not referred."
    )
    page.get_by_label("Challenge made (optional)").fill("The chair asked health to explain its threshold.")
    page.get_by_role("button", name="Save the discussion").click()
    page.get_by_role("link", name="Record the board's position on finding 1").click()
    page.get_by_label("Accepted", exact=True).check()
    page.get_by_label("Why the board took this position").fill(
        "Health accepts it and has changed its guidance."
    )
    page.get_by_role("button", name="Save the board's position").click()
    expect(_success(page)).to_contain_text("The board's position on finding 1 is saved")

    # 3. An action, prioritised and linked to the plan, owned by the North board member.
    page.goto(f"{base}/response/actions/")
    assert_accessible(page)
    page.get_by_role("link", name="Agree an action").click()
    page.get_by_label("Finding 1: Bruising in a baby was not referred").check()
    page.get_by_label("What will be done").fill("Train health visitors on bruising in non-mobile babies.")
    page.get_by_label("Practical").check()
    page.get_by_label("Co-ordinate what is done to safeguard children").check()
    page.get_by_label("Single agency").check()
    page.get_by_label("Owner agency").select_option(label=agency.name)
    page.get_by_label("Named owner").select_option(value=str(world.north_member.pk))
    page.get_by_role("group", name="Priority").get_by_label("High").check()
    page.get_by_label("Why this priority").fill("Babies are at risk now.")
    page.get_by_label("Business plan priority (optional)").select_option(value=str(priority.pk))
    fill_date(page, "Due date", IN_THREE_MONTHS)
    assert_accessible(page)
    page.get_by_role("button", name="Agree the action").click()
    expect(_success(page)).to_be_visible()
    action = Action.objects.get(review=review)
    assert (action.priority, action.plan_priority, action.owner) == (1, priority, world.north_member)

    # 4. The owner posts progress with an evidence file.
    page.context.clear_cookies()
    login_as(world.north_member)
    page.goto(f"{base}/response/actions/{action.number}/")
    assert_accessible(page)
    page.get_by_role("link", name="Add a progress update").click()
    fill_date(page, "Date of the progress", date.today())
    page.get_by_label("Progress made").fill("Training booked for all 40 health visitors.")
    evidence = tmp_path / "Training plan.pdf"
    evidence.write_bytes(PDF_BYTES)
    choose_files(page, "Evidence files (optional)", str(evidence))
    page.get_by_role("button", name="Save the progress update").click()
    expect(main(page).get_by_role("link", name="Training plan.pdf")).to_be_visible()
    assert ActionUpdate.objects.filter(action=action, author=world.north_member).count() == 1

    # 5. The business manager makes the written response and asks the chair to sign.
    page.context.clear_cookies()
    login_as(world.north_manager)
    page.goto(f"{base}/response/written/")
    assert_accessible(page)
    page.get_by_role("link", name="Make a new draft").click()
    page.get_by_role("button", name="Make a new draft").click()
    expect(h1(page)).to_have_text("The board's response, version 1")
    document = page.locator("#document")
    expect(document).to_contain_text("Finding 1: Bruising in a baby was not referred")
    expect(document).to_contain_text("The board's position: Accepted.")
    expect(document).to_contain_text("Action 1: Train health visitors on bruising in non-mobile babies.")
    expect(document).to_contain_text(f"priority 2: {priority.title}")
    page.get_by_role("link", name="Change the text").click()
    page.get_by_label("Monitoring arrangements").fill(
        "The sub-group reports progress to every board meeting."
    )
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("button", name="Ask the chair to sign").click()
    expect(_success(page)).to_contain_text("The chair has been asked")
    assert_accessible(page)

    # 6. The chair reads it and signs it off.
    page.context.clear_cookies()
    login_as(world.north_chair)
    page.goto(f"{base}/response/written/1/")
    page.get_by_role("link", name="Sign off this version").click()
    expect(main(page)).to_contain_text("The sub-group reports progress to every board meeting.")
    assert_accessible(page)
    page.get_by_role("button", name="Sign off this version").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm that you have read this version")
    page.get_by_label("I have read this version and sign it off as the board's response").check()
    page.get_by_role("button", name="Sign off this version").click()
    expect(page.locator(".govuk-panel")).to_contain_text(f"Signed off by {world.north_chair.get_full_name()}")
    version = ResponseVersion.objects.get(review=review, number=1)
    assert version.signed_by == world.north_chair and version.verifies()
    assert_accessible(page)

    # 7. Frozen: the business manager can no longer change it.
    page.context.clear_cookies()
    login_as(world.north_manager)
    page.goto(f"{base}/response/written/1/")
    expect(main(page).get_by_role("link", name="Change the text")).to_have_count(0)
    page.goto(f"{base}/response/written/1/text/")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("can never change")
    assert ResponseVersion.objects.get(pk=version.pk).content == version.content

    # 8. A downloaded copy verifies against the signature; an altered one does not.
    with page.expect_download() as info:
        page.get_by_role("link", name="Download version 1 as a text file").click()
    copy = tmp_path / "copy.txt"
    info.value.save_as(copy)
    assert digest_of(copy.read_bytes()) == version.digest
    page.get_by_role("link", name="Check a copy against the signature").click()
    assert_accessible(page)
    choose_files(page, "A copy of the response", str(copy))
    page.get_by_role("button", name="Check").click()
    expect(page.locator(".govuk-panel")).to_contain_text("This copy matches version 1")
    assert_accessible(page)
    altered = tmp_path / "altered.txt"
    altered.write_bytes(copy.read_bytes().replace(b"Accepted", b"Rejected", 1))
    choose_files(page, "A copy of the response", str(altered))
    page.get_by_role("button", name="Check").click()
    expect(main(page)).to_contain_text(re.compile("does not match any signed version"))
    assert Finding.objects.get(review=review).position == "accepted"
