"""The signed response as a PDF through the documents pipeline, with its signature block (who signed, when,
the fingerprint); the exact text stays downloadable; people read "fingerprint", explained, rather than
"SHA-256 digest"; a board pack made before the signature is marked out of date."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from demo.responses import sign_off
from documents import services
from documents.content import response_context
from documents.models import Document
from responses.document import services as response_services
from tests.documents.pdfcheck import assert_pdf_ua, link_labels
from tests.documents.test_content import Printed, _response, printed_name

pytestmark = pytest.mark.django_db

FINGERPRINT_EXPLAINED = "A fingerprint is a code worked out from every character of the text"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_signed_response_prints_its_text_and_the_signature_block(world):
    review = _response(world)
    signed = sign_off(review, world.north_manager, world.north_chair)
    printed = Printed("response", response_context(signed))

    reader = assert_pdf_ua(printed.pdf)
    assert link_labels(reader, page=1) == ["The response", "The chair's signature"]
    headings = [line[2:] for line in signed.content.splitlines() if line.startswith("# ")]
    headings += [line[3:] for line in signed.content.splitlines() if line.startswith("## ")]
    assert headings and all(_flat(h) in printed.flat for h in headings)
    assert "Action description 1" in printed.flat and "Finding title 2" in printed.flat
    last = printed.pages[-1]
    assert "The chair's signature" in last
    assert "Fingerprint" in last and signed.digest in re.sub(r"\s+", "", last)
    assert printed_name(world.north_chair.get_full_name(), last)
    assert timezone.localtime(signed.signed_at).strftime("%-d %B %Y, %H:%M") in last
    assert "DRAFT" not in printed.text and "<script>" not in printed.text


def test_only_a_signed_version_is_printed(world):
    review = _response(world)
    draft = response_services.response_version_create(review=review, user=world.north_manager)
    with pytest.raises(services.DocumentRefused):
        services.document_request(
            review=review, user=world.north_member, kind="response", response_version=draft
        )
    with pytest.raises(ValueError, match="signed"):
        response_context(draft)


def test_a_member_downloads_the_signed_response_as_a_pdf_and_as_its_exact_text(
    client, world, django_capture_on_commit_callbacks
):
    review = _response(world)
    signed = sign_off(review, world.north_manager, world.north_chair)
    client.force_login(world.north_member)
    page = client.get(reverse("response_version", args=[review.pk, signed.number])).text
    assert "as a PDF with the signature" in page and reverse("response_pdf", args=[review.pk, 1]) in page
    assert "Fingerprint of the signed text" in page and FINGERPRINT_EXPLAINED in page
    assert "SHA-256 digest" not in page and "Digest" not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("response_pdf", args=[review.pk, signed.number]))
    document = Document.objects.get(review=review, kind="response")
    assert response["Location"] == reverse("document_detail", args=[review.pk, document.pk])
    assert document.status == Document.Status.READY and document.source_number == signed.number
    download = client.get(reverse("document_download", args=[review.pk, document.pk]))
    pdf = b"".join(download.streaming_content)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert signed.digest in re.sub(r"\s+", "", text)
    # Asking again for the same signed version gives the same document.
    client.post(reverse("response_pdf", args=[review.pk, signed.number]))
    assert Document.objects.filter(review=review, kind="response").count() == 1

    exact = client.get(reverse("response_version_download", args=[review.pk, signed.number]))
    assert exact.content == signed.content.encode("utf-8")


def test_the_response_pdf_is_refused_for_a_draft_and_for_people_outside_the_response(client, world):
    review = _response(world)
    draft = response_services.response_version_create(review=review, user=world.north_manager)
    client.force_login(world.north_member)
    assert client.post(reverse("response_pdf", args=[review.pk, draft.number])).status_code == 404
    page = client.get(reverse("response_version", args=[review.pk, draft.number])).text
    assert "as a PDF with the signature" not in page
    assert not Document.objects.exists()


def test_the_versions_and_signing_pages_say_fingerprint_and_explain_it(client, world):
    review = _response(world)
    version = response_services.response_version_create(review=review, user=world.north_manager)
    client.force_login(world.north_chair)
    signing = client.get(reverse("response_version_sign", args=[review.pk, version.number])).text
    assert "Fingerprint of this text" in signing and FINGERPRINT_EXPLAINED in signing
    assert "SHA-256 digest" not in signing and "Digest of" not in signing
    sign_off(review, world.north_manager, world.north_chair)
    versions = client.get(reverse("response_versions", args=[review.pk])).text
    assert "Fingerprint" in versions and FINGERPRINT_EXPLAINED in versions and "SHA-256" not in versions


def test_a_board_pack_made_before_the_signature_is_marked_out_of_date(client, world):
    review = _response(world)
    before = services.document_request(review=review, user=world.north_manager, kind="board_pack")
    services.document_render(before.pk)
    client.force_login(world.north_manager)
    listing = reverse("documents", args=[review.pk])
    assert "Out of date" not in client.get(listing).text

    sign_off(review, world.north_manager, world.north_chair)

    page = client.get(listing).text
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*Board pack(?:(?!</tr>).)*</tr>", page, re.S)[0]
    assert "Out of date" in row and ">Ready<" not in row
    detail = client.get(reverse("document_detail", args=[review.pk, before.pk])).text
    assert "Out of date: the chair signed the board's response after this board pack was made" in detail
    # Made again, the pack shows the signature and is ready.
    after = services.document_request(review=review, user=world.north_manager, kind="board_pack")
    assert after.pk != before.pk
    services.document_render(after.pk)
    rows = re.findall(
        r"<tr[^>]*>(?:(?!</tr>).)*Board pack(?:(?!</tr>).)*</tr>", client.get(listing).text, re.S
    )
    assert len(rows) == 2 and ">Ready<" in rows[0] and "Out of date" in rows[1]
