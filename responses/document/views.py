"""The written response: versions, the draft's text, its signatures (the chair's under an LSCB, each statutory
partner's under a partnership), downloads and the verification page. Each view loads the review through `review_for` (404 when invisible, 403 when the
action is not allowed); versions are looked up within that review only."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from responses.models import ResponseVersion
from responses.pages import form_page, response_crumb
from reviews.access import can
from reviews.selectors import review_for
from scr_portal.accounts.policy import requires_two_factor
from scr_portal.breadcrumbs import Crumb, link, review_crumbs
from scr_portal.downloads import attachment_bytes, safe_name_part
from scr_portal.pages import attempt, reshown

from . import assemble, services, workflow
from .forms import MakeDraftForm, SignForm, VerifyForm, VersionTextForm


def _version_of(review, number: int) -> ResponseVersion:
    return get_object_or_404(
        ResponseVersion.objects.select_related("signed_by", "created_by"), review=review, number=number
    )


def _version_trail(review, version: ResponseVersion | None = None) -> list[Crumb]:
    """Response › Written response › the version, when the page is about one."""
    trail = [response_crumb(review), link("Written response", "response_versions", review.pk)]
    if version is not None:
        trail.append(link(f"Version {version.number}", "response_version", review.pk, version.number))
    return trail


@require_GET
def version_list(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_response")
    versions = list(
        ResponseVersion.objects.filter(review=review).select_related("signed_by").order_by("-number")
    )
    if workflow.by_partners(review):
        for v in versions:  # the one draft, if any: how many partners signed its text as it is now
            if not v.is_signed:
                v.review = review
                v.partners_signed = sum(1 for s in workflow.partner_standings(v) if s.signature)
    ctx = {
        "review": review,
        "versions": versions,
        "latest_signed": next((v for v in versions if v.is_signed), None),
        "has_draft": any(not v.is_signed for v in versions),
        "can_create": can(request.user, "edit_written_response", review),
        "breadcrumbs": review_crumbs(review, response_crumb(review), ("Written response", None)),
    }
    return render(request, "responses/document/list.html", ctx)


@require_http_methods(["GET", "POST"])
def version_create(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "edit_written_response")
    form = MakeDraftForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.response_version_create(review=review, user=request.user)
        except services.ResponseRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request, f"Draft version {version.number} made from the current findings and actions."
            )
            return redirect("response_version", review.pk, version.number)
    return form_page(
        request,
        review,
        form,
        f"Make a new draft of the {review.words.response}",
        intro=(
            f"The draft is put together from the findings, the {review.words.response.removesuffix(' response')} "
            "positions, the agreed actions in order of "
            "priority and the engagement plan, with the text of the latest version carried over for you to change."
        ),
        back=reverse("response_versions", args=[review.pk]),
        back_label="Back to the written response",
        crumb_trail=review_crumbs(review, *_version_trail(review), ("New draft", None)),
    )


def _signing(user, review, version: ResponseVersion) -> dict:
    """What the person may do about signing `version`, and (under a partnership) where each statutory
    partner stands on it."""
    stale = workflow.is_stale(version)
    may_sign = can(user, "sign_response", review) and workflow.machine_for(review).allows("sign", version)
    ctx = {"stale": stale, "by_partners": workflow.by_partners(review), "acting": None, "standings": []}
    if ctx["by_partners"]:
        ctx["standings"] = workflow.partner_standings(version)
        ctx["acting"] = acting = workflow.acting_partner(user, review) if may_sign else None
        signed = {s.partner for s in ctx["standings"] if s.signature}
        ctx["still_to_sign"] = [s for s in ctx["standings"] if s.signature is None]
        ctx["my_partner_signed"] = acting is not None and acting.partner in signed
        may_sign = may_sign and acting is not None and acting.partner not in signed
    ctx["can_sign"] = may_sign and not stale
    ctx["may_sign_later"] = may_sign and stale
    return ctx


@require_GET
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_response")
    version = _version_of(review, number)
    may_edit = can(request.user, "edit_written_response", review)
    later_signed = (
        ResponseVersion.objects.filter(workflow.SIGNED, review=review, number__gt=number)
        .order_by("number")
        .first()
    )
    ctx = {
        "review": review,
        "version": version,
        "document": assemble.render_html(version.content),
        **_signing(request.user, review, version),
        "intact": version.verifies() if version.is_signed else None,
        "later_signed": later_signed,
        "can_edit": may_edit and workflow.is_editable(version),
        "can_create": may_edit
        and version.is_signed
        and not ResponseVersion.objects.filter(workflow.DRAFTS, review=review).exists(),
        "breadcrumbs": review_crumbs(review, *_version_trail(review), (f"Version {version.number}", None)),
    }
    return render(request, "responses/document/version.html", ctx)


@require_http_methods(["GET", "POST"])
def version_edit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    review = review_for(request.user, pk, "edit_written_response")
    version = _version_of(review, number)
    if version.is_signed:
        messages.error(
            request,
            f"Version {version.number} is signed and can never change. Make a new draft to change the response.",
        )
        return redirect("response_version", review.pk, version.number)
    initial = {n: getattr(version, n) for n in ("introduction", "monitoring", "closing")} | {
        "revision": version.revision
    }
    form = VersionTextForm(
        request.POST if request.method == "POST" else None, initial=initial, words=review.words
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            d = form.cleaned_data
            services.response_version_save(
                version=version,
                user=request.user,
                introduction=d["introduction"],
                monitoring=d["monitoring"],
                closing=d["closing"],
                seen_revision=d["revision"],
            )
        except services.EditConflict as refusal:
            version.refresh_from_db()
            conflict = version
            form = reshown(
                request, VersionTextForm, refusal, seen="revision", value=version.revision, words=review.words
            )
        except services.ResponseRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"Draft version {version.number} saved.")
            return redirect("response_version", review.pk, version.number)
    heading = f"Change the text of draft version {version.number}"
    return form_page(
        request,
        review,
        form,
        heading,
        intro=(
            "The findings, positions, actions and engagement plan are put in from what the portal holds; write "
            f"the {review.words.body}'s own words here."
        ),
        back=reverse("response_version", args=[review.pk, version.number]),
        crumb_trail=review_crumbs(review, *_version_trail(review, version), ("Change the text", None)),
        template="responses/document/edit.html",
        conflict=conflict,
    )


@require_POST
def version_rebuild(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    review = review_for(request.user, pk, "edit_written_response")
    version = _version_of(review, number)
    attempt(
        request,
        partial(services.response_version_rebuild, version=version, user=request.user),
        success=f"Draft version {version.number} now shows the current findings, actions and engagement plan.",
        refused=services.ResponseRefused,
    )
    return redirect("response_version", review.pk, version.number)


@require_POST
def version_request_signature(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    review = review_for(request.user, pk, "edit_written_response")
    version = _version_of(review, number)
    attempt(
        request,
        partial(services.response_signature_request, version=version, user=request.user),
        success=(
            "The partners still to sign have been asked to sign this version."
            if workflow.by_partners(review)
            else "The chair has been asked to sign this version off."
        ),
        refused=services.ResponseRefused,
    )
    return redirect("response_version", review.pk, version.number)


def _second_factor(user) -> TOTPDevice | None:
    """The device to confirm a signature with: everyone who has one, and everyone two-factor is required of."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None and requires_two_factor(user):
        # The middleware sends such a person to set a device up before any page; refuse rather than skip.
        raise PermissionError
    return device


