"""Authorization-walk rows for documents (merged into tests/test_authorization.py)."""

from __future__ import annotations

from tests.responses.helpers import at_stage
from tests.routes import Route, _object

HTML = '<!DOCTYPE html><html lang="en-GB"><head><title>x</title></head><body><p>Board pack</p></body></html>'


def _review(w) -> dict:
    return {"pk": at_stage(w.north_review).pk}


def _signed(w) -> dict:
    """A signed version of the north review's response (signed once)."""
    from demo.responses import sign_off
    from tests.responses.helpers import finding

    review = at_stage(w.north_review)
    if not review.findings.exists():
        finding(review)
    return {"pk": review.pk, "number": sign_off(review, w.north_manager, w.north_chair).number}


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


def _export(w, status: str = "ready") -> dict:
    """An Excel export of the north review's plan asked for by North's board member (made once), or one
    that failed. Anyone else gets 404: an export is only ever its requester's."""
    from documents import services
    from documents.models import Export

    review = at_stage(w.north_review)
    label = f"Action plan of {review.reference} ({status})"
    export = Export.objects.filter(review=review, requested_by=w.north_member, label=label).first()
    if export is None:
        export = Export.objects.create(review=review, label=label, requested_by=w.north_member)
        if status == "ready":
            services.export_make(export.pk)
        else:
            Export.objects.filter(pk=export.pk).update(status="failed", error="x")
    return {"export_pk": export.pk}


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
    # The signed response as a PDF: asked for by anyone who may read the response.
    "response_pdf": Route(
        kwargs=_signed, method="post", allowed="north_member", denied=READERS_ONLY, ok_status=302
    ),
    "document_status": _object(_document, allowed="north_member", denied=READERS_ONLY, ok_status=286),
    "document_download": _object(_document, allowed="north_member", denied=READERS_ONLY),
    # Action plans as Excel files: asked for by whoever may see the plan; then only for the one who asked.
    "action_plan_xlsx": Route(
        kwargs=_review,
        method="post",
        allowed="north_member",
        denied=("east_manager", "north_reviewer", "south_member"),
        ok_status=302,
    ),
    "board_action_plan_xlsx": Route(
        kwargs=lambda w: {"pk": w.north.pk},
        method="post",
        allowed="north_chair",
        denied=("east_manager", "north_reviewer", "south_member"),
        ok_status=302,
    ),
    "export_detail": _object(_export, allowed="north_member", denied=("east_manager", "north_chair")),
    "export_status": _object(
        _export, allowed="north_member", denied=("east_manager", "north_chair"), ok_status=286
    ),
    "export_download": _object(_export, allowed="north_member", denied=("east_manager", "north_manager")),
    "export_retry": Route(
        kwargs=lambda w: _export(w, "failed"),
        method="post",
        allowed="north_member",
        denied=("east_manager", "north_chair", "north_manager"),
        ok_status=302,
    ),
    "document_retry": Route(
        kwargs=lambda w: _document(w, "failed"),
        method="post",
        allowed="north_manager",
        denied=("east_manager", "north_member", "north_chair", "north_reviewer"),
        ok_status=302,
    ),
}
