"""The lead reviewer registry, appointing lead reviewers, their declarations of interest, and their
proposals on scope and approach with the board's answers (QM 6).

Registry pages start with `_require_registry` (the registry belongs to no one review: business managers
and chairs of any board consult it). Review pages start by loading the review through `review_for`, which
answers 404 when it is invisible and 403 when the action is not allowed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from reviews.access import can, require
from reviews.selectors import review_for
from scr_portal.breadcrumbs import Crumb, crumbs, link, review_crumbs

from ..views import commissioning_crumb
from . import selectors, services
from .forms import (
    AppointForm,
    ConflictDeclarationForm,
    EndAppointmentForm,
    LeadReviewerForm,
    ProposalAnswerForm,
    ProposalForm,
    RegistrySearchForm,
)

PAGE_SIZE = 25


def _appointments_trail(review) -> list[Crumb]:
    return [commissioning_crumb(review), link("Lead reviewer", "appointment_manage", review.pk)]


def _proposals_trail(review) -> list[Crumb]:
    return [commissioning_crumb(review), link("Lead reviewer's proposals", "proposal_list", review.pk)]


# Registry ---------------------------------------------------------------------------------------------


@require_GET
def registry_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "view_registry")
    form = RegistrySearchForm(request.GET or None)
    reviewers = selectors.registry_list(**form.filters())
    page = Paginator(reviewers, PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = {
        "form": form,
        "page": page,
        "filtered": any(form.filters().values()),
        "query_string": form.query_string,
        "can_manage": can(request.user, "manage_registry"),
        "breadcrumbs": crumbs(("Lead reviewers", None)),
    }
    return render(request, "commissioning/registry/registry_list.html", ctx)


@require_http_methods(["GET", "POST"])
def registry_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "manage_registry")
    form = LeadReviewerForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            reviewer = services.lead_reviewer_create(
                actor=request.user,
                user=d["user"],
                email=d["email"],
                full_name=d["full_name"],
                profile=form.profile(),
                skills=d["skills"],
                new_skills=form.new_skill_names(),
                window=form.window(),
            )
        except services.RegistryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{reviewer} is on the registry.")
            return redirect("registry_list")
    ctx = {
        "form": form,
        "heading": "Add a lead reviewer to the registry",
        "breadcrumbs": crumbs(link("Lead reviewers", "registry_list"), ("Add a lead reviewer", None)),
    }
    return render(request, "commissioning/registry/form.html", ctx)


@require_http_methods(["GET", "POST"])
def registry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "manage_registry")
    reviewer = selectors.lead_reviewer_get(pk)
    form = LeadReviewerForm(request.POST or None, instance=reviewer)
    if request.method == "POST" and form.is_valid():
        services.lead_reviewer_update(
            reviewer=reviewer,
            actor=request.user,
            profile=form.profile(),
            skills=form.cleaned_data["skills"],
            new_skills=form.new_skill_names(),
            remove_windows=form.cleaned_data.get("remove_windows") or [],
            window=form.window(),
        )
        messages.success(request, f"Registry entry for {reviewer} saved.")
        return redirect("registry_list")
    ctx = {
        "form": form,
        "heading": f"{reviewer}: registry entry",
        "breadcrumbs": crumbs(link("Lead reviewers", "registry_list"), (str(reviewer), None)),
    }
    return render(request, "commissioning/registry/form.html", ctx)


# Appointments -----------------------------------------------------------------------------------------


@require_GET
def appointment_manage(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "appoint_lead_reviewer")
    form = RegistrySearchForm(request.GET or None)
    candidates = selectors.candidates_for(review, **form.filters())
    page = Paginator(candidates, PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = {
        "review": review,
        "appointments": selectors.appointments_of(review),
        "form": form,
        "page": page,
        "query_string": form.query_string,
        "breadcrumbs": review_crumbs(review, commissioning_crumb(review), ("Lead reviewer", None)),
    }
    return render(request, "commissioning/registry/appointment_manage.html", ctx)


@require_http_methods(["GET", "POST"])
def appointment_create(request: HttpRequest, pk: int, reviewer_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "appoint_lead_reviewer")
    candidate = selectors.candidate_get(review, reviewer_pk)
    declaration = candidate.declarations_here[0] if candidate.declarations_here else None
    concerns = bool(declaration and declaration.has_conflict) or (
        candidate.current_load >= candidate.max_concurrent_reviews
    )
    # Bound on every POST: the form may carry no fields at all (no override offered).
    form = AppointForm(request.POST if request.method == "POST" else None, offer_override=concerns)
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_make(
                review=review, reviewer=candidate, actor=request.user, override_reason=form.reason()
            )
        except services.AppointmentRefused as error:
            form = AppointForm(request.POST, offer_override=error.can_override)
            form.is_valid()
            form.add_error("override" if error.can_override else None, str(error))
        else:
            messages.success(request, f"{candidate} is appointed lead reviewer and has been told.")
            return redirect("appointment_manage", review.pk)
    ctx = {
        "review": review,
        "candidate": candidate,
        "declaration": declaration,
        "at_capacity": candidate.current_load >= candidate.max_concurrent_reviews,
        "form": form,
        "heading": f"Appoint {candidate}",
        "breadcrumbs": review_crumbs(review, *_appointments_trail(review), ("Appoint", None)),
    }
    return render(request, "commissioning/registry/appointment_create.html", ctx)


@require_http_methods(["GET", "POST"])
def appointment_end(request: HttpRequest, pk: int, appointment_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "appoint_lead_reviewer")
    appointment = selectors.current_appointment_get(review, appointment_pk)
    form = EndAppointmentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.appointment_end(
            appointment=appointment, actor=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, f"{appointment.reviewer}'s appointment has ended.")
        return redirect("appointment_manage", review.pk)
    ctx = {
        "review": review,
        "form": form,
        "heading": f"End {appointment.reviewer}'s appointment",
        "lead": "They will no longer see this review. The appointment stays in the review's history.",
        "breadcrumbs": review_crumbs(review, *_appointments_trail(review), ("End appointment", None)),
    }
    return render(request, "commissioning/registry/form.html", ctx)


@require_http_methods(["GET", "POST"])
def conflict_declare(request: HttpRequest, pk: int, reviewer_pk: int) -> HttpResponse:
    """A declaration of interests for the review: by the business manager (for any registry reviewer,
    for example a candidate who declared by email), or by the appointed lead reviewer for themselves."""
    review = review_for(request.user, pk, "view_review")
    reviewer = selectors.lead_reviewer_get(reviewer_pk)
    require(request.user, "declare_interests", (review, reviewer))
    own = can(request.user, "declare_own_interests", (review, reviewer))
    form = ConflictDeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.conflict_declare(
            review=review,
            reviewer=reviewer,
            actor=request.user,
            has_conflict=form.cleaned_data["has_conflict"],
            details=form.cleaned_data["details"],
        )
        messages.success(request, "Declaration recorded.")
        if can(request.user, "appoint_lead_reviewer", review):
            return redirect("appointment_manage", review.pk)
        return redirect("proposal_list", review.pk)
    ctx = {
        "review": review,
        "reviewer": reviewer,
        "own": own,
        "form": form,
        "declarations": selectors.declarations_of(review, reviewer),
        "heading": "Declare your interests" if own else f"Declaration of interests: {reviewer}",
        "breadcrumbs": review_crumbs(review, commissioning_crumb(review), ("Declaration of interests", None)),
    }
    return render(request, "commissioning/registry/conflict_declare.html", ctx)


# Proposals --------------------------------------------------------------------------------------------


@require_GET
def proposal_list(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_commissioning")
    own_profile = (
        getattr(request.user, "lead_reviewer_profile", None) if request.user.is_authenticated else None
    )
    can_propose = can(request.user, "propose_scope_change", review)
    ctx = {
        "review": review,
        "proposals": selectors.proposals_of(review),
        "can_propose": can_propose,
        "can_answer": can(request.user, "answer_proposal", review),
        "can_appoint": can(request.user, "appoint_lead_reviewer", review),
        "own_profile": own_profile if can_propose else None,
        "breadcrumbs": review_crumbs(
            review, commissioning_crumb(review), ("Lead reviewer's proposals", None)
        ),
    }
    return render(request, "commissioning/registry/proposal_list.html", ctx)


@require_http_methods(["GET", "POST"])
def proposal_create(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "propose_scope_change")
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.proposal_make(review=review, author=request.user, **form.cleaned_data)
        messages.success(
            request, "Proposal sent. The business manager and chair have been asked to answer it."
        )
        return redirect("proposal_list", review.pk)
    ctx = {
        "review": review,
        "form": form,
        "heading": "Propose a change of scope, method or approach",
        "breadcrumbs": review_crumbs(review, *_proposals_trail(review), ("New proposal", None)),
    }
    return render(request, "commissioning/registry/form.html", ctx)


@require_http_methods(["GET", "POST"])
def proposal_answer(request: HttpRequest, pk: int, proposal_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "answer_proposal")
    proposal = selectors.proposal_get(review, proposal_pk)
    if proposal.answer:
        messages.error(
            request, f"This proposal was already answered ({proposal.get_answer_display().lower()})."
        )
        return redirect("proposal_list", review.pk)
    form = ProposalAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_answer(
                proposal=proposal,
                actor=request.user,
                answer=form.cleaned_data["answer"],
                reason=form.cleaned_data["answer_reason"],
            )
        except services.ProposalAlreadyAnswered as error:
            messages.error(request, str(error))
            return redirect("proposal_list", review.pk)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Answer recorded. The lead reviewer has been told.")
            return redirect("proposal_list", review.pk)
    ctx = {
        "review": review,
        "proposal": proposal,
        "form": form,
        "heading": "Answer the lead reviewer's proposal",
        "breadcrumbs": review_crumbs(review, *_proposals_trail(review), ("Answer", None)),
    }
    return render(request, "commissioning/registry/proposal_answer.html", ctx)
