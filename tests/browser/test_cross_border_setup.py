"""A cross-border review set up entirely in the portal, by people new to it: the lead board's business
manager invites another board; that board's business manager accepts from the invitation on their home
page; the other board's member gives input and comments on the terms of reference; its chair agrees to the
version; the lead board's chair, shown why approval must wait until then, approves. No admin step, and
every page on the way accessible."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from commissioning.models import Factor, FactorAssessment, Scope, ToRAgreement, ToRVersion
from reviews.models import ParticipatingBoard, Review, Role, State
from tests.browser.a11y import assert_accessible
from tests.browser.pages import fill_date, h1, main
from tests.factories import BoardFactory, ChildFactory, ReviewFactory, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A_WEEK_AHEAD = date.today() + timedelta(days=7)


def _success(page: Page) -> Locator:
    return page.locator(".govuk-notification-banner--success")


def _shot(page: Page, name: str) -> None:
    """Saves a screenshot when SCREENSHOTS names a folder (for looking at the pages by eye)."""
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"cross-border-{name}.png"), full_page=True)


def _switch_to(page: Page, login_as, user) -> None:
    page.context.clear_cookies()
    login_as(user)


def _review_being_commissioned(lead, manager) -> Review:
    """Westshire's review at the commissioning stage, its rationale citing a case and a context factor (the
    commissioning walk makes these in the browser; here they are the starting point)."""
    review = ReviewFactory(lead_board=lead, reference="WSCB-2026-07", state=State.COMMISSIONING)
    ChildFactory(review=review, pseudonym="Child B")
    scope = Scope.objects.create(
        review=review, rationale="Proportionate to the case and what both areas know."
    )
    for kind in ("case", "context"):
        factor = Factor.objects.filter(kind=kind, review__isnull=True).first()
        scope.rationale_factors.add(
            FactorAssessment.objects.create(
                review=review, factor=factor, assessment="Found", weight="significant", updated_by=manager
            )
        )
    return review


def test_a_cross_border_review_is_set_up_and_its_terms_approved_in_the_portal(
    login_as, page: Page, standard_factors
):
    west = BoardFactory(name="Westshire Safeguarding Children Board")
    vale = BoardFactory(name="Eastvale Safeguarding Children Board")
    people = {
        "west_manager": member_of(
            west, Role.BUSINESS_MANAGER, email="bm@westshire.example", full_name="Asha Patel"
        ),
        "west_chair": member_of(
            west, Role.CHAIR, email="chair@westshire.example", full_name="Joan Reed", two_factor_waived=True
        ),
        "vale_manager": member_of(
            vale, Role.BUSINESS_MANAGER, email="bm@eastvale.example", full_name="Sam Okafor"
        ),
        "vale_member": member_of(
            vale, Role.BOARD_MEMBER, email="police@eastvale.example", full_name="Ian Cole"
        ),
        "vale_chair": member_of(
            vale, Role.CHAIR, email="chair@eastvale.example", full_name="Ruth Lam", two_factor_waived=True
        ),
    }
    review = _review_being_commissioned(west, people["west_manager"])
    base = f"/reviews/{review.pk}"

    # 1. Westshire's business manager invites Eastvale from the review's page.
    login_as(people["west_manager"])
    page.goto(f"{base}/")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Invite or remove boards")).click()
    expect(h1(page)).to_have_text("Boards taking part")
    expect(main(page)).to_contain_text("No other board takes part yet.")
    assert_accessible(page)
    _shot(page, "boards-empty")
    page.get_by_role("link", name="Invite a board").click()
    expect(h1(page)).to_have_text("Invite a board to take part")
    assert_accessible(page)
    _shot(page, "invite")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the board to invite")
    assert_accessible(page)
    page.get_by_label("Eastvale Safeguarding Children Board").check()
    page.get_by_label("Note to the board's business manager (optional)").fill(
        "Child B lived in Eastvale until last spring; your agencies knew the family."
    )
    page.get_by_role("button", name="Send the invitation").click()
    expect(_success(page)).to_contain_text("Invitation sent to Eastvale Safeguarding Children Board.")
    expect(page.locator("#invitation-1, .govuk-summary-card").first).to_contain_text("Waiting for an answer")
    assert_accessible(page)
    _shot(page, "boards-waiting")

    # 2. Eastvale's business manager finds the invitation on their home page, and accepts.
    _switch_to(page, login_as, people["vale_manager"])
    page.goto("/")
    assert_accessible(page)
    _shot(page, "home-invited")
    page.get_by_role("link", name=re.compile("1 invitation to take part")).click()
    expect(h1(page)).to_have_text("Invitations to take part")
    assert_accessible(page)
    _shot(page, "invitations")
    page.get_by_role("link", name=re.compile("^Answer")).click()
    expect(h1(page)).to_have_text("Invitation to take part in review WSCB-2026-07")
    expect(main(page)).to_contain_text("your agencies knew the family")
    assert_accessible(page)
    _shot(page, "answer")
    page.get_by_label("Decline", exact=True).check()
    page.get_by_role("button", name="Send your answer").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why your board declines")
    assert_accessible(page)
    _shot(page, "answer-error")
    page.get_by_label("Accept: our board takes part").check()
    page.get_by_role("button", name="Send your answer").click()
    expect(_success(page)).to_contain_text("now takes part in WSCB-2026-07")
    expect(main(page)).to_contain_text("Eastvale Safeguarding Children Board accepted the invitation")
    assert_accessible(page)
    _shot(page, "accepted-review")
    assert ParticipatingBoard.objects.filter(review=review, board=vale).exists()

    # 3. Westshire's business manager asks both boards for input, drafts the terms and sends them out.
    _switch_to(page, login_as, people["west_manager"])
    page.goto(f"{base}/boards/")
    expect(main(page)).to_contain_text("Taking part")
    assert_accessible(page)
    _shot(page, "boards-taking-part")
    page.goto(f"{base}/input/ask/")
    page.get_by_label("What the board is asked").fill("What did your agencies know of the family?")
    fill_date(page, "Closing date", A_WEEK_AHEAD)
    page.get_by_role("button", name="Send the request to every board member").click()
    expect(_success(page)).to_be_visible()
    page.goto(f"{base}/commissioning/terms-of-reference/new/")
    page.get_by_role("button", name="Create the draft").click()
    expect(h1(page)).to_have_text("Version 1 Draft")
    page.get_by_role("link", name="Send for comment").click()
    fill_date(page, "Closing date for comments", A_WEEK_AHEAD)
    page.get_by_role("button", name="Send for comment").click()
    expect(_success(page)).to_contain_text("Version 1 is out for comment.")

    # 4. Eastvale's board member gives input and comments on the terms.
    _switch_to(page, login_as, people["vale_member"])
    page.goto(f"{base}/input/")
    assert_accessible(page)
    page.get_by_label("Information you think is relevant").fill(
        "Eastvale police attended the home twice in 2025; both reports went to children's social care."
    )
    page.get_by_role("button", name="Send my reply").click()
    expect(_success(page)).to_contain_text("your reply has been kept")
    assert_accessible(page)
    page.goto(f"{base}/commissioning/terms-of-reference/1/comments/")
    page.get_by_role("link", name=re.compile(r"Comment on section \d+, “Purpose")).first.click()
    page.get_by_label("Your comment").fill("Please cover the months the family lived in Eastvale.")
    page.get_by_role("button", name="Add your comment").click()
    expect(_success(page)).to_contain_text("Your comment is added.")
    assert_accessible(page)

    # Westshire's business manager addresses the comment.
    _switch_to(page, login_as, people["west_manager"])
    page.goto(f"{base}/commissioning/terms-of-reference/1/comments/")
    page.get_by_role("link", name="Mark as addressed the comment by Ian Cole").click()
    page.get_by_label("How was the comment addressed?").fill("The period now includes the Eastvale months.")
    page.get_by_role("button", name="Mark as addressed").click()
    expect(_success(page)).to_contain_text("The comment is marked as addressed.")

    # 5. Westshire's chair is told why approval must wait: Eastvale has not answered.
    _switch_to(page, login_as, people["west_chair"])
    page.goto(f"{base}/commissioning/terms-of-reference/1/approve/")
    expect(main(page)).to_contain_text("Eastvale Safeguarding Children Board has not yet agreed or objected")
    expect(main(page)).to_contain_text("Not yet answered")
    expect(page.get_by_role("button", name="Approve version 1")).to_have_count(0)
    assert_accessible(page)
    _shot(page, "approve-waiting")

    # 6. Eastvale's chair agrees to version 1 on the version's page.
    _switch_to(page, login_as, people["vale_chair"])
    page.goto(f"{base}/commissioning/terms-of-reference/1/")
    expect(page.get_by_role("heading", name="Your board's position on version 1")).to_be_visible()
    expect(page.get_by_role("link", name="Approve this version")).to_have_count(0)
    assert_accessible(page)
    _shot(page, "version-participating-chair")
    page.get_by_label("No, my board objects").check()
    page.get_by_role("button", name="Record your board's position").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why your board objects")
    assert_accessible(page)
    page.get_by_label("Yes, my board agrees").check()
    page.get_by_label("Reasons").fill("The Eastvale months are now in scope.")
    page.get_by_role("button", name="Record your board's position").click()
    expect(_success(page)).to_contain_text(
        "Recorded: Eastvale Safeguarding Children Board agrees to version 1."
    )
    expect(page.locator("#boards-agreement + .govuk-summary-list")).to_contain_text("Agrees")
    assert_accessible(page)
    _shot(page, "version-agreed")

    # 7. Westshire's chair closes the comment period early, saying why (comments stay open for days yet),
    # then approves.
    _switch_to(page, login_as, people["west_chair"])
    page.goto(f"{base}/commissioning/terms-of-reference/1/")
    page.get_by_role("link", name="Close the comment period early").click()
    page.get_by_label("Why close the comment period early?").fill(
        "Both boards have agreed and every comment is addressed."
    )
    page.get_by_role("button", name="Close the comment period").click()
    expect(_success(page)).to_contain_text("Comments on version 1 are closed.")
    assert_accessible(page)
    page.get_by_role("link", name="Approve this version").click()
    expect(main(page)).to_contain_text("Agrees")
    expect(main(page)).to_contain_text("Ruth Lam")
    assert_accessible(page)
    _shot(page, "approve-ready")
    page.get_by_role("button", name="Approve version 1").click()
    expect(_success(page)).to_contain_text("Version 1 is approved.")
    assert_accessible(page)

    version = ToRVersion.objects.get(review=review, number=1)
    assert (version.status, version.approved_by) == (ToRVersion.Status.APPROVED, people["west_chair"])
    assert ToRAgreement.objects.get(version=version).board == vale
