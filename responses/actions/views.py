"""Actions agreed in response to a review (QM 15): the review's action plan, a board's action plan across its
reviews, agreeing and changing actions, progress updates with evidence, status changes, and exports.

Review pages load the review through `review_for` (404 when it is invisible, 403 when the action is not
allowed); actions and evidence are then looked up within that review only. The board's plan loads the
board through `board_for` and reads only reviews the person may see."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from responses.models import Action
from responses.pages import form_page, response_crumb
from reviews.access import can, require
from reviews.selectors import board_for, review_for
from reviews.services import review_access_record
from scr_portal.breadcrumbs import Crumb, board_crumbs, crumbs, link, review_crumbs
from scr_portal.downloads import attachment
from scr_portal.links import url_for_each
from scr_portal.pages import reshown

from . import export, selectors, services, workflow
from .forms import ActionForm, PlanFilterForm, ProgressForm, StatusForm

PAGE_SIZE = 25


def _plan_url(review) -> str:
    return reverse("action_plan", args=[review.pk])


def _action_trail(review, action: Action | None = None) -> list[Crumb]:
    """Response › Action plan › the action, when the page is about one."""
    trail = [response_crumb(review), ("Action plan", _plan_url(review))]
    if action is not None:
        trail.append(link(f"Action {action.number}", "action_detail", review.pk, action.number))
    return trail


def _one_action_crumbs(request: HttpRequest, action: Action, *rest: Crumb) -> list[Crumb]:
    """The trail of a page about one action: through the review's response for those who read it; for its
    action owner, who sees nothing else of the review, from their home page."""
    review = action.review
    if can(request.user, "view_response", review):
        if not rest:
            return review_crumbs(review, *_action_trail(review), (f"Action {action.number}", None))
        return review_crumbs(review, *_action_trail(review, action), *rest)
    own = (f"Action {action.number} of {review.reference}", None)
    if rest:
        own = link(own[0], "action_detail", review.pk, action.number)
    return crumbs(own, *rest)


# Action plans ----------------------------------------------------------------------------------------


def _filter_form(request: HttpRequest, choices: dict, reviews=None) -> PlanFilterForm:
    return PlanFilterForm(
        request.GET or None, owners=choices["owners"], agencies=choices["agencies"], reviews=reviews
    )


def _query(request: HttpRequest, **changes) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    for key, value in changes.items():
        query.pop(key, None)
        if value:
            query[key] = value
    return query.urlencode()


def _shown(rows: list[selectors.PlanRow]) -> list[selectors.PlanRow]:
    """The plan page's rows with the link to each action (one `reverse` for the page, not one a row)."""
    action_url = url_for_each("action_detail", variable=2)
    for row in rows:
        row.url = action_url(row.review_id, row.number)
    return rows


def _plan_page(request: HttpRequest, scope: selectors.PlanScope, *, review=None, board=None, reviews=None):
    # The plan's actions are read once, grouped, for both the filter lists and the counts under any
    # filter; only a filter by review (which the groups are not by) counts the filtered actions again.
    groups = selectors.plan_groups(scope)
    choices = selectors.choices_of(groups)
    form = _filter_form(request, choices, reviews)
    filters = form.filters()
    if form.is_bound and form.errors:
        messages.warning(request, "Some filters were not understood and were left out.")
    if filters.review:
        # Only a board's plan filters by review: the reviews are its filter's list.
        scoped = Action.objects.filter(review_id__in=[pk for pk, _ in reviews])
        summary = selectors.counts(selectors.apply_filters(scoped, filters, request.user))
    else:
        summary = selectors.counts_of(groups, filters, request.user)
    ids = selectors.PlanIds(scope, filters, request.user)
    page = selectors.plan_page(ids, request.GET.get("page"), PAGE_SIZE, count=summary["total"])
    names = selectors.Names(
        references=dict(reviews) if reviews is not None else {review.pk: review.reference},
        owners=dict(choices["owners"]),
        agencies=dict(choices["agencies"]),
    )
    rows = _shown(selectors.page_rows(page, names))
    path = request.path
    by_status = [
        (label, n, f"{path}?{_query(request, status=value)}") for value, label, n in summary["by_status"]
    ]
    by_rag = [(item, n, f"{path}?{_query(request, rag=item.value)}") for item, n in summary["by_rag"]]
    export_query = _query(request)
    if review is not None:
        csv_url = reverse("action_plan_csv", args=[review.pk])
        xlsx_url = reverse("action_plan_xlsx", args=[review.pk])
        trail = review_crumbs(review, response_crumb(review), ("Action plan", None))
    else:
        csv_url = reverse("board_action_plan_csv", args=[board.pk])
        xlsx_url = reverse("board_action_plan_xlsx", args=[board.pk])
        trail = board_crumbs(board, ("Action plan", None))
    suffix = f"?{export_query}" if export_query else ""
    ctx = {
        "review": review,
        "board": board,
        "form": form,
        "filtered": filters.any,
        "page": page,
        "rows": rows,
        "query_string": export_query,
        "total": summary["total"],
        "by_status": by_status,
        "by_rag": by_rag,
        "rag_key": selectors.RAG_KEY,
        "csv_url": csv_url + suffix,
        "xlsx_url": xlsx_url + suffix,
        "can_agree": review is not None and can(request.user, "manage_response", review),
        "today": timezone.localdate(),
        "breadcrumbs": trail,
    }
    return render(request, "responses/actions/plan.html", ctx)


