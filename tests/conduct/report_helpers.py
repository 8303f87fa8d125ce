"""Makers for the report's tests: drafts as stored files, Word documents holding given text, a draft sent
to an agency. Plain functions (usable from fixtures and authorization-walk rows)."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.utils import timezone

from conduct.models import AccuracyCheck, AccuracyComment, DraftAssurance, ReportDraft
from reviews.models import Appointment, Membership, Review, Role
from tests.responses.helpers import PDF_BYTES

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_bytes(*paragraphs: str, header: str = "") -> bytes:
    """A minimal Word document whose body holds `paragraphs` (and a header holding `header`)."""
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f"<w:document {ns}><w:body>{body}</w:body></w:document>")
        if header:
            archive.writestr(
                "word/header1.xml", f"<w:hdr {ns}><w:p><w:r><w:t>{header}</w:t></w:r></w:p></w:hdr>"
            )
    return buffer.getvalue()


def docx_upload(*paragraphs: str, name: str = "Draft report.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, docx_bytes(*paragraphs), content_type=DOCX_TYPE)


def pdf_upload(name: str = "Draft report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def lead_reviewer(review: Review):
    """The review's lead reviewer: the one appointed now, else the last one (their appointment ended, as
    when a review's records were anonymised); Appointment.DoesNotExist when nobody was ever appointed."""
    appointment = review.appointments.order_by(F("ended_at").desc(nulls_first=True), "-pk").first()
    if appointment is None:
        raise Appointment.DoesNotExist(f"{review} has no lead reviewer.")
    return appointment.reviewer


def draft(
    review: Review, *paragraphs: str, version: int | None = None, assured: bool = False, **fields
) -> ReportDraft:
    """A stored draft of `review` (a Word document holding `paragraphs`), numbered after the last; when
    `assured`, quality-assured as ready to accept."""
    if version is None:
        version = (
            review.report_drafts.order_by("-version").values_list("version", flat=True).first() or 0
        ) + 1
    made = ReportDraft(
        review=review,
        version=version,
        file_name=f"Draft {version}.docx",
        file_size=0,
        uploaded_by=fields.pop("uploaded_by", None) or lead_reviewer(review),
        **fields,
    )
    content = docx_bytes(*(paragraphs or ("Child A was seen at home.",)))
    made.file.save(made.file_name, ContentFile(content), save=False)
    made.file_size = len(content)
    made.save()
    if assured:
        manager = Membership.objects.filter(board=review.lead_board, role=Role.BUSINESS_MANAGER).first().user
        DraftAssurance.objects.create(
            draft=made,
            assured_by="The review panel",
            assured_on=timezone.localdate(),
            outcome=DraftAssurance.Outcome.ASSURED,
            recorded_by=manager,
        )
    return made


def check(
    made: ReportDraft, agency, *, replied: bool = False, comments: tuple[str, ...] = ()
) -> AccuracyCheck:
    """`made` sent to `agency` to check its facts; replied (with `comments`, or none) when asked."""
    manager = Membership.objects.filter(board=made.review.lead_board, role=Role.BUSINESS_MANAGER).first().user
    row = AccuracyCheck.objects.create(
        draft=made,
        review=made.review,
        agency=agency,
        due_on=timezone.localdate() + timedelta(days=10),
        asked_by=manager,
    )
    if replied:
        row.replied_at, row.no_comments = timezone.now(), not comments
        row.save()
        for n, text in enumerate(comments, 1):
            AccuracyComment.objects.create(check_request=row, where=f"Section {n}", comment=text)
    return row
