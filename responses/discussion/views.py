"""The board's discussion of the report (meetings, attendance, the discussion and challenge on each finding,
the board's position on each finding) and the engagement plan. Each view loads the review through
`review_for`, which answers 404 when it is invisible and 403 when the action is not allowed; meetings,
findings and activities are then looked up within that review only."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from reviews.access import can
from reviews.selectors import review_for
from scr_portal.breadcrumbs import Crumb, link, review_crumbs
from scr_portal.forms import id_from_query
from scr_portal.pages import submitted

from ..models import EngagementActivity, Meeting
from ..pages import form_page, response_crumb
from ..plan.selectors import related_for_findings
from . import selectors, services
from .forms import ActivityDoneForm, ActivityForm, DiscussionForm, MeetingForm, PositionForm

ENGAGEMENT = "Engagement plan"


def _meeting_trail(review, meeting: Meeting | None = None) -> list[Crumb]:
    """Response › Board discussion (in the review's words) › the meeting, when the page is about one."""
    trail = [response_crumb(review), link(review.words.discussion, "meeting_list", review.pk)]
    if meeting is not None:
        trail.append(link(str(meeting), "meeting_detail", review.pk, meeting.pk))
    return trail


def _engagement_crumb(review) -> Crumb:
    return link(ENGAGEMENT, "engagement_plan", review.pk)


def _related(review, findings) -> dict:
    """The board's related learning and plan priorities for each finding, keyed by the finding's id."""
    return related_for_findings(review, findings)


# Meetings --------------------------------------------------------------------------------------------


@require_GET
def meeting_list(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_response")
    meetings = selectors.meetings_of(review)
    agencies = selectors.review_agencies(review)
    findings = selectors.findings_with_positions(review)
    minutes = sum(m.minutes_given for m in meetings)
    ctx = {
        "review": review,
        "meetings": meetings,
        "agency_count": len(agencies),
        "findings": findings,
        "positions": sum(1 for f in findings if f.position),
        "total_minutes": minutes,
        "total_time": services.minutes_text(minutes),
        "extraordinary": [m for m in meetings if m.kind == Meeting.Kind.EXTRAORDINARY],
        "can_manage": can(request.user, "manage_response", review),
        "can_change_positions": can(request.user, "change_findings", review),
        "breadcrumbs": review_crumbs(review, response_crumb(review), (review.words.discussion, None)),
    }
    return render(request, "responses/discussion/meetings.html", ctx)


def _meeting_form(request, review, form, meeting: Meeting | None, heading: str, **page) -> HttpResponse:
    """Record a meeting or change one: the meeting's fields and who attended for each agency."""
    return submitted(
        request,
        form,
        partial(services.meeting_save, review=review, user=request.user, meeting=meeting),
        data=lambda: {"attendance": form.attendance(), **form.meeting_data()},
        refused=services.DiscussionRefused,
        success=lambda saved: (
            f"{saved} saved."
            if meeting
            else f"{saved} recorded. You can now record the discussion of each finding."
        ),
        to=lambda saved: reverse("meeting_detail", args=[review.pk, saved.pk]),
    ) or form_page(
        request,
        review,
        form,
        heading,
        crumb_trail=review_crumbs(review, *_meeting_trail(review, meeting), (heading, None)),
        **page,
    )


@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "manage_response")
    agencies = selectors.review_agencies(review)
    form = MeetingForm(request.POST or None, agencies=agencies)
    return _meeting_form(
        request,
        review,
        form,
        None,
        "Record a meeting",
        back=reverse("meeting_list", args=[review.pk]),
        intro="A board meeting, extraordinary meeting or sub-group meeting at which the report was "
        "discussed.",
    )


@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "manage_response")
    meeting = selectors.meeting_of(review, meeting_pk)
    agencies = selectors.review_agencies(review)
    # Agencies that have since left the review's boards keep their recorded attendance on the form.
    known = {a.pk for a in agencies}
    agencies += [a.agency for a in meeting.attendances.select_related("agency") if a.agency_id not in known]
    form = MeetingForm.for_meeting(meeting, agencies, request.POST or None)
    back = reverse("meeting_detail", args=[review.pk, meeting.pk])
    return _meeting_form(request, review, form, meeting, "Change the meeting", back=back)


