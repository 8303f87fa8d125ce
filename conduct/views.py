"""Pages of the information from agencies. Each view loads its review through `review_for`, or its request
through `selectors.request_for` (404 when the person may not know of it, 403 when they may but not do
this), then a form, then one service, then a redirect."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reviews.access import can
from reviews.selectors import review_for
from scr_portal.breadcrumbs import Crumb, crumbs, link, review_crumbs
from scr_portal.downloads import attachment

from . import selectors, services
from .forms import (
    AgencyReportForm,
    ChronologyEntryForm,
    ChronologyFilterForm,
    InformationRequestForm,
    ReturnForm,
    chronology_query,
)
from .inquiry.selectors import citations
from .models import InformationRequest

HEADING = "Information from agencies"
CHRONOLOGY = "Merged chronology"


def _trail(request: HttpRequest, info: InformationRequest, *rest: Crumb) -> list[Crumb]:
    """The trail of a page about one request: through the review for those who see it; for its author,
    who sees nothing else of the review, from their home page."""
    review = info.review
    here = f"{info.agency.name}'s information"
    if can(request.user, "view_information_requests", review):
        trail = [link(HEADING, "information_requests", review.pk)]
        if rest:
            trail.append(link(here, "information_request", review.pk, info.pk))
            return review_crumbs(review, *trail, *rest)
        return review_crumbs(review, *trail, (here, None))
    own = f"{here} for {review.reference}"
    if rest:
        return crumbs(link(own, "information_request", review.pk, info.pk), *rest)
    return crumbs((own, None))


def _locked(request: HttpRequest, info: InformationRequest) -> HttpResponse | None:
    """Back to the request, saying why, when its submission was sent and cannot change now."""
    if info.is_open_to_author:
        return None
    messages.error(request, "The submission has been sent to the business manager, so it cannot change now.")
    return redirect("information_request", info.review_id, info.pk)


def _refused(form, refusal: services.InformationRefused, request: HttpRequest) -> None:
    if refusal.field and form is not None and refusal.field in form.fields:
        form.add_error(refusal.field, str(refusal).rstrip("."))
    else:
        messages.error(request, str(refusal))


# The review's requests ----------------------------------------------------------------------------------


@require_GET
def requests(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_information_requests")
    rows = selectors.requests_of(review)
    today = timezone.localdate()
    ctx = {
        "review": review,
        "heading": HEADING,
        "rows": [(row, *row.status_shown(today)) for row in rows],
        "can_ask": can(request.user, "ask_for_information", review),
        "can_read": can(request.user, "read_chronology", review),
        "breadcrumbs": review_crumbs(review, (HEADING, None)),
    }
    return render(request, "conduct/requests.html", ctx)


@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "ask_for_information")
    form = InformationRequestForm(request.POST or None, review=review)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        agency = selectors.agencies_of_board(review).get(pk=data["agency"])
        author = selectors.author_user(review, data["author"])
        if author is None:
            form.add_error("author", "Choose one of the agency authors listed")
        else:
            try:
                info = services.information_request_create(
                    review=review,
                    user=request.user,
                    agency=agency,
                    author=author,
                    asked_for=data["asked_for"],
                    reason=data["reason"],
                    due_on=data["due_on"],
                )
            except services.InformationRefused as refusal:
                _refused(form, refusal, request)
            else:
                messages.success(
                    request, f"{agency.name} has been asked. {author.get_full_name()} has been told."
                )
                return redirect("information_request", review.pk, info.pk)
    heading = "Ask an agency for information"
    ctx = {
        "review": review,
        "form": form,
        "heading": heading,
        "no_authors": not form.fields["author"].choices[1:],
        "back": reverse("information_requests", args=[review.pk]),
        "back_label": "Back without sending",
        "breadcrumbs": review_crumbs(
            review, link(HEADING, "information_requests", review.pk), (heading, None)
        ),
    }
    return render(request, "conduct/request_form.html", ctx)


# One request and its submission ------------------------------------------------------------------------


@require_GET
def request_detail(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    info = selectors.request_for(request.user, pk, request_pk)
    label, tag = info.status_shown()
    may_write = can(request.user, "write_submission", info) and info.is_open_to_author
    ctx = {
        "review": info.review,
        "info": info,
        "heading": f"{info.agency.name}'s information",
        "status_label": label,
        "status_tag": tag,
        "entries": list(selectors.entries_of(info)),
        "can_write": may_write,
        "can_answer": can(request.user, "answer_submission", info) and info.status == info.Status.SUBMITTED,
        "is_author": info.author_id == request.user.pk,
        "breadcrumbs": _trail(request, info),
    }
    return render(request, "conduct/request_detail.html", ctx)


def _entry_page(request: HttpRequest, info: InformationRequest, form, heading: str) -> HttpResponse:
    ctx = {
        "review": info.review,
        "info": info,
        "form": form,
        "heading": heading,
        "back": reverse("information_request", args=[info.review_id, info.pk]),
        "back_label": "Back without saving",
        "breadcrumbs": _trail(request, info, (heading, None)),
    }
    return render(request, "conduct/entry_form.html", ctx)


@require_http_methods(["GET", "POST"])
def entry_add(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    info = selectors.request_for(request.user, pk, request_pk, "write_submission")
    if (locked := _locked(request, info)) is not None:
        return locked
    form = ChronologyEntryForm(request.POST or None, initial={"significance": "routine"})
    if request.method == "POST" and form.is_valid():
        try:
            services.chronology_entry_save(request=info, user=request.user, **form.cleaned_data)
        except services.InformationRefused as refusal:
            _refused(form, refusal, request)
            if not refusal.field:
                return redirect("information_request", info.review_id, info.pk)
        else:
            messages.success(request, "The entry has been added to your chronology.")
            if "another" in request.POST:
                return redirect("chronology_entry_add", info.review_id, info.pk)
            return redirect("information_request", info.review_id, info.pk)
    return _entry_page(request, info, form, "Add a chronology entry")


@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, pk: int, request_pk: int, entry_pk: int) -> HttpResponse:
    info = selectors.request_for(request.user, pk, request_pk, "write_submission")
    if (locked := _locked(request, info)) is not None:
        return locked
    entry = selectors.entry_of(info, entry_pk)
    initial = {
        "occurred_on": entry.occurred_on,
        "occurred_at": entry.occurred_at,
        "event": entry.event,
        "source": entry.source,
        "significance": entry.significance,
    }
    form = ChronologyEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.chronology_entry_save(request=info, user=request.user, entry=entry, **form.cleaned_data)
        except services.InformationRefused as refusal:
            _refused(form, refusal, request)
            if not refusal.field:
                return redirect("information_request", info.review_id, info.pk)
        else:
            messages.success(request, "The entry has been changed.")
            return redirect("information_request", info.review_id, info.pk)
    return _entry_page(request, info, form, "Change a chronology entry")


@require_http_methods(["GET", "POST"])
def entry_delete(request: HttpRequest, pk: int, request_pk: int, entry_pk: int) -> HttpResponse:
    info = selectors.request_for(request.user, pk, request_pk, "write_submission")
    if (locked := _locked(request, info)) is not None:
        return locked
    entry = selectors.entry_of(info, entry_pk)
    if request.method == "POST":
        try:
            services.chronology_entry_delete(request=info, user=request.user, entry=entry)
        except services.InformationRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, "The entry has been removed from your chronology.")
        return redirect("information_request", info.review_id, info.pk)
    heading = "Remove this entry?"
    ctx = {
        "review": info.review,
        "info": info,
        "entry": entry,
        "heading": heading,
        "breadcrumbs": _trail(request, info, (heading, None)),
    }
    return render(request, "conduct/entry_delete.html", ctx)


@require_http_methods(["GET", "POST"])
def report_upload(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    info = selectors.request_for(request.user, pk, request_pk, "write_submission")
    if (locked := _locked(request, info)) is not None:
        return locked
    form = AgencyReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.information_report_store(
                request=info, user=request.user, upload=form.cleaned_data["report"]
            )
        except services.InformationRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request, "The document has been uploaded. Submit when everything asked for is here."
            )
        return redirect("information_request", info.review_id, info.pk)
    heading = "Upload the agency's document"
    ctx = {
        "review": info.review,
        "info": info,
        "form": form,
        "heading": heading,
        "back": reverse("information_request", args=[info.review_id, info.pk]),
        "back_label": "Back without uploading",
        "breadcrumbs": _trail(request, info, (heading, None)),
    }
    return render(request, "conduct/report_form.html", ctx)


@require_GET
def report_download(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    info = selectors.request_for(request.user, pk, request_pk)
    return attachment(info.report, info.report_name)


@require_POST
def submit(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    info = selectors.request_for(request.user, pk, request_pk, "write_submission")
    try:
        services.information_submit(request=info, user=request.user)
    except services.InformationRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "Submitted. The business manager has been told; you cannot change it now.")
    return redirect("information_request", info.review_id, info.pk)


@require_POST
def accept(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    info = selectors.request_for(request.user, pk, request_pk, "answer_submission")
    try:
        services.information_answer(request=info, user=request.user, accept=True)
    except services.InformationRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request, f"{info.agency.name}'s information has been accepted. The author has been told."
        )
    return redirect("information_request", info.review_id, info.pk)


@require_http_methods(["GET", "POST"])
def send_back(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    info = selectors.request_for(request.user, pk, request_pk, "answer_submission")
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.information_answer(
                request=info, user=request.user, accept=False, reason=form.cleaned_data["reason"]
            )
        except services.InformationRefused as refusal:
            _refused(form, refusal, request)
            if not refusal.field:
                return redirect("information_request", info.review_id, info.pk)
        else:
            messages.success(request, "Sent back. The author has been told why and can change it.")
            return redirect("information_request", info.review_id, info.pk)
    heading = "Send the submission back"
    ctx = {
        "review": info.review,
        "info": info,
        "form": form,
        "heading": heading,
        "back": reverse("information_request", args=[info.review_id, info.pk]),
        "back_label": "Back without sending it back",
        "breadcrumbs": _trail(request, info, (heading, None)),
    }
    return render(request, "conduct/return_form.html", ctx)


# The merged chronology ------------------------------------------------------------------------------


def _filters(request: HttpRequest, review, agencies) -> tuple[ChronologyFilterForm, dict]:
    form = ChronologyFilterForm(request.GET or None, agencies=agencies)
    if form.is_bound and not form.is_valid():
        messages.warning(request, "Some filters were not understood and were left out.")
    return form, form.filters()


@require_GET
def chronology(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "read_chronology")
    agencies = selectors.agencies_in_chronology(review)
    form, filters = _filters(request, review, agencies)
    merged = selectors.merged_chronology(review, page_number=request.GET.get("page"), **filters)
    cited = citations([row.entry.pk for row in merged.rows if row.entry])  # the analysis's episodes
    for row in merged.rows:
        row.cited_by = cited.get(row.entry.pk, []) if row.entry else []
    query = request.GET.copy()
    query.pop("page", None)
    sort = query.copy()
    sort["order"] = "" if filters["newest_first"] else "newest"
    ctx = {
        "review": review,
        "heading": CHRONOLOGY,
        "form": form,
        "chronology": merged,
        "page": merged.page,
        "query_string": query.urlencode(),
        "sort_query": sort.urlencode(),
        "newest_first": filters["newest_first"],
        "filtered": any(filters[k] for k in ("agency", "since", "until")),
        # The download asks for a CSV file of what the page shows (documents.views.chronology_csv).
        "export_fields": chronology_query(filters),
        "gap_days": selectors.GAP_DAYS,
        "breadcrumbs": review_crumbs(
            review, link(HEADING, "information_requests", review.pk), (CHRONOLOGY, None)
        ),
    }
    return render(request, "conduct/chronology.html", ctx)
