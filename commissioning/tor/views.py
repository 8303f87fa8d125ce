"""The terms of reference of a review: versions, sections, comments, approval and comparison. Each view
loads the review through `review_for`, which answers 404 when it is invisible and 403 when the action is
not allowed; versions and comments are then looked up within that review only."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from commissioning.models import FactorKind, ToRSection, ToRVersion
from reviews.access import can, participating_boards_chaired
from reviews.models import Board
from reviews.selectors import review_for
from scr_portal.breadcrumbs import Crumb, link, review_crumbs
from scr_portal.dates import long_date, short_date, short_datetime
from scr_portal.forms import id_from_query
from scr_portal.links import url_for_each
from scr_portal.pages import reshown, submitted

from ..views import commissioning_crumb
from . import diff, selectors, services, workflow
from .forms import (
    AddressForm,
    AgreementForm,
    CloseCommentsForm,
    CommentForm,
    DraftCreateForm,
    ReplyForm,
    SectionForm,
    SendForCommentForm,
    WaiverForm,
)


def _tor_trail(review, version=None) -> list[Crumb]:
    """Commissioning › Terms of reference › the version, when the page is about one."""
    trail = [commissioning_crumb(review), link("Terms of reference", "tor_list", review.pk)]
    if version is not None:
        trail.append(link(f"Version {version.number}", "tor_version", review.pk, version.number))
    return trail


def _form_page(request, review, version, form, heading: str, **extra) -> HttpResponse:
    ctx = {
        "review": review,
        "version": version,
        "form": form,
        "heading": heading,
        "breadcrumbs": review_crumbs(review, *_tor_trail(review, version), (heading, None)),
        **extra,
    }
    return render(request, "commissioning/tor/form.html", ctx)


def _submitted(request, form, write, **done) -> HttpResponse | None:
    """The POST half of a terms-of-reference form: a refusal goes on the form."""
    return submitted(request, form, write, refused=services.ToRRefused, **done)


@require_GET
def tor_list(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_commissioning")
    versions = list(selectors.versions_of(review))
    may_create = can(request.user, "edit_terms_of_reference", review)
    create_blockers = workflow.new_draft_blockers(versions[0] if versions else None) if may_create else []
    ctx = {
        "review": review,
        "versions": versions,
        "can_create": may_create and not create_blockers,
        "create_blockers": create_blockers,
        "breadcrumbs": review_crumbs(review, *_tor_trail(review)),
    }
    return render(request, "commissioning/tor/list.html", ctx)


@require_http_methods(["GET", "POST"])
def tor_draft_create(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "edit_terms_of_reference")
    latest = selectors.latest_version(review)
    if request.method == "GET" and (blockers := workflow.new_draft_blockers(latest)):
        messages.error(request, " ".join(blockers))  # never offered then (see tor_list, tor_version)
        return redirect("tor_list", review.pk)
    form = DraftCreateForm(request.POST or None, latest=latest)
    write = partial(services.tor_draft_create, review=review, user=request.user)
    return _submitted(
        request,
        form,
        write,
        success=lambda version: f"Draft version {version.number} created.",
        to=lambda version: reverse("tor_version", args=[review.pk, version.number]),
    ) or _form_page(request, review, None, form, "Create a draft of the terms of reference", latest=latest)


@require_GET
def tor_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_commissioning")
    version = selectors.version_of(review, number)
    may_edit = can(request.user, "edit_terms_of_reference", review)
    may_approve = can(request.user, "approve_terms_of_reference", review) and workflow.MACHINE.allows(
        "approve", version
    )
    is_open = workflow.is_commentable(version)
    # What the person may do here, and why not yet when the step exists for them but is refused now: a
    # button is offered only when the service will take it.
    approve_blockers = workflow.approval_blockers(version) if may_approve else []
    may_create = may_edit and not workflow.is_editable(version)
    create_blockers = workflow.new_draft_blockers(selectors.latest_version(review)) if may_create else []
    ctx = {
        "review": review,
        "version": version,
        "frozen": workflow.is_frozen(version),
        "sections": selectors.sections_of(version),
        "can_edit": may_edit and workflow.is_editable(version),
        "can_send": may_edit and workflow.MACHINE.allows("send_for_comment", version),
        "may_approve": may_approve,
        "can_approve": may_approve and not approve_blockers,
        "approve_blockers": approve_blockers,
        "can_close_early": may_approve and workflow.may_close_comments_early(version),
        "can_create": may_create and not create_blockers,
        "create_blockers": create_blockers,
        "comments_open": workflow.comments_open(version),
        "unaddressed": selectors.unaddressed_count(version) if is_open else 0,
        **_agreement_context(request, review, version),
        "breadcrumbs": review_crumbs(review, *_tor_trail(review, version)),
    }
    return render(request, "commissioning/tor/version.html", ctx)


def _chaired_boards(user, review) -> QuerySet[Board]:
    """The boards taking part in the review that the person chairs (whose position they record)."""
    return Board.objects.filter(pk__in=participating_boards_chaired(user, review)).order_by("name")


def _agreement_context(request, review, version) -> dict:
    """What the version page and the approval page show of a cross-border review's boards' positions, and
    the agreement form for a participating board's chair."""
    positions = selectors.positions_on(version) if review.participations.all() else []
    may_agree = (
        bool(positions)
        and can(request.user, "agree_terms_of_reference", review)
        and workflow.may_record_agreement(version)
    )
    return {
        "positions": positions,
        "waiver": selectors.waiver_of(version) if positions else None,
        "agreement_form": AgreementForm(boards=_chaired_boards(request.user, review)) if may_agree else None,
    }


