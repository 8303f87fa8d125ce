"""Issue 20's first slice in a browser: the business manager asks an agency for its chronology; the agency
author, who sees nothing else of the review, adds entries and submits them; the merged chronology shows
them beside another agency's, and the manager downloads the filtered chronology as a CSV file made in the
background; the manager accepts. Every page is checked with axe, and at 320 px for sideways scrolling."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conduct.models import InformationRequest
from tests.browser.a11y import assert_accessible, sideways_scroll
from tests.browser.pages import fill_date, h1, main
from tests.conduct.helpers import author_for, entry, in_progress, other_agency, request_to
from tests.responses.helpers import agency_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _checked(page: Page) -> None:
    assert_accessible(page)
    width = page.viewport_size["width"]
    problem = sideways_scroll(page, 320)
    page.set_viewport_size({"width": width, "height": 900})
    assert problem is None, problem


def _success(page: Page):
    return page.locator(".govuk-notification-banner--success")


def test_an_agency_author_sends_a_chronology_the_merged_chronology_shows(
    login_as, page: Page, world, live_server, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    review = in_progress(world.north_review)
    police = agency_of(world.north_member, world.north)
    author = world.north_author
    health = other_agency(world.north)
    health_author = author_for(health, world.north, email="author@health.example", full_name="Hal Health")
    theirs = request_to(review, health_author, health, status="accepted")
    entry(theirs, date(2025, 3, 1), event="GP saw Child A with a bruise.", significance="concern")
    base = f"/reviews/{review.pk}"

    # 1. The business manager asks the police for a chronology, written by their agency author.
    login_as(world.north_manager)
    page.goto(f"{base}/")
    page.get_by_role("link", name="Information from agencies").click()
    expect(h1(page)).to_have_text("Information from agencies")
    _checked(page)
    page.get_by_role("link", name="Ask an agency for information").click()
    _checked(page)
    page.get_by_label("Agency", exact=True).select_option(label=police.name)
    page.get_by_label("Who writes it").select_option(label=f"Asha Author ({police.name})")
    page.get_by_label("A chronology of the agency's involvement").check()
    page.get_by_label("Why the information is needed").fill("Police contacts with the family, 2024 to 2025.")
    fill_date(page, "Date the information is due", date.today() + timedelta(days=14))
    page.get_by_role("button", name="Send the request").click()
    expect(_success(page)).to_contain_text(f"{police.name} has been asked")
    _checked(page)
    request = InformationRequest.objects.get(agency=police)

    # 2. The agency author: their home page shows the request and nothing else of the review.
    page.context.clear_cookies()
    login_as(author)
    page.goto(live_server.url + "/")
    expect(page.locator("#information-asked")).to_have_text("Information asked of you")
    menu = page.get_by_role("navigation", name="Main menu")
    expect(menu.get_by_role("link", name="Home")).to_have_count(1)
    expect(menu.get_by_role("link", name="Reviews")).to_have_count(0)
    _checked(page)
    page.get_by_role("link", name=f"{review.reference}: a chronology").click()
    expect(h1(page)).to_contain_text(f"{police.name}'s information")
    expect(main(page)).not_to_contain_text("GP saw Child A")
    _checked(page)
    for day, event in (
        (date(2025, 3, 1), "Officers attended a call to the home."),
        (date(2025, 1, 2), "Referral to children's services."),
    ):
        page.get_by_role("link", name="Add a chronology entry").click()
        fill_date(page, "Date of the event", day)
        page.get_by_label("Time (if known)").fill("21:15")
        page.get_by_label("What happened").fill(event)
        page.get_by_label("Source").fill("Police command and control log")
        page.get_by_label("Concern").check()
        _checked(page)
        page.get_by_role("button", name="Save the entry").click()
        expect(_success(page)).to_contain_text("added to your chronology")
    page.get_by_role("button", name="Submit to the business manager").click()
    expect(_success(page)).to_contain_text("Submitted")
    _checked(page)
    assert page.goto(f"{live_server.url}{base}/").status == 404
    assert page.goto(f"{live_server.url}{base}/information/{theirs.pk}/").status == 404
    assert page.goto(f"{live_server.url}{base}/chronology/").status == 404

    # 3. The manager reads the merged chronology: the police entries beside the GP's, the same day marked.
    page.context.clear_cookies()
    login_as(world.north_manager)
    page.goto(f"{live_server.url}{base}/chronology/")
    rows = page.locator("#chronology tbody tr")
    expect(rows).to_have_count(4)  # three entries and the gap of 57 days between January and March
    expect(rows.nth(0)).to_contain_text("Referral to children's services.")
    expect(rows.nth(1)).to_contain_text("No entries for 57 days")
    expect(page.locator("#chronology")).to_contain_text("GP saw Child A with a bruise.")
    expect(page.locator(".app-chronology-overlap")).to_have_count(2)
    _checked(page)
    page.get_by_label("Agency", exact=True).select_option(label=health.name)
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#chronology tbody tr")).to_have_count(1)
    _checked(page)

    # The filtered chronology as a CSV file: asked for, made in the background (by the time its page
    # shows, on the embedded default), downloaded with the filter's one row.
    page.get_by_role("button", name="Download as CSV").click()
    expect(h1(page)).to_have_text("CSV file of the merged chronology")
    expect(main(page)).to_contain_text("Ready")
    expect(main(page)).to_contain_text("1 entry,")
    _checked(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the CSV file").click()
    assert download.value.suggested_filename == (
        f"{review.reference}-chronology-{timezone.localdate():%Y-%m-%d}.csv"
    )
    target = tmp_path / "chronology.csv"
    download.value.save_as(target)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert [row[2:4] for row in rows[1:]] == [[health.name, "GP saw Child A with a bruise."]]
    page.get_by_role("link", name="Back to the merged chronology").click()
    expect(page.locator("#chronology tbody tr")).to_have_count(1)

    # 4. The manager accepts the police submission.
    page.goto(f"{live_server.url}{base}/information/{request.pk}/")
    _checked(page)
    page.get_by_role("button", name="Accept the submission").click()
    expect(_success(page)).to_contain_text("accepted")
    request.refresh_from_db()
    assert request.status == "accepted"
