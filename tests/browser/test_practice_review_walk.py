"""Issue 19's acceptance walk, in a browser: a local child safeguarding practice review (LCSPR) from the serious
incident notification, through the rapid review and the agencies' summaries, the Panel's reply and the partners'
decision, to the three statutory partners' signatures on the partners' response and its publication. Every page
of the review visited is checked with axe, and for the legacy regime's words (an LSCB's Serious Case Review and
its board chair) that have no place in a practice review."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from demo.commissioning import approve_terms
from demo.responses import record_findings
from responses.document import services as document
from responses.models import ResponseVersion
from reviews import services
from reviews.models import AgencySummary, Criteria, Review, State, StatutoryPartner
from reviews.workflow import LCSPR_TRANSITIONS
from scr_portal import workdays
from tests.browser.a11y import assert_accessible
from tests.browser.pages import fill_date, h1, main
from tests.factories import AppointmentFactory
from tests.reviews.test_workflow import date_input, pdf_upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LA, ICB, POLICE = (
    StatutoryPartner.LOCAL_AUTHORITY,
    StatutoryPartner.INTEGRATED_CARE_BOARD,
    StatutoryPartner.POLICE,
)

TODAY = date.today()
# The agencies are asked for their summaries today, while the rapid review is still due (15 working days
# from the notification), so the notification is recent and what follows it happens today. The later
# stages, set up in Python, happen today too: the portal's dates are never in the future, so the
# publication notice, at least 7 working days before publication, is dated before them (no rule orders
# the notice after the report's receipt; the rule tested here is the 7 working days).
AWARE = TODAY - timedelta(days=16)
NOTIFIED = TODAY - timedelta(days=14)
MEETING = SENT = REPLIED = DECIDED = STARTED = REPORT_IN = PUBLISHED = TODAY
NOTICE_TOO_LATE = PUBLISHED - timedelta(days=3)
NOTICE = PUBLISHED - timedelta(days=14)

# The legacy regime's words: none belongs on a practice review's pages.
LEGACY_WORDS = re.compile(r"serious case review|lscb|board chair", re.IGNORECASE)


def _check(page: Page) -> None:
    """Every page of the practice review: accessible (axe), and in the partnership's words only."""
    assert_accessible(page)
    text = page.locator("body").inner_text()
    found = [text[max(m.start() - 60, 0) : m.end() + 30] for m in LEGACY_WORDS.finditer(text)]
    assert not found, f"{page.url} speaks of the legacy regime: {found}"


def _success(page: Page):
    return page.locator(".govuk-notification-banner--success")


def _as(page: Page, login_as, user) -> None:
    page.context.clear_cookies()
    login_as(user)


def _take(review: Review, name: str, user, **fields) -> Review:
    """One lifecycle step taken in Python, its data cleaned by the step's own form as the page would."""
    review = Review.objects.get(pk=review.pk)
    posted, uploads = {}, {}
    for key, value in fields.items():
        if isinstance(value, date):
            posted.update(date_input(key, value))
        elif hasattr(value, "read"):
            uploads[key] = value
        else:
            posted[key] = value
    form = LCSPR_TRANSITIONS[name].form_class(posted, uploads, review=review)
    assert form.is_valid(), (name, form.errors.as_data())
    return services.review_transition(review_id=review.pk, name=name, user=user, data=form.cleaned_data)


