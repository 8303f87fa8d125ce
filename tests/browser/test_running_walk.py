"""Issue 20's acceptance walk, in a browser: a Serious Case Review in progress, from the plan to the final
report. The business manager opens the plan (made from the template), names an agency author and asks their
agency for a chronology; the author, in a browser of their own, sees nothing else of the review, adds two
entries and submits; the manager accepts, and the merged chronology shows them among another agency's. A
practitioner event is recorded and the family record kept. The lead reviewer adds draft 1, the manager
sends it to an agency for factual accuracy, the agency's board member replies with a comment and the lead
reviewer deals with it; draft 2 goes round again ("no comments"), and the chair accepts it: the review is at
"report received" with its final report. The self-checks of markers 4 and 7–14 are read at the start and
again at the end, and their evidence has moved. Every page visited is checked with axe; the plan, family,
report and analysis pages are photographed at 1280 and 320 px into /tmp/walk-shots/."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from conduct.models import InformationRequest
from reviews.models import Review, State
from scr_portal.accounts.models import User
from tests.browser.a11y import assert_accessible
from tests.browser.pages import choose_files, fill_date, h1, main
from tests.conduct.helpers import author_for, entry, in_progress, other_agency, request_to
from tests.responses.helpers import PDF_BYTES, agency_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/walk-shots")
# The self-check pages of the markers this stage evidences, by number: reviews/<pk>/<segment>/self-check/.
SELF_CHECKS = {
    4: "informing-the-family",
    7: "governance",
    8: "management",
    9: "parallel",
    10: "information",
    11: "practitioners",
    12: "family",
    13: "analysis",
    14: "report",
}


def _success(page: Page):
    return page.locator(".govuk-notification-banner--success")


def _as(page: Page, login_as, user) -> None:
    page.context.clear_cookies()
    login_as(user)


def _own_browser(browser: Browser, live_server, user) -> Page:
    """A browser context of `user`'s own (their own cookies), signed in with a session Django made."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        timezone_id="Europe/London",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
    return context.new_page()


def _evidence(page: Page, review: Review) -> dict[int, list[str]]:
    """Each self-check's evidence, question by question, read from its page (each page checked with axe)."""
    held = {}
    for number, segment in SELF_CHECKS.items():
        page.goto(f"/reviews/{review.pk}/{segment}/self-check/")
        expect(h1(page)).to_have_text(f"Quality marker {number} self-check")
        assert_accessible(page)
        held[number] = [
            text.removeprefix("Evidence held: ").strip()
            for text in main(page).locator(".app-factor p", has_text="Evidence held:").all_inner_texts()
        ]
    return held


