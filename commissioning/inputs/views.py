"""The board input round page (QM 6, question 1). Each view loads the review through `review_for`, which
answers 404 when it is invisible and 403 when the action is not allowed."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reviews.access import can
from reviews.selectors import review_for
from scr_portal.breadcrumbs import link, review_crumbs

from ..models import InputRound
from ..views import commissioning_crumb
from . import selectors, services
from .forms import InputReplyForm, InputRoundForm

HEADING = "Board members' input"


def _page(request: HttpRequest, review, reply_form: InputReplyForm | None = None) -> HttpResponse:
    round_views = selectors.input_rounds(review)
    current = next((r for r in round_views if r.is_open), None)
    may_open = can(request.user, "open_input_round", review)
    may_give_input = can(request.user, "give_input", review)
    invitation = current.invitation_of(request.user) if current else None
    ctx = {
        "review": review,
        "heading": HEADING,
        "rounds": round_views,
        "current": current,
        "can_open": may_open and current is None,
        "open_waits": may_open and current is not None,
        "can_reply": may_give_input and invitation is not None,
        "not_invited": may_give_input and current is not None and invitation is None,
        "my_replies": [reply for row in current.rows if row.invitation == invitation for reply in row.replies]
        if invitation
        else [],
        "reply_form": reply_form or InputReplyForm(),
        "breadcrumbs": review_crumbs(review, commissioning_crumb(review), (HEADING, None)),
    }
    return render(request, "commissioning/inputs/rounds.html", ctx)


@require_GET
def rounds(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_commissioning")
    return _page(request, review)


@require_http_methods(["GET", "POST"])
def round_open(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "open_input_round")
    current = services.open_round_of(review)
    if current is not None:
        messages.error(
            request,
            f"A round is already open until {current.closes_on:%-d %B %Y}. Only one round can be open at a "
            "time: wait until it closes, then ask again.",
        )
        return redirect("input_rounds", review.pk)
    form = InputRoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.input_round_open(review=review, user=request.user, **form.cleaned_data)
        except services.InputRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("input_rounds", review.pk)
        count = round_.invitations.count()
        messages.success(
            request, f"Asked {count} board member{'s' if count != 1 else ''} for input. They have been told."
        )
        return redirect("input_rounds", review.pk)
    ctx = {
        "review": review,
        "form": form,
        "heading": "Ask the board for input",
        "breadcrumbs": review_crumbs(
            review,
            commissioning_crumb(review),
            link(HEADING, "input_rounds", review.pk),
            ("Ask the board for input", None),
        ),
    }
    return render(request, "commissioning/inputs/round_form.html", ctx)


@require_POST
def reply(request: HttpRequest, pk: int, round_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "give_input")
    round_ = get_object_or_404(InputRound.objects.select_related("review"), pk=round_pk, review=review)
    refusal = services.reply_refusal(round_, request.user)
    if refusal:
        messages.error(request, refusal)
        return redirect("input_rounds", review.pk)
    form = InputReplyForm(request.POST)
    if not form.is_valid():
        return _page(request, review, reply_form=form)
    try:
        services.input_reply_add(input_round=round_, user=request.user, **form.cleaned_data)
    except services.InputRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("input_rounds", review.pk)
    messages.success(request, "Thank you: your reply has been kept and the business manager told.")
    return redirect("input_rounds", review.pk)
