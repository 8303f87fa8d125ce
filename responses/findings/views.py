"""The final report and its findings. Each view loads the review through `review_for` (404 when invisible,
403 when the action is not allowed); findings are looked up within that review only."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from responses.models import Finding
from responses.pages import form_page, response_crumb
from reviews.access import can
from reviews.selectors import review_for
from scr_portal.breadcrumbs import Crumb, link, review_crumbs
from scr_portal.downloads import attachment

from . import selectors, services
from .forms import ConfirmForm, FindingForm, ReportReplaceForm


def _report_crumb(review) -> Crumb:
    return link("Report and findings", "response_report", review.pk)


@require_GET
def report(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_response")
    findings = selectors.findings_of(review)
    ctx = {
        "review": review,
        "rows": selectors.finding_rows(review, findings),
        "can_change": can(request.user, "change_findings", review),
        "breadcrumbs": review_crumbs(review, response_crumb(review), ("Report and findings", None)),
    }
    return render(request, "responses/findings/report.html", ctx)


@require_GET
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_response")
    return attachment(review.final_report, review.final_report_name or "final-report")


@require_http_methods(["GET", "POST"])
def report_replace(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "change_findings")
    bound = request.method == "POST"
    form = ReportReplaceForm(request.POST if bound else None, request.FILES if bound else None)
    if request.method == "POST" and form.is_valid():
        services.report_replace(
            review=review,
            user=request.user,
            upload=form.cleaned_data["final_report"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, "The final report was replaced.")
        return redirect("response_report", review.pk)
    return form_page(
        request,
        review,
        form,
        "Replace the final report",
        intro=f"The report held now is {review.final_report_name or 'missing'}. The replaced file stays in the review's history.",
        back=reverse("response_report", args=[review.pk]),
        crumb_trail=review_crumbs(
            review, response_crumb(review), _report_crumb(review), ("Replace the final report", None)
        ),
    )


@require_http_methods(["GET", "POST"])
def finding_edit(request: HttpRequest, pk: int, finding_pk: int | None = None) -> HttpResponse:
    review = review_for(request.user, pk, "change_findings")
    finding = get_object_or_404(Finding, review=review, pk=finding_pk) if finding_pk else None
    data = request.POST if request.method == "POST" else None
    if finding is not None:
        form = FindingForm.for_finding(finding, data)
    else:
        form = FindingForm(data, initial={"number": services.next_finding_number(review)})
    if request.method == "POST" and form.is_valid():
        try:
            d = form.cleaned_data
            saved = services.finding_save(
                review=review,
                user=request.user,
                number=d["number"],
                title=d["title"],
                text=d["text"],
                themes=d["themes"],
                finding=finding,
            )
        except services.FindingRefused as refusal:
            form.add_error("number", str(refusal))
        else:
            messages.success(request, f"Finding {saved.number} saved.")
            if "another" in request.POST:
                return redirect("finding_add", review.pk)
            return redirect(reverse("response_report", args=[review.pk]) + f"#finding-{saved.number}")
    heading = f"Change finding {finding.number}" if finding else "Record a finding"
    return form_page(
        request,
        review,
        form,
        heading,
        intro="Record each finding of the report on its own, so the board can discuss it, take a position and link actions to it.",
        back=reverse("response_report", args=[review.pk]),
        crumb_trail=review_crumbs(review, response_crumb(review), _report_crumb(review), (heading, None)),
        template="responses/findings/finding_form.html",
        finding=finding,
    )


@require_http_methods(["GET", "POST"])
def finding_delete(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "change_findings")
    finding = get_object_or_404(Finding, review=review, pk=finding_pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_delete(review=review, user=request.user, finding=finding)
        except services.FindingRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"Finding {finding.number} removed.")
            return redirect("response_report", review.pk)
    heading = f"Remove finding {finding.number}?"
    return form_page(
        request,
        review,
        form,
        heading,
        intro=f"“{finding.title}” will be removed from the review's findings. The removal is kept in the review's history.",
        back=reverse("response_report", args=[review.pk]),
        back_label="Keep the finding",
        crumb_trail=review_crumbs(review, response_crumb(review), _report_crumb(review), (heading, None)),
    )
