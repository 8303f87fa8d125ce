"""Pages of the analysis (SCIE Quality Marker 13): the lines of enquiry and key practice episodes, read by
whoever reads the merged chronology, written by the lead reviewer or the business manager. Each view
loads its review through `review_for`, then a form, then one service, then a redirect."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commissioning.selectors import lines_of_enquiry
from reviews.access import can
from reviews.selectors import review_for
from scr_portal.breadcrumbs import link, review_crumbs

from ..selectors import agencies_of_board, author_choices
from . import selectors, services
from .forms import AgencyAuthorForm, EnquiryLineForm, EpisodeForm, EvidenceForm

HEADING = "Analysis"
READ, WRITE = "read_chronology", "write_analysis"


def _refused(form, refusal: services.AnalysisRefused, request: HttpRequest) -> bool:
    """Shows the refusal beside its field (True), or as a message for the page it goes back to (False)."""
    if refusal.field and form is not None and refusal.field in form.fields:
        form.add_error(refusal.field, str(refusal).rstrip("."))
        return True
    messages.error(request, str(refusal))
    return False


def _form_page(request: HttpRequest, review, form, heading: str, lead: str = "") -> HttpResponse:
    ctx = {
        "review": review,
        "form": form,
        "heading": heading,
        "lead": lead,
        "back": reverse("analysis", args=[review.pk]),
        "back_label": "Back without saving",
        "breadcrumbs": review_crumbs(review, link(HEADING, "analysis", review.pk), (heading, None)),
    }
    return render(request, "conduct/inquiry/form.html", ctx)


@require_GET
def analysis(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, READ)
    found = selectors.analysis_of(review)
    ctx = {
        "review": review,
        "heading": HEADING,
        "lines": found.lines,
        "episodes": found.episodes,
        "terms": list(lines_of_enquiry(review)),
        "can_write": can(request.user, WRITE, review),
        "breadcrumbs": review_crumbs(
            review, link("Merged chronology", "chronology", review.pk), (HEADING, None)
        ),
    }
    return render(request, "conduct/inquiry/analysis.html", ctx)


# Lines of enquiry ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def line_add(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, WRITE)
    form = EnquiryLineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enquiry_line_save(review=review, user=request.user, **form.cleaned_data)
        except services.AnalysisRefused as refusal:
            if not _refused(form, refusal, request):
                return redirect("analysis", review.pk)
        else:
            messages.success(request, "The line of enquiry has been added.")
            return redirect("analysis", review.pk)
    return _form_page(request, review, form, "Add a line of enquiry")


@require_http_methods(["GET", "POST"])
def line_edit(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, WRITE)
    line = selectors.line_of(review, line_pk)
    form = EnquiryLineForm(request.POST or None, initial={"question": line.question, "why": line.why})
    if request.method == "POST" and form.is_valid():
        try:
            services.enquiry_line_save(review=review, user=request.user, line=line, **form.cleaned_data)
        except services.AnalysisRefused as refusal:
            if not _refused(form, refusal, request):
                return redirect("analysis", review.pk)
        else:
            messages.success(request, "The line of enquiry has been changed.")
            return redirect("analysis", review.pk)
    return _form_page(request, review, form, "Change a line of enquiry")


def _confirm_removal(
    request: HttpRequest, review, *, remove, done: str, heading: str, text: str, consequence: str, button: str
) -> HttpResponse:
    """A removal asked for on its own page and made on POST (`remove()`, a service call), then back to the
    analysis with what happened."""
    if request.method == "POST":
        try:
            remove()
        except services.AnalysisRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, done)
        return redirect("analysis", review.pk)
    ctx = {
        "review": review,
        "heading": heading,
        "text": text,
        "consequence": consequence,
        "button": button,
        "breadcrumbs": review_crumbs(review, link(HEADING, "analysis", review.pk), (heading, None)),
    }
    return render(request, "conduct/inquiry/delete.html", ctx)


@require_http_methods(["GET", "POST"])
def line_delete(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, WRITE)
    line = selectors.line_of(review, line_pk)
    return _confirm_removal(
        request,
        review,
        remove=lambda: services.enquiry_line_delete(review=review, user=request.user, line=line),
        done="The line of enquiry has been removed.",
        heading="Remove this line of enquiry?",
        text=line.question,
        consequence="Episodes that help answer it will no longer say so.",
        button="Remove the line of enquiry",
    )


# Key practice episodes ----------------------------------------------------------------------------------


def _episode_data(form) -> dict:
    data = dict(form.cleaned_data)
    data["line_ids"] = data.pop("lines", [])
    return data


@require_http_methods(["GET", "POST"])
def episode_add(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, WRITE)
    form = EpisodeForm(request.POST or None, lines=list(selectors.lines_of(review)))
    if request.method == "POST" and form.is_valid():
        try:
            episode = services.episode_save(review=review, user=request.user, **_episode_data(form))
        except services.AnalysisRefused as refusal:
            if not _refused(form, refusal, request):
                return redirect("analysis", review.pk)
        else:
            messages.success(request, "The episode has been added. Now choose the entries it rests on.")
            return redirect("practice_episode_evidence", review.pk, episode.pk)
    return _form_page(
        request,
        review,
        form,
        "Add a key practice episode",
        "Next you choose the chronology entries of the period that the episode rests on.",
    )


@require_http_methods(["GET", "POST"])
def episode_edit(request: HttpRequest, pk: int, episode_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, WRITE)
    episode = selectors.episode_of(review, episode_pk)
    initial = {
        "title": episode.title,
        "starts_on": episode.starts_on,
        "ends_on": episode.ends_on,
        "summary": episode.summary,
        "analysis": episode.analysis,
        "lines": list(episode.lines.values_list("pk", flat=True)),
    }
    form = EpisodeForm(request.POST or None, initial=initial, lines=list(selectors.lines_of(review)))
    if request.method == "POST" and form.is_valid():
        try:
            services.episode_save(review=review, user=request.user, episode=episode, **_episode_data(form))
        except services.AnalysisRefused as refusal:
            if not _refused(form, refusal, request):
                return redirect("analysis", review.pk)
        else:
            messages.success(request, "The episode has been changed.")
            return redirect("analysis", review.pk)
    return _form_page(request, review, form, "Change a key practice episode")


@require_http_methods(["GET", "POST"])
def episode_evidence(request: HttpRequest, pk: int, episode_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, WRITE)
    episode = selectors.episode_of(review, episode_pk)
    entries = selectors.evidence_choices(review, episode)
    initial = {"entries": list(episode.entries.values_list("pk", flat=True))}
    form = EvidenceForm(request.POST or None, initial=initial, entries=entries)
    if request.method == "POST" and form.is_valid():
        try:
            services.episode_evidence_set(
                review=review, user=request.user, episode=episode, entry_ids=form.cleaned_data["entries"]
            )
        except services.AnalysisRefused as refusal:
            if not _refused(form, refusal, request):
                return redirect("analysis", review.pk)
        else:
            messages.success(request, f"The evidence for {episode.title} has been saved.")
            return redirect("analysis", review.pk)
    heading = f"Evidence for {episode.title}"
    lead = (
        f"The merged chronology's entries from {episode.starts_on:%-d %B %Y} to {episode.ends_on:%-d %B %Y}"
        " (and any the episode already cites)."
        if entries
        else "No agency has sent a chronology entry in the episode's period yet. Change the period, or come "
        "back when agencies have sent their information."
    )
    return _form_page(request, review, form, heading, lead)


@require_http_methods(["GET", "POST"])
def episode_delete(request: HttpRequest, pk: int, episode_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, WRITE)
    episode = selectors.episode_of(review, episode_pk)
    return _confirm_removal(
        request,
        review,
        remove=lambda: services.episode_delete(review=review, user=request.user, episode=episode),
        done="The episode has been removed.",
        heading="Remove this key practice episode?",
        text=episode.title,
        consequence="The chronology entries it cites stay in the chronology.",
        button="Remove the episode",
    )


# Naming agency authors ----------------------------------------------------------------------------------

AUTHORS = "Agency authors"


@require_http_methods(["GET", "POST"])
def agency_authors(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "ask_for_information")
    agencies = agencies_of_board(review)
    form = AgencyAuthorForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        agency = agencies.get(pk=data["agency"])
        try:
            membership, made = services.agency_author_name(
                review=review,
                user=request.user,
                agency=agency,
                email=data["email"],
                full_name=data["full_name"],
                job_title=data["job_title"],
            )
        except services.AuthorRefused as refusal:
            if not _refused(form, refusal, request):
                return redirect("agency_authors", review.pk)
        else:
            name = membership.user.get_full_name()
            messages.success(
                request,
                f"{name} now writes for {agency.name}."
                + (" They have been emailed a link to set their password." if made else "")
                + " You can name them on a request.",
            )
            return redirect("agency_authors", review.pk)
    ctx = {
        "review": review,
        "form": form,
        "heading": AUTHORS,
        "authors": [m for m, _ in author_choices(review)],
        "breadcrumbs": review_crumbs(
            review, link("Information from agencies", "information_requests", review.pk), (AUTHORS, None)
        ),
    }
    return render(request, "conduct/inquiry/authors.html", ctx)


@require_POST
def agency_author_end(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "ask_for_information")
    membership = selectors.authorship_of(review, membership_pk)
    try:
        ended = services.agency_author_end(review=review, user=request.user, membership=membership)
    except services.AuthorRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            f"{ended.user.get_full_name()} no longer writes for {ended.agency.name}: they no longer see the "
            "requests naming them.",
        )
    return redirect("agency_authors", review.pk)
