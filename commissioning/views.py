"""The commissioning page of a review and the board's decisions on it (QM 6). Each view loads the review
through `review_for`, which answers 404 when it is invisible and 403 when the action is not allowed."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from reviews.access import can
from reviews.models import Agency
from reviews.selectors import review_for
from scr_portal.breadcrumbs import Crumb, link, review_crumbs

from . import selectors, services
from .forms import (
    AgencyInvolvementForm,
    CustomFactorForm,
    FactorAssessmentsForm,
    LinesOfEnquiryForm,
    RationaleForm,
    ScopeForm,
)
from .models import AgencyInvolvement, FactorKind


def commissioning_crumb(review) -> Crumb:
    """The crumb of the review's commissioning page, which every commissioning page's trail passes."""
    return link("Commissioning", "commissioning", review.pk)


@require_GET
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_commissioning")
    scope = selectors.scope_of(review)
    rows = selectors.factor_rows(review)
    ctx = {
        "review": review,
        "scope": scope,
        "case_rows": [r for r in rows if r.factor.kind == FactorKind.CASE],
        "context_rows": [r for r in rows if r.factor.kind == FactorKind.CONTEXT],
        "cited": set(scope.rationale_factors.values_list("pk", flat=True)) if scope.pk else set(),
        "gaps": selectors.rationale_gaps(review),
        "lines": selectors.lines_of_enquiry(review),
        "involvements": AgencyInvolvement.objects.filter(review=review).select_related("agency"),
        "can_change": can(request.user, "change_commissioning", review),
        # The appointment page is only for those who appoint (the lead reviewer is named on the review page).
        "can_appoint": can(request.user, "appoint_lead_reviewer", review),
        "breadcrumbs": review_crumbs(review, ("Commissioning", None)),
    }
    return render(request, "commissioning/overview.html", ctx)


def _form_page(
    request, review, form, heading: str, template: str = "commissioning/form.html", **extra
) -> HttpResponse:
    ctx = {
        "review": review,
        "form": form,
        "heading": heading,
        "breadcrumbs": review_crumbs(review, commissioning_crumb(review), (heading, None)),
        **extra,
    }
    return render(request, template, ctx)


@require_http_methods(["GET", "POST"])
def factors_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "change_commissioning")
    form = FactorAssessmentsForm(request.POST or None, rows=selectors.factor_rows(review))
    if request.method == "POST" and form.is_valid():
        changed = services.factor_assessments_save(review=review, user=request.user, answers=form.answers())
        messages.success(request, f"Factors saved ({changed} changed).")
        return redirect("commissioning", review.pk)
    return _form_page(
        request, review, form, "Assess the case and context factors", "commissioning/factors_form.html"
    )


@require_http_methods(["GET", "POST"])
def custom_factor_add(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "change_commissioning")
    form = CustomFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        factor = services.custom_factor_add(review=review, user=request.user, **form.cleaned_data)
        messages.success(request, f"Added “{factor.title}”. Assess it with the others.")
        return redirect("factors_edit", review.pk)
    return _form_page(request, review, form, "Add a factor for this review")


@require_http_methods(["GET", "POST"])
def scope_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "change_commissioning")
    scope = selectors.scope_of(review)
    form = ScopeForm(request.POST or None, instance=scope, cross_border=review.participations.exists())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        services.scope_save(
            review=review,
            user=request.user,
            period_from=d["period_from"],
            period_to=d["period_to"],
            breadth_and_depth=d["breadth_and_depth"],
            method=d["method"],
            method_detail=d["method_detail"],
            reviewer_knowledge=d["reviewer_knowledge"],
            joint_decision=d.get("joint_decision"),
        )
        messages.success(request, "Scope saved.")
        return redirect("commissioning", review.pk)
    return _form_page(request, review, form, "Scope of the review")


@require_http_methods(["GET", "POST"])
def rationale_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "change_commissioning")
    scope = selectors.scope_of(review)
    form = RationaleForm(request.POST or None, instance=scope, review=review)
    if request.method == "POST" and form.is_valid():
        services.scope_rationale_save(
            review=review,
            user=request.user,
            rationale=form.cleaned_data["rationale"],
            rationale_factors=form.cleaned_data["rationale_factors"],
        )
        gaps = selectors.rationale_gaps(review)
        if gaps:
            messages.warning(
                request,
                f"Rationale saved, but {review.words.signers} cannot approve the terms of reference yet: "
                + " ".join(gaps),
            )
        else:
            messages.success(request, "Rationale saved. It cites both case and context factors.")
        return redirect("commissioning", review.pk)
    return _form_page(
        request, review, form, "Why this approach is proportionate", gaps=selectors.rationale_gaps(review)
    )


@require_http_methods(["GET", "POST"])
def lines_of_enquiry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "change_commissioning")
    current = "\n".join(line.question for line in selectors.lines_of_enquiry(review))
    form = LinesOfEnquiryForm(request.POST or None, initial={"questions": current})
    if request.method == "POST" and form.is_valid():
        services.lines_of_enquiry_save(
            review=review, user=request.user, questions=form.cleaned_data["questions"]
        )
        messages.success(request, "Key lines of enquiry saved.")
        return redirect("commissioning", review.pk)
    return _form_page(request, review, form, "Key lines of enquiry")


@require_http_methods(["GET", "POST"])
def agencies_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "change_commissioning")
    board_ids = [review.lead_board_id, *(p.board_id for p in review.participations.all())]
    agencies = list(Agency.objects.filter(boards__in=board_ids).distinct().order_by("name"))
    current = {i.agency_id: i for i in AgencyInvolvement.objects.filter(review=review)}
    form = AgencyInvolvementForm(request.POST or None, agencies=agencies, current=current)
    if request.method == "POST" and form.is_valid():
        services.agency_involvement_save(review=review, user=request.user, rows=form.values())
        messages.success(request, "Agencies' involvement saved.")
        return redirect("commissioning", review.pk)
    return _form_page(request, review, form, "How each agency takes part", "commissioning/agencies_form.html")
