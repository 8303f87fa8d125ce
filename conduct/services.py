"""Writes for the information from agencies (SCIE Quality Marker 10): asking an agency, the author's
chronology entries and document, submitting, and the business manager's answer; and the daily reminders
that chase what is due and tell the agency's board members of what is overdue. Each write locks the
request (or the review), checks what must be true, changes, records on the review's timeline and tells
people once the transaction commits (`notifications.notify`)."""

from __future__ import annotations

from datetime import date, time

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from reviews import access, notifications, workflow
from reviews.models import Agency, Notification, Review, Role
from reviews.services import review_lock, timeline_add
from scr_portal import files, workdays
from scr_portal.dates import long_date

from .models import ChronologyEntry, InformationRequest

User = get_user_model()
REMIND_WITHIN_WORKING_DAYS = 2  # the author is reminded when this many working days (or fewer) are left
Status = InformationRequest.Status


class InformationRefused(Exception):
    """The action cannot be taken now; the message says why in plain words. Nothing was changed. `field`
    names the form field the message belongs beside, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def request_path(request: InformationRequest) -> str:
    return reverse("information_request", args=[request.review_id, request.pk])


def asked_key(request: InformationRequest) -> str:
    return f"information:{request.pk}:asked"


def due_problem(due_on: date, today: date | None = None) -> str:
    """Why `due_on` cannot be a request's due date, or "" when it can."""
    if due_on < (today or timezone.localdate()):
        return "The date the information is due cannot be in the past"
    return ""


def writes_for(user, board_id: int, agency_id: int) -> bool:
    """Whether the person writes for the agency as an agency author on the board (whom a request may name)."""
    return agency_id in access.author_agencies(user).get(board_id, frozenset())


def information_request_create(
    *,
    review: Review,
    user,
    agency: Agency,
    author,
    asked_for: list[str],
    reason: str,
    due_on: date,
) -> InformationRequest:
    """Asks `agency` for information for the review in progress (`asked_for`: any of "chronology",
    "report", "records"), why, by when, written by `author` (an agency author of that agency on the lead
    board); notes it on the timeline and tells the author."""
    problem = due_problem(due_on)
    if problem:
        raise InformationRefused(f"{problem}.", field="due_on")
    if not asked_for:
        raise InformationRefused("Choose what the agency is asked for.", field="asked_for")
    if not reason.strip():
        raise InformationRefused("Enter why the information is needed.", field="reason")
    with transaction.atomic():
        review = review_lock(review.pk)
        if not workflow.allows(review, workflow.INFORMATION_OPEN):
            raise InformationRefused(
                "Agencies are asked for information only while the review is in progress."
            )
        if not agency.boards.filter(pk=review.lead_board_id).exists():
            raise InformationRefused(
                f"{agency.name} is not an agency of the {review.words.body}.", field="agency"
            )
        if not writes_for(author, review.lead_board_id, agency.pk):
            raise InformationRefused(
                f"{author.get_full_name()} does not write for {agency.name}: choose one of its agency authors.",
                field="author",
            )
        request = InformationRequest(
            review=review,
            agency=agency,
            author=author,
            wants_chronology="chronology" in asked_for,
            wants_report="report" in asked_for,
            wants_records="records" in asked_for,
            reason=reason.strip(),
            due_on=due_on,
            asked_by=user,
            asked_on=timezone.localdate(),
        )
        request.full_clean()
        request.save()
        what = ", ".join(request.asked_for)
        timeline_add(
            review=review,
            user=user,
            title=f"{agency.name} asked for information by {long_date(due_on)}"[:200],
            body=f"Asked for {what}, written by {author.get_full_name()}.",
        )
        notifications.notify(
            review=review,
            recipients=[author],
            kind=Notification.Kind.ACTION_NEEDED,
            title=f"{review.reference}: the {review.words.body} asks {agency.name} for information by "
            f"{long_date(due_on)}",
            body=f"You are named to write {agency.name}'s {what}. Why it is needed: {request.reason}",
            path=request_path(request),
            key=asked_key(request),
        )
    return request


def _locked_open(request: InformationRequest) -> InformationRequest:
    """The request, locked and read afresh, refused unless its author may still change it."""
    locked = (
        InformationRequest.objects.select_for_update().select_related("review", "agency").get(pk=request.pk)
    )
    if not workflow.allows(locked.review, workflow.INFORMATION_OPEN):
        raise InformationRefused("The review is no longer in progress: the submission cannot change.")
    if not locked.is_open_to_author:
        raise InformationRefused(
            "The submission has been sent to the business manager, so it cannot change now. If it is sent "
            "back, you can change it again."
        )
    return locked


