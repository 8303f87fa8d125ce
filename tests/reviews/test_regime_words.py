"""A practice review speaks its regime's words everywhere: no page, email or PDF of a local child
safeguarding practice review says "Serious Case Review", "LSCB" or "board chair", and no page of a Serious
Case Review says "rapid review".

The pages are every GET route of the authorization walk (tests/test_authorization.py) whose row can be
pointed at the partnership's review, read by its business manager and by a lead partner at several stages,
and each step form the practice review's table offers at that stage."""

from __future__ import annotations

import dataclasses
import re

import pytest
from django.core import mail
from django.urls import reverse

from documents.content import board_pack_context, tor_context
from reviews import notifications, workflow
from reviews.models import Notification, Review, State, StatutoryPartner
from tests.conftest import Partnership, World
from tests.documents.pdfcheck import page_texts
from tests.factories import AppointmentFactory, ParallelProcessFactory
from tests.responses.helpers import at_stage, finding
from tests.test_authorization import ROUTES

pytestmark = pytest.mark.django_db

NOT_IN_A_PRACTICE_REVIEW = re.compile(r"serious\s+case\s+review|\bLSCBs?\b|board\s+chair", re.IGNORECASE)
NOT_IN_AN_SCR = re.compile(r"rapid\s+review", re.IGNORECASE)

PRACTICE_STAGES = (
    State.REFERRAL,
    State.RAPID_REVIEW,
    State.WITH_PANEL,
    State.DECISION,
    State.COMMISSIONING,
    State.IN_PROGRESS,
    State.RESPONSE,
    State.MONITORING,
)
SCR_STAGES = (State.REFERRAL, State.DECISION, State.COMMISSIONING, State.RESPONSE, State.MONITORING)
# Pages of the person, not of one review, that show the partnership's review.
PERSON_PAGES = ("home", "review_list", "waiting", "notification_list")


def _as_world(world: World, p: Partnership) -> World:
    """The world with the partnership standing in for North: the walk's rows then build their objects (terms
    of reference, proposals, documents, exports) on the practice review."""
    AppointmentFactory(review=p.review, reviewer=p.reviewer)
    return dataclasses.replace(
        world,
        north=p.west,
        north_manager=p.manager,
        north_member=p.member,
        north_chair=p.chair,
        north_reviewer=p.reviewer,
        north_review=p.review,
        cross_border_review=p.review,
        north_child=p.child,
        north_process=ParallelProcessFactory(review=p.review),
        north_notification=Notification.objects.create(
            recipient=p.manager,
            review=p.review,
            kind=Notification.Kind.ACTION_NEEDED,
            title=f"{p.review.reference} needs you",
            path=f"/reviews/{p.review.pk}/",
            key="test:west",
        ),
    )


def _review_urls(w: World, review: Review) -> list[str]:
    """The URL of every GET row of the walk that can be pointed at `review` (its objects made on the way)."""
    urls = []
    for name, route in sorted(ROUTES.items()):
        if route.method != "get" or route.public:
            continue
        if name in PERSON_PAGES:
            urls.append(reverse(name))
            continue
        if not route.allowed:
            continue
        try:
            kwargs = route.kwargs(w)
        except Exception:  # a row that cannot be built for this review (another board's objects)
            continue
        if kwargs.get("pk") == review.pk or "export_pk" in kwargs:
            urls.append(reverse(name, kwargs=kwargs))
    return urls


def _step_urls(review: Review) -> list[str]:
    table = workflow.table(review.regime)
    return [
        reverse("review_step", kwargs={"pk": review.pk, "name": name})
        for name, step in table.transitions.items()
        if review.state in step.source
    ]


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if not (kind.startswith("text/") or "csv" in kind):
        return ""
    return body.decode("utf-8", errors="replace")


def _put_at(review: Review, state: str) -> Review:
    if state in (State.REPORT_RECEIVED, State.RESPONSE, State.PUBLISHED, State.MONITORING, State.CLOSED):
        return at_stage(review, state)
    Review.objects.filter(pk=review.pk).update(state=state)
    review.refresh_from_db()
    return review


def _said(client, people, urls, pattern) -> list[str]:
    found = []
    for person in people:
        client.force_login(person)
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                continue
            for match in pattern.finditer(_text(response)):
                found.append(f"{url} as {person.email}: {match[0]!r}")
    return found


def test_no_page_of_a_practice_review_uses_the_serious_case_review_words(client, world, partnership):
    p = partnership
    w = _as_world(world, p)
    finding(p.review)
    urls = _review_urls(w, p.review)
    assert len(urls) > 40, urls  # the walk reached the review's pages
    people = (p.manager, p.leads[StatutoryPartner.LOCAL_AUTHORITY])
    found = []
    for state in PRACTICE_STAGES:
        review = _put_at(p.review, state)
        found += [
            f"[{state}] {f}"
            for f in _said(client, people, urls + _step_urls(review), NOT_IN_A_PRACTICE_REVIEW)
        ]
    assert not found, "\n".join(sorted(set(found)))