@require_http_methods(["GET", "POST"])
def version_sign(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    review = review_for(request.user, pk, "sign_response")
    version = _version_of(review, number)
    w = review.words
    if version.is_signed:
        messages.info(request, str(services.already_signed(version)))
        return redirect("response_version", review.pk, version.number)
    acting = workflow.acting_partner(request.user, review) if workflow.by_partners(review) else None
    if acting is not None and (earlier := workflow.partner_signature(version, acting.partner)):
        messages.info(
            request,
            f"{earlier.user.get_full_name()} already signed this text for {earlier.organisation}: nothing more "
            "is needed from you.",
        )
        return redirect("response_version", review.pk, version.number)
    try:
        device = _second_factor(request.user)
    except PermissionError:
        return redirect("two_factor_setup")
    signing_for = acting.agency if acting is not None else None
    form_of = partial(SignForm, device=device, words=w, signing_for=signing_for)
    form = form_of(
        request.POST if request.method == "POST" else None, initial={"digest": version.content_digest()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            signed = services.response_version_sign(
                version=version, user=request.user, seen_digest=form.cleaned_data["digest"]
            )
        except (
            services.AlreadySigned
        ) as refusal:  # another chair (or this partner's other signer) signed first
            messages.info(request, str(refusal))
            return redirect("response_version", review.pk, version.number)
        except services.SignedTextChanged as refusal:
            # Show the text as it is now, with its digest, to be read and confirmed afresh.
            version.refresh_from_db()
            form = form_of(initial={"digest": version.content_digest()})
            form.cleaned_data = {}  # unbound, shown with the message only
            form.add_error(None, str(refusal))
        except services.ResponseRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            if signing_for is None:
                done = f"You signed off version {version.number} of the {w.response}."
            elif signed.is_signed:
                done = (
                    f"You signed version {version.number} for {signing_for}. Each of the three statutory "
                    f"partners has now signed it: the {w.response} is signed off."
                )
            else:
                waiting = ", ".join(str(s.organisation or s.label) for s in workflow.partners_to_sign(signed))
                done = f"You signed version {version.number} for {signing_for}. Still to sign: {waiting}."
            messages.success(request, done)
            return redirect("response_version", review.pk, version.number)
    if signing_for is not None:
        heading = f"Sign version {version.number} of the {w.response} for {signing_for}"
    else:
        heading = f"Sign off version {version.number} of the {w.response}"
    return form_page(
        request,
        review,
        form,
        heading,
        back=reverse("response_version", args=[review.pk, version.number]),
        back_label="Back to the version without signing",
        crumb_trail=review_crumbs(review, *_version_trail(review, version), ("Sign off", None)),
        template="responses/document/sign.html",
        version=version,
        document=assemble.render_html(version.content),
        shown_digest=form["digest"].value(),
        acting=acting,
        standings=workflow.partner_standings(version) if acting is not None else [],
    )


@require_GET
def version_download(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The version's text, byte for byte what was (or will be) signed."""
    review = review_for(request.user, pk, "view_response")
    version = _version_of(review, number)
    status = workflow.state_of(version)
    return attachment_bytes(
        version.content.encode("utf-8"),
        f"{safe_name_part(review.reference)}-response-v{version.number}-{status}.txt",
        "text/plain; charset=utf-8",
    )


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_response")
    bound = request.method == "POST"
    form = VerifyForm(request.POST if bound else None, request.FILES if bound else None)
    result = None
    if request.method == "POST" and form.is_valid():
        copy = form.cleaned_data.get("copy")
        data = b"".join(copy.chunks()) if copy else None
        wanted, match = services.response_copy_verify(
            review=review, data=data, digest=form.cleaned_data.get("digest", "")
        )
        result = {
            "digest": wanted,
            "match": match,
            "intact": match.verifies() if match else None,
            "by_file": copy is not None,
        }
    heading = f"Check a copy of the {review.words.response}"
    return form_page(
        request,
        review,
        form,
        heading,
        intro=(
            "Choose a copy downloaded from the portal, or enter a fingerprint, to check it against the "
            f"{review.words.accountable_possessive} signatures. "
            "A copy matches only if not a single character has changed since it was signed."
        ),
        back=reverse("response_versions", args=[review.pk]),
        back_label="Back to the written response",
        crumb_trail=review_crumbs(review, *_version_trail(review), ("Check a copy", None)),
        template="responses/document/verify.html",
        result=result,
    )
