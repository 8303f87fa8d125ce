"""The commissioning walk across roles: the business manager weighs the factors, writes the scope and the
rationale and asks the board for input; a board member replies; the lead reviewer proposes a change of
method and the business manager accepts it; the terms of reference go out for comment, a comment is made
and addressed, and the chair approves the version, which is then frozen — every page on the way, and a form
shown again with its error, accessible."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from commissioning.models import ToRVersion
from reviews.models import Review
from tests.browser.a11y import assert_accessible
from tests.browser.pages import fill_date, h1, main

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A_WEEK_AHEAD = date.today() + timedelta(days=7)

CASE_FACTOR = "The family and the risks to the child"
CONTEXT_FACTOR = "What the area has already learned, and what it knows less about"


def _success(page: Page) -> Locator:
    return page.locator(".govuk-notification-banner--success")


def _switch_to(page: Page, login_as, user) -> None:
    page.context.clear_cookies()
    login_as(user)


def _assess(page: Page, factor: str, found: str, weight: str) -> None:
    block = page.get_by_role("group", name=factor, exact=True)
    block.get_by_label("What the board found").fill(found)
    block.get_by_role("group", name="Weight on the decision").get_by_label(weight, exact=True).check()


def test_commissioning_walk_from_factors_to_approved_terms_of_reference(login_as, page: Page, world):
    review = world.north_review
    Review.objects.filter(pk=review.pk).update(state="commissioning")
    for user, name in (
        (world.north_manager, "Priya Shah"),
        (world.north_member, "Tom Ellis"),
        (world.north_chair, "Helen Marsh"),
        (world.north_reviewer, "Dr Anne Lowe"),
    ):
        user.full_name = name
        user.save()
    base = f"/reviews/{review.pk}"

    # 1. The business manager opens the commissioning page.
    login_as(world.north_manager)
    page.goto(f"{base}/commissioning/")
    expect(h1(page)).to_have_text("Commissioning: form and focus of the review")
    expect(main(page)).to_contain_text("The chair cannot approve the terms of reference yet")
    assert_accessible(page)

    # Assesses a case factor and a context factor.
    page.get_by_role("link", name="Assess the factors").click()
    expect(h1(page)).to_have_text("Assess the case and context factors")
    assert_accessible(page)
    _assess(page, CASE_FACTOR, "Long-standing neglect; two younger siblings at home.", "Significant")
    _assess(page, CONTEXT_FACTOR, "A 2024 review already covered neglect of pre-school children.", "Decisive")
    page.get_by_role("button", name="Save the factors").click()

    expect(h1(page)).to_have_text("Commissioning: form and focus of the review")
    expect(_success(page)).to_contain_text("Factors saved (2 changed).")
    case_table = page.get_by_role("table", name="Case factors")
    expect(case_table.get_by_role("row", name=re.compile(CASE_FACTOR))).to_contain_text("Significant")
    context_table = page.get_by_role("table", name="Context factors")
    expect(
        context_table.get_by_role("row", name=re.compile("What the area has already learned"))
    ).to_contain_text("Decisive")
    assert_accessible(page)

    # Writes the scope.
    page.get_by_role("link", name="Change the scope").click()
    expect(h1(page)).to_have_text("Scope of the review")
    assert_accessible(page)
    page.get_by_label("Breadth and depth", exact=True).fill(
        "The eighteen months before the admission; health, education and children's social care."
    )
    page.get_by_role("group", name="Method", exact=True).get_by_label(
        "Significant Incident Learning Process (SILP)"
    ).check()
    page.get_by_role("button", name="Save the scope").click()

    expect(_success(page)).to_contain_text("Scope saved.")
    expect(main(page)).to_contain_text("Significant Incident Learning Process (SILP)")
    expect(main(page)).to_contain_text("The eighteen months before the admission")
    assert_accessible(page)

    # Writes the rationale, citing both factors.
    page.get_by_role("link", name="Write or change the rationale").click()
    expect(h1(page)).to_have_text("Why this approach is proportionate")
    expect(main(page)).to_contain_text("Still missing:")
    assert_accessible(page)
    page.get_by_label("Why this approach is proportionate", exact=True).fill(
        "The neglect is long-standing, but the area learned much from its 2024 review: a focused SILP "
        "review is proportionate."
    )
    page.get_by_label(f"Case factor: {CASE_FACTOR} (significant)").check()
    page.get_by_label(f"Context factor: {CONTEXT_FACTOR} (decisive)").check()
    page.get_by_role("button", name="Save the rationale").click()

    expect(_success(page)).to_contain_text("Rationale saved. It cites both case and context factors.")
    expect(main(page)).not_to_contain_text("The chair cannot approve the terms of reference yet")
    expect(case_table.get_by_role("row", name=re.compile(CASE_FACTOR))).to_contain_text("Yes")
    assert_accessible(page)

    # Asks the board members for input, closing a week ahead.
    page.get_by_role("navigation", name="Commissioning").get_by_role(
        "link", name="Board members' input"
    ).click()
    expect(h1(page)).to_have_text("Board members' input")
    expect(main(page)).to_contain_text("The board has not been asked for input on this review yet.")
    assert_accessible(page)
    page.get_by_role("link", name="Ask the board for input").click()
    expect(h1(page)).to_have_text("Ask the board for input")
    assert_accessible(page)
    page.get_by_label("What the board is asked").fill(
        "What does your agency know of the family in the eighteen months before the admission?"
    )
    fill_date(page, "Closing date", A_WEEK_AHEAD)
    page.get_by_role("button", name="Send the request to every board member").click()

    expect(h1(page)).to_have_text("Board members' input")
    expect(_success(page)).to_contain_text("board members for input. They have been told.")
    expect(page.get_by_role("heading", name=re.compile("Current round opened"))).to_contain_text("Open")
    expect(main(page)).to_contain_text(f"{A_WEEK_AHEAD:%-d %B %Y}")
    assert_accessible(page)

    # 2. The board member opens the input page and replies; an empty reply is refused first.
    _switch_to(page, login_as, world.north_member)
    page.goto(f"{base}/input/")
    expect(h1(page)).to_have_text("Board members' input")
    expect(page.get_by_role("heading", name="Your reply")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send my reply").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Enter the information you want to give, or say you have nothing to add")
    assert_accessible(page)

    page.get_by_label("Information you think is relevant").fill(
        "Health visiting saw the family twice; the second visit raised concerns that were not shared."
    )
    page.get_by_role("button", name="Send my reply").click()

    expect(_success(page)).to_contain_text(
        "Thank you: your reply has been kept and the business manager told."
    )
    expect(page.get_by_role("row", name=re.compile("Tom Ellis"))).to_contain_text("Replied")
    expect(main(page)).to_contain_text("the second visit raised concerns that were not shared")
    assert_accessible(page)

    # 3. The lead reviewer proposes a change of method.
    _switch_to(page, login_as, world.north_reviewer)
    page.goto(f"{base}/proposals/")
    expect(h1(page)).to_have_text("The lead reviewer's proposals")
    expect(main(page)).to_contain_text("No proposals yet.")
    assert_accessible(page)
    page.get_by_role("link", name="Make a proposal").click()
    expect(h1(page)).to_have_text("Propose a change of scope, method or approach")
    assert_accessible(page)
    page.get_by_role("group", name="What the proposal is about").get_by_label("Method", exact=True).check()
    page.get_by_label("The proposal", exact=True).fill(
        "Use a systems approach instead of SILP: the practitioners' reasoning matters more than the timeline."
    )
    page.get_by_role("button", name="Send the proposal").click()

    expect(h1(page)).to_have_text("The lead reviewer's proposals")
    expect(_success(page)).to_contain_text("Proposal sent.")
    card = page.locator(".govuk-summary-card").first
    expect(card).to_contain_text("Method: proposed")
    expect(card).to_contain_text("Awaiting an answer")
    assert_accessible(page)

    # 4. The business manager answers: accepted, with a reason.
    _switch_to(page, login_as, world.north_manager)
    page.goto(f"{base}/proposals/")
    expect(h1(page)).to_have_text("The lead reviewer's proposals")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Answer")).click()
    expect(h1(page)).to_have_text("Answer the lead reviewer's proposal")
    assert_accessible(page)
    page.get_by_role("group", name="The board's answer").get_by_label("Accepted", exact=True).check()
    page.get_by_label("Why", exact=True).fill("The board agrees: a systems approach suits the questions.")
    page.get_by_role("button", name="Record the answer").click()

    expect(_success(page)).to_contain_text("Answer recorded. The lead reviewer has been told.")
    card = page.locator(".govuk-summary-card").first
    expect(card.locator(".govuk-tag")).to_have_text("Accepted")
    expect(card).to_contain_text("a systems approach suits the questions")
    expect(card.get_by_role("link", name=re.compile(r"^Answer"))).to_have_count(0)
    assert_accessible(page)

    # 5. The business manager creates a terms-of-reference draft and sends it for comment.
    page.goto(f"{base}/commissioning/")
    page.get_by_role("navigation", name="Commissioning").get_by_role(
        "link", name="Terms of reference"
    ).click()
    expect(h1(page)).to_have_text("Scoping document and terms of reference")
    expect(main(page)).to_contain_text("There is no version yet.")
    assert_accessible(page)
    page.get_by_role("link", name="Create a draft").click()
    expect(h1(page)).to_have_text("Create a draft of the terms of reference")
    assert_accessible(page)
    page.get_by_role("button", name="Create the draft").click()

    expect(_success(page)).to_contain_text("Draft version 1 created.")
    expect(h1(page)).to_have_text("Version 1 Draft")
    expect(page.get_by_role("heading", name=re.compile("Why this approach is proportionate"))).to_be_visible()
    expect(main(page).get_by_role("link", name=re.compile(r"^Change"))).not_to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Send for comment").click()
    expect(h1(page)).to_have_text("Send version 1 for comment")
    assert_accessible(page)
    fill_date(page, "Closing date for comments", A_WEEK_AHEAD)
    page.get_by_role("button", name="Send for comment").click()

    expect(_success(page)).to_contain_text(
        "Version 1 is out for comment. Everyone on the review has been told."
    )
    expect(h1(page)).to_have_text("Comments on version 1 Out for comment")
    expect(main(page)).to_contain_text(f"Comments close on {A_WEEK_AHEAD:%-d %B %Y}.")
    assert_accessible(page)

    # 6. The board member comments on a section.
    _switch_to(page, login_as, world.north_member)
    page.goto(f"{base}/commissioning/terms-of-reference/1/comments/")
    expect(h1(page)).to_have_text("Comments on version 1 Out for comment")
    assert_accessible(page)
    page.get_by_role(
        "link", name=re.compile(r"Comment on section \d+, “Why this approach is proportionate”")
    ).click()
    expect(h1(page)).to_have_text("Comment on “Why this approach is proportionate”")
    assert_accessible(page)
    page.get_by_label("Your comment").fill("Please say what the 2024 review found, so readers can follow.")
    page.get_by_role("button", name="Add your comment").click()

    expect(_success(page)).to_contain_text("Your comment is added.")
    section = page.locator("section", has=page.locator("#section-proportionality"))
    expect(section).to_contain_text("Please say what the 2024 review found")
    expect(section.locator(".govuk-tag")).to_have_text("Not addressed")
    assert_accessible(page)

    # The business manager marks it addressed, saying how.
    _switch_to(page, login_as, world.north_manager)
    page.goto(f"{base}/commissioning/terms-of-reference/1/comments/")
    assert_accessible(page)
    page.get_by_role("link", name="Mark as addressed the comment by Tom Ellis").click()
    expect(h1(page)).to_have_text("Mark the comment as addressed")
    assert_accessible(page)
    page.get_by_label("How was the comment addressed?").fill(
        "The findings of the 2024 review are summarised in the purpose section."
    )
    page.get_by_role("button", name="Mark as addressed").click()

    expect(_success(page)).to_contain_text("The comment is marked as addressed.")
    section = page.locator("section", has=page.locator("#section-proportionality"))
    expect(section.locator(".govuk-tag")).to_have_text("Addressed")
    expect(section).to_contain_text("Addressed by Priya Shah")
    expect(section).to_contain_text("summarised in the purpose section")
    assert_accessible(page)

    # 7. Comments are open for a week yet: the chair is told why approval must wait rather than offered a
    # button that would be refused, closes the comment period early saying why, then approves; the version
    # is then approved and frozen.
    _switch_to(page, login_as, world.north_chair)
    page.goto(f"{base}/commissioning/terms-of-reference/1/")
    expect(h1(page)).to_have_text("Version 1 Out for comment")
    expect(page.get_by_role("link", name="Approve this version")).to_have_count(0)
    expect(page.locator("#approve-not-yet")).to_contain_text("You cannot approve version 1 yet")
    expect(page.locator("#approve-not-yet")).to_contain_text("may still comment")
    assert_accessible(page)
    page.get_by_role("link", name="Close the comment period early").click()
    expect(h1(page)).to_have_text("Close the comment period on version 1 early")
    page.get_by_role("button", name="Close the comment period").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why the comment period closes early")
    assert_accessible(page)
    page.get_by_label("Why close the comment period early?").fill(
        "The board meets on Thursday and every agency has commented."
    )
    page.get_by_role("button", name="Close the comment period").click()
    expect(_success(page)).to_contain_text("Comments on version 1 are closed.")
    expect(main(page)).to_contain_text("The board meets on Thursday and every agency has commented.")
    assert_accessible(page)
    page.get_by_role("link", name="Approve this version").click()
    expect(h1(page)).to_have_text("Approve version 1 of the terms of reference")
    expect(main(page)).to_contain_text("Every comment is addressed")
    assert_accessible(page)
    page.get_by_role("button", name="Approve version 1").click()

    expect(_success(page)).to_contain_text("Version 1 is approved. It can no longer change.")
    expect(h1(page)).to_have_text("Version 1 Approved")
    expect(main(page)).to_contain_text("This version is approved and can never change.")
    expect(main(page)).to_contain_text("by Helen Marsh")
    expect(main(page).get_by_role("link", name=re.compile(r"^Change"))).to_have_count(0)
    expect(page.get_by_role("link", name="Approve this version")).to_have_count(0)
    assert_accessible(page)

    # Not even the business manager is offered an edit link on the frozen version.
    _switch_to(page, login_as, world.north_manager)
    page.goto(f"{base}/commissioning/terms-of-reference/1/")
    expect(h1(page)).to_have_text("Version 1 Approved")
    expect(main(page).get_by_role("link", name=re.compile(r"^Change"))).to_have_count(0)
    expect(page.get_by_role("link", name="Create a new draft")).to_be_visible()
    assert_accessible(page)

    version = ToRVersion.objects.get(review=review, number=1)
    assert version.status == ToRVersion.Status.APPROVED
    assert version.approved_by == world.north_chair
