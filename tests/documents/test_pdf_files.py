"""PDF files that come in (uploads) and the demo's stand-in files: an uploaded PDF is parsed and a damaged
one refused with a plain message on the form; the demo's final reports and evidence are real PDFs."""

from __future__ import annotations

import io

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from demo.pdf import DEMO_PDF, EVIDENCE_PDF, small_pdf
from responses.actions.forms import EVIDENCE_KINDS, _file_problem
from responses.models import Evidence
from reviews.models import Review
from scr_portal import uploads
from tests.documents.pdfcheck import page_texts, qpdf_check
from tests.reviews.test_review_pages import _upload_refused

# What the demo used to ship: a "%PDF-" header and objects, no cross-reference table (qpdf: damaged).
DAMAGED = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
MESSAGE = "The file is not a readable PDF. Save it again as a PDF and upload it."


def _file(content: bytes, name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_the_stand_in_files_are_valid_pdfs_that_say_what_they_are():
    for pdf, words in ((DEMO_PDF, "Stand-in final report"), (EVIDENCE_PDF, "Stand-in evidence")):
        qpdf_check(pdf)
        assert words in page_texts(pdf)[0]
    assert "(brackets) \\ kept" in page_texts(small_pdf("(brackets) \\ kept"))[0]


@pytest.mark.parametrize(
    "content",
    [
        DAMAGED,
        b"%PDF-1.7\nnothing else at all",
        DEMO_PDF[: len(DEMO_PDF) // 2],  # cut short
        DEMO_PDF.replace(b"/Type /Page ", b"/Type /Font "),  # a page tree whose page is not a page
        DEMO_PDF.replace(b"/Count 1", b"/Count 0").replace(b"/Kids [3 0 R]", b"/Kids []"),  # no page
    ],
    ids=["no-cross-reference", "header-only", "cut-short", "not-a-page", "no-page"],
)
def test_a_damaged_pdf_is_refused_in_plain_words(content):
    upload = _file(content)
    with pytest.raises(forms.ValidationError) as refused:
        uploads.check_upload(upload, allowed=(uploads.PDF,))
    assert refused.value.messages == [MESSAGE]
    assert refused.value.code == "unreadable_pdf"
    assert upload.tell() == 0  # left as it came, for whatever reads it next


def test_a_sound_pdf_is_accepted_even_with_bytes_after_its_end():
    assert uploads.check_upload(_file(DEMO_PDF), allowed=(uploads.PDF,)) == uploads.PDF
    # Some writers leave padding after %%EOF; viewers open such files, so the portal does too.
    assert uploads.readable_pdf(_file(DEMO_PDF + b"\0" * 300))
    # Wrong offsets in the cross-reference table are repaired as viewers repair them.
    assert uploads.readable_pdf(_file(DEMO_PDF.replace(b"%PDF-1.4\n", b"%PDF-1.4\n%extra\n")))


@pytest.mark.django_db
def test_a_damaged_final_report_is_refused_on_the_form(client, world):
    assert _upload_refused(client, world, _file(DAMAGED)) == MESSAGE


def test_a_damaged_evidence_file_is_named_in_the_message():
    upload = _file(DAMAGED, "Audit.pdf")
    with pytest.raises(forms.ValidationError) as refused:
        uploads.check_upload(upload, allowed=EVIDENCE_KINDS)
    assert _file_problem(upload, refused.value) == (
        "“Audit.pdf” is not a readable PDF. Save it again as a PDF and upload it."
    )


@pytest.mark.django_db
def test_every_pdf_the_demo_uploads_passes_qpdf(settings, tmp_path, standard_factors, standard_themes):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("seed_demo", stdout=io.StringIO())
    files = [review.final_report for review in Review.objects.exclude(final_report="")]
    files += [evidence.file for evidence in Evidence.objects.all()]
    assert len(files) >= 2
    for stored in files:
        with stored.open("rb") as handle:
            qpdf_check(handle.read())