@require_GET
def action_plan(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_response")
    return _plan_page(request, selectors.PlanScope((review.pk,)), review=review)


@require_GET
def board_action_plan(request: HttpRequest, pk: int) -> HttpResponse:
    board = board_for(request.user, pk, "view_action_plan")
    reviews = selectors.board_review_names(request.user, board)
    return _plan_page(
        request, selectors.plan_scope(request.user, board, reviews), board=board, reviews=reviews
    )


@require_GET
def action_plan_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The review's plan as the page shows it (filtered, not paginated), streamed as CSV."""
    review = review_for(request.user, pk, "view_response")
    return export.csv_response(export.plan_of(request.user, request.GET, review=review))


@require_GET
def board_action_plan_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The board's plan across the reviews the person may see, filtered as its page, streamed as CSV. (The
    Excel file is made by a worker: documents.views.board_action_plan_xlsx.)"""
    board = board_for(request.user, pk, "view_action_plan")
    return export.csv_response(export.plan_of(request.user, request.GET, board=board))


# One action ------------------------------------------------------------------------------------------


@require_GET
def action_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    action = selectors.action_for(request.user, pk, number, "view_action")
    review = action.review
    may_update = can(request.user, "update_action", action)
    ctx = {
        "review": review,
        "action": action,
        "rag": selectors.RAG_BY_VALUE[workflow.rag_of(action)],
        "rag_key": selectors.RAG_KEY,
        "status_class": selectors.STATUS_TAG_CLASSES[action.status],
        "findings": selectors.findings_of(action),
        "updates": selectors.updates_of(action),
        "can_update": may_update,
        "can_change_status": may_update and bool(workflow.moves_from(action.status)),
        "can_edit": can(request.user, "manage_response", review),
        "reads_response": can(request.user, "view_response", review),
        "breadcrumbs": _one_action_crumbs(request, action),
    }
    return render(request, "responses/actions/detail.html", ctx)


@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "manage_response")
    form = ActionForm(request.POST or None, review=review)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_agree(review=review, user=request.user, details=form.details())
        except services.ActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            told = (
                ""
                if action.owner_id == request.user.pk
                else f" {action.owner.get_full_name()} has been told."
            )
            messages.success(request, f"Action {action.number} is agreed.{told}")
            return redirect("action_detail", review.pk, action.number)
    return form_page(
        request,
        review,
        form,
        "Agree an action",
        back=_plan_url(review),
        back_label="Back to the action plan without saving",
        crumb_trail=review_crumbs(review, *_action_trail(review), ("Agree an action", None)),
        intro="Record an action the board agreed in response to the review. Its named owner is told.",
        template="responses/actions/action_form.html",
        no_findings=not review.findings.exists(),
    )


@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    review = review_for(request.user, pk, "manage_response")
    action = selectors.action_of(review, number)
    if request.method == "POST":
        form = ActionForm(request.POST, review=review, action=action)
    else:
        form = ActionForm(review=review, action=action)
        form.initial["seen"] = services.fingerprint(action)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_change(
                action=action, user=request.user, details=form.details(), seen=form.cleaned_data["seen"]
            )
        except services.EditConflict as conflict:
            form = reshown(
                request,
                ActionForm,
                conflict,
                seen="seen",
                value=conflict.fingerprint,
                review=review,
                action=action,
            )
        except services.ActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"Action {action.number} is saved.")
            return redirect("action_detail", review.pk, action.number)
    detail = reverse("action_detail", args=[review.pk, action.number])
    return form_page(
        request,
        review,
        form,
        f"Change action {action.number}",
        back=detail,
        back_label="Back to the action without saving",
        crumb_trail=review_crumbs(review, *_action_trail(review, action), ("Change", None)),
        template="responses/actions/action_form.html",
        action=action,
    )


def _update_page(request: HttpRequest, review, action: Action, form, heading: str) -> HttpResponse:
    return form_page(
        request,
        review,
        form,
        heading,
        back=reverse("action_detail", args=[review.pk, action.number]),
        back_label="Back to the action without saving",
        crumb_trail=_one_action_crumbs(request, action, (heading, None)),
        template="responses/actions/update_form.html",
        action=action,
        status_class=selectors.STATUS_TAG_CLASSES[action.status],
    )


def _load_for_update(request: HttpRequest, pk: int, number: int):
    action = selectors.action_for(request.user, pk, number, "view_action")
    require(request.user, "update_action", action)
    return action.review, action


def _save_progress(request: HttpRequest, action: Action, form, on):
    """Records the update; returns None when it is saved, or the form to show again with why it was not."""
    d = form.cleaned_data
    try:
        services.action_progress_record(
            action=action,
            user=request.user,
            on=on,
            text=form.progress_text(),
            status_to=d.get("status") or "",
            deferred_reason=d.get("deferred_reason") or "",
            deferred_until=d.get("deferred_until"),
            files=d.get("evidence") or [],
            seen_status=form.seen(),
        )
    except services.StatusConflict as conflict:
        return _after_status_conflict(form, action, conflict)
    except services.ActionRefused as refusal:
        form.add_error(None, str(refusal))
        return form
    return None


def _after_status_conflict(form, action: Action, conflict: services.StatusConflict):
    """The form again as the person filled it in, offering the moves from the status as it is now, with
    the message saying someone else changed it. (Files cannot be put back in a page: they are asked for.)"""
    action.refresh_from_db()
    kept = {k: v for k, v in form.cleaned_data.items() if k not in ("evidence", "seen_status")}
    again = type(form)(action=action, initial={**kept, "seen_status": conflict.status})
    if kept.get("status") not in [value for value, _ in again.fields["status"].choices]:
        again.initial["status"] = ""
    message = str(conflict)
    if form.cleaned_data.get("evidence"):
        message += " Your evidence files were not attached: choose them again."
    again.cleaned_data = {}  # an unbound form, shown with the message only: nothing the person typed is wrong
    again.add_error(None, message)
    return again


@require_http_methods(["GET", "POST"])
def action_progress(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    review, action = _load_for_update(request, pk, number)
    form = ProgressForm(request.POST or None, request.FILES or None, action=action)
    if request.method == "POST" and form.is_valid():
        files = len(form.cleaned_data.get("evidence") or [])
        form = _save_progress(request, action, form, form.cleaned_data["on"])
        if form is None:
            attached = f" with {files} evidence file{'s' if files != 1 else ''}" if files else ""
            messages.success(request, f"Your progress update on action {action.number} is saved{attached}.")
            return redirect("action_detail", review.pk, action.number)
    return _update_page(request, review, action, form, "Add a progress update")


@require_http_methods(["GET", "POST"])
def action_status(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    review, action = _load_for_update(request, pk, number)
    form = StatusForm(request.POST or None, request.FILES or None, action=action)
    if not form.moves:  # nothing the page offered (or would offer) to move to
        messages.error(request, workflow.move_problem(form.shown_status))
        return redirect("action_detail", review.pk, action.number)
    if request.method == "POST" and form.is_valid():
        form = _save_progress(request, action, form, timezone.localdate())
        if form is None:
            action.refresh_from_db()
            messages.success(request, f"Action {action.number} is now {action.get_status_display().lower()}.")
            return redirect("action_detail", review.pk, action.number)
    return _update_page(request, review, action, form, f"Change the status of action {action.number}")


@require_GET
def action_evidence(request: HttpRequest, pk: int, number: int, evidence_pk: int) -> FileResponse:
    """An evidence file, to everyone who may read the response and to the action's owner (never from a
    public URL)."""
    review = selectors.action_for(request.user, pk, number, "view_action").review
    evidence = selectors.evidence_of(review, number, evidence_pk)
    response = attachment(evidence.file, evidence.name)
    review_access_record(review=review, user=request.user, request=request)
    return response