@require_http_methods(["GET", "POST"])
def tor_section_edit(request: HttpRequest, pk: int, number: int, key: str) -> HttpResponse:
    review = review_for(request.user, pk, "edit_terms_of_reference")
    version = selectors.version_of(review, number)
    section = get_object_or_404(ToRSection, version=version, key=key)
    if request.method == "GET" and not workflow.is_editable(version):
        messages.error(request, workflow.not_editable_message(version))
        return redirect("tor_version", review.pk, version.number)
    form = SectionForm(
        request.POST or None,
        title=section.title,
        initial={"body": section.body, "revision": version.revision},
    )
    saved_body = None
    if request.method == "POST" and form.is_valid():
        try:
            services.tor_section_save(
                section=section,
                user=request.user,
                body=form.cleaned_data["body"],
                seen_revision=form.cleaned_data["revision"],
            )
        except services.EditConflict as conflict:
            # Show both texts; the form keeps what they typed and now carries the revision they have seen.
            saved_body = conflict.saved_body
            form = reshown(
                request, SectionForm, conflict, seen="revision", value=conflict.revision, title=section.title
            )
        except services.ToRRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"“{section.title}” saved.")
            return redirect("tor_version", review.pk, version.number)
    return _form_page(
        request,
        review,
        version,
        form,
        f"Change “{section.title}”",
        section=section,
        saved_body=saved_body,
    )


