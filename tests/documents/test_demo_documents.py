"""Both documents for the demonstration data, through the real pipeline: every demo review with terms of
reference gets them as a PDF, every demo review with a final report gets a board pack; each PDF has its
sections, "Page X of Y" and the marking on every page."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from commissioning.models import ToRVersion
from documents import services
from documents.models import Document
from responses.models import ResponseVersion
from reviews.models import Membership, Review, Role
from tests.documents.pdfcheck import assert_pdf_ua


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _pages(document: Document) -> list[str]:
    with document.file.open("rb") as handle:
        return [page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages]


def _made(review: Review, kind: str, tor_version=None, response_version=None) -> Document:
    """The document made through the pipeline; like every PDF the portal makes, sound by qpdf's check and
    carrying the PDF/UA identifier (tests.documents.pdfcheck)."""
    manager = Membership.objects.filter(board=review.lead_board, role=Role.BUSINESS_MANAGER).first().user
    document = services.document_request(
        review=review, user=manager, kind=kind, tor_version=tor_version, response_version=response_version
    )
    services.document_render(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.READY, document.error
    with document.file.open("rb") as handle:
        assert_pdf_ua(handle.read())
    return document


def _every_page_marked_and_numbered(pages: list[str]) -> None:
    total = len(pages)
    for number, text in enumerate(pages, 1):
        assert text.count("OFFICIAL-SENSITIVE") >= 2, f"page {number} lacks the marking top and bottom"
        assert f"Page {number} of {total}" in text, f"page {number} lacks its number"


@pytest.mark.django_db
def test_the_demo_reviews_print_both_documents(standard_factors, standard_themes):
    call_command("seed_demo", stdout=io.StringIO())
    tor_versions = ToRVersion.objects.filter(status__in=["approved", "out_for_comment"]).select_related(
        "review"
    )
    packs = Review.objects.exclude(final_report="")
    assert tor_versions.exists() and packs.exists()

    for version in tor_versions:
        pages = _pages(_made(version.review, "tor", version))
        _every_page_marked_and_numbered(pages)
        text = "\n".join(pages)
        assert "Contents" in pages[1]
        assert ("DRAFT" in text) == (version.status != "approved"), version

    for review in packs:
        pages = _pages(_made(review, "board_pack"))
        _every_page_marked_and_numbered(pages)
        text = "\n".join(pages)
        for section in (
            "Contents",
            "Agenda",
            "The review in brief",
            f"The findings and the {review.words.body}'s position",
            "Proposed actions, in order of priority",
            "Engagement plan",
            "Quality marker self-checks",
        ):
            assert section in text, (review.reference, section)
        contents = pages[1]
        assert re.search(r"The review in brief\W+\d+", contents), contents
        if review.response_versions.filter(signed_at__isnull=False).exists():
            assert review.response_versions.filter(signed_at__isnull=False).latest("number").digest in text

    signed = ResponseVersion.objects.filter(signed_at__isnull=False).select_related("review")
    assert signed.exists()
    for version in signed:
        pages = _pages(_made(version.review, "response", response_version=version))
        _every_page_marked_and_numbered(pages)
        assert version.digest in re.sub(r"\s+", "", pages[-1])
