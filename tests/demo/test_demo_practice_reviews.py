"""The demonstration's practice reviews as their users read them (issue 19): every page of each of East's
practice reviews, as its business manager and a lead partner, and the PDFs they print (terms of reference,
board pack, the signed written response), never say "Serious Case Review", "LSCB" or "board chair"; no page
of a demo Serious Case Review says "rapid review". The demo holds what the README promises: a rapid review
with summaries partly in and one overdue, a review in commissioning, one at the partners' response with
two of three signatures, and a published one signed by all three."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from pypdf import PdfReader

from documents import services as documents
from documents.models import Document
from responses.models import PlanPeriod, ResponseVersion
from reviews.models import Regime, Review, State
from scr_portal.accounts.models import User

pytestmark = pytest.mark.django_db

NOT_IN_A_PRACTICE_REVIEW = re.compile(r"serious\s+case\s+review|\bLSCBs?\b|board\s+chair", re.IGNORECASE)
NOT_IN_AN_SCR = re.compile(r"rapid\s+review", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def demo(standard_factors, standard_themes):
    call_command("seed_demo", stdout=io.StringIO())


def _review_page_names() -> list[str]:
    """Every URL name whose only argument is a review's `pk` (the review's own pages and forms)."""
    names = []

    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns)
            elif (
                isinstance(p, URLPattern)
                and p.name
                and set(p.pattern.converters) == {"pk"}
                and str(p.pattern).startswith("reviews/<int:pk>/")
            ):
                names.append(p.name)

    walk(get_resolver().url_patterns)
    return sorted(set(names))


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    return body.decode("utf-8", errors="replace") if kind.startswith("text/") or "csv" in kind else ""


def _said(client, emails: list[str], reviews, pattern) -> tuple[list[str], int]:
    found, read = [], 0
    for email in emails:
        client.force_login(User.objects.get(email=email))
        for review in reviews:
            steps = [f"/reviews/{review.pk}/steps/{name}/" for name in _steps_from(review)]
            for url in [reverse(name, args=[review.pk]) for name in _review_page_names()] + steps:
                response = client.get(url)
                if response.status_code != 200:
                    continue
                read += 1
                found += [f"{url} as {email}: {m[0]!r}" for m in pattern.finditer(_text(response))]
    return found, read


def _steps_from(review: Review) -> list[str]:
    from reviews import workflow

    return [t.name for t in workflow.transitions_from(review)]


def _pdf_text(document: Document) -> str:
    with document.file.open("rb") as handle:
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


def test_the_demo_partnership_holds_a_review_at_each_part_of_the_new_path(demo):
    practice = {r.reference: r for r in Review.objects.filter(regime=Regime.PRACTICE_REVIEW)}
    rapid = practice["ESCP-2026-04"]
    assert rapid.state == State.RAPID_REVIEW
    today = timezone.localdate()
    summaries = list(rapid.agency_summaries.all())
    assert sum(s.is_received for s in summaries) == 2
    assert [s.agency.name for s in summaries if not s.is_received and s.due_on < today] == [
        "East Borough Schools"
    ]
    assert any(not s.is_received and s.due_on >= today for s in summaries)
    deciding = practice["ESCP-2026-03"]
    assert deciding.state == State.DECISION
    assert [(s.partner, s.step) for s in deciding.decision_signatures.all()] == [
        ("local_authority", "initiate")
    ]
    decided = practice["ESCP-2026-02"]
    assert decided.state == State.COMMISSIONING
    assert {s.partner for s in decided.decision_signatures.all()} == {"local_authority", "icb", "police"}
    at_response = practice["ESCP-2025-03"]
    assert at_response.state == State.RESPONSE
    draft = ResponseVersion.objects.filter(review=at_response).latest("number")
    assert draft.signed_at is None
    assert draft.partner_signatures.filter(digest=draft.content_digest()).count() == 2
    published = practice["ESCP-2025-01"]
    assert published.state == State.PUBLISHED
    signed = ResponseVersion.objects.filter(review=published).latest("number")
    assert signed.signed_at is not None
    assert {s.partner for s in signed.partner_signatures.filter(digest=signed.digest)} == {
        "local_authority",
        "icb",
        "police",
    }


def test_the_demo_partnership_s_plan_is_titled_with_its_priorities(demo):
    titles = dict(PlanPeriod.objects.values_list("board__name", "title"))
    assert titles["East Safeguarding Children Partnership"].startswith("Partnership priorities ")
    assert all(t.startswith("Business plan ") for name, t in titles.items() if "Partnership" not in name)


def test_no_page_of_a_demo_practice_review_uses_the_serious_case_review_words(client, demo):
    reviews = list(Review.objects.filter(regime=Regime.PRACTICE_REVIEW))
    assert len(reviews) == 6
    found, read = _said(
        client, ["manager@east.example", "lead-la@east.example"], reviews, NOT_IN_A_PRACTICE_REVIEW
    )
    assert read > 60, f"only {read} pages read: the walk read too little to mean anything"
    assert not found, found


def test_no_page_of_a_demo_serious_case_review_says_rapid_review(client, demo):
    reviews = list(
        Review.objects.filter(regime=Regime.SERIOUS_CASE_REVIEW, lead_board__name__startswith="North")
    )
    found, read = _said(client, ["manager@north.example"], reviews, NOT_IN_AN_SCR)
    assert read > 60
    assert not found, found


def test_the_demo_practice_reviews_print_in_their_own_words(demo):
    manager = User.objects.get(email="manager@east.example")
    made = []
    for reference, kind in (
        ("ESCP-2025-01", "tor"),
        ("ESCP-2025-03", "board_pack"),
        ("ESCP-2025-01", "response"),
    ):
        review = Review.objects.get(reference=reference)
        extra = {}
        if kind == "tor":
            extra["tor_version"] = review.tor_versions.order_by("-number").first()
        if kind == "response":
            extra["response_version"] = ResponseVersion.objects.filter(review=review).latest("number")
        document = documents.document_request(review=review, user=manager, kind=kind, **extra)
        documents.document_render(document.pk)
        document.refresh_from_db()
        assert document.status == Document.Status.READY, document.error
        text = _pdf_text(document)
        assert "partnership" in text.lower(), reference
        made.append((reference, NOT_IN_A_PRACTICE_REVIEW.findall(text)))
    assert all(not found for _, found in made), made
