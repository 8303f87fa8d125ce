"""Boards and reviews as their people see them. Each view starts by loading its object through a scoping
selector (404 when invisible) that also checks the action (403 when not allowed)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from scr_portal.audit import history_page
from scr_portal.breadcrumbs import board_crumbs, crumbs, link, review_crumbs
from scr_portal.dates import long_date
from scr_portal.pages import attempt, submitted

from . import clocks, selectors, services, workflow
from .access import (
    acting_partner,
    can,
    invitation_parties,
    manageable_boards,
    may_take_step,
    represents_agency,
    require,
    require_step,
    role_labels_on_board,
    role_labels_on_review,
    step_options,
)
from .forms import (
    AgencySummaryForm,
    AgencySummaryRequestForm,
    ChildForm,
    InvitationAnswerForm,
    InviteBoardForm,
    NewReviewForm,
    ParallelProcessForm,
    ReasonForm,
    ReferralForm,
    ReviewFilterForm,
    TimescalesForm,
)
from .models import Regime, Review
from .next_step import own_next_step

User = get_user_model()
PAGE_SIZE = 25


@require_GET
def board_list(request: HttpRequest) -> HttpResponse:
    boards = selectors.board_summaries_for(request.user).order_by("name")
    ctx = {"boards": boards, "breadcrumbs": crumbs(("Your boards", None))}
    return render(request, "reviews/board_list.html", ctx)


@require_GET
def board_detail(request: HttpRequest, pk: int) -> HttpResponse:
    board = selectors.board_for(request.user, pk)
    ctx = {
        "board": board,
        "memberships": selectors.board_memberships(board),
        "agencies": board.agencies.order_by("name"),
        "my_roles": role_labels_on_board(request.user, board),
        "can_view_history": can(request.user, "view_board_history", board),
        "breadcrumbs": board_crumbs(board),
    }
    return render(request, "reviews/board_detail.html", ctx)


@require_GET
def board_history(request: HttpRequest, pk: int) -> HttpResponse:
    board = selectors.board_for(request.user, pk, "view_board_history")
    page = history_page(selectors.board_history_sources(board), request.GET.get("page"), known=[board])
    ctx = {
        "board": board,
        "page": page,
        "breadcrumbs": board_crumbs(board, ("History", None)),
    }
    return render(request, "reviews/history.html", {**ctx, "heading": f"History of {board.name}"})


@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    boards = list(selectors.boards_visible_to(request.user).order_by("name"))
    # The kinds the person's boards hold are offered; one asked for by name (a link) is honoured too.
    regimes = {b.words.regime for b in boards} or {r.value for r in Regime}
    regimes |= {request.GET.get("regime")} & {r.value for r in Regime}
    form = ReviewFilterForm(
        request.GET or None, boards=boards, regimes=regimes, stages=workflow.stage_choices(regimes)
    )
    filters = form.cleaned_data if form.is_valid() else {}
    if form.is_bound and form.errors:
        messages.warning(request, "Some filters were not understood and were left out.")
    reviews = selectors.review_list_for(request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "form": form,
        "page": page,
        "query_string": query.urlencode(),
        "today": timezone.localdate(),
        "can_create": bool(manageable_boards(request.user)),
        "filtered": any(filters.get(k) for k in ("q", "state", "board", "regime", "overdue")),
        "breadcrumbs": crumbs(("Reviews", None)),
    }
    return render(request, "reviews/review_list.html", ctx)


TIMELINE_PAGE_SIZE = 25


def _timeline_page(review: Review, number: str | None):
    """A page of the timeline, oldest first; without a page asked for, the latest entries (the last page), so
    a review with years of history opens on what happened recently."""
    paginator = Paginator(review.timeline.select_related("actor").order_by("at", "pk"), TIMELINE_PAGE_SIZE)
    return paginator.get_page(number if number and number.isdigit() else paginator.num_pages)


@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_for(request.user, pk)
    services.review_access_record(review=review, user=request.user, request=request)
    options = step_options(request.user, review)
    ctx = {
        "review": review,
        "my_roles": role_labels_on_review(request.user, review),
        "stages": workflow.stage_path(review),
        "next_step": workflow.next_step(review),
        "pending_decision": selectors.pending_decision(review)
        if any(t.signed_by_partners for t in workflow.transitions_from(review))
        else None,
        "options": options,
        "own_step": own_next_step(request.user, review, options),
        "clocks": clocks.review_clocks(review),
        "children": review.children.all(),
        "processes": review.parallel_processes.all(),
        "agencies_known": review.agencies_known.order_by("name"),
        "timeline": _timeline_page(review, request.GET.get("timeline")),
        "can_edit": can(request.user, "change_review", review),
        "can_view_history": can(request.user, "view_review_history", review),
        "can_invite": can(request.user, "invite_boards", review),
        "show_commissioning": workflow.allows(review, workflow.SCOPING_SHOWN),
        "show_documents": can(request.user, "view_documents", review)
        and workflow.allows(review, workflow.DOCUMENTS_SHOWN),
        "show_response": can(request.user, "view_response", review) and workflow.report_held(review),
        "show_rapid_review": can(request.user, "view_rapid_review", review),
        "show_information": can(request.user, "view_information_requests", review),
        "show_report": can(request.user, "view_report", review),
        "show_practitioners": can(request.user, "view_practitioners", review),
        "show_family": can(request.user, "view_family", review),
        "show_plan": can(request.user, "view_plan", review),
        "breadcrumbs": review_crumbs(review),
    }
    return render(request, "reviews/review_detail.html", ctx)


@require_GET
def review_history(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_for(request.user, pk, "view_review_history")
    sources = selectors.review_history_sources(review)
    page = history_page(sources, request.GET.get("page"), known=selectors.read_with(review))
    ctx = {
        "review": review,
        "page": page,
        "accesses": selectors.openings_of(review, 50),
        "heading": f"History of {review.reference}",
        "breadcrumbs": review_crumbs(review, ("History", None)),
    }
    return render(request, "reviews/history.html", ctx)


# The case record and the lifecycle ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "open_reviews")
    boards = manageable_boards(request.user)
    form = NewReviewForm(request.POST or None, boards=boards)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        board = fields.pop("lead_board")
        require(request.user, "create_review", board)
        review = services.review_create(board=board, user=request.user, **fields)
        messages.success(request, f"Review {review.reference} opened at the referral stage.")
        return redirect("review_detail", review.pk)
    ctx = {
        "form": form,
        "breadcrumbs": crumbs(link("Reviews", "review_list"), ("New review", None)),
    }
    return render(request, "reviews/review_form.html", {**ctx, "heading": "Open a new review"})


@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_for(request.user, pk, "change_review")
    form = ReferralForm(request.POST or None, instance=review, board=review.lead_board)
    if request.method == "POST" and form.is_valid():
        services.review_update(review=review, user=request.user, **form.cleaned_data)
        messages.success(request, "Referral details saved.")
        return redirect("review_detail", review.pk)
    ctx = {
        "form": form,
        "review": review,
        "heading": "Referral details",
        "breadcrumbs": review_crumbs(review, ("Referral details", None)),
    }
    return render(request, "reviews/review_form.html", ctx)


def _record_form(request: HttpRequest, review, form, write, *, success, heading: str) -> HttpResponse:
    """Add or change one of the review's own records (a child, a parallel process), back to the review."""
    return submitted(
        request, form, write, success=success, to=reverse("review_detail", args=[review.pk])
    ) or render(
        request,
        "reviews/review_form.html",
        {
            "form": form,
            "review": review,
            "heading": heading,
            "breadcrumbs": review_crumbs(review, (heading, None)),
        },
    )


