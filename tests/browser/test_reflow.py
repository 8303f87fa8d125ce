"""Every page type at phone width (WCAG 2.2): nothing scrolls sideways at 320 px, nor at 640 px (a 1280 px
screen zoomed to 200%) (1.4.10 reflow), and at 412 px no tap target is smaller than 24 by 24 px unless it
is spaced as the standard allows (2.5.8, measured by axe-core's target-size rule).

The pages are the authorization walk's table (tests/test_authorization.py): every URL pattern the project
has, with the data it needs and someone entitled to it, so a new page is checked here as soon as it has
its row there. Wide tables may scroll, but only inside their own labelled region, which keyboard users can
reach; the tests below check that, the chart's labels, the menu button and the breadcrumbs. Each page is
also checked for two smaller points: file inputs styled as the design system's, and no "---------" radio."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from reviews.models import StatutoryPartner
from tests.browser.a11y import assert_accessible, sideways_scroll, small_targets
from tests.conftest import World
from tests.factories import ReviewFactory
from tests.test_authorization import ROUTES

pytestmark = [pytest.mark.browser, pytest.mark.layout, pytest.mark.django_db(transaction=True)]

PHONE, ZOOMED, TAP = 320, 640, 412  # CSS pixels: the smallest phone, 1280 px at 200%, a common phone
# GET routes that answer with a file or a polled fragment, not a page.
NOT_PAGES = {
    "healthz",
    "action_evidence",
    "document_download",
    "document_status",
    "export_download",
    "export_status",
}
NOT_PAGE_SUFFIXES = ("_download", "_csv", "_xlsx", "_status")
# Each role's home page has its own sections; the walk's row signs in as one person only.
HOMES = ("north_chair", "north_member", "north_reviewer")


def _is_page(name: str) -> bool:
    return name not in NOT_PAGES and not name.endswith(NOT_PAGE_SUFFIXES)


PAGES = [(name, None) for name, route in sorted(ROUTES.items()) if route.method == "get" and _is_page(name)]
PAGES += [("home", person) for person in HOMES]


def _open(page: Page, login_as, world: World, name: str, person: str | None) -> None:
    route = ROUTES[name]
    who = person or route.allowed or (None if route.public else "north_manager")
    if who:
        login_as(getattr(world, who))
    url = reverse(name, kwargs=route.kwargs(world))
    response = page.goto(url)
    assert response is not None and response.ok, f"{name} ({url}) as {who}: {response and response.status}"
    assert "html" in response.headers.get("content-type", ""), f"{name} is not a page: list it in NOT_PAGES"


@pytest.mark.parametrize(("name", "person"), PAGES, ids=[f"{n}-{p}" if p else n for n, p in PAGES])
def test_page_reflows_and_its_targets_can_be_tapped(login_as, page: Page, world: World, name, person):
    _open(page, login_as, world, name, person)
    problems = _layout_problems(page)
    assert not problems, f"{page.url}\n" + "\n".join(problems)


# A practice review's own pages, at the stage each belongs to, as the business manager and a lead partner of
# the West partnership (the walk's row points at one page as one person): its review page, the rapid review
# (with an agency nobody represents on the partnership), each step form the business manager fills in before
# the partners decide, the partners' decision, and the page where a partner signs the written response.
# These are also checked with axe in full.
PRACTICE_PAGES = [
    ("review_detail", "referral", "manager"),
    ("review_detail", "rapid_review", "manager"),
    ("review_detail", "decision", "leads.local_authority"),
    ("rapid_review", "rapid_review", "manager"),
    ("rapid_review", "rapid_review", "leads.local_authority"),
    ("review_step:notify_incident", "referral", "manager"),
    ("review_step:send_rapid_review", "rapid_review", "manager"),
    ("review_step:record_panel_reply", "with_panel", "manager"),
    ("review_step:initiate", "decision", "leads.local_authority"),
    ("response_version_sign", "response", "leads.local_authority"),
]


def _practice_url(p, name: str, state: str) -> str:
    from reviews.models import AgencySummary, Membership, Review
    from tests.test_authorization import _partnership_draft

    if name == "response_version_sign":
        return reverse(name, kwargs=_partnership_draft(p))
    today = date.today()
    Review.objects.filter(pk=p.review.pk).update(
        state=state,
        incident_date=today - timedelta(days=4),
        notification_date=today - timedelta(days=2),
        incident_notified_on=None if state == "referral" else today,
        incident_notified_by="" if state == "referral" else "Jo Bloggs, Head of Service",
    )
    if state == "rapid_review":
        schools = p.agencies["schools"]
        Membership.objects.filter(board=p.west, agency=schools).update(is_active=False)
        for agency in (p.agencies[StatutoryPartner.POLICE], schools):
            AgencySummary.objects.create(
                review=p.review, agency=agency, requested_by=p.manager, requested_on=today, due_on=today
            )
    if name.startswith("review_step:"):
        return reverse("review_step", kwargs={"pk": p.review.pk, "name": name.split(":", 1)[1]})
    return reverse(name, args=[p.review.pk])


@pytest.mark.parametrize(
    ("name", "state", "person"), PRACTICE_PAGES, ids=[f"{n}-{s}-{w}" for n, s, w in PRACTICE_PAGES]
)
def test_a_practice_review_page_reflows_and_is_accessible(
    login_as, page: Page, partnership, standard_themes, settings, tmp_path, name, state, person
):
    settings.MEDIA_ROOT = str(tmp_path)
    who = partnership
    for part in person.split("."):
        who = who[part] if isinstance(who, dict) else getattr(who, part)
    login_as(who)
    url = _practice_url(partnership, name, state)
    response = page.goto(url)
    assert response is not None and response.ok, f"{name} ({url}) as {person}: {response and response.status}"

    problems = _layout_problems(page)
    assert not problems, f"{page.url}\n" + "\n".join(problems)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_accessible(page)
    page.set_viewport_size({"width": PHONE, "height": 900})
    assert_accessible(page)


def _layout_problems(page: Page) -> list[str]:
    problems = [f"at {w} px: {wide}" for w in (PHONE, ZOOMED) if (wide := sideways_scroll(page, w))]
    problems += [f"small target at {TAP} px: {t}" for t in small_targets(page, TAP)]
    # The smaller points of issue 18 on every page: file inputs are the design system's file upload, and
    # no radio option reads Django's "---------".
    if plain := page.locator("input[type=file]:not(.govuk-drop-zone .govuk-file-upload)").count():
        problems.append(f"{plain} file input(s) not styled as the design system's file upload")
    if page.locator(".govuk-radios__label", has_text="---------").count():
        problems.append('a radio option reads "---------"')
    return problems


def test_every_page_of_the_walk_is_checked():
    checked = {name for name, _ in PAGES}
    pages = {name for name, route in ROUTES.items() if route.method == "get"}
    assert pages - checked == {n for n in pages if not _is_page(n)}
    assert len(checked) > 80, "the walk's table has lost its pages"


# Wide tables, the chart and the menu ---------------------------------------------------------------------


def test_a_wide_table_scrolls_in_its_own_labelled_region_that_the_keyboard_reaches(
    login_as, page: Page, world: World
):
    for n in range(3):
        ReviewFactory(lead_board=world.north, reference=f"NSCB-2026-{n:02d}-WITH-A-LONG-REFERENCE")
    login_as(world.north_manager)
    page.set_viewport_size({"width": PHONE, "height": 900})
    page.goto(reverse("review_list"))

    region = page.get_by_role("region", name="Reviews you can see")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth"), "the table should be wider than a phone"
    assert sideways_scroll(page, PHONE) is None
    page.keyboard.press("Tab")
    for _ in range(40):  # Tab until the region has focus: it is in the tab order
        if region.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(region).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle())

    # On a wide screen the table fits, and the region is no longer a tab stop.
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(region).not_to_have_attribute("tabindex", "0")


def test_the_stage_chart_keeps_readable_labels_at_phone_width(login_as, page: Page, world: World):
    login_as(world.north_manager)
    page.set_viewport_size({"width": PHONE, "height": 900})
    page.goto(reverse("home"))

    labels = page.locator(".app-chart__label, .app-chart__value")
    assert labels.count() >= 16
    sizes = labels.evaluate_all("els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")
    assert min(sizes) >= 12, sizes
    expect(page.locator(".app-chart").get_by_text("Decision", exact=True)).to_be_visible()


def test_the_menu_folds_behind_a_button_on_a_phone(login_as, page: Page, world: World):
    login_as(world.north_manager)
    page.set_viewport_size({"width": TAP, "height": 900})
    page.goto(reverse("home"))

    menu = page.get_by_role("navigation", name="Main menu")
    button = menu.get_by_role("button", name="Menu")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(menu.get_by_role("link", name="Reviews")).to_be_hidden()
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    menu.get_by_role("link", name="Reviews").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviews")

    page.set_viewport_size({"width": 1280, "height": 900})
    expect(button).to_be_hidden()
    expect(menu.get_by_role("link", name="Boards")).to_be_visible()


def test_without_javascript_the_whole_menu_shows(browser: Browser, live_server, world: World):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        client = Client()
        client.force_login(world.north_manager)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        page = context.new_page()
        page.set_viewport_size({"width": TAP, "height": 900})
        page.goto(reverse("home"))
        menu = page.get_by_role("navigation", name="Main menu")
        expect(menu.get_by_role("button", name="Menu")).to_be_hidden()
        for label in ("Home", "Reviews", "Boards", "Notifications"):
            expect(menu.get_by_role("link", name=label)).to_be_visible()
    finally:
        context.close()


def test_breadcrumbs_on_a_phone_show_home_and_the_page_one_up(login_as, page: Page, world: World):
    login_as(world.north_manager)
    page.set_viewport_size({"width": TAP, "height": 900})
    page.goto(reverse("review_history", args=[world.north_review.pk]))

    trail = page.get_by_role("navigation", name="Breadcrumb")
    expect(trail.get_by_role("link", name="Home")).to_be_visible()
    expect(trail.get_by_role("link", name="NSCB-1")).to_be_visible()
    expect(trail.get_by_role("link", name="Reviews")).to_be_hidden()
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(trail.get_by_role("link", name="Reviews")).to_be_visible()


def test_the_review_stages_do_not_look_like_buttons(login_as, page: Page, world: World):
    login_as(world.north_manager)
    page.goto(reverse("review_detail", args=[world.north_review.pk]))

    stages = page.get_by_role("list", name="Stages of the review").get_by_role("listitem")
    expect(stages.first).to_be_visible()
    looks = stages.evaluate_all(
        """els => els.map(e => { const s = getComputedStyle(e);
          return [s.borderTopWidth, s.borderLeftWidth, s.backgroundColor, s.cursor, e.querySelectorAll("a").length]; })"""
    )
    # No box and no fill (a button's look): only a rule beneath each, and none of them is a link.
    assert all(look == ["0px", "0px", "rgba(0, 0, 0, 0)", "auto", 0] for look in looks), looks
