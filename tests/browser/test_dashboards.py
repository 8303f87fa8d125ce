"""The home page as each role sees it, and the notifications page, in a real browser: every section is
there for the person it is for, nothing is inaccessible, and a notification leads to its review."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from reviews.models import Notification, Review, State
from tests.browser.a11y import assert_accessible
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _h2(page: Page, name: str):
    return page.get_by_role("heading", level=2, name=name, exact=True)


def _main(page: Page):
    return page.get_by_role("main")


@pytest.fixture
def busy_world(world: World) -> World:
    """Work in every section: NSCB-1 overdue and being reviewed, NSCB-X at the board's response and due
    within the fortnight, SSCB-1 waiting for South's decision."""
    today = timezone.localdate()
    now = timezone.now()
    Review.objects.filter(pk=world.north_review.pk).update(
        state=State.IN_PROGRESS,
        due_on=today - timedelta(days=4),
        due_kind="completion",
        state_changed_at=now - timedelta(days=20),
    )
    Review.objects.filter(pk=world.cross_border_review.pk).update(
        state=State.RESPONSE,
        due_on=today + timedelta(days=6),
        due_kind="publication",
        state_changed_at=now - timedelta(days=3),
    )
    Review.objects.filter(pk=world.south_review.pk).update(
        state=State.DECISION, due_on=today + timedelta(days=10), due_kind="decision"
    )
    return world


def test_business_manager_home_page(login_as, page: Page, busy_world: World):
    login_as(busy_world.north_manager)
    page.goto("/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Your work")
    for section in ("Overdue", "Due in the next fortnight", "Open reviews by stage"):
        expect(_h2(page, section)).to_be_visible()
    expect(_h2(page, "Waiting for you as chair")).to_have_count(0)
    expect(_main(page).get_by_role("link", name="NSCB-1", exact=True).first).to_be_visible()
    chart = page.get_by_role("figure", name="Open reviews you can see, by stage.")
    expect(chart.get_by_role("listitem").filter(has_text="Decision")).to_be_visible()

    page.get_by_text("Show the figures as a table").click()
    expect(
        page.get_by_role("table", name="Open reviews by stage, and the average time in that stage")
    ).to_be_visible()
    assert_accessible(page)


def test_chair_home_page(login_as, page: Page, busy_world: World):
    login_as(busy_world.north_chair)
    page.goto("/")

    expect(_h2(page, "Waiting for you as chair")).to_be_visible()
    waiting = page.get_by_role("table", name="Reviews waiting for the chair")
    expect(waiting.get_by_role("link", name="NSCB-X")).to_be_visible()
    expect(waiting).to_contain_text("The board's response and your sign-off")
    for section in ("Overdue", "Due in the next fortnight", "Open reviews by stage"):
        expect(_h2(page, section)).to_be_visible()
    assert_accessible(page)


def test_board_member_home_page(login_as, page: Page, busy_world: World):
    login_as(busy_world.south_member)
    page.goto("/")

    expect(_h2(page, "Reviews asking for your board's input")).to_be_visible()
    expect(_main(page).get_by_role("link", name="NSCB-X", exact=True)).to_be_visible()
    expect(_h2(page, "Overdue")).to_have_count(0)
    expect(_h2(page, "Waiting for you as chair")).to_have_count(0)
    assert_accessible(page)


def test_lead_reviewer_home_page(login_as, page: Page, busy_world: World):
    login_as(busy_world.north_reviewer)
    page.goto("/")

    expect(_h2(page, "Reviews you lead")).to_be_visible()
    led = page.get_by_role("table", name="Reviews you are appointed to")
    expect(led.get_by_role("link", name="NSCB-1", exact=True)).to_be_visible()
    expect(led).to_contain_text("Lead reviewer: Carry out the review and deliver the final report.")
    expect(led.get_by_role("link", name="NSCB-X")).to_have_count(0)
    expect(_h2(page, "Overdue")).to_have_count(0)
    assert_accessible(page)


def test_notifications_page_leads_to_the_review(login_as, page: Page, world: World):
    for n, kind in enumerate(
        [
            Notification.Kind.DEADLINE_PASSED,
            Notification.Kind.DEADLINE_APPROACHING,
            Notification.Kind.INFORMATION,
        ]
    ):
        Notification.objects.create(
            recipient=world.north_manager,
            review=world.cross_border_review,
            kind=kind,
            title=f"NSCB-X update {n}",
            body="See the review's timescales.",
            path=reverse("review_detail", args=[world.cross_border_review.pk]),
            key=f"browser:{n}",
            read_at=timezone.now() if n == 2 else None,
        )
    login_as(world.north_manager)
    page.goto("/")

    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.get_by_role("button", name="Mark all as read")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="NSCB-1 needs you").click()

    expect(page).to_have_url(f"/reviews/{world.north_review.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("NSCB-1")