@require_http_methods(["GET", "POST"])
def child_edit(request: HttpRequest, pk: int, child_pk: int | None = None) -> HttpResponse:
    review = selectors.review_for(request.user, pk, "change_review")
    child = get_object_or_404(review.children, pk=child_pk) if child_pk else None
    form = ChildForm(request.POST or None, instance=child, review=review)
    return _record_form(
        request,
        review,
        form,
        partial(services.child_save, review=review, user=request.user, child=child),
        success=lambda saved: f"{saved.pseudonym} saved.",
        heading=f"Edit {child.pseudonym}" if child else "Add a child",
    )


@require_http_methods(["GET", "POST"])
def parallel_process_edit(request: HttpRequest, pk: int, process_pk: int | None = None) -> HttpResponse:
    review = selectors.review_for(request.user, pk, "change_review")
    process = get_object_or_404(review.parallel_processes, pk=process_pk) if process_pk else None
    form = ParallelProcessForm(request.POST or None, instance=process)
    return _record_form(
        request,
        review,
        form,
        partial(services.parallel_process_save, review=review, user=request.user, process=process),
        success="Parallel process saved.",
        heading="Edit a parallel process" if process else "Record a parallel process",
    )


def _valid_for(form, review, step) -> bool:
    """The step's form is valid and its dates keep the rules the apps add (shown on their fields)."""
    if not form.is_valid():
        return False
    for name, problem in workflow.date_problems(review, step, form.cleaned_data).items():
        form.add_error(name, problem)
    return not form.errors


