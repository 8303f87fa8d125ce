"""Retention in a real browser: North's business manager follows the board page's link to the reviews due,
is stopped until they type the review's reference, anonymises the review and finds the decision recorded;
and changes the board's retention period, with clear errors for a period out of range. Every page is
checked with axe."""

from __future__ import annotations

import hashlib
import os
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from records import services, subject_access
from records.models import Disposal, DisposalRequest, SubjectAccessExport
from reviews.models import Board
from tests.browser.a11y import assert_accessible
from tests.browser.pages import h1, main
from tests.conftest import World
from tests.records.conftest import FAMILY, build_rich_review, tables_containing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NORTH = "North Safeguarding Children Board"
# What the period page says for a period out of range (1 to 100 years): Django's own words for now.
TOO_FEW_YEARS = "Keep each review's records for at least 1 year"
TOO_MANY_YEARS = "Keep each review's records for no more than 100 years"


def _shot(page: Page, name: str) -> None:
    """Saves a screenshot when SCREENSHOTS names a folder (for looking at the pages by eye)."""
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"records-{name}.png"), full_page=True)


def _summary(page: Page):
    return page.locator(".govuk-error-summary")


@pytest.fixture
def due_review(world: World, settings, tmp_path):
    """North's review, full of personal data and closed 26 years ago: a year past North's 25."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_rich_review(world).review


def _open_retention_from_the_board_page(page: Page, world: World) -> None:
    page.goto(reverse("board_detail", args=[world.north.pk]))
    expect(h1(page)).to_have_text(NORTH)
    page.get_by_role("link", name="Retention of review records").click()
    expect(h1(page)).to_have_text("Retention of review records")


def test_business_manager_anonymises_a_review_due_for_retention(
    login_as, page: Page, world: World, due_review
):
    login_as(world.north_manager)
    _open_retention_from_the_board_page(page, world)
    expect(main(page)).to_contain_text("for 25 years after the review ends")
    due = page.get_by_role("table", name="Reviews whose retention period has run out")
    row = due.get_by_role("row", name="NSCB-1")
    expect(row).to_contain_text("Closed")
    expect(due.get_by_role("row")).to_have_count(2)  # the header and NSCB-1: NSCB-X is still open
    expect(main(page)).to_contain_text("No review of this board has been anonymised or deleted.")
    assert_accessible(page)
    _shot(page, "due")

    row.get_by_role("link", name="Decide what happens to NSCB-1").click()
    expect(h1(page)).to_have_text("Decide what happens to NSCB-1")
    expect(page.get_by_role("link", name="Retention", exact=True)).to_be_visible()  # breadcrumb back
    expect(main(page)).to_contain_text("Neither can be undone.")
    expect(main(page)).to_contain_text("1 finding")
    assert_accessible(page)
    _shot(page, "decide")

    # Anonymise chosen, the reference not typed: nothing happens, and the summary says why.
    page.get_by_label("Anonymise: keep the learning").check()
    page.get_by_label("Other names to remove (anonymise only, optional)").fill(FAMILY)
    page.get_by_role("button", name="Confirm").click()
    summary = _summary(page)
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_count(1)
    expect(summary.get_by_role("link")).to_have_text("Type the review's reference to confirm")
    expect(summary).to_be_focused()  # the design system moves focus to the summary on load
    expect(page.get_by_label("Anonymise: keep the learning")).to_be_checked()  # what was chosen is kept
    expect(page.get_by_label("Other names to remove (anonymise only, optional)")).to_have_value(FAMILY)
    assert_accessible(page)
    _shot(page, "decide-no-reference")
    summary.get_by_role("link").click()
    expect(page.get_by_label("Type the review's reference to confirm")).to_be_focused()
    assert not Disposal.objects.exists()

    # A reference typed wrongly is refused too, and the message shows the one to type.
    page.get_by_label("Type the review's reference to confirm").fill("nscb-1")
    page.get_by_role("button", name="Confirm").click()
    expect(_summary(page)).to_contain_text("Type the reference exactly as shown: NSCB-1")
    assert_accessible(page)
    assert not Disposal.objects.exists()

    page.get_by_label("Type the review's reference to confirm").fill("NSCB-1")
    page.get_by_role("button", name="Confirm").click()

    # A worker applies the decision (in the embedded default, before the decision's page shows).
    expect(h1(page)).to_have_text("Retention decision on NSCB-1")
    expect(page.get_by_role("alert", name="Success")).to_contain_text("NSCB-1 is anonymised.")
    expect(main(page)).to_contain_text("stored files removed")
    assert_accessible(page)
    _shot(page, "applied")
    page.get_by_role("link", name="Back to retention of review records").click()

    expect(h1(page)).to_have_text("Retention of review records")
    expect(main(page)).to_contain_text("No review is due.")
    made = page.get_by_role("table", name="Reviews anonymised or deleted")
    decision = made.get_by_role("row", name="NSCB-1")
    expect(decision).to_contain_text("Anonymised")
    expect(decision).to_contain_text(world.north_manager.get_full_name())
    expect(decision).to_contain_text("(in the portal)")
    expect(decision).to_contain_text("stored files removed")
    assert_accessible(page)
    _shot(page, "decided")

    record = Disposal.objects.get()
    assert (record.review_reference, record.kind, record.confirmed_by) == (
        "NSCB-1",
        Disposal.Kind.ANONYMISE,
        world.north_manager,
    )
    assert record.removed["other_names_given"] == 1
    assert tables_containing(FAMILY) == {}  # the family's name typed on the page is gone everywhere


def test_a_decision_being_applied_shows_it_and_updates_by_itself(
    login_as, page: Page, world: World, due_review
):
    decision = DisposalRequest.objects.create(
        board=world.north,
        review_id=due_review.pk,
        review_reference=due_review.reference,
        kind=Disposal.Kind.DELETE,
        channel="portal",
        requested_by=world.north_manager,
    )
    login_as(world.north_manager)
    _open_retention_from_the_board_page(page, world)
    row = page.get_by_role("table", name="Reviews whose retention period has run out").get_by_role(
        "row", name="NSCB-1"
    )
    expect(row).to_contain_text("Delete: waiting to be applied")
    assert_accessible(page)
    _shot(page, "due-waiting")
    row.get_by_role("link", name="Delete: waiting to be applied (NSCB-1)").click()

    expect(h1(page)).to_have_text("Retention decision on NSCB-1")
    expect(main(page)).to_contain_text("Waiting to be applied")
    expect(main(page)).to_contain_text("Until it is done, nothing in the review has changed.")
    assert_accessible(page)
    _shot(page, "waiting")

    # A worker picks it up, then finishes it while the page is open: the page follows without a reload.
    DisposalRequest.objects.filter(pk=decision.pk).update(
        status=DisposalRequest.Status.WORKING, started_at=timezone.now()
    )
    expect(main(page)).to_contain_text("Being applied", timeout=10_000)
    assert_accessible(page)
    _shot(page, "being-applied")
    assert services.disposal_apply(decision.pk) == "done"
    expect(page.get_by_role("alert", name="Success")).to_contain_text("NSCB-1 is deleted.", timeout=10_000)
    expect(main(page)).to_contain_text("1 review removed")
    assert_accessible(page)
    _shot(page, "deleted")


def test_business_manager_changes_the_retention_period(login_as, page: Page, world: World):
    login_as(world.north_manager)
    _open_retention_from_the_board_page(page, world)
    page.get_by_role("link", name="Change the retention period").click()
    expect(h1(page)).to_have_text(f"Retention period for {NORTH}")
    years = page.get_by_label("Keep each review's records for this many years after it ends")
    expect(years).to_have_value("25")
    assert_accessible(page)
    _shot(page, "period")

    for bad, message in (("0", TOO_FEW_YEARS), ("500", TOO_MANY_YEARS)):
        years.fill(bad)
        page.get_by_role("button", name="Save retention period").click()
        summary = _summary(page)
        expect(summary).to_contain_text(message)
        expect(summary).to_be_focused()
        expect(years).to_have_value(bad)
        assert_accessible(page)
        _shot(page, f"period-{bad}")
        summary.get_by_role("link").click()
        expect(years).to_be_focused()
        assert Board.objects.get(pk=world.north.pk).retention_years == 25

    years.fill("7")
    page.get_by_role("button", name="Save retention period").click()
    expect(h1(page)).to_have_text("Retention of review records")
    expect(page.get_by_role("alert", name="Success")).to_contain_text(
        "Retention period saved: 7 years after a review ends."
    )
    expect(main(page)).to_contain_text("for 7 years after the review ends")
    assert_accessible(page)
    assert Board.objects.get(pk=world.north.pk).retention_years == 7


def test_a_superuser_asks_for_a_subject_access_export_and_downloads_it_when_made(
    login_as, page: Page, world: World, staff_user, settings, tmp_path
):
    """In the administration site (its own look, so no axe here): the form sends the superuser to the
    export's page, which follows the worker's progress and then offers the download."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    waiting = SubjectAccessExport.objects.create(subject=world.north_chair, requested_by=staff_user)
    login_as(staff_user)
    page.goto(reverse("admin:records_subjectaccessrequest_export_detail", args=[waiting.pk]))
    expect(main(page)).to_contain_text("Waiting to be made.")
    SubjectAccessExport.objects.filter(pk=waiting.pk).update(
        status=SubjectAccessExport.Status.RENDERING, steps_total=160, steps_done=40
    )
    expect(main(page)).to_contain_text("40 of 160 kinds of record looked through (25%)", timeout=10_000)
    _shot(page, "admin-export-being-made")
    subject_access.account_export_make(waiting.pk)
    expect(page.get_by_role("link", name="Download the export")).to_be_visible(timeout=10_000)

    page.goto(reverse("admin:records_subjectaccessrequest_export"))
    page.get_by_label("Email address of the account").fill(world.north_member.email)
    page.get_by_role("button", name="Make the export").click()  # made as the request commits, here

    expect(main(page)).to_contain_text("Ready.")
    made = SubjectAccessExport.objects.get(subject=world.north_member)
    expect(main(page)).to_contain_text(made.sha256)
    _shot(page, "admin-export-ready")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the export").click()
    target = tmp_path / "export.zip"
    info.value.save_as(target)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == made.sha256
    assert "tables/accounts.User.json" in zipfile.ZipFile(target).namelist()

    page.get_by_role("link", name="Export another person's data").click()
    expect(
        page.get_by_role("table", name="Exports you asked for that the portal still holds")
    ).to_contain_text(world.north_member.email)
    _shot(page, "admin-export-form")