def chronology_entry_save(
    *,
    request: InformationRequest,
    user,
    occurred_on: date,
    occurred_at: time | None,
    event: str,
    source: str,
    significance: str,
    entry: ChronologyEntry | None = None,
) -> ChronologyEntry:
    """Adds an entry to the agency's chronology (or changes `entry`), while the submission is open."""
    if occurred_on > timezone.localdate():
        raise InformationRefused("The date of an event cannot be in the future.", field="occurred_on")
    with transaction.atomic():
        request = _locked_open(request)
        if entry is None:
            entry = ChronologyEntry(request=request, review_id=request.review_id, agency_id=request.agency_id)
        elif entry.request_id != request.pk:
            raise InformationRefused("That entry belongs to another request.")
        entry.occurred_on, entry.occurred_at = occurred_on, occurred_at
        entry.event, entry.source, entry.significance = event.strip(), source.strip(), significance
        entry.full_clean()
        entry.save()
    return entry


def chronology_entry_delete(*, request: InformationRequest, user, entry: ChronologyEntry) -> None:
    """Removes an entry from the agency's chronology while the submission is open."""
    with transaction.atomic():
        request = _locked_open(request)
        if entry.request_id != request.pk:
            raise InformationRefused("That entry belongs to another request.")
        entry.delete()


def information_report_store(*, request: InformationRequest, user, upload) -> InformationRequest:
    """Keeps the agency's document (an upload checked by the form: `scr_portal.uploads.named_upload`) in
    place of any before it, while the submission is open. The file is written before the transaction and
    removed again if it fails; the one it replaces is removed once the change is committed."""
    with files.removed_unless_recorded([]) as stored:
        stored.append(files.store(request, "report", upload, upload.display_name))
        with transaction.atomic():
            request = _locked_open(request)
            replaced = request.report.name
            request.report.name = stored[0]
            request.report_name = upload.display_name
            request.report_size = upload.size
            request.save(update_fields=["report", "report_name", "report_size"])
            if replaced:
                transaction.on_commit(lambda: files.remove([replaced]))
    return request


def information_submit(*, request: InformationRequest, user) -> InformationRequest:
    """Sends the submission to the business manager, which locks it: the chronology asked for needs at
    least one entry, and a report or records need the document."""
    with transaction.atomic():
        request = _locked_open(request)
        missing = []
        if request.wants_chronology and not request.entries.exists():
            missing.append("add at least one chronology entry")
        if (request.wants_report or request.wants_records) and not request.report:
            missing.append("upload the agency's document (its report or records)")
        if missing:
            raise InformationRefused(f"Before you submit, {' and '.join(missing)}.")
        request.status = Status.SUBMITTED
        request.submitted_at = timezone.now()
        request.save(update_fields=["status", "submitted_at"])
        review = request.review
        count = request.entries.count()
        timeline_add(
            review=review,
            user=user,
            title=f"{request.agency.name} submitted its information"[:200],
            body=f"{count} chronology entr{'ies' if count != 1 else 'y'}"
            + (f" and {request.report_name}" if request.report else "")
            + ".",
        )
        notifications.resolve(review=review, prefix=f"information:{request.pk}:")
        notifications.notify_roles(
            review,
            [Role.BUSINESS_MANAGER],
            actor=user,
            kind=Notification.Kind.ACTION_NEEDED,
            title=f"{review.reference}: {request.agency.name} submitted its information",
            body="Accept it, or send it back with the reason.",
            path=request_path(request),
            key=f"information:{request.pk}:submitted:{request.submitted_at:%Y%m%d%H%M%S}",
        )
    return request