def _shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_serious_case_review_is_run_from_its_plan_to_the_final_report(
    login_as, page: Page, browser: Browser, world, live_server, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # Started a month ago, as "Start the review" would have recorded.
    Review.objects.filter(pk=world.north_review.pk).update(
        started_on=timezone.localdate() - timedelta(days=30)
    )
    review = in_progress(world.north_review)
    agency = agency_of(world.north_member, world.north)
    base = f"/reviews/{review.pk}"
    today = timezone.localdate()
    draft_pdf = tmp_path / "Draft 1 - Child A.pdf"
    draft_pdf.write_bytes(PDF_BYTES)
    draft2_pdf = tmp_path / "Draft 2 - Child A.pdf"
    draft2_pdf.write_bytes(PDF_BYTES)

    # 0. The self-checks at the start: nothing done yet, so mostly "not met" evidence.
    _as(page, login_as, world.north_manager)
    before = _evidence(page, review)
    assert before[8][0] == "No plan has been made."
    assert before[10][0] == "No agency has been asked for information yet."
    assert before[11][0] == "No practitioner event or interview is recorded."
    assert before[12][0] == "No family member is recorded yet."
    assert before[4][1] == "No family member is recorded yet."
    assert before[14][0] == "No draft of the report has been added."
    assert before[14][4] == "No draft has been accepted as the final report yet."

    # Another agency has already sent its chronology (set up in Python; test_agency_information.py walks
    # that part in the browser).
    health = other_agency(world.north)
    health_author = author_for(health, world.north, email="author@health.example", full_name="Hal Health")
    theirs = request_to(review, health_author, health, status="accepted")
    entry(theirs, date(2025, 3, 1), event="GP saw Child A with a bruise.", significance="concern")
    entry(theirs, date(2025, 2, 10), event="Health visitor could not get an answer at the flat.")

    # 1. The business manager opens the plan: the template's milestones, owned and dated.
    page.goto(f"{base}/")
    assert_accessible(page)
    main(page).get_by_role("link", name="Plan and governance", exact=False).first.click()
    expect(h1(page)).to_contain_text("Plan")
    milestones = page.get_by_role("table", name="Milestones of the review").locator("tbody tr")
    expect(milestones).to_have_count(6)
    expect(milestones.last).to_contain_text("Final report to the board")
    assert_accessible(page)
    _shoot(page, "plan")

    # ... sets the quality assurance and sign-off, and logs a challenge (marker 7) ...
    page.get_by_role("link", name="Set the quality assurance and sign-off arrangements").click()
    page.get_by_label("Who quality-assures the review").fill("The case review sub-group")
    page.get_by_label("How the review is quality-assured").fill("It reads each draft against the terms.")
    page.get_by_label("How the final report is signed off").fill("The chair, at a board meeting.")
    assert_accessible(page)
    page.get_by_role("button", name="Save the arrangements").click()
    expect(main(page)).to_contain_text("The case review sub-group")
    page.get_by_role("link", name="Log a challenge or impasse").click()
    page.get_by_label("The issue").fill("The police question the scope's dates.")
    page.get_by_label("Raised by").fill("Police board member")
    assert_accessible(page)
    page.get_by_role("button", name="Log it").click()
    expect(main(page)).to_contain_text("Police board member")

    # ... records the trial beside the review, its effects and the disclosure agreed (marker 9) ...
    page.goto(f"{base}/")
    page.get_by_role("link", name="Record a parallel process").click()
    page.get_by_label("Criminal proceedings").check()
    page.get_by_label("Description").fill("Crown Court trial of the mother's partner")
    page.get_by_label("Effect on the review's timetable").fill("Interviews wait until witnesses have spoken.")
    page.get_by_label("Effect on the terms of reference").fill("The night itself is left to the trial.")
    fill_date(page, "Disclosure agreed on", today)
    page.get_by_label("Disclosure agreed with").fill("The senior investigating officer")
    page.get_by_label("What was agreed about disclosure").fill("Practitioners may be interviewed.")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(main(page)).to_contain_text("Crown Court trial of the mother's partner")

    # ... names an agency author for the board member's agency (someone new to the portal) ...
    page.goto(f"{base}/information/")
    expect(h1(page)).to_have_text("Information from agencies")
    assert_accessible(page)
    page.get_by_role("link", name="Ask an agency for information").click()
    assert_accessible(page)
    main(page).get_by_role("link", name=re.compile("Name (the person|an agency author)")).first.click()
    assert_accessible(page)
    page.get_by_label("Agency", exact=True).select_option(label=agency.name)
    page.get_by_label("Email address").fill("pat.author@agency.example")
    page.get_by_label("Full name").fill("Pat Author")
    page.get_by_role("button", name="Name the agency author").click()
    expect(main(page)).to_contain_text("Pat Author")
    assert_accessible(page)
    author = User.objects.get(email="pat.author@agency.example")

    # ... and asks that agency for its chronology, written by Pat Author.
    page.goto(f"{base}/information/ask/")
    page.get_by_label("Agency", exact=True).select_option(label=agency.name)
    page.get_by_label("Who writes it").select_option(label=f"Pat Author ({agency.name})")
    page.get_by_label("A chronology of the agency's involvement").check()
    page.get_by_label("Why the information is needed").fill(
        "The agency's contacts with the family, 2024 to 2025."
    )
    fill_date(page, "Date the information is due", today + timedelta(days=14))
    assert_accessible(page)
    page.get_by_role("button", name="Send the request").click()
    expect(_success(page)).to_contain_text(f"{agency.name} has been asked")
    assert_accessible(page)
    request = InformationRequest.objects.get(review=review, agency=agency)

    # 2. The agency author, in their own browser: their request and nothing else of the review.
    theirs_page = _own_browser(browser, live_server, author)
    try:
        theirs_page.goto("/")
        expect(theirs_page.locator("#information-asked")).to_have_text("Information asked of you")
        menu = theirs_page.get_by_role("navigation", name="Main menu")
        expect(menu.get_by_role("link", name="Reviews")).to_have_count(0)
        assert_accessible(theirs_page)
        theirs_page.get_by_role("link", name=f"{review.reference}: a chronology").click()
        expect(h1(theirs_page)).to_contain_text(f"{agency.name}'s information")
        expect(main(theirs_page)).not_to_contain_text("GP saw Child A")
        assert_accessible(theirs_page)
        for day, event in (
            (date(2025, 3, 1), "Officers attended a call to the home."),
            (date(2025, 1, 2), "Referral to children's services."),
        ):
            theirs_page.get_by_role("link", name="Add a chronology entry").click()
            fill_date(theirs_page, "Date of the event", day)
            theirs_page.get_by_label("Time (if known)").fill("21:15")
            theirs_page.get_by_label("What happened").fill(event)
            theirs_page.get_by_label("Source").fill("Command and control log")
            theirs_page.get_by_label("Concern").check()
            assert_accessible(theirs_page)
            theirs_page.get_by_role("button", name="Save the entry").click()
            expect(_success(theirs_page)).to_contain_text("added to your chronology")
        theirs_page.get_by_role("button", name="Submit to the business manager").click()
        expect(_success(theirs_page)).to_contain_text("Submitted")
        assert_accessible(theirs_page)
        for elsewhere in (
            "/",
            "/chronology/",
            f"/information/{theirs.pk}/",
            "/family/",
            "/plan/",
            "/report/",
        ):
            assert theirs_page.goto(f"{base}{elsewhere}").status == 404, elsewhere
    finally:
        theirs_page.context.close()

    # The manager accepts the submission.
    page.goto(f"{base}/information/{request.pk}/")
    expect(main(page)).to_contain_text("Officers attended a call to the home.")
    assert_accessible(page)
    page.get_by_role("button", name="Accept the submission").click()
    expect(_success(page)).to_contain_text("accepted")
    assert_accessible(page)

    # 3. The merged chronology: the author's entries among the health trust's, in date order.
    page.goto(f"{base}/chronology/")
    chronology = page.locator("#chronology")
    for text in (
        "Referral to children's services.",
        "Health visitor could not get an answer at the flat.",
        "Officers attended a call to the home.",
        "GP saw Child A with a bruise.",
    ):
        expect(chronology).to_contain_text(text)
    order = chronology.locator("tbody").inner_text()
    assert (
        order.index("Referral to children's services.")
        < order.index("Health visitor could not")
        < order.index("Officers attended a call")
    )
    assert_accessible(page)

    # The lead reviewer's analysis (marker 13): a line of enquiry, and an episode citing two agencies' entries.
    _as(page, login_as, world.north_reviewer)
    page.goto(f"{base}/analysis/")
    page.get_by_role("link", name="Add a line of enquiry").click()
    page.get_by_label("The question").fill("How was the risk from the partner shared?")
    page.get_by_label("Why the review asks it").fill("The police knew of his violence; others did not.")
    page.get_by_role("button", name="Save the line of enquiry").click()
    page.get_by_role("link", name="Add a key practice episode").click()
    page.get_by_label("Title").fill("March 2025")
    for prefix, day in (("Start of the period", "1"), ("End of the period", "31")):
        group = page.get_by_role("group", name=prefix)
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill("3")
        group.get_by_label("Year").fill("2025")
    page.get_by_label("What happened").fill("The police and the GP each saw signs of harm.")
    page.get_by_label("Why practice was as it was").fill("Neither knew what the other knew.")
    page.get_by_label("How was the risk from the partner shared?").check()
    page.get_by_role("button", name="Save the episode").click()
    page.get_by_label("Officers attended a call to the home", exact=False).check()
    page.get_by_label("GP saw Child A", exact=False).check()
    assert_accessible(page)
    page.get_by_role("button", name="Save the evidence").click()
    expect(main(page)).to_contain_text("2 chronology entries from")
    _as(page, login_as, world.north_manager)

    # 4. A practitioner event is recorded...
    page.goto(f"{base}/practitioners/")
    assert_accessible(page)
    page.get_by_role("link", name="Record a practitioner event").click()
    assert_accessible(page)
    held = today - timedelta(days=2)
    page.get_by_label("Learning event").check()
    page.get_by_label("Purpose").fill("What practitioners knew of the home in early 2025.")
    fill_date(page, "Date of the event", held)
    fill_date(page, "Date the practitioners were briefed", held - timedelta(days=5))
    page.get_by_label("Support offered to practitioners").fill("Supervision before and after.")
    page.get_by_label(f"{agency.name}: were invited").fill("3")
    page.get_by_label(f"{agency.name}: attended").fill("2")
    page.get_by_role("button", name="Save the event").click()
    expect(main(page)).to_contain_text("What practitioners knew of the home in early 2025.")
    expect(main(page)).to_contain_text(f"{agency.name}: 2 of 3 invited")
    assert_accessible(page)

    # ... and the family record kept: the mother, by her real name and pseudonym, and a contact attempt.
    page.goto(f"{base}/family/")
    assert_accessible(page)
    page.get_by_role("link", name="Add a family member").click()
    assert_accessible(page)
    page.get_by_label("Real name").fill("Joanne Smith")
    page.get_by_label("Pseudonym used in the report").fill("Mother")
    page.get_by_label("Relationship to the child").fill("Mother")
    page.get_by_label("Child", exact=True).select_option(label="Child A")
    fill_date(page, "Date they were first told of the review", today - timedelta(days=40))
    page.get_by_label("Who told them").fill("The business manager")
    page.get_by_role("group", name="How they were told").get_by_label("Letter").check()
    page.get_by_label("Support offered").fill("An advocate from the family support service.")
    page.get_by_label("Agreed to take part").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(h1(page)).to_have_text("Mother")
    expect(main(page)).to_contain_text("Joanne Smith")
    assert_accessible(page)
    page.get_by_role("link", name="Record a contact").click()
    assert_accessible(page)
    fill_date(page, "Date of the contact", today - timedelta(days=1))
    page.get_by_role("group", name="How").get_by_label("Phone call").check()
    page.get_by_label("Spoke with them").check()
    page.get_by_label("The views they gave").fill("Asked why nobody visited after the move.")
    page.get_by_role("button", name="Save the contact").click()
    expect(main(page)).to_contain_text("Asked why nobody visited after the move.")
    assert_accessible(page)
    page.goto(f"{base}/family/")
    expect(main(page)).to_contain_text("Mother")
    assert_accessible(page)
    _shoot(page, "family")

    # 5. The lead reviewer adds draft 1...
    _as(page, login_as, world.north_reviewer)
    page.goto(f"{base}/report/")
    expect(h1(page)).to_have_text("The report")
    assert_accessible(page)
    page.get_by_role("link", name="Add a draft").click()
    assert_accessible(page)
    choose_files(page, "The draft", str(draft_pdf))
    page.get_by_label("What changed in this version (optional)").fill("The first full draft.")
    page.get_by_role("button", name="Add the draft").click()
    expect(main(page)).to_contain_text("Draft 1")
    assert_accessible(page)

    def send_for_accuracy(version: int) -> None:
        _as(page, login_as, world.north_manager)
        page.goto(f"{base}/report/")
        page.get_by_role("link", name=f"Send draft {version} to agencies to check its facts").click()
        assert_accessible(page)
        page.get_by_label(agency.name).check()
        fill_date(page, "Date replies are due", today + timedelta(days=10))
        page.get_by_role("button", name="Send the draft").click()
        expect(main(page)).to_contain_text("No reply yet.")
        assert_accessible(page)

    def reply(version: int, **comment: str) -> None:
        _as(page, login_as, world.north_member)
        page.goto(f"{base}/report/")
        assert_accessible(page)
        page.get_by_role("link", name=f"Reply for {agency.name}").click()
        expect(main(page)).to_contain_text(f"raft {version}")
        assert_accessible(page)
        if comment:
            page.get_by_label("Comment 1: section or page").fill(comment["where"])
            page.get_by_label("Comment 1: what is not accurate, and what is").fill(comment["text"])
        else:
            page.get_by_label("The agency has no comments on the draft's facts").check()
        page.get_by_role("button", name="Send the agency's reply").click()
        assert_accessible(page)

    # ... the manager sends it to the agency, whose board member replies with a comment ...
    send_for_accuracy(1)
    reply(1, where="Page 4", text="The home visit was on 4 March, not 3 March.")
    expect(main(page)).to_contain_text("The home visit was on 4 March, not 3 March.")

    # ... and the lead reviewer deals with it, then adds draft 2.
    _as(page, login_as, world.north_reviewer)
    page.goto(f"{base}/report/")
    expect(main(page)).to_contain_text("Not yet dealt with")
    main(page).get_by_role("link", name="Record how it was dealt with", exact=False).click()
    assert_accessible(page)
    page.get_by_label("How the comment was dealt with").fill("Corrected on page 4 in draft 2.")
    page.get_by_role("button", name="Save").click()
    expect(main(page)).to_contain_text("Dealt with: Corrected on page 4 in draft 2.")
    assert_accessible(page)
    page.get_by_role("link", name="Add a draft").click()
    choose_files(page, "The draft", str(draft2_pdf))
    page.get_by_label("What changed in this version (optional)").fill("The police's correction on page 4.")
    page.get_by_role("button", name="Add the draft").click()
    expect(main(page)).to_contain_text("Draft 2")
    assert_accessible(page)

    # Draft 2 goes round again: no comments.
    send_for_accuracy(2)
    reply(2)
    expect(main(page)).to_contain_text("no comments.")

    # The chair cannot accept it yet: the panel has not quality-assured it. The manager records that it has.
    _as(page, login_as, world.north_chair)
    page.goto(f"{base}/report/")
    expect(main(page)).to_contain_text("Not yet ready to accept")
    _as(page, login_as, world.north_manager)
    page.goto(f"{base}/report/")
    page.get_by_role("link", name="Record quality assurance of draft 2").click()
    assert_accessible(page)
    page.get_by_label("Who quality-assured the draft").fill("The case review sub-group")
    fill_date(page, "Date of the quality assurance", today)
    page.get_by_label("Assured: ready to accept").check()
    page.get_by_role("button", name="Record the quality assurance").click()
    expect(main(page)).to_contain_text("Assured: ready to accept")
    assert_accessible(page)

    # The chair accepts draft 2: the review is at "report received", with draft 2 as its final report.
    _as(page, login_as, world.north_chair)
    page.goto(f"{base}/report/")
    assert_accessible(page)
    page.get_by_role("link", name="Accept draft 2 as the final report").click()
    assert_accessible(page)
    fill_date(page, "Date the final report was received", today)
    page.get_by_role("button", name="Accept as the final report").click()
    expect(main(page)).to_contain_text("Draft 2 was accepted as the final report")
    assert_accessible(page)
    review = Review.objects.get(pk=review.pk)
    assert review.state == State.REPORT_RECEIVED
    assert review.final_report and review.final_report_name == "Draft 2 - Child A.pdf"
    page.goto(f"{base}/")
    expect(page.locator(".app-stage-tag")).to_have_text(re.compile("report received", re.IGNORECASE))
    assert_accessible(page)

    # The report and analysis pages, as the manager sees them at the end.
    _as(page, login_as, world.north_manager)
    page.goto(f"{base}/report/")
    assert_accessible(page)
    _shoot(page, "report")
    page.goto(f"{base}/analysis/")
    expect(h1(page)).to_have_text("Analysis")
    assert_accessible(page)
    _shoot(page, "analysis")

    # 6. The self-checks at the end: the evidence has moved with the records.
    after = _evidence(page, review)
    moved = {n for n in SELF_CHECKS if after[n] != before[n]}
    assert moved == set(SELF_CHECKS), (moved, before, after)
    assert after[8][0].startswith("6 milestones")
    assert after[10][0].startswith("2 requests to 2 of")
    assert after[10][3].startswith("2 of 2 requests accepted")
    assert after[11][0] == "1 learning event and 0 interviews recorded; 1 held."
    assert after[12][0] == "Contact with every family member is recorded."
    assert after[4] == [
        "Every family member recorded was told before the review was commissioned.",
        "For every family member, who told them and how is recorded.",
    ]
    assert after[14][0] == "Agencies asked to check the facts 2 times; 2 replied."
    assert after[14][1] == "1 comment from agencies; 1 dealt with."
    assert after[14][4].startswith("Draft 2 accepted as the final report on")
