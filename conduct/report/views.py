"""Pages of the report: the report's page (every draft and what was recorded about it), and one form page
for each write. Each view loads the review through `review_for` (404 when the person may not know of it,
403 when they may but not do this), then a form, then one service, then a redirect."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from reviews.access import can, require
from reviews.selectors import review_for
from scr_portal.breadcrumbs import link, review_crumbs
from scr_portal.downloads import attachment

from . import selectors, services
from .forms import (
    AcceptForm,
    AccuracyReplyForm,
    AccuracySendForm,
    AssuranceForm,
    CommentResponseForm,
    DraftForm,
    FamilyFeedbackForm,
)

HEADING = "The report"


@require_GET
def report(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_report")
    user = request.user
    drafts = selectors.drafts_of(review)
    for draft in drafts:
        draft.readable = can(user, "read_report_draft", draft)
        for check in draft.accuracy_checks.all():
            check.can_reply = not check.replied and can(user, "reply_for_accuracy", check)
    accepted = next((d for d in drafts if d.accepted_at), None)
    # What still stands between the latest draft and its acceptance, said before anyone tries.
    waiting = services.assurance_problem(drafts[0], review) if drafts and not accepted else ""
    ctx = {
        "review": review,
        "heading": HEADING,
        "drafts": drafts,
        "latest": drafts[0] if drafts else None,
        "accepted": accepted,
        "open": accepted is None,
        "acceptance_waits_for": waiting,
        "can_add": can(user, "add_report_draft", review),
        "can_send": can(user, "send_for_accuracy", review),
        "can_record": can(user, "record_draft_review", review),
        "can_respond": can(user, "respond_to_accuracy", review),
        "can_accept": can(user, "accept_report", review),
        # What the family said is theirs: shown only to those who keep the family record.
        "sees_family": can(user, "view_family", review),
        "breadcrumbs": review_crumbs(review, (HEADING, None)),
    }
    return render(request, "conduct/report/report.html", ctx)


def _form_page(
    request: HttpRequest,
    review,
    form,
    heading: str,
    write: Callable[[dict], object],
    done: str,
    *,
    caption: str = "",
    lead: str = "",
) -> HttpResponse:
    """The form; on a valid post, `write(cleaned_data)` (one service), then back to the report's page saying
    `done`. A refusal is shown beside its field, or at the top."""
    if request.method == "POST" and form.is_valid():
        try:
            write(form.cleaned_data)
        except services.ReportRefused as refusal:
            if refusal.field and refusal.field in form.fields:
                form.add_error(refusal.field, str(refusal).rstrip("."))
            else:
                messages.error(request, str(refusal))
                return redirect("report", review.pk)
        else:
            messages.success(request, done)
            return redirect("report", review.pk)
    ctx = {
        "review": review,
        "form": form,
        "heading": heading,
        "caption": caption,
        "lead": lead,
        "back": reverse("report", args=[review.pk]),
        "back_label": "Back to the report",
        "breadcrumbs": review_crumbs(review, link(HEADING, "report", review.pk), (heading, None)),
    }
    return render(request, "conduct/report/form.html", ctx)


@require_http_methods(["GET", "POST"])
def draft_add(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "add_report_draft")
    form = DraftForm(request.POST or None, request.FILES or None)
    return _form_page(
        request,
        review,
        form,
        "Add a draft of the report",
        lambda d: services.draft_add(review=review, user=request.user, upload=d["file"], notes=d["notes"]),
        "The draft has been added. The business manager has been told.",
        lead="Each draft is kept as a new version; earlier versions stay readable.",
    )


@require_GET
def draft_download(request: HttpRequest, pk: int, draft_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_report")
    draft = selectors.draft_of(review, draft_pk)
    require(request.user, "read_report_draft", draft)
    return attachment(draft.file, draft.file_name)


@require_http_methods(["GET", "POST"])
def accuracy_send(request: HttpRequest, pk: int, draft_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "send_for_accuracy")
    draft = selectors.draft_of(review, draft_pk)
    form = AccuracySendForm(request.POST or None, review=review)

    def write(data: dict) -> object:
        return services.accuracy_checks_send(
            review=review, user=request.user, draft=draft, agencies=form.chosen(), due_on=data["due_on"]
        )

    return _form_page(
        request,
        review,
        form,
        f"Send draft {draft.version} to agencies to check its facts",
        write,
        "The draft has been sent. The agencies' people on the lead board have been told.",
    )


@require_http_methods(["GET", "POST"])
def accuracy_reply(request: HttpRequest, pk: int, check_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_report")
    check = selectors.check_of(review, check_pk)
    require(request.user, "reply_for_accuracy", check)
    if check.replied:
        messages.error(request, f"{check.agency.name} has already replied.")
        return redirect("report", review.pk)
    form = AccuracyReplyForm(request.POST or None)

    def write(data: dict) -> object:
        return services.accuracy_reply(
            check=check, user=request.user, comments=form.comments(), no_comments=data["no_comments"]
        )

    return _form_page(
        request,
        review,
        form,
        f"{check.agency.name}'s check of draft {check.draft.version}",
        write,
        "The reply has been sent. The lead reviewer has been told.",
        lead="Say what is not accurate, section by section or page by page, and what is. Leave rows "
        "you do not need empty.",
    )


@require_http_methods(["GET", "POST"])
def comment_respond(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "respond_to_accuracy")
    comment = selectors.comment_of(review, comment_pk)
    form = CommentResponseForm(request.POST or None, initial={"response": comment.response})
    return _form_page(
        request,
        review,
        form,
        f"{comment.check_request.agency.name}'s comment on {comment.where}",
        lambda d: services.comment_respond(comment=comment, user=request.user, response=d["response"]),
        "How the comment was dealt with has been recorded.",
        lead=comment.comment,
    )


@require_http_methods(["GET", "POST"])
def assurance_add(request: HttpRequest, pk: int, draft_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "record_draft_review")
    draft = selectors.draft_of(review, draft_pk)
    form = AssuranceForm(request.POST or None)
    return _form_page(
        request,
        review,
        form,
        f"Record the quality assurance of draft {draft.version}",
        lambda d: services.assurance_record(review=review, user=request.user, draft=draft, **d),
        "The quality assurance has been recorded.",
    )


@require_http_methods(["GET", "POST"])
def family_add(request: HttpRequest, pk: int, draft_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "record_draft_review")
    draft = selectors.draft_of(review, draft_pk)
    form = FamilyFeedbackForm(request.POST or None)
    return _form_page(
        request,
        review,
        form,
        f"Record the family's view of draft {draft.version}",
        lambda d: services.family_feedback_record(review=review, user=request.user, draft=draft, **d),
        "The family's view has been recorded.",
    )


@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, pk: int, draft_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "accept_report")
    draft = selectors.draft_of(review, draft_pk)
    form = AcceptForm(request.POST or None)
    return _form_page(
        request,
        review,
        form,
        f"Accept draft {draft.version} as the final report",
        lambda d: services.draft_accept(
            review=review, user=request.user, draft=draft, received_on=d["received_on"], note=d["note"]
        ),
        "The final report has been accepted and recorded.",
        lead="The draft is checked for the family's real names first. Once accepted, it becomes the "
        "review's final report and no draft can change.",
    )