def information_answer(
    *, request: InformationRequest, user, accept: bool, reason: str = ""
) -> InformationRequest:
    """The business manager accepts a submission, or sends it back with `reason` (which unlocks it for the
    author, who is told why)."""
    reason = reason.strip()
    if not accept and not reason:
        raise InformationRefused("Enter why the submission is sent back.", field="reason")
    with transaction.atomic():
        request = (
            InformationRequest.objects.select_for_update()
            .select_related("review", "agency", "author")
            .get(pk=request.pk)
        )
        review = request.review
        if not workflow.allows(review, workflow.INFORMATION_OPEN):
            raise InformationRefused(
                "The review is no longer in progress: submissions are no longer answered."
            )
        if request.status != Status.SUBMITTED:
            raise InformationRefused("Only a submission waiting for an answer can be accepted or sent back.")
        request.status = Status.ACCEPTED if accept else Status.RETURNED
        request.return_reason = "" if accept else reason
        request.answered_at, request.answered_by = timezone.now(), user
        request.save(update_fields=["status", "return_reason", "answered_at", "answered_by"])
        agency = request.agency.name
        timeline_add(
            review=review,
            user=user,
            title=f"{agency}'s information {'accepted' if accept else 'sent back'}"[:200],
            body="" if accept else reason,
        )
        notifications.resolve(review=review, prefix=f"information:{request.pk}:submitted")
        notifications.notify(
            review=review,
            recipients=[request.author],
            kind=Notification.Kind.INFORMATION if accept else Notification.Kind.ACTION_NEEDED,
            title=f"{review.reference}: {agency}'s information "
            + ("was accepted" if accept else "was sent back to you"),
            body="Thank you." if accept else f"Why: {reason} Change it, then submit it again.",
            path=request_path(request),
            key=f"information:{request.pk}:answered:{request.answered_at:%Y%m%d%H%M%S}",
        )
    return request


def information_reminders_send(today: date | None = None) -> int:
    """Daily: for each request still awaited (asked, or sent back) of a review in progress, reminds the
    author once when REMIND_WITHIN_WORKING_DAYS working days or fewer are left; once it is overdue, tells
    the author again and escalates to the board members who represent the agency on the lead board (once
    per due date). Notes the day on the request. Running it again the same day tells nobody twice.
    Returns how many people were told."""
    today = today or timezone.localdate()
    horizon = workdays.add_working_days(today, REMIND_WITHIN_WORKING_DAYS + 1)
    waiting = (
        InformationRequest.objects.filter(
            status__in=(Status.ASKED, Status.RETURNED),
            due_on__lt=horizon,
            review__state__in=workflow.states_allowing(workflow.INFORMATION_OPEN),
        )
        .select_related("review", "agency", "author")
        .order_by("due_on", "pk")
    )
    told = 0
    for request in waiting:
        review, agency = request.review, request.agency.name
        overdue = request.due_on < today
        phase = "overdue" if overdue else "soon"
        when = (
            f"was due on {long_date(request.due_on)}"
            if overdue
            else ("is due today" if request.due_on == today else f"is due by {long_date(request.due_on)}")
        )
        path = request_path(request)
        due_key = f"{request.due_on:%Y%m%d}"
        with transaction.atomic():
            created = notifications.notify(
                review=review,
                recipients=[request.author],
                kind=Notification.Kind.DEADLINE_PASSED if overdue else Notification.Kind.DEADLINE_APPROACHING,
                title=f"{review.reference}: {agency}'s information for the review {when}",
                body=f"The {review.words.body} is waiting for what it asked of {agency}: "
                f"{', '.join(request.asked_for)}. Add it and submit it on the request's page.",
                path=path,
                key=f"information:{request.pk}:reminder:{due_key}:{phase}",
            )
            updates = {"reminded_on": today} if created else {}
            if overdue:
                escalated = notifications.notify(
                    review=review,
                    recipients=access.agency_people_on_board(review.lead_board_id, request.agency_id),
                    kind=Notification.Kind.DEADLINE_PASSED,
                    title=f"{review.reference}: {agency}'s information for the review is overdue",
                    body=f"{request.author.get_full_name()} of {agency} was asked for "
                    f"{', '.join(request.asked_for)} by {long_date(request.due_on)} and has not submitted "
                    f"it. As {agency}'s representative on the {review.words.body}, please help it arrive.",
                    path=reverse("information_requests", args=[review.pk]),
                    key=f"information:{request.pk}:escalated:{due_key}",
                )
                if escalated:
                    updates["escalated_on"] = today
                created += escalated
            if updates:
                InformationRequest.objects.filter(pk=request.pk).update(**updates)
            told += len(created)
    return told


def information_notifications_sweep(today: date | None = None) -> int:
    """Periodic (registered with `notifications.add_sweep`): what asked for a submission no longer waiting
    (accepted, or its review no longer in progress) can no longer be acted on."""
    return notifications.resolve_settled(
        "information",
        lambda ids: (
            InformationRequest.objects.filter(pk__in=ids)
            .exclude(
                status__in=(Status.ASKED, Status.RETURNED, Status.SUBMITTED),
                review__state__in=workflow.states_allowing(workflow.INFORMATION_OPEN),
            )
            .values_list("pk", flat=True)
        ),
    )
