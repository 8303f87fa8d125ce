"""Documents of a review: ask for one, watch it being made, download it, try a failed one again.

Each view loads the review through `review_for` (404 when invisible, 403 when not allowed); documents are
looked up within that review, and a board pack only for people who may see the response."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from commissioning.models import ToRVersion
from commissioning.tor import workflow as tor_workflow
from reviews.access import can, require
from reviews.models import Review
from reviews.selectors import review_for
from reviews.services import review_access_record
from scr_portal.breadcrumbs import link, review_crumbs
from scr_portal.downloads import attachment

from . import services
from .models import Document

Kind = Document.Kind


def _may_see(user, review: Review, kind: str) -> bool:
    return (
        can(user, "view_response", review) if kind == Kind.BOARD_PACK else can(user, "view_documents", review)
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
        documents = documents.exclude(kind=Kind.BOARD_PACK)
    may_make = can(request.user, "make_documents", review)
    ctx = {
        "review": review,
        "documents": list(documents),
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


def _status_context(request, pk: int, document_pk: int) -> dict:
    """What the status panel shows, whether in the whole page or polled on its own."""
    review = review_for(request.user, pk, "view_documents")
    document = _document_for(request, review, document_pk)
    return {
        "review": review,
        "document": document,
        "can_retry": can(request.user, "make_documents", review)
        and document.status == Document.Status.FAILED,
        # Not picked up in the usual time: most likely the task queue is away (the sweep hands it out again).
        "waiting_long": document.status == Document.Status.QUEUED
        and document.requested_at < timezone.now() - services.STALE_QUEUED,
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
    if not ctx["document"].is_pending:
        response.status_code = 286  # htmx stops polling on this status
    return response


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