@require_http_methods(["GET", "POST"])
def review_step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    review = selectors.review_for(request.user, pk, "take_review_step")
    step = workflow.step_named(review, name)
    if step is None or review.state not in step.source or not step.offered(review):
        messages.error(request, "That step is not available at this stage. Nothing was changed.")
        return redirect("review_detail", review.pk)
    require_step(request.user, review, step)
    blockers = workflow.blockers(review, step)
    # A decision the partners sign: the next partner is shown the decision signed so far, in the form.
    pending = selectors.pending_decision(review) if step.signed_by_partners else None
    initial = workflow.decision_initial(pending.values) if pending and pending.step == step.name else None
    form = step.form_class(request.POST or None, request.FILES or None, review=review, initial=initial)
    if request.method == "POST" and not blockers and _valid_for(form, review, step):
        attempt(
            request,
            partial(
                services.review_transition,
                review_id=review.pk,
                name=name,
                user=request.user,
                data=form.cleaned_data,
            ),
            success=_step_done(review, step),
            refused=services.TransitionRefused,
        )
        return redirect("review_detail", review.pk)
    ctx = {
        "review": review,
        "step": step,
        "pending": pending,
        "other_step": workflow.step_named(review, pending.step) if pending else None,
        "acting": acting_partner(request.user, review) if step.signed_by_partners else None,
        "blockers": blockers,
        "form": form,
        "heading": step.label,
        "breadcrumbs": review_crumbs(review, (step.label, None)),
    }
    return render(request, "reviews/review_step.html", ctx)


def _step_done(review: Review, step: workflow.Transition) -> Callable[[], str]:
    """What the person is told once the step is taken: for a decision the partners sign, whether it is
    made or how many partners have signed it so far (read after the step, from the committed review)."""
    if not step.signed_by_partners:
        return lambda: f"Done: {step.label[0].lower()}{step.label[1:]}."

    def told() -> str:
        fresh = Review.objects.only("state").get(pk=review.pk)
        if fresh.state != review.state:
            return "Signed. All three partners have signed: the decision is made."
        pending = selectors.pending_decision(fresh)
        waiting = [p.label.lower() for p in pending.partners if p.signature is None] if pending else []
        return f"Signed for your organisation. Waiting for the {' and the '.join(waiting)} to sign."

    return told


