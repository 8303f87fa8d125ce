"""The quality-marker self-checks in the browser: each part's page shows what the evidence says (QM 6 on the
commissioning page, QM 15 on the response page) and links to the self-check, where the business manager
records the board's view and a board member reads it — every page accessible."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from reviews.models import Review, State
from tests.browser.a11y import assert_accessible
from tests.browser.pages import h1, main
from tests.responses.helpers import at_stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _switch_to(page: Page, login_as, user) -> None:
    page.context.clear_cookies()
    login_as(user)


def test_the_commissioning_self_check_from_the_evidence_to_the_board_s_view(login_as, page: Page, world):
    review = world.north_review
    Review.objects.filter(pk=review.pk).update(state=State.COMMISSIONING)

    login_as(world.north_manager)
    page.goto(f"/reviews/{review.pk}/commissioning/")
    panel = page.get_by_role("heading", name="Quality marker 6: what the evidence shows")
    expect(panel).to_be_visible()
    expect(main(page)).to_contain_text("No rationale has been written.")
    main(page).get_by_role("link", name="The board's self-check").click()

    expect(h1(page)).to_have_text("Quality marker 6 self-check")
    expect(main(page)).to_contain_text("Evidence held: Case factors assessed: 0 of 3")
    assert_accessible(page)
    views = page.get_by_role("group", name="The board's view")
    expect(views).to_have_count(4)
    for i in range(4):
        views.nth(i).get_by_label("Partly met").check()
    page.get_by_label("Comment (optional)").first.fill("Police did not reply.")
    page.get_by_role("button", name="Save the self-check").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Self-check saved.")
    expect(views.first.get_by_label("Partly met")).to_be_checked()

    _switch_to(page, login_as, world.north_member)
    page.goto(f"/reviews/{review.pk}/commissioning/self-check/")
    expect(main(page)).to_contain_text("The board's view: Partly met. Police did not reply.")
    expect(page.get_by_role("button", name="Save the self-check")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Back to commissioning").click()
    expect(h1(page)).to_have_text("Commissioning: form and focus of the review")


def test_the_response_page_shows_where_the_evidence_points_and_a_member_reads_the_self_check(
    login_as, page: Page, world, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    review = at_stage(world.north_review, State.RESPONSE)

    login_as(world.north_member)
    page.goto(f"/reviews/{review.pk}/response/")
    expect(page.get_by_role("heading", name="Quality marker 15: where the evidence stands")).to_be_visible()
    table = page.get_by_role("table", name="Evidence for each question of the quality marker")
    expect(table.get_by_role("row")).to_have_count(6)  # the header and five questions
    expect(table).to_contain_text("No meeting about the review is recorded yet.")
    assert_accessible(page)
    main(page).get_by_role("link", name="See the board's self-check").click()

    expect(h1(page)).to_have_text("Quality marker 15 self-check")
    expect(main(page)).to_contain_text("The board's view: Not yet assessed")
    expect(page.get_by_role("button", name="Save the self-check")).to_have_count(0)
    assert_accessible(page)