@require_http_methods(["GET", "POST"])
def tor_send(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    review = review_for(request.user, pk, "edit_terms_of_reference")
    version = selectors.version_of(review, number)
    form = SendForCommentForm(request.POST or None)
    write = partial(services.tor_send_for_comment, version=version, user=request.user)
    return _submitted(
        request,
        form,
        write,
        success=f"Version {version.number} is out for comment. Everyone on the review has been told.",
        to=reverse("tor_comments", args=[review.pk, version.number]),
    ) or _form_page(
        request,
        review,
        version,
        form,
        f"Send version {version.number} for comment",
        intro="Everyone on the review (board members, chairs and the lead reviewer) is told and can comment "
        "on each section until the closing date. The text cannot change while it is out for comment.",
    )


def _label_threads(review, version, sections, *, can_comment: bool, can_address: bool) -> None:
    """What each comment shows, worked out once here rather than by the template for each of a version's
    hundreds of comments: when it was written and addressed, and the links to reply and to mark it
    addressed when the person may."""
    reply_url = url_for_each("tor_comment_reply", review.pk, version.number)
    address_url = url_for_each("tor_comment_address", review.pk, version.number)
    tz = timezone.get_current_timezone()
    for section in sections:
        for thread in section.threads:
            thread.written = short_datetime(thread.created_at, tz=tz)
            thread.addressed_on = short_date(thread.addressed_at, tz=tz)
            thread.reply_url = reply_url(thread.pk) if can_comment else ""
            thread.address_url = address_url(thread.pk) if can_address and not thread.addressed_at else ""
            for reply in thread.replies:
                reply.written = short_datetime(reply.created_at, tz=tz)


@require_GET
def tor_comments(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_commissioning")
    version = selectors.version_of(review, number)
    is_open = workflow.is_commentable(version)
    can_comment = workflow.comments_open(version) and can(request.user, "comment_terms_of_reference", review)
    can_address = is_open and can(request.user, "edit_terms_of_reference", review)
    sections = selectors.sections_with_threads(version)
    _label_threads(review, version, sections, can_comment=can_comment, can_address=can_address)
    ctx = {
        "review": review,
        "version": version,
        "sections": sections,
        "can_comment": can_comment,
        "can_address": can_address,
        "comments_open": workflow.comments_open(version),
        "breadcrumbs": review_crumbs(review, *_tor_trail(review, version), ("Comments", None)),
    }
    return render(request, "commissioning/tor/comments.html", ctx)


def _section_comments_url(review, version, section) -> str:
    return reverse("tor_comments", args=[review.pk, version.number]) + f"#section-{section.key}"


def _comments_closed(request, review, version, *, taking_comments: bool = True) -> HttpResponse | None:
    """Back to the comments page, saying why, when the version takes no more comments (`taking_comments`)
    or, for marking comments addressed, when it is no longer out for comment."""
    if taking_comments and not workflow.comments_open(version):
        messages.error(request, workflow.comments_closed_message(version))
        return redirect("tor_comments", review.pk, version.number)
    if not workflow.is_commentable(version):
        messages.error(request, f"Version {version.number} is not out for comment.")
        return redirect("tor_comments", review.pk, version.number)
    return None


@require_http_methods(["GET", "POST"])
def tor_comment_add(request: HttpRequest, pk: int, number: int, key: str) -> HttpResponse:
    review = review_for(request.user, pk, "comment_terms_of_reference")
    version = selectors.version_of(review, number)
    section = get_object_or_404(ToRSection, version=version, key=key)
    if closed := _comments_closed(request, review, version):
        return closed
    form = CommentForm(request.POST or None)
    write = partial(services.tor_comment_add, section=section, user=request.user)
    to = _section_comments_url(review, version, section)
    return _submitted(request, form, write, success="Your comment is added.", to=to) or _form_page(
        request, review, version, form, f"Comment on “{section.title}”", section=section, show_section=True
    )


@require_http_methods(["GET", "POST"])
def tor_comment_reply(request: HttpRequest, pk: int, number: int, comment_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "comment_terms_of_reference")
    version = selectors.version_of(review, number)
    comment = selectors.comment_of(version, comment_pk)
    if closed := _comments_closed(request, review, version):
        return closed
    form = ReplyForm(request.POST or None)
    write = partial(services.tor_comment_add, section=comment.section, user=request.user, parent=comment)
    to = _section_comments_url(review, version, comment.section)
    return _submitted(request, form, write, success="Your reply is added.", to=to) or _form_page(
        request, review, version, form, f"Reply to {comment.author.get_full_name()}", comment=comment
    )


@require_http_methods(["GET", "POST"])
def tor_comment_address(request: HttpRequest, pk: int, number: int, comment_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "edit_terms_of_reference")
    version = selectors.version_of(review, number)
    comment = selectors.comment_of(version, comment_pk)
    if closed := _comments_closed(request, review, version, taking_comments=False):
        return closed
    form = AddressForm(request.POST or None)
    write = partial(services.tor_comment_address, comment=comment, user=request.user)
    success = "The comment is marked as addressed."
    to = _section_comments_url(review, version, comment.section)
    return _submitted(request, form, write, success=success, to=to) or _form_page(
        request, review, version, form, "Mark the comment as addressed", comment=comment
    )


def _cited_by_kind(cited: list) -> list[tuple[str, list]]:
    """The version's own cited factors under "Case factors cited" and "Context factors cited"."""
    return [(f"{kind.label}s cited", [c for c in cited if c.kind == kind]) for kind in FactorKind]


@require_http_methods(["GET", "POST"])
def tor_approve(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    review = review_for(request.user, pk, "approve_terms_of_reference")
    version = selectors.version_of(review, number)
    error = None
    if request.method == "POST":
        try:
            services.tor_approve(version=version, user=request.user)
        except services.ToRRefused as refusal:
            error = str(refusal)
            version.refresh_from_db()
        else:
            messages.success(request, f"Version {version.number} is approved. It can no longer change.")
            return redirect("tor_version", review.pk, version.number)
    heading = f"Approve version {version.number} of the terms of reference"
    agreement = _agreement_context(request, review, version)
    ctx = {
        "review": review,
        "version": version,
        "heading": heading,
        "error": error,
        "blockers": workflow.approval_blockers(version),
        "can_close_early": workflow.may_close_comments_early(version),
        "cited": _cited_by_kind(selectors.cited_factors_of(version)),
        **agreement,
        "can_waive": workflow.is_commentable(version)
        and not agreement["waiver"]
        and any(p.agreement is None for p in agreement["positions"]),
        "breadcrumbs": review_crumbs(review, *_tor_trail(review, version), ("Approve", None)),
    }
    return render(request, "commissioning/tor/approve.html", ctx)


@require_http_methods(["GET", "POST"])
def tor_close_comments(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The chair closes the comment period early, saying why (so the version can be approved sooner)."""
    review = review_for(request.user, pk, "approve_terms_of_reference")
    version = selectors.version_of(review, number)
    if request.method == "GET" and not workflow.may_close_comments_early(version):
        messages.error(request, workflow.comments_closed_message(version))
        return redirect("tor_version", review.pk, version.number)
    form = CloseCommentsForm(request.POST or None)
    write = partial(services.tor_close_comments_early, version=version, user=request.user)
    return _submitted(
        request,
        form,
        write,
        success=f"Comments on version {version.number} are closed. It can be approved once every comment is "
        "addressed.",
        to=reverse("tor_version", args=[review.pk, version.number]),
    ) or _form_page(
        request,
        review,
        version,
        form,
        f"Close the comment period on version {version.number} early",
        intro=f"Comments on version {version.number} are open until {long_date(version.comments_close_on)}. "
        "Closing early stops anyone commenting from now on; the reason goes on the review's timeline.",
    )


@require_http_methods(["GET", "POST"])
def tor_agreement(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    review = review_for(request.user, pk, "agree_terms_of_reference")
    version = selectors.version_of(review, number)
    form = AgreementForm(request.POST or None, boards=_chaired_boards(request.user, review))
    write = partial(services.tor_agreement_record, version=version, user=request.user)
    return _submitted(
        request,
        form,
        write,
        success=lambda agreement: (
            f"Recorded: {agreement.board.name} {agreement.get_position_display().lower()} "
            f"to version {version.number}. The lead board is told."
        ),
        to=reverse("tor_version", args=[review.pk, version.number]),
    ) or _form_page(request, review, version, form, f"Your board's position on version {version.number}")


@require_http_methods(["GET", "POST"])
def tor_agreement_waive(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    review = review_for(request.user, pk, "approve_terms_of_reference")
    version = selectors.version_of(review, number)
    form = WaiverForm(request.POST or None)
    write = partial(services.tor_agreement_waive, version=version, user=request.user)
    return _submitted(
        request,
        form,
        write,
        success="Reason recorded. You can approve without every board's answer.",
        to=reverse("tor_approve", args=[review.pk, version.number]),
    ) or _form_page(request, review, version, form, "Approve without every board's agreement")


@require_GET
def tor_diff(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_commissioning")
    numbers = list(
        ToRVersion.objects.filter(review=review).order_by("-number").values_list("number", flat=True)
    )

    def chosen(name: str, default):
        value = id_from_query(request.GET.get(name))
        return value if value in numbers else default

    new_number = chosen("to", numbers[0] if numbers else None)
    old_number = chosen("from", next((n for n in numbers if new_number and n < new_number), new_number))
    show_all = request.GET.get("all") == "1"
    rows, old, new = [], None, None
    if old_number and new_number:
        old = selectors.version_of(review, old_number)
        new = selectors.version_of(review, new_number)
        rows = diff.compare(selectors.sections_of(old), selectors.sections_of(new))
    unchanged = [r for r in rows if not r.changed]
    ctx = {
        "review": review,
        "numbers": numbers,
        "old": old,
        "new": new,
        "rows": rows if show_all else [r for r in rows if r.changed],
        "compared": bool(rows),
        "changed": len(rows) - len(unchanged),
        "unchanged": unchanged,
        "show_all": show_all,
        "toggle_query": urlencode(
            {"from": old_number, "to": new_number, **({} if show_all else {"all": "1"})}
        ),
        "breadcrumbs": review_crumbs(review, *_tor_trail(review), ("Compare versions", None)),
    }
    return render(request, "commissioning/tor/diff.html", ctx)
