"""Boards and reviews as their people see them. Each view starts by loading its object through a scoping
selector (404 when invisible) that also checks the action (403 when not allowed)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from scr_portal.audit import history_entries
from scr_portal.permissions import (
    can,
    manageable_boards,
    require,
    roles_on_board,
    roles_on_review,
)

from . import clocks, selectors, services, workflow
from .forms import (
    ChildForm,
    NewReviewForm,
    ParallelProcessForm,
    ReferralForm,
    ReviewFilterForm,
    TimescalesForm,
)
from .models import Agency, Appointment, Board, Membership, ParticipatingBoard, Review, Role

User = get_user_model()
PAGE_SIZE = 25


def _label(labels: dict, model, pk) -> str:
    return labels.get((model, pk), f"#{pk}")


@require_GET
def board_list(request: HttpRequest) -> HttpResponse:
    boards = selectors.board_summaries_for(request.user).order_by("name")
    ctx = {"boards": boards, "breadcrumbs": [("Home", reverse("home")), ("Your boards", None)]}
    return render(request, "reviews/board_list.html", ctx)


@require_GET
def board_detail(request: HttpRequest, pk: int) -> HttpResponse:
    board = selectors.board_for(request.user, pk)
    ctx = {
        "board": board,
        "memberships": selectors.board_memberships(board),
        "agencies": board.agencies.order_by("name"),
        "my_roles": sorted(Role(r).label for r in roles_on_board(request.user, board)),
        "can_view_history": can(request.user, "view_board_history", board),
        "breadcrumbs": [
            ("Home", reverse("home")),
            ("Your boards", reverse("board_list")),
            (board.name, None),
        ],
    }
    return render(request, "reviews/board_detail.html", ctx)


@require_GET
def board_history(request: HttpRequest, pk: int) -> HttpResponse:
    board = selectors.board_for(request.user, pk, "view_board_history")
    entries = history_entries(
        (Board.history.filter(id=board.pk), lambda row, labels: f"Board {row.name}"),
        (
            Membership.history.filter(board_id=board.pk),
            lambda row, labels: f"{row.get_role_display()}: {_label(labels, User, row.user_id)}",
        ),
        (Agency.history.filter(id__in=board.agencies.values("pk")), lambda row, labels: f"Agency {row.name}"),
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    ctx = {
        "board": board,
        "page": page,
        "breadcrumbs": [
            ("Home", reverse("home")),
            ("Your boards", reverse("board_list")),
            (board.name, reverse("board_detail", args=[board.pk])),
            ("History", None),
        ],
    }
    return render(request, "reviews/history.html", {**ctx, "heading": f"History of {board.name}"})


@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    boards = list(selectors.boards_visible_to(request.user).order_by("name"))
    form = ReviewFilterForm(request.GET or None, boards=boards)
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
        "breadcrumbs": [("Home", reverse("home")), ("Reviews", None)],
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
    roles = roles_on_review(request.user, review)
    ctx = {
        "review": review,
        "my_roles": sorted(Role(r).label for r in roles),
        "stages": workflow.stage_path(review),
        "next_step": workflow.NEXT_STEPS.get(review.state),
        "options": workflow.options(review, roles) if can(request.user, "take_review_step", review) else [],
        "clocks": clocks.review_clocks(review),
        "children": review.children.all(),
        "processes": review.parallel_processes.all(),
        "agencies_known": review.agencies_known.order_by("name"),
        "timeline": _timeline_page(review, request.GET.get("timeline")),
        "can_edit": can(request.user, "change_review", review),
        "can_view_history": can(request.user, "view_review_history", review),
        "show_commissioning": workflow.allows(review, workflow.SCOPING_SHOWN),
        "show_documents": can(request.user, "view_documents", review)
        and workflow.allows(review, workflow.DOCUMENTS_SHOWN),
        "show_response": can(request.user, "view_response", review)
        and (review.final_report or workflow.allows(review, workflow.RESPONSE_OPEN)),
        "breadcrumbs": [
            ("Home", reverse("home")),
            ("Reviews", reverse("review_list")),
            (review.reference, None),
        ],
    }
    return render(request, "reviews/review_detail.html", ctx)


@require_GET
def review_history(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_for(request.user, pk, "view_review_history")
    entries = history_entries(
        (Review.history.filter(id=review.pk), lambda row, labels: f"Review {row.reference}"),
        (
            ParticipatingBoard.history.filter(review_id=review.pk),
            lambda row, labels: f"Participating board: {_label(labels, Board, row.board_id)}",
        ),
        (
            Appointment.history.filter(review_id=review.pk),
            lambda row, labels: f"Lead reviewer: {_label(labels, User, row.reviewer_id)}",
        ),
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    accesses = review.accesses.select_related("user")[:50]
    ctx = {
        "review": review,
        "page": page,
        "accesses": accesses,
        "heading": f"History of {review.reference}",
        "breadcrumbs": [
            ("Home", reverse("home")),
            ("Reviews", reverse("review_list")),
            (review.reference, reverse("review_detail", args=[review.pk])),
            ("History", None),
        ],
    }
    return render(request, "reviews/history.html", ctx)


# The case record and the lifecycle ------------------------------------------------------------------


def _review_crumbs(review: Review, *tail) -> list:
    return [
        ("Home", reverse("home")),
        ("Reviews", reverse("review_list")),
        (review.reference, reverse("review_detail", args=[review.pk])),
        *tail,
    ]


@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest) -> HttpResponse:
    boards = manageable_boards(request.user)
    if not boards:
        raise PermissionDenied("Only a business manager can open a review.")
    form = NewReviewForm(request.POST or None, boards=boards)
    if request.method == "POST" and form.is_valid():
        board = form.cleaned_data["lead_board"]
        require(request.user, "create_review", board)
        d = form.cleaned_data
        review = services.review_create(
            board=board,
            user=request.user,
            reference=d["reference"],
            regime=d["regime"],
            case_summary=d["case_summary"],
            incident_date=d["incident_date"],
            notification_date=d["notification_date"],
            criteria=d["criteria"],
            criteria_notes=d["criteria_notes"],
            pseudonym=d["pseudonym"],
            outcome=d["outcome"],
        )
        messages.success(request, f"Review {review.reference} opened at the referral stage.")
        return redirect("review_detail", review.pk)
    ctx = {
        "form": form,
        "breadcrumbs": [("Home", reverse("home")), ("Reviews", reverse("review_list")), ("New review", None)],
    }
    return render(request, "reviews/review_form.html", {**ctx, "heading": "Open a new review"})


@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_for(request.user, pk, "change_review")
    form = ReferralForm(request.POST or None, instance=review, board=review.lead_board)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        services.review_update(
            review=review,
            user=request.user,
            reference=d["reference"],
            regime=d["regime"],
            case_summary=d["case_summary"],
            incident_date=d["incident_date"],
            notification_date=d["notification_date"],
            criteria=d["criteria"],
            criteria_notes=d["criteria_notes"],
            agencies_known=d["agencies_known"],
        )
        messages.success(request, "Referral details saved.")
        return redirect("review_detail", review.pk)
    ctx = {
        "form": form,
        "review": review,
        "heading": "Referral details",
        "breadcrumbs": _review_crumbs(review, ("Referral details", None)),
    }
    return render(request, "reviews/review_form.html", ctx)


@require_http_methods(["GET", "POST"])
def child_edit(request: HttpRequest, pk: int, child_pk: int | None = None) -> HttpResponse:
    review = selectors.review_for(request.user, pk, "change_review")
    child = get_object_or_404(review.children, pk=child_pk) if child_pk else None
    form = ChildForm(request.POST or None, instance=child, review=review)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        child = services.child_save(
            review=review,
            user=request.user,
            child=child,
            pseudonym=d["pseudonym"],
            age=d["age"],
            outcome=d["outcome"],
            circumstances=d["circumstances"],
        )
        messages.success(request, f"{child.pseudonym} saved.")
        return redirect("review_detail", review.pk)
    heading = f"Edit {child.pseudonym}" if child else "Add a child"
    ctx = {
        "form": form,
        "review": review,
        "heading": heading,
        "breadcrumbs": _review_crumbs(review, (heading, None)),
    }
    return render(request, "reviews/review_form.html", ctx)


@require_http_methods(["GET", "POST"])
def parallel_process_edit(request: HttpRequest, pk: int, process_pk: int | None = None) -> HttpResponse:
    review = selectors.review_for(request.user, pk, "change_review")
    process = get_object_or_404(review.parallel_processes, pk=process_pk) if process_pk else None
    form = ParallelProcessForm(request.POST or None, instance=process)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        services.parallel_process_save(
            review=review,
            user=request.user,
            process=process,
            kind=d["kind"],
            description=d["description"],
            may_delay_publication=d["may_delay_publication"],
            expected_end=d["expected_end"],
            concluded_on=d["concluded_on"],
        )
        messages.success(request, "Parallel process saved.")
        return redirect("review_detail", review.pk)
    heading = "Edit a parallel process" if process else "Record a parallel process"
    ctx = {
        "form": form,
        "review": review,
        "heading": heading,
        "breadcrumbs": _review_crumbs(review, (heading, None)),
    }
    return render(request, "reviews/review_form.html", ctx)


@require_http_methods(["GET", "POST"])
def review_step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    review = selectors.review_for(request.user, pk, "take_review_step")
    step = workflow.TRANSITIONS.get(name)
    if step is None or review.state not in step.source:
        messages.error(request, "That step is not available at this stage. Nothing was changed.")
        return redirect("review_detail", review.pk)
    if not workflow.permitted(step, roles_on_review(request.user, review)):
        raise PermissionDenied(f"Only a {workflow.roles_named(step)} can do this.")
    blockers = step.guard(review)
    form = step.form_class(request.POST or None, request.FILES or None, review=review)
    if request.method == "POST" and not blockers and form.is_valid():
        try:
            services.review_transition(
                review_id=review.pk, name=name, user=request.user, data=form.cleaned_data
            )
        except services.TransitionRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, f"Done: {step.label[0].lower()}{step.label[1:]}.")
        return redirect("review_detail", review.pk)
    ctx = {
        "review": review,
        "step": step,
        "blockers": blockers,
        "form": form,
        "heading": step.label,
        "breadcrumbs": _review_crumbs(review, (step.label, None)),
    }
    return render(request, "reviews/review_step.html", ctx)


@require_http_methods(["GET", "POST"])
def board_timescales(request: HttpRequest, pk: int) -> HttpResponse:
    board = selectors.board_for(request.user, pk, "change_board_timescales")
    form = TimescalesForm(request.POST or None, instance=board)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        services.board_timescales_update(
            board=board,
            notification_working_days=d["notification_working_days"],
            decision_months=d["decision_months"],
            completion_months=d["completion_months"],
            publication_months=d["publication_months"],
        )
        messages.success(request, "Local targets saved. Every open review's deadlines now use them.")
        return redirect("board_detail", board.pk)
    ctx = {
        "form": form,
        "heading": f"Local targets for {board.name}",
        "breadcrumbs": [
            ("Home", reverse("home")),
            ("Your boards", reverse("board_list")),
            (board.name, reverse("board_detail", args=[board.pk])),
            ("Local targets", None),
        ],
    }
    return render(request, "reviews/review_form.html", ctx)


# Notifications ---------------------------------------------------------------------------------------


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    notes = request.user.notifications.select_related("review")
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = {"page": page, "breadcrumbs": [("Home", reverse("home")), ("Notifications", None)]}
    return render(request, "reviews/notification_list.html", ctx)


@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the person's own notifications exist for them (404 otherwise).
    note = get_object_or_404(request.user.notifications, pk=pk)
    services.notification_open(note=note)
    if not url_has_allowed_host_and_scheme(note.path, allowed_hosts=None) or not note.path.startswith("/"):
        return redirect("notification_list")
    return redirect(note.path)


@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return redirect("notification_list")
