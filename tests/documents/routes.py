"""Authorization-walk rows for documents (merged into tests/test_authorization.py)."""

from __future__ import annotations

from tests.responses.helpers import at_stage
from tests.routes import Route, _object

HTML = '<!DOCTYPE html><html lang="en-GB"><head><title>x</title></head><body><p>Board pack</p></body></html>'


def _review(w) -> dict:
    return {"pk": at_stage(w.north_review).pk}


def _document(w, status: str = "ready") -> dict:
    """A made board pack of the north review (once), or a failed one."""
    from documents import services
    from documents.models import Document

    review = at_stage(w.north_review)
    document, made = Document.objects.get_or_create(
        review=review,
        kind="board_pack",
        data_version=status[0] * 64,
        defaults={"label": "Board pack", "html": HTML, "requested_by": w.north_manager},
    )
    if made and status == "ready":
        services.document_render(document.pk)
    if made and status == "failed":
        Document.objects.filter(pk=document.pk).update(status="failed", error="x")
    return {"pk": review.pk, "document_pk": document.pk}


# Board packs are for board people; making documents is the business manager's.
READERS_ONLY = ("east_manager", "north_reviewer", "south_member")

ROUTES: dict[str, Route] = {
    "documents": _object(_review, allowed="north_reviewer", denied=("east_manager", "south_member")),
    "document_make": Route(
        kwargs=_review,
        method="post",
        data={"kind": "board_pack"},
        allowed="north_manager",
        denied=("east_manager", "north_member", "north_chair", "north_reviewer"),
        ok_status=302,
    ),
    "document_detail": _object(_document, allowed="north_member", denied=READERS_ONLY),
    "document_status": _object(_document, allowed="north_member", denied=READERS_ONLY, ok_status=286),
    "document_download": _object(_document, allowed="north_member", denied=READERS_ONLY),
    "document_retry": Route(
        kwargs=lambda w: _document(w, "failed"),
        method="post",
        allowed="north_manager",
        denied=("east_manager", "north_member", "north_chair", "north_reviewer"),
        ok_status=302,
    ),
}
