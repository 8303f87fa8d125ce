"""Documents of a review: ask for one, watch it being made, download it, try a failed one again. Exports (an
action plan as an Excel file, a review's merged chronology as a CSV file), the same way.

Each view loads the review through `review_for` (404 when invisible, 403 when not allowed); documents are
looked up within that review, and a board pack only for people who may see the response. An export is found
only among the person's own (404 otherwise), and every time, its review or board is loaded again through
`review_for` / `board_for` with the rule that let them ask for it: someone who may no longer see the plan,
or read the chronology, cannot see the export either."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from commissioning.models import ToRVersion
from commissioning.tor import workflow as tor_workflow
from conduct import export as chronology_export
from responses.actions import export as action_export
from responses.document import workflow as response_workflow
from responses.models import ResponseVersion
from responses.pages import response_crumb
from reviews.access import can, require
from reviews.models import Review
from reviews.selectors import board_for, review_for
from reviews.services import review_access_record
from scr_portal.breadcrumbs import board_crumbs, link, review_crumbs
from scr_portal.downloads import attachment
from scr_portal.pages import polled_status

from . import selectors, services
from .models import Document, Export

Kind = Document.Kind


# Documents that show the response are for the people who may read it.
RESPONSE_KINDS = (Kind.BOARD_PACK, Kind.RESPONSE)


def _may_see(user, review: Review, kind: str) -> bool:
    return (
        can(user, "view_response", review) if kind in RESPONSE_KINDS else can(user, "view_documents", review)
    )


def _document_for(request, review: Review, document_pk: int) -> Document:
    document = get_object_or_404(
        Document.objects.select_related("requested_by"), review=review, pk=document_pk
    )
    if not _may_see(request.user, review, document.kind):
        raise Http404
    return document


def _tor_versions(review: Review) -> list[ToRVersion]:
    return list(
        ToRVersion.objects.filter(review=review)
        .exclude(status__in=tor_workflow.SUPERSEDED_STATUSES)
        .order_by("-number")
    )


@require_GET
def document_list(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_documents")
    documents = Document.objects.filter(review=review).select_related("requested_by").defer("html")
    if not can(request.user, "view_response", review):
        documents = documents.exclude(kind__in=RESPONSE_KINDS)
    may_make = can(request.user, "make_documents", review)
    ctx = {
        "review": review,
        "documents": selectors.mark_out_of_date(review, list(documents)),
        "can_make": may_make,
        "tor_versions": _tor_versions(review) if may_make else [],
        "can_make_pack": can(request.user, "make_board_pack", review),
        "breadcrumbs": review_crumbs(review, ("Documents", None)),
    }
    return render(request, "documents/list.html", ctx)


@require_POST
def document_make(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "make_documents")
    kind = request.POST.get("kind", "")
    tor_version = None
    if kind == Kind.TERMS_OF_REFERENCE:
        number = request.POST.get("number", "")
        tor_version = next((v for v in _tor_versions(review) if str(v.number) == number), None)
        if tor_version is None:
            messages.error(request, "Choose a version of the terms of reference to make into a document.")
            return redirect("documents", review.pk)
    elif kind == Kind.BOARD_PACK:
        require(request.user, "make_board_pack", review)
    else:
        messages.error(request, "Choose which document to make.")
        return redirect("documents", review.pk)
    document = services.document_request(review=review, user=request.user, kind=kind, tor_version=tor_version)
    document.refresh_from_db()
    if document.status == Document.Status.READY:
        messages.success(request, f"{document.label} is ready.")
    return redirect("document_detail", review.pk, document.pk)


@require_POST
def response_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A signed version of the board's response as a PDF with its signature block, asked for by anyone who
    may read the response (the same data gives the same document)."""
    review = review_for(request.user, pk, "view_response")
    version = get_object_or_404(
        ResponseVersion.objects.filter(response_workflow.SIGNED), review=review, number=number
    )
    document = services.document_request(
        review=review, user=request.user, kind=Kind.RESPONSE, response_version=version
    )
    return redirect("document_detail", review.pk, document.pk)