def test_a_practice_review_from_notification_to_publication(
    login_as, page: Page, partnership, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    p = partnership
    lead_la, delegate_icb, lead_police = p.leads[LA], p.delegates[ICB], p.leads[POLICE]
    la, icb, police, schools = (p.agencies[k] for k in (LA, ICB, POLICE, "schools"))
    # Set up in Python: the referral's details (the fixture's review has only its child). The referral
    # page itself is walked by tests/browser/test_referral_to_commissioning.py.
    review = p.review
    review.case_summary = "Admitted to hospital with a head injury; known to the police and the school."
    review.incident_date = AWARE - timedelta(days=1)
    review.notification_date = AWARE
    review.criteria = Criteria.STATUTORY
    review.criteria_notes = "Abuse is suspected and the child was seriously harmed."
    services.review_refresh_due(review)
    review.save()
    base = f"/reviews/{review.pk}"

    # 1. The business manager records the serious incident notification: first without the Panel's
    # reference, then with it.
    _as(page, login_as, p.manager)
    page.goto(f"{base}/")
    expect(h1(page)).to_contain_text("WSCP-1")
    expect(page.locator(".app-stage-tag")).to_have_text("Serious incident notification")
    _check(page)
    page.get_by_role("link", name="Record the serious incident notification", exact=True).click()
    expect(h1(page)).to_have_text("Record the serious incident notification")
    _check(page)
    fill_date(page, "Date the local authority notified the Panel and Ofsted", NOTIFIED)
    page.get_by_label("Who notified").fill("Ruth Okafor, Director of Children's Services")
    page.get_by_role("button", name="Record the notification").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Enter the notification reference for Child W")
    expect(page.get_by_label("Who notified")).to_have_value("Ruth Okafor, Director of Children's Services")
    _check(page)
    page.get_by_label("Notification reference for Child W").fill("SIN-2026-0412")
    page.get_by_role("button", name="Record the notification").click()
    expect(page.locator(".app-stage-tag")).to_have_text("Rapid review")
    _check(page)

    # 2. The rapid review: the police and the schools are asked for their summaries.
    page.goto(f"{base}/rapid-review/")
    expect(h1(page)).to_have_text("Rapid review")
    expect(main(page)).to_contain_text("SIN-2026-0412")
    expect(main(page)).to_contain_text("No agency has been asked for a summary yet.")
    _check(page)
    page.get_by_role("link", name="Ask agencies for their summaries").click()
    expect(h1(page)).to_have_text("Ask agencies for a summary of their involvement")
    _check(page)
    page.get_by_label(police.name).check()
    page.get_by_label(schools.name).check()
    page.get_by_role("button", name="Ask for the summaries").click()
    expect(_success(page)).to_contain_text("Asked 2 agencies for a summary")
    expect(main(page)).to_contain_text("0 of 2 received.")
    _check(page)

    # The business manager records the police's summary, sent to them by email.
    page.get_by_role("link", name=f"Record the summary from {police.name}").click()
    expect(h1(page)).to_have_text(f"Record the summary from {police.name}")
    _check(page)
    page.get_by_label("Summary of the agency's involvement").fill(
        "Called to the home twice for domestic abuse in the month before; no referral made."
    )
    page.get_by_role("button", name="Save the summary").click()
    expect(_success(page)).to_contain_text(f"Summary from {police.name} saved.")
    expect(main(page)).to_contain_text("1 of 2 received.")
    _check(page)

    # The schools' member of the partnership records the schools' own summary.
    _as(page, login_as, p.member)
    page.goto(f"{base}/rapid-review/")
    _check(page)
    page.get_by_role("link", name=f"Record the summary from {schools.name}").first.click()
    _check(page)
    page.get_by_label("Summary of the agency's involvement").fill(
        "Attendance fell to 70% in the autumn term; the school had made one referral, in September."
    )
    page.get_by_role("button", name="Save the summary").click()
    expect(main(page)).to_contain_text("2 of 2 received.")
    expect(main(page)).to_contain_text("Attendance fell to 70%")
    _check(page)

    # The business manager sees both in and sends the rapid review to the Panel.
    _as(page, login_as, p.manager)
    page.goto(f"{base}/rapid-review/")
    expect(main(page)).to_contain_text("2 of 2 received.")
    expect(main(page)).to_contain_text("Every summary is in.")
    _check(page)
    page.get_by_role("link", name="Send the rapid review to the Panel", exact=True).click()
    expect(h1(page)).to_have_text("Send the rapid review to the Panel")
    _check(page)
    fill_date(page, "Date of the rapid review meeting", MEETING)
    page.get_by_label("Immediate safety actions").fill(
        "The siblings were seen at school and a safety plan agreed."
    )
    page.get_by_label("Learning identified").fill("The police's call-outs were not shared with the school.")
    page.get_by_label("A local child safeguarding practice review").check()
    fill_date(page, "Date the rapid review was sent to the Panel", SENT)
    page.get_by_role("button", name="Send the rapid review to the Panel").click()
    expect(page.locator(".app-stage-tag")).to_have_text(re.compile("Panel"))
    _check(page)

    # 3. The Panel's reply, then a lead partner records the partners' decision to hold a local review.
    page.get_by_role("link", name="Record the Panel's reply", exact=True).click()
    expect(h1(page)).to_have_text("Record the Panel's reply")
    _check(page)
    page.get_by_label("The Panel agrees with the recommendation").check()
    fill_date(page, "Date of the Panel's reply", REPLIED)
    page.get_by_role("button", name="Record the Panel's reply").click()
    expect(page.locator(".app-stage-tag")).to_have_text("Partners' decision")
    _check(page)

    # The partners' decision: each statutory partner signs the same decision for its organisation; the
    # first fills it in, the other two are shown it as signed so far and sign it as it stands.
    step = "Record the decision to hold a local child safeguarding practice review"
    _as(page, login_as, lead_la)
    page.goto(f"{base}/")
    _check(page)
    page.get_by_role("link", name=step, exact=True).click()
    expect(h1(page)).to_have_text(step)
    _check(page)
    expect(page.get_by_text("You sign for the local authority")).to_be_visible()
    fill_date(page, "Date of the decision", DECIDED)
    page.get_by_label("Why").fill(
        "The partners agree with the rapid review: agencies did not share what they knew."
    )
    fill_date(page, "Date the national Panel was told of the decision", DECIDED)
    fill_date(page, "Date Ofsted was told of the decision", DECIDED)
    page.get_by_role("button", name="Sign the decision to hold a local review").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Signed for your organisation. Waiting for the integrated care board and the chief officer of police to sign."
    )
    expect(page.locator(".app-stage-tag")).to_have_text("Partners' decision")
    _check(page)
    for signer, signed_before in (
        (p.delegates[StatutoryPartner.INTEGRATED_CARE_BOARD], 1),
        (p.leads[StatutoryPartner.POLICE], 2),
    ):
        _as(page, login_as, signer)
        page.goto(f"{base}/")
        expect(page.get_by_text(f"Signed so far ({signed_before} of 3)")).to_be_visible()
        _check(page)
        page.get_by_role("link", name=step, exact=True).click()
        expect(
            page.get_by_role("heading", name=f"The decision signed so far ({signed_before} of 3)")
        ).to_be_visible()
        expect(page.get_by_label("Why")).to_have_value(
            "The partners agree with the rapid review: agencies did not share what they knew."
        )
        _check(page)
        page.get_by_role("button", name="Sign the decision to hold a local review").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "All three partners have signed: the decision is made."
    )
    expect(page.locator(".app-stage-tag")).to_have_text("Commissioning")
    _check(page)
    review = Review.objects.get(pk=review.pk)
    assert (review.state, review.decided_by) == (State.COMMISSIONING, p.leads[StatutoryPartner.POLICE])
    assert review.decision_signatures.count() == 3
    assert AgencySummary.objects.filter(review=review, received_on__isnull=False).count() == 2

    # 4. Set up in Python, not in the browser (commissioning, the report and the response's findings are
    # walked by other browser tests): the lead reviewer appointed, the terms of reference approved, the
    # review started, the report received, a finding recorded and the response started, through the real
    # services; then a first version of the partners' response made and the partners asked to sign it.
    AppointmentFactory(review=review, reviewer=p.reviewer)
    approve_terms(review, p.manager, p.chair)
    _take(review, "start_review", lead_la, started_on=STARTED, note="Terms agreed at the partners' meeting.")
    _take(review, "receive_report", p.manager, final_report=pdf_upload(), report_received_on=REPORT_IN)
    record_findings(review, p.manager)
    _take(review, "begin_response", p.manager, note="")
    version = document.response_version_create(review=Review.objects.get(pk=review.pk), user=p.manager)
    document.response_signature_request(version=version, user=p.manager)
    written = f"{base}/response/written/{version.number}/"

    # 5. The partners sign, one after another: the local authority's lead, the ICB's delegate...
    def sign(partner_user, organisation) -> None:
        _as(page, login_as, partner_user)
        page.goto(written)
        _check(page)
        page.get_by_role("link", name=f"Sign for {organisation.name}").click()
        expect(h1(page)).to_contain_text(f"for {organisation.name}")
        _check(page)
        page.get_by_label(re.compile("I have read this version and sign it")).check()
        page.get_by_role("button", name=f"Sign for {organisation.name}").click()
        _check(page)

    sign(lead_la, la)
    expect(_success(page)).to_contain_text(f"Still to sign: {icb.name}, {police.name}.")
    expect(main(page)).to_contain_text(f"Still to sign: {icb.name}, {police.name}.")
    sign(delegate_icb, icb)
    expect(_success(page)).to_contain_text(f"Still to sign: {police.name}.")
    expect(main(page)).to_contain_text(f"Still to sign: {police.name}.")

    # Before the third signature, publication is refused, naming the partner still to sign.
    _as(page, login_as, p.manager)
    page.goto(written)
    expect(main(page)).to_contain_text(f"Still to sign: {police.name}.")
    breadcrumbs = page.get_by_role("navigation", name="Breadcrumb")
    expect(breadcrumbs).to_contain_text(f"Version {version.number}")
    expect(breadcrumbs.get_by_role("link", name=f"Version {version.number}")).to_have_count(0)
    _check(page)
    page.goto(f"{base}/")
    expect(page.locator(".app-stage-tag")).to_have_text("Partners' response")
    expect(main(page)).to_contain_text(f"still to sign: {police.name}")
    _check(page)
    page.goto(f"{base}/steps/publish/")
    expect(main(page)).to_contain_text(f"still to sign: {police.name}")
    _check(page)

    # ...and the police's lead: the third signature makes the version final.
    sign(lead_police, police)
    expect(_success(page)).to_contain_text("Each of the three statutory partners has now signed it")
    expect(page.locator(".govuk-panel")).to_contain_text("Signed off by each of the three statutory partners")
    version = ResponseVersion.objects.get(pk=version.pk)
    assert version.is_signed and version.verifies()

    # 6. The business manager records publication: first with the notice too late, then as it was.
    _as(page, login_as, p.manager)
    page.goto(f"{base}/")
    _check(page)
    page.get_by_role("link", name="Record publication", exact=True).click()
    expect(h1(page)).to_have_text("Record publication")
    _check(page)
    notice_label = "Date the report was sent to the national Panel, the Secretary of State and Ofsted"
    fill_date(page, notice_label, NOTICE_TOO_LATE)
    fill_date(page, "Date the report was published", PUBLISHED)
    fill_date(page, "Date the partners' response was published", PUBLISHED)
    page.get_by_role("button", name="Record publication").click()
    earliest = workdays.add_working_days(NOTICE_TOO_LATE, 7)
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        f"The report can be published no earlier than {earliest:%-d %B %Y}"
    )
    _check(page)
    fill_date(page, notice_label, NOTICE)
    page.get_by_role("button", name="Record publication").click()
    expect(page.locator(".app-stage-tag")).to_have_text("Published")
    expect(main(page)).to_contain_text("Local authority became aware")
    _check(page)

    review = Review.objects.get(pk=review.pk)
    assert review.state == State.PUBLISHED
    assert (review.publication_notice_on, review.report_published_on) == (NOTICE, PUBLISHED)
