"""Actions in a real browser: the business manager agrees an action linked to a finding and a business plan
priority; its owner posts a progress update with an evidence file; the action plan shows it with its RAG
tag and the key to the colours. Every page is checked with axe."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from responses.models import Action, Evidence
from tests.browser.a11y import assert_accessible
from tests.browser.pages import choose_files, fill_date, h1, main
from tests.conftest import World
from tests.factories import AgencyFactory
from tests.responses.helpers import PDF_BYTES, agency_of, at_stage, finding, plan_priority

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page: Page, name: str) -> None:
    """Saves a screenshot when SCREENSHOTS names a folder (for looking at the pages by eye)."""
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"actions-{name}.png"), full_page=True)


def test_agree_an_action_record_progress_with_evidence_and_see_it_in_the_plan(
    login_as, page: Page, world: World, tmp_path
):
    from responses.themes import ensure_standard_themes

    ensure_standard_themes()
    review = at_stage(world.north_review)
    finding(review, 1, title="Bruising in a baby was not referred")
    finding(review, 2, title="Concerns were not escalated")
    priority = plan_priority(world.north)
    agency = agency_of(world.north_member, world.north)
    due = timezone.localdate() + timedelta(days=10)
    other = AgencyFactory(name="North Police", boards=[world.north])

    # The business manager agrees the action.
    login_as(world.north_manager)
    page.goto(reverse("action_plan", args=[review.pk]))
    expect(h1(page)).to_have_text("Action plan")
    assert_accessible(page)
    page.get_by_role("link", name="Agree an action").click()
    expect(h1(page)).to_have_text("Agree an action")
    assert_accessible(page)
    _shot(page, "agree-empty")
    page.get_by_role("button", name="Agree the action").click()
    expect(page.get_by_role("alert")).to_contain_text("Select the findings this action responds to")
    assert_accessible(page)
    _shot(page, "agree-errors")

    page.get_by_label("Finding 1: Bruising in a baby was not referred").check()
    page.get_by_label("What will be done").fill(
        "Audit how health visitors refer bruising in babies who are not yet mobile."
    )
    page.get_by_label("Practical").check()
    page.get_by_label("Monitor and challenge the work of agencies").check()
    page.get_by_label("Multi-agency").check()
    # The named-owner list follows the agency: a member of another agency is no longer offered, while the
    # business manager and chair (who may own any agency's action) still are.
    page.get_by_label("Owner agency").select_option(label=other.name)
    owner = page.get_by_label("Named owner")
    expect(owner.locator(f'option[value="{world.north_member.pk}"]')).to_be_disabled()
    expect(owner.locator(f'option[value="{world.north_manager.pk}"]')).to_be_enabled()
    page.get_by_label("Owner agency").select_option(label=agency.name)
    expect(owner.locator(f'option[value="{world.north_member.pk}"]')).to_be_enabled()
    owner.select_option(value=str(world.north_member.pk))
    page.get_by_role("group", name="Priority").get_by_label("High").check()
    page.get_by_label("Why this priority").fill("Babies are at risk now.")
    page.get_by_label("Business plan priority (optional)").select_option(value=str(priority.pk))
    fill_date(page, "Due date", due)
    page.get_by_role("button", name="Agree the action").click()

    expect(h1(page)).to_have_text("Action 1")
    expect(main(page)).to_contain_text("Action 1 is agreed.")
    expect(main(page)).to_contain_text("Priority 1")
    expect(main(page)).to_contain_text("Amber: due within 14 days")
    assert_accessible(page)
    action = Action.objects.get(review=review)
    assert action.plan_priority == priority and [f.number for f in action.findings.all()] == [1]

    # Its owner records progress with an evidence file, moving it on.
    evidence = tmp_path / "Audit findings.pdf"
    evidence.write_bytes(PDF_BYTES)
    login_as(world.north_member)
    page.goto(reverse("action_detail", args=[review.pk, 1]))
    page.get_by_role("link", name="Add a progress update").click()
    expect(h1(page)).to_have_text("Add a progress update")
    assert_accessible(page)
    page.get_by_label("Progress made").fill("Audit of 30 cases done; two referrals were late.")
    page.get_by_label("In progress").check()
    choose_files(page, "Evidence files (optional)", str(evidence))
    _shot(page, "progress-form")
    page.get_by_role("button", name="Save the progress update").click()

    expect(main(page)).to_contain_text("Your progress update on action 1 is saved with 1 evidence file.")
    expect(main(page).get_by_role("link", name="Audit findings.pdf")).to_be_visible()
    assert_accessible(page)
    _shot(page, "detail")
    assert Evidence.objects.get().name == "Audit findings.pdf"

    # Deferring asks for the reason and the date to look again.
    page.get_by_role("link", name="Change the status").click()
    page.get_by_role("radio", name="Deferred").check()
    page.get_by_role("button", name="Change the status").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter why the action is deferred")
    assert_accessible(page)
    _shot(page, "status-form")
    page.get_by_role("link", name="Back to the action without saving").click()

    # The plan shows it, with the key to the colours.
    page.goto(reverse("action_plan", args=[review.pk]))
    table = page.get_by_role("table", name="Actions, by priority then due date")
    expect(table).to_contain_text("In progress")
    expect(table).to_contain_text("Amber: due within 14 days")
    key = page.get_by_role("table", name="Actions by RAG, and what each colour means")
    expect(key).to_contain_text("Open and due within the next 14 days.")
    assert_accessible(page)
    _shot(page, "plan")

    # And so do the board's plan and the owner's home page.
    page.goto(reverse("board_action_plan", args=[world.north.pk]) + "?mine=on")
    expect(page.get_by_role("table", name="Actions, by priority then due date")).to_contain_text(
        "NSCB-1 action 1"
    )
    assert_accessible(page)
    _shot(page, "board-plan")
    page.goto("/")
    expect(page.get_by_role("heading", level=2, name="Your actions")).to_be_visible()
    expect(main(page).get_by_role("link", name="NSCB-1 action 1")).to_be_visible()
    assert_accessible(page)
    _shot(page, "home-member")


def test_an_action_owner_without_a_board_seat_finds_and_updates_their_action(
    login_as, page: Page, world: World, tmp_path
):
    """Someone of the police, known to the portal as an action owner only: named on an action, they find it
    from their home page, record progress with evidence and move it on; nothing else of the review is
    offered to them. Every page is checked with axe."""
    from responses.themes import ensure_standard_themes
    from tests.responses.helpers import action, action_owner_for

    ensure_standard_themes()
    review = at_stage(world.north_review)
    finding(review, 1, title="Police intelligence was not shared")
    police = AgencyFactory(name="Shire Constabulary", boards=[world.north])
    officer = action_owner_for(police, world.north, email="owner@north.example", full_name="Ravi Patel")
    made = action(
        review,
        officer,
        owner_agency=police,
        description="Share police intelligence at every strategy discussion.",
        due_on=timezone.localdate() + timedelta(days=7),
    )

    login_as(officer)
    page.goto("/")
    expect(h1(page)).to_have_text("Your work")
    navigation = page.get_by_role("navigation", name="Main menu")
    expect(navigation.get_by_role("link", name="Reviews")).to_have_count(0)
    expect(navigation.get_by_role("link", name="Boards")).to_have_count(0)
    assert_accessible(page)
    _shot(page, "owner-home")
    expect(main(page).get_by_role("link", name=f"Record progress on action {made.number}")).to_be_visible()
    main(page).get_by_role("link", name=f"NSCB-1 action {made.number}").click()

    expect(h1(page)).to_have_text(f"Action {made.number}")
    breadcrumbs = page.get_by_role("navigation", name="Breadcrumb")
    expect(breadcrumbs).to_contain_text(f"Action {made.number} of NSCB-1")
    expect(breadcrumbs.get_by_role("link", name="NSCB-1")).to_have_count(0)
    expect(main(page).get_by_role("link", name="Back to the action plan")).to_have_count(0)
    assert_accessible(page)
    _shot(page, "owner-action")

    evidence = tmp_path / "Strategy discussions audit.pdf"
    evidence.write_bytes(PDF_BYTES)
    page.get_by_role("link", name="Add a progress update").click()
    expect(h1(page)).to_have_text("Add a progress update")
    assert_accessible(page)
    page.get_by_label("Progress made").fill("Police attended all 12 strategy discussions this month.")
    page.get_by_label("In progress").check()
    choose_files(page, "Evidence files (optional)", str(evidence))
    page.get_by_role("button", name="Save the progress update").click()

    expect(main(page)).to_contain_text(f"Your progress update on action {made.number} is saved")
    expect(main(page).get_by_role("link", name="Strategy discussions audit.pdf")).to_be_visible()
    assert_accessible(page)
    made.refresh_from_db()
    assert made.status == Action.Status.IN_PROGRESS
    assert Evidence.objects.get().update.author == officer
