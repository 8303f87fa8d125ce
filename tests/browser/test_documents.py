"""Documents in a browser: the business manager asks for a board pack and the terms of reference, sees
them made (in-process on the embedded default) and downloads them; a document still being made shows its
progress and updates by itself. Every page checked for accessibility."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from demo.commissioning import approve_terms
from documents.models import Document
from reviews.models import State
from tests.browser.a11y import assert_accessible
from tests.browser.pages import h1, main
from tests.responses.helpers import action, at_stage, finding

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_business_manager_makes_and_downloads_the_board_pack_and_terms(
    login_as, page: Page, world, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    review = world.north_review
    Review = type(review)
    Review.objects.filter(pk=review.pk).update(state=State.COMMISSIONING)
    approve_terms(Review.objects.get(pk=review.pk), world.north_manager, world.north_chair)
    review = at_stage(review, State.RESPONSE)
    first = finding(review, 1, title="Bruising was not referred")
    action(review, world.north_member, findings=[first])

    login_as(world.north_manager)
    page.goto(f"/reviews/{review.pk}/documents/")
    expect(h1(page)).to_have_text("Documents")
    assert_accessible(page)

    page.get_by_role("button", name="Make the board pack").click()
    expect(h1(page)).to_have_text("Board pack")
    expect(main(page)).to_contain_text("Ready")
    assert_accessible(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the PDF").click()
    pdf = tmp_path / "pack.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    page.goto(f"/reviews/{review.pk}/documents/")
    page.get_by_label("Version").select_option(value="1")
    page.get_by_role("button", name="Make the terms of reference").click()
    expect(main(page)).to_contain_text("Ready")
    assert Document.objects.filter(review=review, status="ready").count() == 2


def test_a_document_being_made_shows_its_progress_and_updates_by_itself(
    login_as, page: Page, world, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    from documents import services

    review = at_stage(world.north_review, State.RESPONSE)
    document = Document.objects.create(
        review=review,
        kind="board_pack",
        data_version="d" * 64,
        label="Board pack for NSCB-1",
        html='<!DOCTYPE html><html lang="en-GB"><head><title>x</title></head><body><p>Pack</p></body></html>',
        requested_by=world.north_manager,
    )
    login_as(world.north_member)
    page.goto(f"/reviews/{review.pk}/documents/{document.pk}/")
    expect(main(page)).to_contain_text("Waiting to be made")
    assert_accessible(page)

    services.document_render(document.pk)  # a worker finishes it while the page is open

    expect(main(page).get_by_role("link", name="Download the PDF")).to_be_visible(timeout=10_000)
    assert_accessible(page)


def test_a_member_downloads_the_signed_response_as_a_pdf_and_sees_an_older_board_pack_is_out_of_date(
    login_as, page: Page, world, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    from demo.responses import sign_off
    from documents import services

    review = at_stage(world.north_review, State.RESPONSE)
    first = finding(review, 1, title="Bruising was not referred")
    action(review, world.north_member, findings=[first])
    pack = services.document_request(review=review, user=world.north_manager, kind="board_pack")
    services.document_render(pack.pk)
    signed = sign_off(review, world.north_manager, world.north_chair)

    login_as(world.north_member)
    page.goto(f"/reviews/{review.pk}/response/written/{signed.number}/")
    expect(main(page)).to_contain_text("Fingerprint of the signed text")
    assert_accessible(page)
    page.get_by_role("button", name=f"Download version {signed.number} as a PDF with the signature").click()
    expect(h1(page)).to_have_text(f"The board's response, version {signed.number} (signed)")
    expect(main(page)).to_contain_text("Ready")
    assert_accessible(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the PDF").click()
    pdf = tmp_path / "response.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    page.goto(f"/reviews/{review.pk}/documents/")
    expect(main(page).get_by_role("row").filter(has_text="Board pack")).to_contain_text("Out of date")
    assert_accessible(page)