def test_no_page_of_a_serious_case_review_says_rapid_review(client, world):
    review = world.north_review
    urls = [u for u in _review_urls(world, review) if u.startswith(f"/reviews/{review.pk}/")]
    found = []
    for state in SCR_STAGES:
        review = _put_at(review, state)
        found += [
            f"[{state}] {f}"
            for f in _said(client, (world.north_manager,), urls + _step_urls(review), NOT_IN_AN_SCR)
        ]
    assert not found, "\n".join(sorted(set(found)))


def test_no_email_of_a_practice_review_uses_the_serious_case_review_words(
    world, partnership, django_capture_on_commit_callbacks
):
    review = partnership.review
    for state in PRACTICE_STAGES:
        review = _put_at(review, state)
        with django_capture_on_commit_callbacks(execute=True):
            notifications.notify_stage_reached(review)
    notifications.send_deadline_reminders()
    notifications.email_pending()
    notifications.email_digests()
    assert mail.outbox, "no email was sent"
    said = [
        f"{m.subject}\n{m.body}"
        for m in mail.outbox
        if NOT_IN_A_PRACTICE_REVIEW.search(f"{m.subject}\n{m.body}")
    ]
    assert not said, said


def _pdf_text(kind: str, context: dict) -> str:
    from django.template.loader import render_to_string

    from documents import render

    html = render_to_string(
        f"documents/print/{kind}.html",
        {**context, "document_title": "WSCP-1", "version_label": "Test", "generated_on": "7 December 2026"},
    )
    return re.sub(r"\s+", " ", "\n".join(page_texts(render.pdf_from_html(html).pdf)))


def test_the_terms_of_reference_and_board_pack_of_a_practice_review_use_its_words(world, partnership):
    from commissioning.tor.services import tor_draft_create

    p = partnership
    review = _put_at(p.review, State.COMMISSIONING)
    version = tor_draft_create(review=review, user=p.manager)
    tor = _pdf_text("tor", tor_context(version))
    assert "partnership" in tor.lower()
    assert not NOT_IN_A_PRACTICE_REVIEW.findall(tor), NOT_IN_A_PRACTICE_REVIEW.findall(tor)

    review = _put_at(review, State.RESPONSE)
    finding(review)
    pack = _pdf_text("board_pack", board_pack_context(review))
    assert not NOT_IN_A_PRACTICE_REVIEW.findall(pack), NOT_IN_A_PRACTICE_REVIEW.findall(pack)


def test_the_action_plan_exports_of_a_practice_review_use_its_words(world, partnership):
    from responses.actions import export

    plan = export.plan_of(partnership.manager, {}, review=partnership.review)
    header = b"".join(export.csv_chunks(plan.rows(), plan.words)).decode("utf-8-sig").splitlines()[0]
    assert "Partnership function" in header and "Partnership priority" in header
    assert "Board function" in export.headers(world.north_review.words)
    assert "Business plan priority" in export.headers(world.north_review.words)


def _response_pages(client, person, urls) -> dict[str, tuple[list[str], str]]:
    """Each page of the review's response (its trail passes the response page): its crumbs' labels and its
    caption's text."""
    client.force_login(person)
    pages = {}
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or not response.context:
            continue
        trail = response.context.get("breadcrumbs") or []
        if any(label in ("Response", "Partners' response") for label, _ in trail[3:]):
            caption = re.search(r'class="govuk-caption-l">([^<]*)<', _text(response))
            pages[url] = ([str(label) for label, _ in trail], caption[1] if caption else "")
    return pages


def test_a_practice_review_s_response_pages_say_partners_response(client, world, partnership):
    p = partnership
    w = _as_world(world, p)
    finding(p.review)
    review = _put_at(p.review, State.RESPONSE)
    pages = _response_pages(client, p.manager, _review_urls(w, review))
    assert len(pages) > 10, sorted(pages)
    wrong = {
        url: page for url, page in pages.items() if "Response" in page[0] or page[1].endswith("· Response")
    }
    assert not wrong, wrong
    captions = [caption for _, caption in pages.values() if "·" in caption]
    assert sum(c.endswith("· Partners' response") for c in captions) >= 8, captions


def test_a_serious_case_review_s_response_pages_keep_their_words(client, world):
    review = at_stage(world.north_review, State.RESPONSE)
    finding(review)
    urls = [u for u in _review_urls(world, review) if u.startswith(f"/reviews/{review.pk}/")]
    pages = _response_pages(client, world.north_manager, urls)
    assert len(pages) > 10, sorted(pages)
    assert all("Response" in crumbs and "Partners' response" not in crumbs for crumbs, _ in pages.values())
    assert not any("Partners" in caption for _, caption in pages.values())
