"""Pages of practitioners' involvement and the restricted family record: selector, form, service,
redirect. The family pages answer 404 to anyone on the review who may not see the record (they are not
told it exists), and to everyone else as any review page does."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from reviews.access import can, require
from reviews.selectors import review_for
from scr_portal.breadcrumbs import link, review_crumbs

from . import selectors, services
from .forms import FamilyContactForm, FamilyMemberForm, PractitionerEventForm

PRACTITIONERS = "Practitioners"
FAMILY = "The family"


def _refused(form, refusal: services.PeopleRefused, request: HttpRequest) -> None:
    if refusal.field and refusal.field in form.fields:
        form.add_error(refusal.field, str(refusal).rstrip("."))
    else:
        messages.error(request, str(refusal))


def _family_review(request: HttpRequest, pk: int, rule: str = "view_family"):
    """The review for a family page: 404 for anyone who may not see the family record (it is never
    admitted to exist), 403 for a keeper who may see it but not do `rule` (the review is no longer in
    progress)."""
    review = review_for(request.user, pk)
    if not can(request.user, "view_family", review):
        raise Http404("No family record here.")
    require(request.user, rule, review)
    return review


# Practitioners ------------------------------------------------------------------------------------------


@require_GET
def practitioners(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_practitioners")
    ctx = {
        "review": review,
        "heading": PRACTITIONERS,
        "events": selectors.events_of(review),
        "can_record": can(request.user, "record_practitioners", review),
        "breadcrumbs": review_crumbs(review, (PRACTITIONERS, None)),
    }
    return render(request, "conduct/people/practitioners.html", ctx)


def _event_page(request, review, form, heading: str) -> HttpResponse:
    ctx = {
        "review": review,
        "form": form,
        "heading": heading,
        "back": reverse("practitioners", args=[review.pk]),
        "back_label": "Back without saving",
        "breadcrumbs": review_crumbs(
            review, link(PRACTITIONERS, "practitioners", review.pk), (heading, None)
        ),
    }
    return render(request, "conduct/people/event_form.html", ctx)


def _event_form_save(request, review, form, event=None) -> HttpResponse | None:
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        services.practitioner_event_save(
            review=review, user=request.user, attendance=form.attendance(), event=event, **form.event_data()
        )
    except services.PeopleRefused as refusal:
        _refused(form, refusal, request)
        if refusal.field:
            return None
    else:
        messages.success(request, "The event has been saved.")
    return redirect("practitioners", review.pk)


@require_http_methods(["GET", "POST"])
def event_add(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "record_practitioners")
    form = PractitionerEventForm(request.POST or None, review=review, initial={"kind": "event"})
    return _event_form_save(request, review, form) or _event_page(
        request, review, form, "Record a practitioner event"
    )


@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int, event_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "record_practitioners")
    event = selectors.event_of(review, event_pk)
    counts = {a.agency_id: a for a in event.attendance.all()}
    initial = {
        "kind": event.kind,
        "purpose": event.purpose,
        "held_on": event.held_on,
        "briefed_on": event.briefed_on,
        "support_offered": event.support_offered,
        "feedback": event.feedback,
        "feedback_on": event.feedback_on,
    }
    for agency_id, row in counts.items():
        initial[f"invited_{agency_id}"], initial[f"attended_{agency_id}"] = row.invited, row.attended
    form = PractitionerEventForm(request.POST or None, review=review, initial=initial)
    return _event_form_save(request, review, form, event) or _event_page(
        request, review, form, f"Change the {event.get_kind_display().lower()}"
    )


# The family ---------------------------------------------------------------------------------------------


@require_GET
def family(request: HttpRequest, pk: int) -> HttpResponse:
    review = _family_review(request, pk)
    ctx = {
        "review": review,
        "heading": FAMILY,
        "members": selectors.members_of(review),
        "can_record": can(request.user, "record_family", review),
        "breadcrumbs": review_crumbs(review, (FAMILY, None)),
    }
    return render(request, "conduct/people/family.html", ctx)


def _member_page(request, review, form, heading: str, back: str) -> HttpResponse:
    ctx = {
        "review": review,
        "form": form,
        "heading": heading,
        "back": back,
        "back_label": "Back without saving",
        "breadcrumbs": review_crumbs(review, link(FAMILY, "family", review.pk), (heading, None)),
    }
    return render(request, "conduct/people/family_form.html", ctx)


def _member_save(request, review, form, member=None):
    if request.method != "POST" or not form.is_valid():
        return None
    data = dict(form.cleaned_data)
    child_pk = data.pop("child")
    child = selectors.children_of(review).filter(pk=child_pk).first() if child_pk else None
    if child_pk and child is None:
        form.add_error("child", "Choose one of the children listed")
        return None
    try:
        saved = services.family_member_save(
            review=review, user=request.user, child=child, member=member, **data
        )
    except services.PeopleRefused as refusal:
        _refused(form, refusal, request)
        if refusal.field:
            return None
        return redirect("family", review.pk)
    messages.success(request, f"{saved.pseudonym}'s record has been saved.")
    return redirect("family_member", review.pk, saved.pk)


@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    review = _family_review(request, pk, "record_family")
    form = FamilyMemberForm(request.POST or None, review=review, initial={"consent": "not_asked"})
    return _member_save(request, review, form) or _member_page(
        request, review, form, "Add a family member", reverse("family", args=[review.pk])
    )


@require_GET
def member_detail(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    review = _family_review(request, pk)
    member = selectors.member_of(review, member_pk)
    ctx = {
        "review": review,
        "member": member,
        "contacts": list(member.contacts.order_by("contacted_on", "pk")),
        "heading": member.pseudonym,
        "can_record": can(request.user, "record_family", review),
        "breadcrumbs": review_crumbs(review, link(FAMILY, "family", review.pk), (member.pseudonym, None)),
    }
    return render(request, "conduct/people/member.html", ctx)


@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    review = _family_review(request, pk, "record_family")
    member = selectors.member_of(review, member_pk)
    names = [
        "real_name",
        "pseudonym",
        "relationship",
        "told_on",
        "told_by",
        "told_how",
        "support_offered",
        "consent",
        "influence",
        "saw_draft_on",
        "draft_comments",
        "not_involved_reason",
    ]
    initial = {name: getattr(member, name) for name in names} | {"child": member.child_id}
    form = FamilyMemberForm(request.POST or None, review=review, initial=initial)
    return _member_save(request, review, form, member) or _member_page(
        request,
        review,
        form,
        f"Change {member.pseudonym}'s record",
        reverse("family_member", args=[pk, member.pk]),
    )


@require_http_methods(["GET", "POST"])
def contact_add(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    review = _family_review(request, pk, "record_family")
    member = selectors.member_of(review, member_pk)
    form = FamilyContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.family_contact_add(member=member, user=request.user, **form.cleaned_data)
        except services.PeopleRefused as refusal:
            _refused(form, refusal, request)
            if not refusal.field:
                return redirect("family_member", review.pk, member.pk)
        else:
            messages.success(request, "The contact has been recorded.")
            return redirect("family_member", review.pk, member.pk)
    heading = f"Record a contact with {member.pseudonym}"
    ctx = {
        "review": review,
        "form": form,
        "heading": heading,
        "back": reverse("family_member", args=[review.pk, member.pk]),
        "back_label": "Back without saving",
        "breadcrumbs": review_crumbs(
            review,
            link(FAMILY, "family", review.pk),
            link(member.pseudonym, "family_member", review.pk, member.pk),
            (heading, None),
        ),
    }
    return render(request, "conduct/people/family_form.html", ctx)
