"""The board's retention pages, for its business manager: the reviews whose retention period has run out,
the period itself, and the decision on each review (anonymise or delete, confirmed by typing its reference).
A confirmed decision is applied by a worker (the largest reviews take seconds): its page shows it waiting,
being applied, then what was removed, or why it failed.
Every view loads the board through the scoping selector (404 for another board's people) and asks the
portal's rules for "manage_retention" (403 for the board's other roles); a decision's page finds it only
among the board's own (404 otherwise)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from reviews import selectors
from reviews.models import Board, Review
from scr_portal.breadcrumbs import board_crumbs, link
from scr_portal.pages import polled_status

from . import retention, services
from .forms import DisposalForm, RetentionPeriodForm
from .models import Channel, Disposal, DisposalRequest
from .policy import BY_LABEL


def _board(request: HttpRequest, pk: int) -> Board:
    return selectors.board_for(request.user, pk, "manage_retention")


@require_GET
def retention_due(request: HttpRequest, pk: int) -> HttpResponse:
    board = _board(request, pk)
    disposals = Disposal.objects.filter(board=board).select_related("confirmed_by")[:50]
    due = retention.due_for_board(board)
    # The latest decision on each review due that has not been applied: on its way, or failed.
    latest: dict[int, DisposalRequest] = {}
    for request_ in (
        DisposalRequest.objects.filter(board=board, review_id__in=[d.review.pk for d in due])
        .exclude(status=DisposalRequest.Status.DONE)
        .order_by("requested_at", "pk")
    ):
        latest[request_.review_id] = request_
    ctx = {
        "board": board,
        "due": [(d, latest.get(d.review.pk)) for d in due],
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
    pending = DisposalRequest.objects.filter(review_id=review.pk, status__in=services.ON_ITS_WAY).first()
    if pending is not None:  # decided already, being applied: its page says how far it has got
        return redirect("retention_decision", board.pk, pending.pk)
    due = next((d for d in retention.due_for_board(board) if d.review.pk == review.pk), None)
    if due is None:
        raise Http404("This review is not due for a retention decision.")
    form = DisposalForm(request.POST or None, review=review)
    if request.method == "POST" and form.is_valid():
        anonymise = form.cleaned_data["decision"] == DisposalForm.ANONYMISE
        try:
            decision = services.disposal_request(
                review=review,
                board=board,
                user=request.user,
                kind=Disposal.Kind.ANONYMISE if anonymise else Disposal.Kind.DELETE,
                typed_reference=form.cleaned_data["reference"],
                other_names=form.cleaned_data["other_names"] if anonymise else [],
                channel=Channel.PORTAL,
            )
        except services.RetentionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect("retention_decision", board.pk, decision.pk)
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


def _decision_context(request: HttpRequest, pk: int, request_pk: int) -> dict:
    """What the decision's status panel shows, whether in the whole page or polled on its own."""
    board = _board(request, pk)
    decision = get_object_or_404(
        DisposalRequest.objects.select_related("requested_by", "disposal"), pk=request_pk, board=board
    )
    done = decision.status == DisposalRequest.Status.DONE
    failed = decision.status == DisposalRequest.Status.FAILED
    review = Review.objects.filter(pk=decision.review_id, lead_board=board).first() if failed else None
    return {
        "board": board,
        "decision": decision,
        "done": done,
        "failed": failed,
        "removed": services.describe_removed(decision.disposal.removed) if done else [],
        # Failed (nothing was changed): the manager may decide again while the review is still due.
        "decide_again": review is not None and retention.is_due(review, board) is not None,
        # How long it may still take, truthfully: a stopped worker or a queue away says so.
        "progress": services.DISPOSALS.progress(decision) if decision.is_pending else "",
        "sweep_minutes": services.DISPOSALS.sweep_minutes(),
    }


@require_GET
def retention_decision(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    ctx = _decision_context(request, pk, request_pk)
    ctx["breadcrumbs"] = board_crumbs(
        ctx["board"],
        link("Retention", "retention_due", ctx["board"].pk),
        (ctx["decision"].review_reference, None),
    )
    return render(request, "records/retention_decision.html", ctx)


@require_GET
def retention_decision_status(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    """The status panel alone, polled by the decision's page while it is being applied."""
    ctx = _decision_context(request, pk, request_pk)
    response = render(request, "records/includes/retention_decision_status.html", ctx)
    return polled_status(response, pending=ctx["decision"].is_pending)
