"""Pages of the plan and governance. Each view loads its review through `review_for` with its rule (404 when
the person may not know of the review, 403 when they may but not do this), then a form, then one service,
then a redirect."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from reviews.access import can
from reviews.clocks import review_clocks
from reviews.selectors import review_for
from scr_portal.breadcrumbs import link, review_crumbs
from scr_portal.pages import submitted

from . import selectors, services
from .forms import (
    ChallengeForm,
    GovernanceForm,
    IndependenceForm,
    MilestoneDoneForm,
    MilestoneForm,
    ResolutionForm,
)

HEADING = "Plan and governance"


def _form_page(request: HttpRequest, review, form, heading: str, *, lead: str = "") -> HttpResponse:
    ctx = {
        "review": review,
        "form": form,
        "heading": heading,
        "lead": lead,
        "back": reverse("review_plan", args=[review.pk]),
        "back_label": "Back to the plan without saving",
        "breadcrumbs": review_crumbs(review, link(HEADING, "review_plan", review.pk), (heading, None)),
    }
    return render(request, "conduct/plan/form.html", ctx)


@require_GET
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_plan")
    can_change = can(request.user, "change_plan", review)
    if can_change and not review.milestones.exists():
        # The business manager's first look at the plan of a review in progress makes it from the template.
        made = services.plan_from_template(review=review, user=request.user)
        if made:
            messages.info(
                request,
                f"The plan has been made from the {review.words.review}'s template: change it as you need.",
            )
    today = timezone.localdate()
    completion = services.completion_due(review)
    milestones = list(selectors.milestones_of(review))
    ctx = {
        "review": review,
        "heading": HEADING,
        "rows": [
            (m, *m.status_shown(today), bool(completion and not m.done_on and m.due_on > completion))
            for m in milestones
        ],
        "clocks": review_clocks(review, today),
        "completion": completion,
        "governance": selectors.governance_of(review),
        "declarations": selectors.current_declarations(review),
        "challenges": list(selectors.challenges_of(review)),
        "processes": selectors.processes_of(review),
        "can_change": can_change,
        "can_declare": can(request.user, "declare_independence", review),
        "can_edit_processes": can(request.user, "change_review", review),
        "breadcrumbs": review_crumbs(review, (HEADING, None)),
    }
    return render(request, "conduct/plan/plan.html", ctx)


@require_http_methods(["GET", "POST"])
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "change_plan")
    form = MilestoneForm(request.POST or None, review=review)
    return submitted(
        request,
        form,
        partial(services.milestone_save, review=review, user=request.user),
        success=lambda m: f"{m.name} has been added to the plan.",
        to=reverse("review_plan", args=[review.pk]),
        refused=services.PlanRefused,
    ) or _form_page(request, review, form, "Add a milestone")


@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "change_plan")
    milestone = selectors.milestone_of(review, milestone_pk)
    if milestone.done_on:
        messages.error(request, "The milestone is done: it no longer changes.")
        return _back(review)
    initial = {"name": milestone.name, "owner": milestone.owner_id, "due_on": milestone.due_on}
    form = MilestoneForm(request.POST or None, review=review, milestone=milestone, initial=initial)
    overdue = milestone.is_overdue()
    lead = (
        f"This milestone was due on {milestone.due_on:%-d %B %Y} and is overdue: give the date it is now "
        f"expected and the reason. The {review.words.accountable} and the business manager are told."
        if overdue
        else ""
    )
    return submitted(
        request,
        form,
        partial(services.milestone_save, review=review, user=request.user, milestone=milestone),
        success=lambda m: (
            f"{m.name} has been saved."
            + (" The delay has been recorded and people told." if m.due_on != milestone.due_on else "")
        ),
        to=reverse("review_plan", args=[review.pk]),
        refused=services.PlanRefused,
    ) or _form_page(
        request, review, form, "Explain the delay" if overdue else "Change a milestone", lead=lead
    )


@require_http_methods(["GET", "POST"])
def milestone_done(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "change_plan")
    milestone = selectors.milestone_of(review, milestone_pk)
    if milestone.done_on:
        messages.error(request, "The milestone is already done.")
        return _back(review)
    form = MilestoneDoneForm(request.POST or None, initial={"done_on": timezone.localdate()})
    return submitted(
        request,
        form,
        partial(services.milestone_done, review=review, user=request.user, milestone=milestone),
        success=lambda m: f"{m.name} is done.",
        to=reverse("review_plan", args=[review.pk]),
        refused=services.PlanRefused,
    ) or _form_page(request, review, form, f"Mark done: {milestone.name}")


def _back(review) -> HttpResponse:
    return redirect("review_plan", review.pk)


@require_http_methods(["GET", "POST"])
def governance_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "change_plan")
    current = selectors.governance_of(review)
    initial = (
        {
            "quality_assured_by": current.quality_assured_by,
            "quality_assurance": current.quality_assurance,
            "sign_off": current.sign_off,
        }
        if current
        else {}
    )
    form = GovernanceForm(request.POST or None, review=review, initial=initial)
    return submitted(
        request,
        form,
        partial(services.governance_save, review=review, user=request.user),
        success="The quality assurance and sign-off arrangements have been saved.",
        to=reverse("review_plan", args=[review.pk]),
        refused=services.PlanRefused,
    ) or _form_page(request, review, form, "Quality assurance and sign-off")


@require_http_methods(["GET", "POST"])
def independence_declare(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "declare_independence")
    current = selectors.declaration_of(review, request.user)
    initial = (
        {
            "independent": "yes" if current.independent else "no",
            "interests": current.interests,
            "managed_how": current.managed_how,
        }
        if current
        else {}
    )
    form = IndependenceForm(request.POST or None, initial=initial)
    lead = (
        f"The {review.words.body} relies on the lead reviewer being independent of the case and of the agencies "
        "in it. Declare it, or declare your interests and how they are managed. The declaration is dated today "
        "and replaces any before it; the business manager is told."
    )
    return submitted(
        request,
        form,
        partial(services.independence_declare, review=review, user=request.user),
        success="Your declaration has been recorded.",
        to=reverse("review_plan", args=[review.pk]),
        refused=services.PlanRefused,
    ) or _form_page(request, review, form, "Declare your independence", lead=lead)


@require_http_methods(["GET", "POST"])
def challenge_add(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "change_plan")
    form = ChallengeForm(
        request.POST or None, review=review, initial={"kind": "challenge", "raised_on": timezone.localdate()}
    )
    return submitted(
        request,
        form,
        partial(services.challenge_record, review=review, user=request.user),
        success=lambda c: (
            f"The {c.get_kind_display().lower()} has been logged."
            + (
                f" The {review.words.accountable} {'have' if review.is_practice_review else 'has'} been told."
                if c.escalated
                else ""
            )
        ),
        to=reverse("review_plan", args=[review.pk]),
        refused=services.PlanRefused,
    ) or _form_page(request, review, form, "Log a challenge or impasse")


@require_http_methods(["GET", "POST"])
def challenge_resolve(request: HttpRequest, pk: int, challenge_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "change_plan")
    challenge = selectors.challenge_of(review, challenge_pk)
    if challenge.resolved_on:
        messages.error(request, "It is already resolved.")
        return _back(review)
    form = ResolutionForm(
        request.POST or None,
        review=review,
        challenge=challenge,
        initial={"resolved_on": timezone.localdate()},
    )
    lead = f"Raised by {challenge.raised_by} on {challenge.raised_on:%-d %B %Y}: {challenge.issue}"
    return submitted(
        request,
        form,
        partial(services.challenge_resolve, review=review, user=request.user, challenge=challenge),
        success="The resolution has been recorded.",
        to=reverse("review_plan", args=[review.pk]),
        refused=services.PlanRefused,
    ) or _form_page(request, review, form, f"Resolve the {challenge.get_kind_display().lower()}", lead=lead)