@require_http_methods(["GET", "POST"])
def board_timescales(request: HttpRequest, pk: int) -> HttpResponse:
    board = selectors.board_for(request.user, pk, "change_board_timescales")
    form = TimescalesForm(request.POST or None, instance=board)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        services.board_timescales_update(
            board=board,
            notification_working_days=d["notification_working_days"],
            rapid_review_working_days=d.get("rapid_review_working_days"),
            decision_months=d["decision_months"],
            completion_months=d["completion_months"],
            publication_months=d["publication_months"],
        )
        messages.success(request, "Local targets saved. Every open review's deadlines now use them.")
        return redirect("board_detail", board.pk)
    ctx = {
        "form": form,
        "heading": f"Local targets for {board.name}",
        "breadcrumbs": board_crumbs(board, ("Local targets", None)),
    }
    return render(request, "reviews/review_form.html", ctx)


# A practice review's rapid review ----------------------------------------------------------------------


@require_GET
def rapid_review(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_for(request.user, pk, "view_rapid_review")
    services.review_access_record(review=review, user=request.user, request=request)
    user, today = request.user, timezone.localdate()
    summaries = [
        (s, selectors.summary_status(s, today), can(user, "record_agency_summary", s))
        for s in selectors.agency_summaries_of(review)
    ]
    send = workflow.step_named(review, "send_rapid_review")
    can_send = send is not None and review.state in send.source and may_take_step(user, review, send)
    can_request = can(user, "request_agency_summaries", review)
    ctx = {
        "review": review,
        "words": review.words,
        "children": review.children.all(),
        "clock": next((c for c in clocks.review_clocks(review, today) if c.key == "rapid_review"), None),
        "summaries": summaries,
        "received": sum(1 for s, _, _ in summaries if s.is_received),
        # Agencies nobody represents on the partnership: only the business manager can record their summary.
        "unrepresented": selectors.agencies_without_people(
            review.lead_board_id, [s.agency_id for s, _, _ in summaries if not s.is_received]
        ),
        "is_open": workflow.allows(review, workflow.RAPID_REVIEW_OPEN),
        "can_request": can_request,
        "agencies_left": can_request
        and review.lead_board.agencies.exclude(pk__in=[s.agency_id for s, _, _ in summaries]).exists(),
        "can_send": can_send,
        "send_blockers": workflow.blockers(review, send) if can_send else [],
        "yours": [
            s
            for s, _, may in summaries
            if may and not s.is_received and represents_agency(user, review.lead_board_id, s.agency_id)
        ],
        "breadcrumbs": review_crumbs(review, ("Rapid review", None)),
    }
    return render(request, "reviews/rapid_review.html", ctx)


def _summaries_asked(review: Review, asked: list) -> str:
    """The message after asking agencies for summaries, warning of any agency nobody represents on the
    partnership: nobody there is told, and only the business manager can record its summary."""
    body = review.words.body
    said = f"Asked {len(asked)} agenc{'ies' if len(asked) != 1 else 'y'} for a summary."
    alone = selectors.agencies_without_people(review.lead_board_id, [s.agency_id for s in asked])
    if len(alone) < len(asked):
        said += f" Their people on the {body} are told, and reminded as the date nears."
    if alone:
        *others, last = sorted(s.agency.name for s in asked if s.agency_id in alone)
        names = f"{', '.join(others)} and {last}" if others else last
        said += (
            f" Nobody from {names} is on the {body}: only the business manager can record "
            f"{'their summaries' if len(alone) > 1 else 'its summary'}."
        )
    return said


@require_http_methods(["GET", "POST"])
def agency_summaries_request(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_for(request.user, pk, "request_agency_summaries")
    form = AgencySummaryRequestForm(
        request.POST or None, review=review, rapid_review_due=clocks.rapid_review_due(review)
    )
    back = reverse("rapid_review", args=[review.pk])
    if request.method == "GET" and not form.fields["agencies"].queryset.exists():
        messages.info(
            request, f"Every agency of the {review.words.body} has already been asked for a summary."
        )
        return redirect(back)
    return submitted(
        request,
        form,
        partial(services.agency_summaries_request, review=review, user=request.user),
        success=lambda asked: _summaries_asked(review, asked),
        to=back,
        refused=services.SummaryRefused,
    ) or render(
        request,
        "reviews/review_form.html",
        {
            "form": form,
            "review": review,
            "heading": "Ask agencies for a summary of their involvement",
            "intro": "Each agency you ask summarises what it knew of the child and family and what it did, for "
            "the rapid review. You can record a summary yourself when an agency sends it to you.",
            "back": back,
            "back_label": "Back to the rapid review without asking",
            "breadcrumbs": review_crumbs(
                review, link("Rapid review", "rapid_review", review.pk), ("Ask agencies", None)
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def agency_summary_record(request: HttpRequest, pk: int, summary_pk: int) -> HttpResponse:
    review = selectors.review_for(request.user, pk, "view_rapid_review")
    summary = selectors.agency_summary_for(request.user, review, summary_pk, "record_agency_summary")
    form = AgencySummaryForm(request.POST or None, summary=summary)
    back = reverse("rapid_review", args=[review.pk])
    heading = f"{'Change the' if summary.is_received else 'Record the'} summary from {summary.agency.name}"
    return submitted(
        request,
        form,
        partial(services.agency_summary_record, summary=summary, user=request.user),
        success=f"Summary from {summary.agency.name} saved.",
        to=back,
        refused=services.SummaryRefused,
    ) or render(
        request,
        "reviews/review_form.html",
        {
            "form": form,
            "review": review,
            "heading": heading,
            "intro": f"Asked for on {long_date(summary.requested_on)}, due {long_date(summary.due_on)}.",
            "back": back,
            "back_label": "Back to the rapid review without saving",
            "breadcrumbs": review_crumbs(
                review, link("Rapid review", "rapid_review", review.pk), (heading, None)
            ),
        },
    )


# Cross-border reviews: the boards taking part, and invitations -------------------------------------


@require_GET
def review_boards(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_for(request.user, pk)
    invitations = list(selectors.invitations_of(review))
    can_invite = can(request.user, "invite_boards", review)
    ctx = {
        "review": review,
        "taking_part": [i for i in invitations if workflow.is_taking_part(i)],
        "waiting": [i for i in invitations if workflow.is_waiting(i)],
        "ended": [i for i in invitations if not workflow.is_taking_part(i) and not workflow.is_waiting(i)],
        # Boards that took part before invitations were made in the portal (no invitation row).
        "joined_before": [
            p for p in review.participations.all() if not any(i.board_id == p.board_id for i in invitations)
        ],
        "can_invite": can_invite,
        "breadcrumbs": review_crumbs(review, ("Boards taking part", None)),
    }
    return render(request, "reviews/review_boards.html", ctx)


@require_http_methods(["GET", "POST"])
def review_board_invite(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_for(request.user, pk, "invite_boards")
    form = InviteBoardForm(request.POST or None, boards=selectors.boards_to_invite(review))
    back = reverse("review_boards", args=[review.pk])
    return submitted(
        request,
        form,
        partial(services.board_invite, review=review, user=request.user),
        success=lambda invitation: (
            f"Invitation sent to {invitation.board.name}. Its business manager is told."
        ),
        to=back,
        refused=services.InvitationRefused,
    ) or render(
        request,
        "reviews/review_form.html",
        {
            "form": form,
            "review": review,
            "heading": "Invite a board to take part",
            "intro": "The board's business manager is asked to accept or decline. Your board still runs the "
            "review: appointments, approvals, sign-off and documents stay with your board.",
            "breadcrumbs": review_crumbs(
                review, link("Boards taking part", "review_boards", review.pk), ("Invite a board", None)
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def review_board_remove(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    review = selectors.review_for(request.user, pk, "invite_boards")
    invitation = get_object_or_404(selectors.invitations_of(review), pk=invitation_pk)
    taking_part = workflow.is_taking_part(invitation)
    label = "Remove the board" if taking_part else "Cancel the invitation"
    form = ReasonForm(request.POST or None, submit_label=label)
    back = reverse("review_boards", args=[review.pk])
    return submitted(
        request,
        form,
        partial(services.invitation_move, invitation=invitation, user=request.user, name="remove"),
        success=f"{invitation.board.name} {'removed' if taking_part else 'is no longer invited'}. Its business manager is told.",
        to=back,
        refused=services.InvitationRefused,
    ) or render(
        request,
        "reviews/review_form.html",
        {
            "form": form,
            "review": review,
            "heading": f"{label}: {invitation.board.name}",
            "intro": "Its people will no longer see the review."
            if taking_part
            else "The board has not answered yet. It will no longer be able to accept.",
            "breadcrumbs": review_crumbs(
                review, link("Boards taking part", "review_boards", review.pk), (label, None)
            ),
        },
    )


@require_GET
def invitation_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "answer_invitations")
    invitations = list(selectors.invitations_for(request.user))
    ctx = {
        "waiting": [i for i in invitations if workflow.is_waiting(i)],
        "taking_part": [i for i in invitations if workflow.is_taking_part(i)],
        "ended": [i for i in invitations if not workflow.is_taking_part(i) and not workflow.is_waiting(i)],
        "breadcrumbs": crumbs(("Invitations to take part", None)),
    }
    return render(request, "reviews/invitation_list.html", ctx)


@require_http_methods(["GET", "POST"])
def invitation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.invitation_for(request.user, pk)
    waiting = workflow.is_waiting(invitation)
    form = InvitationAnswerForm(request.POST or None) if waiting else None
    done = (
        submitted(
            request,
            form,
            partial(services.invitation_move, invitation=invitation, user=request.user),
            data=lambda: {"name": form.cleaned_data["answer"], "reason": form.cleaned_data["reason"]},
            success=lambda saved: (
                f"You accepted. {saved.board.name} now takes part in {saved.review.reference}."
                if workflow.is_taking_part(saved)
                else "You declined. The lead board is told."
            ),
            to=lambda saved: (
                reverse("review_detail", args=[saved.review_id])
                if workflow.is_taking_part(saved)
                else reverse("invitation_list")
            ),
            refused=services.InvitationRefused,
        )
        if form is not None
        else None
    )
    ctx = {
        "invitation": invitation,
        "form": form,
        "can_withdraw": workflow.INVITATION.permitted(
            workflow.INVITATION["withdraw"], invitation_parties(request.user, invitation)
        )
        and workflow.INVITATION.allows("withdraw", invitation),
        "heading": f"Invitation to take part in review {invitation.review.reference}",
        "breadcrumbs": crumbs(
            link("Invitations to take part", "invitation_list"), (invitation.review.reference, None)
        ),
    }
    return done or render(request, "reviews/invitation_answer.html", ctx)


@require_http_methods(["GET", "POST"])
def invitation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.invitation_for(request.user, pk)
    form = ReasonForm(request.POST or None, submit_label="Withdraw from the review")
    return submitted(
        request,
        form,
        partial(services.invitation_move, invitation=invitation, user=request.user, name="withdraw"),
        success=f"{invitation.board.name} no longer takes part in {invitation.review.reference}. The lead board is told.",
        to=reverse("invitation_list"),
        refused=services.InvitationRefused,
    ) or render(
        request,
        "reviews/review_form.html",
        {
            "form": form,
            "heading": f"Withdraw {invitation.board.name} from review {invitation.review.reference}",
            "intro": "Your board's people will no longer see the review. The lead board is told why.",
            "breadcrumbs": crumbs(link("Invitations to take part", "invitation_list"), ("Withdraw", None)),
        },
    )


# Notifications ---------------------------------------------------------------------------------------


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    notes = selectors.notifications_of(request.user).select_related("review")
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = {"page": page, "breadcrumbs": crumbs(("Notifications", None))}
    return render(request, "reviews/notification_list.html", ctx)


@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the person's own notifications, of reviews they still see, exist for them (404 otherwise).
    note = get_object_or_404(selectors.notifications_of(request.user), pk=pk)
    services.notification_open(note=note)
    if not url_has_allowed_host_and_scheme(note.path, allowed_hosts=None) or not note.path.startswith("/"):
        return redirect("notification_list")
    return redirect(note.path)


@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return redirect("notification_list")
