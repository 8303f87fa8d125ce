"""A board's business plan (periods and their numbered priorities) and its learning and improvement
framework (learning from other sources, filed by theme).

Every page loads the board through `board_for`, which answers 404 when the person has no role on the board
and 403 when they may not do the action: board members and chairs read; the business manager changes."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from responses.pages import form_page
from reviews.access import can
from reviews.selectors import board_for
from scr_portal.breadcrumbs import Crumb, board_crumbs, link
from scr_portal.pages import attempt, submitted

from . import selectors, services
from .forms import LearningFilterForm, LearningItemForm, PlanPeriodForm, PlanPriorityForm

PAGE_SIZE = 25


def _plan_url(board, period=None) -> str:
    url = reverse("business_plan", args=[board.pk])
    return f"{url}#period-{period.pk}" if period is not None else url


def _plan_crumb(board) -> Crumb:
    return link(board.words.Plan, "business_plan", board.pk)


def _learning_crumb(board) -> Crumb:
    return link("Learning and improvement framework", "learning_framework", board.pk)


def _board_form_page(
    request: HttpRequest, board, form, heading: str, *trail: Crumb, back: str, intro: str = ""
) -> HttpResponse:
    return form_page(
        request,
        None,
        form,
        heading,
        back=back,
        crumb_trail=board_crumbs(board, *trail),
        intro=intro,
        board=board,
    )


# Business plan ----------------------------------------------------------------------------------------


@require_GET
def business_plan(request: HttpRequest, pk: int) -> HttpResponse:
    board = board_for(request.user, pk, "view_business_plan")
    ctx = {
        "board": board,
        "periods": selectors.plan_of(board),
        "can_manage": can(request.user, "manage_business_plan", board),
        "breadcrumbs": board_crumbs(board, (board.words.Plan, None)),
    }
    return render(request, "responses/plan/business_plan.html", ctx)


@require_http_methods(["GET", "POST"])
def plan_period_create(request: HttpRequest, pk: int) -> HttpResponse:
    board = board_for(request.user, pk, "manage_business_plan")
    form = PlanPeriodForm(request.POST or None, board=board)
    return submitted(
        request,
        form,
        partial(services.period_create, board=board, actor=request.user),
        refused=services.PlanError,
        success=lambda period: (
            f"“{period.title}” is added to the {board.words.plan}. Now add its priorities."
        ),
        to=lambda period: _plan_url(board, period),
    ) or _board_form_page(
        request,
        board,
        form,
        "Add a plan period",
        _plan_crumb(board),
        ("Add a plan period", None),
        back=_plan_url(board),
        intro=f"A period of the {board.words.plan}, usually two or three years. Periods may overlap: the "
        "plan shows every period that covers today as current.",
    )


@require_http_methods(["GET", "POST"])
def plan_period_edit(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    board = board_for(request.user, pk, "manage_business_plan")
    period = selectors.period_get(board, period_pk)
    form = PlanPeriodForm(request.POST or None, board=board, period=period)
    return submitted(
        request,
        form,
        partial(services.period_update, period=period, actor=request.user),
        refused=services.PlanError,
        success=lambda saved: f"“{saved.title}” is saved.",
        to=lambda saved: _plan_url(board, saved),
    ) or _board_form_page(
        request,
        board,
        form,
        f"Change “{period.title}”",
        _plan_crumb(board),
        ("Change a plan period", None),
        back=_plan_url(board, period),
    )


@require_http_methods(["GET", "POST"])
def plan_period_delete(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    board = board_for(request.user, pk, "manage_business_plan")
    period = selectors.period_get(board, period_pk)
    if request.method == "POST":
        try:
            services.period_delete(period=period, actor=request.user)
        except services.PlanError as error:
            messages.error(request, str(error))
            return redirect(_plan_url(board, period))
        messages.success(
            request, f"“{period.title}” and its priorities are deleted from the {board.words.plan}."
        )
        return redirect(_plan_url(board))
    count = period.priorities.count()
    linked = selectors.actions_linked_to_period(period)
    ctx = {
        "board": board,
        "heading": f"Delete “{period.title}”?",
        "explanation": (
            f"The period and its {count} priorit{'y' if count == 1 else 'ies'} will no longer show in the "
            f"{board.words.plan}. The history of changes keeps a record of them."
            if count
            else f"The period will no longer show in the {board.words.plan}. The history of changes keeps a "
            "record of it."
        ),
        "blocked": (
            f"Review actions are linked to priorities of this period ({linked}). Link them to other "
            "priorities before deleting it."
            if linked
            else ""
        ),
        "button": "Delete the period",
        "back": _plan_url(board, period),
        "breadcrumbs": board_crumbs(board, _plan_crumb(board), ("Delete a plan period", None)),
    }
    return render(request, "responses/plan/delete.html", ctx)


@require_http_methods(["GET", "POST"])
def plan_priority_create(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    board = board_for(request.user, pk, "manage_business_plan")
    period = selectors.period_get(board, period_pk)
    form = PlanPriorityForm(request.POST or None, period=period)
    return submitted(
        request,
        form,
        partial(services.priority_create, period=period, actor=request.user),
        refused=services.PlanError,
        success=lambda priority: f"Priority {priority.number} is added to “{period.title}”.",
        to=_plan_url(board, period),
    ) or _board_form_page(
        request,
        board,
        form,
        f"Add a priority to “{period.title}”",
        _plan_crumb(board),
        ("Add a priority", None),
        back=_plan_url(board, period),
        intro="Review actions can be linked to the priority, and it shows beside the findings of a review "
        "that share one of its themes while the period is current.",
    )


@require_http_methods(["GET", "POST"])
def plan_priority_edit(request: HttpRequest, pk: int, priority_pk: int) -> HttpResponse:
    board = board_for(request.user, pk, "manage_business_plan")
    priority = selectors.priority_get(board, priority_pk)
    form = PlanPriorityForm(request.POST or None, period=priority.period, priority=priority)
    return submitted(
        request,
        form,
        partial(services.priority_update, priority=priority, actor=request.user),
        refused=services.PlanError,
        success=lambda saved: f"Priority {saved.number} of “{saved.period.title}” is saved.",
        to=lambda saved: _plan_url(board, saved.period),
    ) or _board_form_page(
        request,
        board,
        form,
        f"Change priority {priority.number} of “{priority.period.title}”",
        _plan_crumb(board),
        ("Change a priority", None),
        back=_plan_url(board, priority.period),
    )


@require_http_methods(["GET", "POST"])
def plan_priority_delete(request: HttpRequest, pk: int, priority_pk: int) -> HttpResponse:
    board = board_for(request.user, pk, "manage_business_plan")
    priority = selectors.priority_get(board, priority_pk)
    if request.method == "POST":
        attempt(
            request,
            partial(services.priority_delete, priority=priority, actor=request.user),
            success=f"Priority {priority.number} is deleted from “{priority.period.title}”.",
            refused=services.PlanError,
        )
        return redirect(_plan_url(board, priority.period))
    ctx = {
        "board": board,
        "heading": f"Delete priority {priority.number} of “{priority.period.title}”?",
        "explanation": f"“{priority.title}” will no longer show in the {board.words.plan}. The history of changes "
        "keeps a record of it.",
        "blocked": (
            f"Review actions are linked to this priority ({priority.action_count}). Link them to another "
            "priority before deleting it."
            if priority.action_count
            else ""
        ),
        "button": "Delete the priority",
        "back": _plan_url(board, priority.period),
        "breadcrumbs": board_crumbs(board, _plan_crumb(board), ("Delete a priority", None)),
    }
    return render(request, "responses/plan/delete.html", ctx)


# Learning and improvement framework -------------------------------------------------------------------


@require_GET
def learning_framework(request: HttpRequest, pk: int) -> HttpResponse:
    board = board_for(request.user, pk, "view_business_plan")
    form = LearningFilterForm(request.GET or None)
    filters = form.filters()
    if form.is_bound and form.errors:
        messages.warning(request, "Some filters were not understood and were left out.")
    items = selectors.learning_list(board, **filters)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    by_theme = selectors.learning_by_theme(board, source=filters["source"], status=filters["status"])
    keep = {k: v for k, v in (("source", filters["source"]), ("status", filters["status"])) if v}
    theme_links = [(t, f"?{urlencode({'theme': t.pk, **keep})}") for t in by_theme if t.item_count]
    query = {k: v for k, v in {"theme": filters["theme"].pk if filters["theme"] else "", **keep}.items() if v}
    ctx = {
        "board": board,
        "form": form,
        "page": page,
        "filters": filters,
        "filtered": bool(query),
        "query_string": urlencode(query),
        "theme_links": theme_links,
        "themes_without": [t for t in by_theme if not t.item_count],
        "can_manage": can(request.user, "manage_business_plan", board),
        "breadcrumbs": board_crumbs(board, ("Learning and improvement framework", None)),
    }
    return render(request, "responses/plan/learning_framework.html", ctx)


@require_GET
def learning_item(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    board = board_for(request.user, pk, "view_business_plan")
    item = selectors.learning_item_get(board, item_pk)
    ctx = {
        "board": board,
        "item": item,
        "can_manage": can(request.user, "manage_business_plan", board),
        "breadcrumbs": board_crumbs(board, _learning_crumb(board), (item.title, None)),
    }
    return render(request, "responses/plan/learning_item.html", ctx)


@require_http_methods(["GET", "POST"])
def learning_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    board = board_for(request.user, pk, "manage_business_plan")
    form = LearningItemForm(request.POST or None)
    return submitted(
        request,
        form,
        partial(services.learning_item_create, board=board, actor=request.user),
        refused=services.PlanError,
        success=lambda item: f"“{item.title}” is added to the learning and improvement framework.",
        to=lambda item: reverse("learning_item", args=[board.pk, item.pk]),
    ) or _board_form_page(
        request,
        board,
        form,
        "Add learning",
        _learning_crumb(board),
        ("Add learning", None),
        back=reverse("learning_framework", args=[board.pk]),
        intro="Learning the board already holds from another source. It shows beside the findings of the "
        "board's reviews that share one of its themes.",
    )


@require_http_methods(["GET", "POST"])
def learning_item_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    board = board_for(request.user, pk, "manage_business_plan")
    item = selectors.learning_item_get(board, item_pk)
    form = LearningItemForm(request.POST or None, item=item)
    item_url = reverse("learning_item", args=[board.pk, item.pk])
    return submitted(
        request,
        form,
        partial(services.learning_item_update, item=item, actor=request.user),
        refused=services.PlanError,
        success=lambda saved: f"“{saved.title}” is saved.",
        to=item_url,
    ) or _board_form_page(
        request,
        board,
        form,
        f"Change “{item.title}”",
        _learning_crumb(board),
        (item.title, item_url),
        ("Change", None),
        back=item_url,
    )


@require_http_methods(["GET", "POST"])
def learning_item_delete(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    board = board_for(request.user, pk, "manage_business_plan")
    item = selectors.learning_item_get(board, item_pk)
    if request.method == "POST":
        services.learning_item_delete(item=item, actor=request.user)
        messages.success(request, f"“{item.title}” is deleted from the learning and improvement framework.")
        return redirect("learning_framework", board.pk)
    ctx = {
        "board": board,
        "heading": f"Delete “{item.title}”?",
        "explanation": "The learning will no longer show in the framework or beside review findings. The "
        "history of changes keeps a record of it.",
        "button": "Delete the learning",
        "back": reverse("learning_item", args=[board.pk, item.pk]),
        "breadcrumbs": board_crumbs(
            board,
            _learning_crumb(board),
            (item.title, reverse("learning_item", args=[board.pk, item.pk])),
            ("Delete", None),
        ),
    }
    return render(request, "responses/plan/delete.html", ctx)
