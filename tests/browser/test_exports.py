"""Excel exports in a browser: a board member filters the board's action plan and asks for an Excel file
with the page's button; on the embedded default it is ready by the time its page shows, and downloads with
the filtered rows. A file still being made shows how far it has got and updates by itself. Every page
checked for accessibility."""

from __future__ import annotations

import io
import os

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from documents import services
from documents.models import Export
from responses.models import Action
from tests.browser.a11y import assert_accessible
from tests.browser.pages import h1, main
from tests.responses.helpers import action, at_stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page: Page, name: str) -> None:
    """Saves a screenshot when SCREENSHOTS names a folder (for looking at the pages by eye)."""
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"exports-{name}.png"), full_page=True)


def test_a_board_member_asks_for_the_filtered_plan_as_excel_and_downloads_it(
    login_as, page: Page, world, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    review = at_stage(world.north_review)
    action(review, world.north_member, description="=Audit the referrals", priority=Action.Priority.HIGH)
    action(review, world.north_member, description="Train the staff", priority=Action.Priority.LOW)

    login_as(world.north_member)
    page.goto(f"/boards/{world.north.pk}/actions/?priority=1")
    expect(main(page)).to_contain_text("1 action matches the filters")
    assert_accessible(page)
    _shot(page, "plan")
    page.get_by_role("button", name="Make an Excel file of the filtered actions").click()

    expect(h1(page)).to_have_text("Excel file of the action plan")
    expect(main(page)).to_contain_text("Ready")
    expect(main(page)).to_contain_text("1 action,")
    assert_accessible(page)
    _shot(page, "ready")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the Excel file").click()
    assert info.value.suggested_filename == (
        f"North-Safeguarding-Children-Board-action-plan-{timezone.localdate():%Y-%m-%d}.xlsx"
    )
    target = tmp_path / "plan.xlsx"
    info.value.save_as(target)
    sheet = load_workbook(io.BytesIO(target.read_bytes()))["Action plan"]
    assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["'=Audit the referrals"]

    page.get_by_role("link", name="Back to the action plan").click()
    expect(main(page)).to_contain_text("1 action matches the filters")


def test_a_file_being_made_shows_its_progress_and_updates_by_itself(
    login_as, page: Page, world, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    review = at_stage(world.north_review)
    action(review, world.north_member)
    export = Export.objects.create(
        review=review, label="Action plan of NSCB-1 as an Excel file", requested_by=world.north_member
    )

    login_as(world.north_member)
    page.goto(f"/exports/{export.pk}/")
    expect(main(page)).to_contain_text("Waiting to be made")
    assert_accessible(page)

    # A worker starts and reports how far it has got: the page shows it without being reloaded.
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.RENDERING, started_at=timezone.now(), rows_total=8647, rows_done=1500
    )
    expect(main(page)).to_contain_text("1,500 of 8,647 actions written (17%)", timeout=10_000)
    assert_accessible(page)
    _shot(page, "being-made")

    services.export_make(export.pk)  # the worker finishes it while the page is open

    expect(main(page).get_by_role("link", name="Download the Excel file")).to_be_visible(timeout=10_000)
    assert_accessible(page)
