"""What the documents pages read besides the documents themselves."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max

from responses.document import workflow as response_workflow
from responses.models import ResponseVersion
from reviews.models import Review

from .models import Document


def last_signed_at(review: Review) -> datetime | None:
    """When the chair last signed a version of the review's response (None if never). One query."""
    return ResponseVersion.objects.filter(response_workflow.SIGNED, review=review).aggregate(
        at=Max("signed_at")
    )["at"]


def mark_out_of_date(review: Review, documents: list[Document]) -> list[Document]:
    """Sets `out_of_date` on each document: a board pack asked for before the chair's latest signature of
    the response shows it unsigned (or an earlier version signed), so it must be made again. A board pack's
    content is fixed when it is asked for. One query, whatever the documents (so a page's count is fixed)."""
    signed = last_signed_at(review)
    for document in documents:
        document.out_of_date = bool(
            signed
            and document.kind == Document.Kind.BOARD_PACK
            and document.status == Document.Status.READY
            and document.requested_at < signed
        )
    return documents
