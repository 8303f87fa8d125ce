"""The board's discussion of the report, in a browser: the business manager records an extraordinary
meeting with who attended for each agency (after a mistake in the time given), records the discussion and
challenge on a finding and the board's position on it, then adds an activity to the engagement plan —
every page on the way accessible."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from responses.models import EngagementActivity, Finding, FindingDiscussion, Meeting
from tests.browser.a11y import assert_accessible
from tests.browser.pages import fill_date, h1, main
from tests.factories import AgencyFactory
from tests.responses.helpers import at_stage, finding

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAST_WEEK = date.today() - timedelta(days=7)
NEXT_MONTH = date.today() + timedelta(days=30)


def _success(page: Page) -> Locator:
    return page.locator(".govuk-notification-banner--success")


def _long(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def test_the_business_manager_records_the_board_discussion_and_the_engagement_plan(
    login_as, page: Page, world
):
    review = at_stage(world.north_review, "response")
    own = world.north_member.memberships.get(board=world.north).agency
    AgencyFactory(name="North Police", boards=[world.north])
    finding(review, 1, title="Escalation between agencies", text="Concerns were not escalated.")
    finding(review, 2, title="Voice of the child", text="The child was not seen alone.")
    base = f"/reviews/{review.pk}/response"

    login_as(world.north_manager)
    page.goto(f"{base}/meetings/")
    expect(h1(page)).to_have_text("Board discussion")
    expect(main(page)).to_contain_text("None held")
    assert_accessible(page)

    # 1. A meeting, first with a mistake in the time given.
    page.get_by_role("link", name="Record a meeting").click()
    expect(h1(page)).to_have_text("Record a meeting")
    page.get_by_label("Extraordinary meeting").check()
    fill_date(page, "Date of the meeting", LAST_WEEK)
    page.get_by_label("Time given to the review, in minutes").fill("0")
    page.get_by_label("Chaired by (optional)").fill("Helen Marsh, independent chair")
    page.get_by_label("Summary of the discussion (optional)").fill(
        "The whole meeting was given to the report."
    )
    page.get_by_label("Who attended for North Police").fill("DI Jones, public protection")
    page.get_by_role("button", name="Save the meeting").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The time given must be at least 1 minute")
    expect(page.get_by_label("Who attended for North Police")).to_have_value("DI Jones, public protection")
    assert_accessible(page)
    page.get_by_label("Time given to the review, in minutes").fill("120")
    page.get_by_role("button", name="Save the meeting").click()

    meeting = Meeting.objects.get(review=review)
    expect(h1(page)).to_have_text(f"Extraordinary meeting, {_long(LAST_WEEK)}")
    expect(_success(page)).to_contain_text("recorded")
    attended = page.get_by_role("table", name="Who attended for each agency")
    expect(attended.get_by_role("row", name=re.compile("North Police"))).to_contain_text("DI Jones")
    expect(page.locator("#absent")).to_contain_text(own.name)
    expect(main(page)).to_contain_text("0 of 2 findings discussed at this meeting")
    assert_accessible(page)

    # 2. The discussion and challenge on finding 1.
    page.get_by_role("link", name="Record the discussion of finding 1").click()
    expect(h1(page)).to_have_text("Record the discussion of finding 1")
    expect(main(page)).to_contain_text("Concerns were not escalated.")
    assert_accessible(page)
    page.get_by_label("What was discussed about finding 1").fill("Agencies agreed escalation was too slow.")
    page.get_by_label("Challenge made (optional)").fill(
        "The chair asked the police why no strategy meeting was held."
    )
    page.get_by_role("button", name="Save the discussion").click()

    expect(_success(page)).to_contain_text("The discussion of finding 1 is saved.")
    card = page.locator(f"#finding-{review.findings.get(number=1).pk}")
    expect(card).to_contain_text("Agencies agreed escalation was too slow.")
    expect(card).to_contain_text("why no strategy meeting was held")
    expect(main(page)).to_contain_text(
        "1 of 2 findings discussed at this meeting, 1 with a challenge recorded"
    )

    # 3. The board's position on it, agreed at this meeting.
    page.get_by_role("link", name="Record the board's position on finding 1").click()
    expect(h1(page)).to_have_text("The board's position on finding 1")
    expect(main(page)).to_contain_text("Agencies agreed escalation was too slow.")
    expect(page.get_by_label("Meeting at which it was agreed (optional)")).to_have_value(str(meeting.pk))
    page.get_by_role("button", name="Save the board's position").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the board's position on the finding")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the board took this position")
    assert_accessible(page)
    page.get_by_label("Accepted in part").check()
    page.get_by_label("Why the board took this position").fill(
        "Accepted for health and social care; the police escalation policy was already revised in 2025."
    )
    page.get_by_role("button", name="Save the board's position").click()

    expect(_success(page)).to_contain_text("The board's position on finding 1 is saved: accepted in part.")
    expect(card).to_contain_text("Accepted in part")
    expect(card).to_contain_text(f"Agreed at the extraordinary meeting of {_long(LAST_WEEK)}")
    assert_accessible(page)

    page.get_by_role("link", name="Back to the board discussion").click()
    expect(main(page)).to_contain_text(f"Held on {_long(LAST_WEEK)}")
    expect(main(page)).to_contain_text("2 hours across 1 meeting")
    positions = page.get_by_role("table", name="The board's position on each finding")
    expect(positions.get_by_role("row", name=re.compile("Escalation between agencies"))).to_contain_text(
        "Accepted in part"
    )

    # 4. An activity of the engagement plan.
    page.get_by_role("link", name="The engagement plan").click()
    expect(h1(page)).to_have_text("Engagement plan")
    expect(main(page)).to_contain_text("No activity is planned for frontline practitioners")
    assert_accessible(page)
    page.get_by_role("link", name="Add an activity", exact=True).click()
    expect(h1(page)).to_have_text("Add an engagement activity")
    assert_accessible(page)
    page.get_by_role("group", name="Audience").get_by_label("Frontline practitioners").check()
    page.get_by_label("Who exactly (optional)").fill("Health visitors in the north locality")
    page.get_by_label("The activity").fill("Seven-minute briefing on escalation at the team meeting")
    page.get_by_label("Briefing (for example a seven-minute briefing)").check()
    fill_date(page, "Date of the activity", NEXT_MONTH)
    page.get_by_role("button", name="Save the activity").click()

    expect(_success(page)).to_contain_text("added to the engagement plan")
    frontline = page.locator("section", has=page.locator("#audience-frontline"))
    expect(frontline).to_contain_text("Seven-minute briefing on escalation at the team meeting")
    expect(frontline).to_contain_text("1 activity planned or done")
    expect(frontline).to_contain_text("Planned")
    expect(main(page)).not_to_contain_text("No activity is planned for frontline practitioners")
    assert_accessible(page)

    # What was recorded.
    discussion = FindingDiscussion.objects.get()
    assert (discussion.meeting, discussion.finding.number) == (meeting, 1)
    f1 = Finding.objects.get(review=review, number=1)
    assert (f1.position, f1.position_meeting) == ("accepted_in_part", meeting)
    activity = EngagementActivity.objects.get(review=review)
    assert (activity.audience, activity.planned_on) == ("frontline", NEXT_MONTH)
    assert meeting.attendances.get().attendees == "DI Jones, public protection"