@require_GET
def meeting_detail(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_response")
    meeting = selectors.meeting_of(review, meeting_pk)
    agencies = selectors.review_agencies(review)
    rows = selectors.findings_at(review, meeting)
    related = _related(review, [row.finding for row in rows])
    for row in rows:
        row.related = related.get(row.finding.pk)
    ctx = {
        "review": review,
        "meeting": meeting,
        "time_given": services.minutes_text(meeting.minutes_given),
        "attendance": selectors.attendance_at(meeting, agencies),
        "rows": rows,
        "discussed": sum(1 for row in rows if row.here),
        "challenged": sum(1 for row in rows if row.here and row.here.challenge),
        "can_manage": can(request.user, "manage_response", review),
        "can_change_positions": can(request.user, "change_findings", review),
        "breadcrumbs": review_crumbs(review, *_meeting_trail(review), (str(meeting), None)),
    }
    return render(request, "responses/discussion/meeting.html", ctx)


@require_http_methods(["GET", "POST"])
def meeting_remove(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "manage_response")
    meeting = selectors.meeting_of(review, meeting_pk)
    error = ""
    if request.method == "POST":
        try:
            services.meeting_remove(meeting=meeting, user=request.user)
        except services.DiscussionRefused as refusal:
            error = str(refusal)
        else:
            messages.success(request, f"{meeting} removed.")
            return redirect("meeting_list", review.pk)
    heading = "Remove this meeting?"
    ctx = {
        "review": review,
        "meeting": meeting,
        "heading": heading,
        "error": error,
        "discussed": meeting.discussions.count(),
        "cited": selectors.findings_agreed_at(meeting),
        "breadcrumbs": review_crumbs(review, *_meeting_trail(review, meeting), ("Remove", None)),
    }
    return render(request, "responses/discussion/meeting_remove.html", ctx)


# Discussion of a finding at a meeting ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def discussion_record(request: HttpRequest, pk: int, meeting_pk: int, finding_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "manage_response")
    meeting = selectors.meeting_of(review, meeting_pk)
    finding = selectors.finding_of(review, finding_pk)
    current = finding.discussions.filter(meeting=meeting).first()
    initial = {"discussion": current.discussion, "challenge": current.challenge} if current else None
    form = DiscussionForm(request.POST or None, initial=initial, number=finding.number)
    heading = f"Record the discussion of finding {finding.number}"
    back = reverse("meeting_detail", args=[review.pk, meeting.pk]) + f"#finding-{finding.pk}"
    write = partial(services.discussion_save, meeting=meeting, finding=finding, user=request.user)
    success = f"The discussion of finding {finding.number} is saved."
    if done := submitted(request, form, write, refused=services.DiscussionRefused, success=success, to=back):
        return done
    related = _related(review, [finding]).get(finding.pk)
    return form_page(
        request,
        review,
        form,
        heading,
        back=back,
        crumb_trail=review_crumbs(review, *_meeting_trail(review, meeting), (heading, None)),
        template="responses/discussion/discussion_form.html",
        meeting=meeting,
        finding=finding,
        related=related,
        elsewhere=[d for d in selectors.discussions_of(finding) if d.meeting_id != meeting.pk],
    )


# The board's position on a finding -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def finding_position(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "change_findings")
    finding = selectors.finding_of(review, finding_pk)
    # Opened from a meeting's page: that meeting is offered first, and the person goes back to it.
    from_meeting = None
    meeting_id = id_from_query(request.GET.get("meeting"))
    if meeting_id is not None:
        from_meeting = Meeting.objects.filter(review=review, pk=meeting_id).first()
    initial = {
        "position": finding.position or None,
        "reason": finding.position_reason,
        "meeting": finding.position_meeting_id or (from_meeting.pk if from_meeting else None),
    }
    form = PositionForm(request.POST or None, review=review, initial=initial)
    heading = f"The board's position on finding {finding.number}"
    if from_meeting:
        back = reverse("meeting_detail", args=[review.pk, from_meeting.pk]) + f"#finding-{finding.pk}"
        trail = review_crumbs(review, *_meeting_trail(review, from_meeting), (heading, None))
    else:
        back = reverse("meeting_list", args=[review.pk]) + "#positions"
        trail = review_crumbs(review, *_meeting_trail(review), (heading, None))

    def success(_) -> str:
        finding.refresh_from_db()
        return f"The board's position on finding {finding.number} is saved: {finding.get_position_display().lower()}."

    write = partial(services.position_save, finding=finding, user=request.user)
    if done := submitted(request, form, write, refused=services.DiscussionRefused, success=success, to=back):
        return done
    return form_page(
        request,
        review,
        form,
        heading,
        back=back,
        crumb_trail=trail,
        template="responses/discussion/position_form.html",
        finding=finding,
        discussions=selectors.discussions_of(finding),
    )


# Engagement plan ---------------------------------------------------------------------------------------


@require_GET
def engagement_plan(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "view_response")
    ctx = {
        "review": review,
        "plan": selectors.engagement_plan(review),
        "can_manage": can(request.user, "manage_response", review),
        "breadcrumbs": review_crumbs(review, response_crumb(review), (ENGAGEMENT, None)),
    }
    return render(request, "responses/discussion/engagement.html", ctx)


def _activity_page(
    request, review, form, heading: str, activity: EngagementActivity | None = None, show_activity=False
):
    return form_page(
        request,
        review,
        form,
        heading,
        back=reverse("engagement_plan", args=[review.pk]) + (f"#activity-{activity.pk}" if activity else ""),
        crumb_trail=review_crumbs(review, response_crumb(review), _engagement_crumb(review), (heading, None)),
        template="responses/discussion/activity_form.html",
        activity=activity,
        show_activity=show_activity,
    )


def _activity_url(review, activity: EngagementActivity) -> str:
    return reverse("engagement_plan", args=[review.pk]) + f"#activity-{activity.pk}"


@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "manage_response")
    initial = {}
    audience = request.GET.get("audience", "")
    if audience in EngagementActivity.Audience.values:
        initial["audience"] = audience
    form = ActivityForm(request.POST or None, initial=initial)
    return submitted(
        request,
        form,
        partial(services.activity_save, review=review, user=request.user),
        refused=services.DiscussionRefused,
        success=lambda activity: f"“{activity.description}” added to the engagement plan.",
        to=lambda activity: _activity_url(review, activity),
    ) or _activity_page(request, review, form, "Add an engagement activity")