def _status_context(request, pk: int, document_pk: int) -> dict:
    """What the status panel shows, whether in the whole page or polled on its own."""
    review = review_for(request.user, pk, "view_documents")
    document = _document_for(request, review, document_pk)
    selectors.mark_out_of_date(review, [document])
    return {
        "review": review,
        "document": document,
        "can_retry": can(request.user, "make_documents", review)
        and document.status == Document.Status.FAILED,
        # How long it may still take, truthfully: a stopped worker or a queue away says so.
        "progress": services.DOCUMENTS.progress(document) if document.is_pending else "",
        "sweep_minutes": services.DOCUMENTS.sweep_minutes(),
    }


@require_GET
def document_detail(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    ctx = _status_context(request, pk, document_pk)
    review = ctx["review"]
    ctx["breadcrumbs"] = review_crumbs(
        review, link("Documents", "documents", review.pk), (ctx["document"].label, None)
    )
    return render(request, "documents/detail.html", ctx)


@require_GET
def document_status(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """The status panel alone, polled by the detail page while the document is being made."""
    ctx = _status_context(request, pk, document_pk)
    response = render(request, "documents/includes/status.html", ctx)
    return polled_status(response, pending=ctx["document"].is_pending)


@require_GET
def document_download(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_documents")
    document = _document_for(request, review, document_pk)
    if document.status != Document.Status.READY:
        raise Http404("The document is not ready.")
    review_access_record(review=review, user=request.user, request=request)
    return attachment(document.file, document.download_name)


@require_POST
def document_retry(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "make_documents")
    document = _document_for(request, review, document_pk)
    try:
        services.document_retry(document=document, user=request.user)
    except services.DocumentRefused as refusal:
        messages.error(request, str(refusal))
    return redirect("document_detail", review.pk, document.pk)


# An action plan as an Excel file ----------------------------------------------------------------------------


@require_POST
def action_plan_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks for the review's plan, filtered as its page (the query string), as an Excel file."""
    review = review_for(request.user, pk, "view_response")
    plan = action_export.plan_of(request.user, request.GET, review=review)
    export = services.export_request(user=request.user, review=review, query=plan.query)
    return redirect("export_detail", export.pk)


@require_POST
def board_action_plan_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks for the board's plan, across the reviews the person may see, as an Excel file."""
    board = board_for(request.user, pk, "view_action_plan")
    plan = action_export.plan_of(request.user, request.GET, board=board)
    export = services.export_request(user=request.user, board=board, query=plan.query)
    return redirect("export_detail", export.pk)


# A review's merged chronology as a CSV file -----------------------------------------------------------------


@require_POST
def chronology_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks for the review's merged chronology, filtered as its page (the download form's fields), as a
    CSV file."""
    review = review_for(request.user, pk, "read_chronology")
    chronology = chronology_export.chronology_of(review, request.POST)
    if not chronology.understood:
        messages.warning(request, "Some filters were not understood and were left out of the file.")
    export = services.export_request(
        user=request.user, review=review, query=chronology.query, kind=Export.Kind.CHRONOLOGY
    )
    return redirect("export_detail", export.pk)


def _chronology_file(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    review = review_for(request.user, pk, "read_chronology")
    chronology = chronology_export.chronology_of(review, request.POST)
    if not chronology.understood:
        messages.warning(request, "Some filters were not understood and were left out of the file.")
    export = services.export_request(user=request.user, review=review, query=chronology.query, kind=kind)
    return redirect("export_detail", export.pk)


@require_POST
def chronology_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks for the review's merged chronology, filtered as its page, as an Excel file."""
    return _chronology_file(request, pk, Export.Kind.CHRONOLOGY_XLSX)


@require_POST
def chronology_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks for the review's merged chronology, filtered as its page, as a PDF file."""
    return _chronology_file(request, pk, Export.Kind.CHRONOLOGY_PDF)


# An export: its page, its status, its file ------------------------------------------------------------------


def _export_for(request: HttpRequest, export_pk: int) -> tuple[Export, Review | None]:
    """The person's own export (404 for anyone else's) of what they may still see (404 or 403 through
    review_for / board_for: the plan, or the merged chronology), with the review it is of (None for a
    board's plan)."""
    export = get_object_or_404(
        Export.objects.select_related("board"), pk=export_pk, requested_by=request.user
    )
    if export.is_chronology:
        return export, review_for(request.user, export.review_id, "read_chronology")
    if export.review_id is not None:
        return export, review_for(request.user, export.review_id, "view_response")
    board_for(request.user, export.board_id, "view_action_plan")
    return export, None


def _source_url(export: Export) -> str:
    """The page the export was asked for from (the plan's, the chronology's), with its filters."""
    if export.is_chronology:
        url = reverse("chronology", args=[export.review_id])
    elif export.review_id is not None:
        url = reverse("action_plan", args=[export.review_id])
    else:
        url = reverse("board_action_plan", args=[export.board_id])
    return f"{url}?{export.query}" if export.query else url


def _export_context(request: HttpRequest, export_pk: int) -> dict:
    """What the status panel shows, whether in the whole page or polled on its own."""
    export, review = _export_for(request, export_pk)
    return {
        "export": export,
        "review": review,
        "source_url": _source_url(export),
        "source_name": "merged chronology" if export.is_chronology else "action plan",
        "file_kind": export.file_kind,
        "can_retry": export.status == Export.Status.FAILED,
        # How long it may still take, truthfully: a stopped worker or a queue away says so.
        "progress": services.EXPORTS.progress(export) if export.is_pending else "",
        "sweep_minutes": services.EXPORTS.sweep_minutes(),
        "kept_hours": int(services.EXPORT_KEPT.total_seconds() // 3600),
    }


@require_GET
def export_detail(request: HttpRequest, export_pk: int) -> HttpResponse:
    ctx = _export_context(request, export_pk)
    export, review = ctx["export"], ctx["review"]
    if export.is_chronology:
        information = link("Information from agencies", "information_requests", review.pk)
        chronology = link("Merged chronology", "chronology", review.pk)
        ctx["breadcrumbs"] = review_crumbs(review, information, chronology, (ctx["file_kind"], None))
    elif review is not None:
        plan = link("Action plan", "action_plan", review.pk)
        ctx["breadcrumbs"] = review_crumbs(review, response_crumb(review), plan, ("Excel file", None))
    else:
        plan = link("Action plan", "board_action_plan", export.board_id)
        ctx["breadcrumbs"] = board_crumbs(export.board, plan, ("Excel file", None))
    return render(request, "documents/export.html", ctx)


@require_GET
def export_status(request: HttpRequest, export_pk: int) -> HttpResponse:
    """The status panel alone, polled by the export's page while the file is being made."""
    ctx = _export_context(request, export_pk)
    response = render(request, "documents/includes/export_status.html", ctx)
    return polled_status(response, pending=ctx["export"].is_pending)


@require_GET
def export_download(request: HttpRequest, export_pk: int) -> HttpResponse:
    export, review = _export_for(request, export_pk)
    if export.status != Export.Status.READY:
        raise Http404("The file is not ready.")
    made_on = timezone.localdate(export.finished_at)
    if review is not None:
        review_access_record(review=review, user=request.user, request=request)
    if export.is_chronology:
        return attachment(export.file, chronology_export.file_name(review, made_on, export.extension))
    stem = review.reference if review is not None else export.board.name
    return attachment(export.file, action_export.file_name(stem, "xlsx", made_on))


@require_POST
def export_retry(request: HttpRequest, export_pk: int) -> HttpResponse:
    export, _ = _export_for(request, export_pk)
    try:
        services.export_retry(export=export, user=request.user)
    except services.ExportRefused as refusal:
        messages.error(request, str(refusal))
    return redirect("export_detail", export.pk)
