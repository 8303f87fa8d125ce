"""The board's retention pages, for its business manager: the reviews whose retention period has run out,
the period itself, and the decision on each review (anonymise or delete, confirmed by typing its reference).
Every view loads the board through the scoping selector (404 for another board's people) and asks the
portal's rules for "manage_retention" (403 for the board's other roles)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from reviews import selectors
from reviews.models import Board, Review
from scr_portal.breadcrumbs import board_crumbs, link

from . import retention, services
from .forms import DisposalForm, RetentionPeriodForm
from .models import Channel, Disposal
from .policy import BY_LABEL


def _board(request: HttpRequest, pk: int) -> Board:
    return selectors.board_for(request.user, pk, "manage_retention")


@require_GET
def retention_due(request: HttpRequest, pk: int) -> HttpResponse:
    board = _board(request, pk)
    disposals = Disposal.objects.filter(board=board).select_related("confirmed_by")[:50]
    ctx = {
        "board": board,
        "due": retention.due_for_board(board),
        "disposals": [(d, services.describe_removed(d.removed)) for d in disposals],
        "breadcrumbs": board_crumbs(board, ("Retention", None)),
    }
    return render(request, "records/retention_due.html", ctx)


@require_http_methods(["GET", "POST"])
def retention_period(request: HttpRequest, pk: int) -> HttpResponse:
    board = _board(request, pk)
    form = RetentionPeriodForm(request.POST or None, instance=board)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request, f"Retention period saved: {board.retention_years} years after a review ends."
        )
        return redirect("retention_due", board.pk)
    ctx = {
        "board": board,
        "form": form,
        "breadcrumbs": board_crumbs(
            board, link("Retention", "retention_due", board.pk), ("Retention period", None)
        ),
    }
    return render(request, "records/retention_period.html", ctx)


def _holdings_summary(review: Review) -> list[tuple[str, int]]:
    held = services.holdings_of(review)
    rows = []
    for label, ids in held.current.items():
        if ids and label != "reviews.Review":
            meta = BY_LABEL[label].model._meta
            rows.append((str(meta.verbose_name if len(ids) == 1 else meta.verbose_name_plural), len(ids)))
    return rows


@require_http_methods(["GET", "POST"])
def retention_confirm(request: HttpRequest, pk: int, review_pk: int) -> HttpResponse:
    board = _board(request, pk)
    review = get_object_or_404(Review, pk=review_pk, lead_board=board)
    due = next((d for d in retention.due_for_board(board) if d.review.pk == review.pk), None)
    if due is None:
        raise Http404("This review is not due for a retention decision.")
    form = DisposalForm(request.POST or None, review=review)
    if request.method == "POST" and form.is_valid():
        anonymise = form.cleaned_data["decision"] == DisposalForm.ANONYMISE
        try:
            if anonymise:
                disposal = services.review_anonymise(
                    review_id=review.pk,
                    board=board,
                    user=request.user,
                    typed_reference=form.cleaned_data["reference"],
                    other_names=form.cleaned_data["other_names"],
                    channel=Channel.PORTAL,
                )
            else:
                disposal = services.review_delete(
                    review_id=review.pk,
                    board=board,
                    user=request.user,
                    typed_reference=form.cleaned_data["reference"],
                    channel=Channel.PORTAL,
                )
        except services.RetentionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                f"{disposal.review_reference} is {disposal.get_kind_display().lower()}. The record below says what was removed.",
            )
            return redirect("retention_due", board.pk)
    ctx = {
        "board": board,
        "review": review,
        "due": due,
        "form": form,
        "holdings": _holdings_summary(review),
        "breadcrumbs": board_crumbs(
            board, link("Retention", "retention_due", board.pk), (review.reference, None)
        ),
    }
    return render(request, "records/retention_confirm.html", ctx)