@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "manage_response")
    activity = selectors.activity_of(review, activity_pk)
    form = ActivityForm.for_activity(activity, request.POST or None)
    return submitted(
        request,
        form,
        partial(services.activity_save, review=review, user=request.user, activity=activity),
        refused=services.DiscussionRefused,
        success=lambda _: f"“{form.cleaned_data['description']}” saved.",
        to=_activity_url(review, activity),
    ) or _activity_page(request, review, form, "Change the engagement activity", activity)


@require_http_methods(["GET", "POST"])
def activity_done(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "manage_response")
    activity = selectors.activity_of(review, activity_pk)
    initial = {"done_on": min(activity.planned_on, timezone.localdate()), "reached": activity.reached}
    form = ActivityDoneForm(request.POST or None, initial=initial)
    return submitted(
        request,
        form,
        partial(services.activity_complete, activity=activity, user=request.user),
        refused=services.DiscussionRefused,
        success=f"“{activity.description}” is marked as done.",
        to=_activity_url(review, activity),
    ) or _activity_page(request, review, form, "Mark the activity as done", activity, show_activity=True)


@require_http_methods(["GET", "POST"])
def activity_cancel(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    review = review_for(request.user, pk, "manage_response")
    activity = selectors.activity_of(review, activity_pk)
    error = ""
    if request.method == "POST":
        try:
            services.activity_cancel(activity=activity, user=request.user)
        except services.DiscussionRefused as refusal:
            error = str(refusal)
        else:
            messages.success(request, f"“{activity.description}” is cancelled.")
            return redirect(_activity_url(review, activity))
    heading = "Cancel this activity?"
    ctx = {
        "review": review,
        "activity": activity,
        "heading": heading,
        "error": error,
        "breadcrumbs": review_crumbs(
            review, response_crumb(review), _engagement_crumb(review), (heading, None)
        ),
    }
    return render(request, "responses/discussion/activity_cancel.html", ctx)
