"""The printed documents as PDF/UA-1: sound by qpdf, the PDF/UA identifier in the XMP metadata, every table
header cell scoped, one link per contents entry named by its title, and a DRAFT marking that reads as
the word on every page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from commissioning.tor.services import tor_send_for_comment
from tests.documents.pdfcheck import assert_pdf_ua, header_scopes, link_labels, page_texts
from tests.documents.test_content import _draft_tor, _pack, _response, _tor

pytestmark = pytest.mark.django_db


def test_a_draft_terms_of_reference_is_pdf_ua_with_draft_as_a_word_on_every_page(world):
    version = _draft_tor(world)
    tor_send_for_comment(
        version=version, user=world.north_manager, closes_on=timezone.localdate() + timedelta(days=7)
    )
    printed = _tor(version)

    reader = assert_pdf_ua(printed.pdf)
    texts = page_texts(printed.pdf)
    assert len(texts) == len(reader.pages) > 2
    for number, text in enumerate(texts, 1):
        assert re.search(r"\bDRAFT\b", text), f"page {number} does not read DRAFT"
        assert not re.search(r"\bD\s+RAFT\b|\bD\s*R\s*A\s+F", text), f"page {number}: {text[:200]}"
    assert all("DRAFT" in page for page in printed.pages)  # pypdf's extraction agrees
    titles = list(version.sections.order_by("order").values_list("title", flat=True))
    assert link_labels(reader, page=1) == [*titles, "Approval"]  # one named link per entry
    # The cover's facts are row headers, and say so.
    assert set(header_scopes(reader)) == {"/Row"}


def test_a_board_pack_scopes_every_header_cell_and_links_each_contents_entry_once(world):
    printed = _pack(_response(world))

    reader = assert_pdf_ua(printed.pdf)
    scopes = header_scopes(reader)
    assert len(scopes) >= printed.html.count("<th ")  # a table split over pages repeats its head
    assert {"/Row", "/Column"} <= set(scopes)
    contents = link_labels(reader, page=1)
    assert contents == [
        "Agenda",
        "The review in brief",
        "The findings and the board's position",
        "Finding 1: Finding title 1",
        "Finding 2: Finding title 2",
        "Proposed actions, in order of priority",
        "Related learning and business plan priorities",
        "Engagement plan",
        "Quality marker self-checks",
        *[label for label in contents if label.startswith("Quality marker ") and ":" in label],
        "The chair's sign-off of the board's response",
    ]
    assert len([label for label in contents if label.startswith("Quality marker ") and ":" in label]) >= 2
    # The agenda links each item by its title; its page number is text beside the link.
    agenda_page = printed.contents()["Agenda"] - 1
    assert "The review in brief" in link_labels(reader, page=agenda_page)
    assert "DRAFT" not in printed.text
