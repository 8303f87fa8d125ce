"""Writes for the report (SCIE Quality Marker 14): the lead reviewer's drafts, the factual-accuracy round
with agencies and how each comment was dealt with, the panel's quality assurance, the family's feedback,
and acceptance of the final version, which takes the lifecycle's "receive_report" step with the accepted
draft as the final report. Each write locks the review, checks, changes, notes the timeline and tells
people once the transaction commits."""

from __future__ import annotations

from datetime import date

from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from reviews import access, notifications, workflow
from reviews.models import Agency, Notification, Review, Role
from reviews.services import TransitionRefused, review_lock, review_transition, timeline_add
from scr_portal import files, workdays
from scr_portal.dates import long_date

from ..models import AccuracyCheck, AccuracyComment, DraftAssurance, DraftFamilyFeedback, ReportDraft
from . import names

REMIND_WITHIN_WORKING_DAYS = 2


class ReportRefused(Exception):
    """The action cannot be taken now; the message says why. Nothing was changed. `field` names the form
    field the message belongs beside, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def report_path(review: Review | int) -> str:
    return reverse("report", args=[getattr(review, "pk", review)])


def _drafting(review_id: int) -> Review:
    """The review, locked, refused unless its report is still being drafted."""
    review = review_lock(review_id)
    if not workflow.allows(review, workflow.REPORT_DRAFTING):
        raise ReportRefused("The review is no longer in progress: its report's drafts cannot change.")
    if review.report_drafts.filter(accepted_at__isnull=False).exists():
        raise ReportRefused("The final report has been accepted: its drafts cannot change.")
    return review


def _draft_of(review: Review, draft: ReportDraft) -> ReportDraft:
    locked = ReportDraft.objects.select_for_update().get(pk=draft.pk)
    if locked.review_id != review.pk:
        raise ReportRefused("That draft belongs to another review.")
    return locked


# Drafts ------------------------------------------------------------------------------------------------


def draft_add(*, review: Review, user, upload, notes: str) -> ReportDraft:
    """Keeps a new version of the report (an upload checked by the form: `scr_portal.uploads.named_upload`),
    numbered after the last; tells the business manager."""
    with files.removed_unless_recorded([]) as stored:
        stored.append(files.store(ReportDraft(review=review), "file", upload, upload.display_name))
        with transaction.atomic():
            review = _drafting(review.pk)
            last = review.report_drafts.aggregate(last=Max("version"))["last"] or 0
            draft = ReportDraft(
                review=review,
                version=last + 1,
                file_name=upload.display_name,
                file_size=upload.size,
                notes=notes.strip(),
                uploaded_by=user,
            )
            draft.file.name = stored[0]
            draft.save()
            timeline_add(
                review=review,
                user=user,
                title=f"Draft {draft.version} of the report added",
                body=draft.notes,
            )
            notifications.notify_roles(
                review,
                [Role.BUSINESS_MANAGER],
                actor=user,
                kind=Notification.Kind.INFORMATION,
                title=f"{review.reference}: draft {draft.version} of the report is in",
                body="Send it to agencies to check its facts, and for quality assurance.",
                path=report_path(review),
                key=f"report:{draft.pk}:added",
            )
    return draft


# The factual-accuracy round ----------------------------------------------------------------------------


def check_key(check: AccuracyCheck) -> str:
    return f"report:check:{check.pk}:"


def accuracy_checks_send(
    *, review: Review, user, draft: ReportDraft, agencies: list[Agency], due_on: date
) -> list[AccuracyCheck]:
    """Sends the draft to each of `agencies` (of the lead board) to check its facts by `due_on`; tells the
    people who represent each agency on the lead board. An agency already asked about this draft is not
    asked twice."""
    if due_on < timezone.localdate():
        raise ReportRefused("The date replies are due cannot be in the past.", field="due_on")
    if not agencies:
        raise ReportRefused("Choose at least one agency.", field="agencies")
    made: list[AccuracyCheck] = []
    with transaction.atomic():
        review = _drafting(review.pk)
        draft = _draft_of(review, draft)
        board_agencies = set(Agency.objects.filter(boards=review.lead_board_id).values_list("pk", flat=True))
        asked = set(draft.accuracy_checks.values_list("agency_id", flat=True))
        for agency in agencies:
            if agency.pk not in board_agencies:
                raise ReportRefused(f"{agency.name} is not an agency of the {review.words.body}.", "agencies")
            if agency.pk in asked:
                continue
            check = AccuracyCheck(draft=draft, review=review, agency=agency, due_on=due_on, asked_by=user)
            check.full_clean()
            check.save()
            made.append(check)
            notifications.notify(
                review=review,
                recipients=access.agency_people_on_board(review.lead_board_id, agency.pk),
                kind=Notification.Kind.ACTION_NEEDED,
                title=f"{review.reference}: check the facts of draft {draft.version} of the report for "
                f"{agency.name} by {long_date(due_on)}",
                body="Read the draft and say, section by section or page by page, what is not accurate; "
                "or say that the agency has no comments.",
                path=report_path(review),
                key=check_key(check) + "asked",
            )
        if made:
            timeline_add(
                review=review,
                user=user,
                title=f"Draft {draft.version} sent to agencies to check its facts",
                body=f"{', '.join(c.agency.name for c in made)}; replies due by {long_date(due_on)}.",
            )
    return made


def accuracy_reply(
    *, check: AccuracyCheck, user, comments: list[tuple[str, str]], no_comments: bool
) -> AccuracyCheck:
    """The agency's reply: its comments (section or page, comment) or that it has none. Replied once; tells
    the lead reviewer."""
    comments = [(w.strip(), c.strip()) for w, c in comments if w.strip() or c.strip()]
    if no_comments and comments:
        raise ReportRefused("Either give comments or say the agency has none, not both.", field="no_comments")
    if not no_comments and not comments:
        raise ReportRefused("Add a comment, or say the agency has no comments.", field="no_comments")
    for where, comment in comments:
        if not where or not comment:
            raise ReportRefused("Each comment needs both its section or page and what it says.")
    with transaction.atomic():
        review = _drafting(check.review_id)
        check = AccuracyCheck.objects.select_for_update().select_related("draft", "agency").get(pk=check.pk)
        if check.replied:
            raise ReportRefused(f"{check.agency.name} has already replied.")
        for where, comment in comments:
            AccuracyComment.objects.create(check_request=check, where=where[:100], comment=comment)
        check.no_comments = no_comments
        check.replied_at, check.replied_by = timezone.now(), user
        check.save(update_fields=["no_comments", "replied_at", "replied_by"])
        said = "no comments" if no_comments else f"{len(comments)} comment{'s' if len(comments) != 1 else ''}"
        timeline_add(
            review=review,
            user=user,
            title=f"{check.agency.name} checked draft {check.draft.version}: {said}"[:200],
        )
        notifications.resolve(review=review, prefix=check_key(check))
        notifications.notify_roles(
            review,
            [Role.LEAD_REVIEWER],
            actor=user,
            kind=Notification.Kind.ACTION_NEEDED if comments else Notification.Kind.INFORMATION,
            title=f"{review.reference}: {check.agency.name} replied on draft {check.draft.version}: {said}",
            body="Record how each comment was dealt with." if comments else "Nothing to deal with.",
            path=report_path(review),
            key=check_key(check) + "replied",
        )
    return check


def comment_respond(*, comment: AccuracyComment, user, response: str) -> AccuracyComment:
    """The lead reviewer records how an agency's comment was dealt with (changed again as it may be)."""
    response = response.strip()
    if not response:
        raise ReportRefused("Enter how the comment was dealt with.", field="response")
    with transaction.atomic():
        review = _drafting(comment.check_request.review_id)
        comment = AccuracyComment.objects.select_for_update().get(pk=comment.pk)
        comment.response, comment.responded_by, comment.responded_at = response, user, timezone.now()
        comment.save(update_fields=["response", "responded_by", "responded_at"])
        check = comment.check_request
        if not check.comments.filter(response="").exists():
            notifications.resolve(review=review, prefix=check_key(check) + "replied")
    return comment


def accuracy_reminders_send(today: date | None = None) -> int:
    """Daily: tells the people of each agency whose reply is due within REMIND_WITHIN_WORKING_DAYS working
    days, and again once it is overdue (once per phase). Returns how many people were told."""
    today = today or timezone.localdate()
    horizon = workdays.add_working_days(today, REMIND_WITHIN_WORKING_DAYS + 1)
    waiting = (
        AccuracyCheck.objects.filter(
            replied_at__isnull=True,
            due_on__lt=horizon,
            draft__accepted_at__isnull=True,
            review__state__in=workflow.states_allowing(workflow.REPORT_DRAFTING),
        )
        .select_related("review", "agency", "draft")
        .order_by("due_on", "pk")
    )
    told = 0
    for check in waiting:
        review = check.review
        overdue = check.due_on < today
        when = f"was due on {long_date(check.due_on)}" if overdue else f"is due by {long_date(check.due_on)}"
        with transaction.atomic():
            created = notifications.notify(
                review=review,
                recipients=access.agency_people_on_board(review.lead_board_id, check.agency_id),
                kind=Notification.Kind.DEADLINE_PASSED if overdue else Notification.Kind.DEADLINE_APPROACHING,
                title=f"{review.reference}: {check.agency.name}'s check of draft {check.draft.version} {when}",
                body="Give the agency's comments on the draft's facts, or say it has none.",
                path=report_path(review),
                key=check_key(check) + f"reminder:{check.due_on:%Y%m%d}:{'overdue' if overdue else 'soon'}",
            )
            if created:
                AccuracyCheck.objects.filter(pk=check.pk).update(reminded_on=today)
            told += len(created)
    return told


# Quality assurance and the family ----------------------------------------------------------------------


def assurance_record(
    *,
    review: Review,
    user,
    draft: ReportDraft,
    assured_by: str,
    assured_on: date,
    outcome: str,
    comments: str,
) -> DraftAssurance:
    """Records the panel's quality assurance of a draft: who, when, the outcome and comments."""
    if assured_on > timezone.localdate():
        raise ReportRefused("The date of the quality assurance cannot be in the future.", field="assured_on")
    with transaction.atomic():
        review = _drafting(review.pk)
        draft = _draft_of(review, draft)
        made = DraftAssurance(
            draft=draft,
            assured_by=assured_by.strip(),
            assured_on=assured_on,
            outcome=outcome,
            comments=comments.strip(),
            recorded_by=user,
        )
        made.full_clean()
        made.save()
        timeline_add(
            review=review,
            user=user,
            title=f"Draft {draft.version} quality-assured: {made.get_outcome_display()}"[:200],
            body=made.comments,
        )
    return made


def family_feedback_record(
    *, review: Review, user, draft: ReportDraft, seen_on: date, said: str
) -> DraftFamilyFeedback:
    """Records that the family saw a draft on `seen_on` and what they said."""
    if seen_on > timezone.localdate():
        raise ReportRefused("The date the family saw the draft cannot be in the future.", field="seen_on")
    if not said.strip():
        raise ReportRefused("Enter what the family said.", field="said")
    with transaction.atomic():
        review = _drafting(review.pk)
        draft = _draft_of(review, draft)
        made = DraftFamilyFeedback.objects.create(
            draft=draft, seen_on=seen_on, said=said.strip(), recorded_by=user
        )
        timeline_add(review=review, user=user, title=f"The family's view of draft {draft.version} recorded")
    return made


# Acceptance -------------------------------------------------------------------------------------------


def names_problem(draft: ReportDraft, review: Review) -> str:
    """Why the draft fails the names check ("" when it passes): a family member's real name in its text."""
    family = names.names_to_check(review)
    if not family:
        return ""
    try:
        text = names.draft_text(draft)
    except ValueError as error:
        return f"{error} Upload it again as a PDF or Word document."
    named = names.named_members(text, family)
    if named:
        return (
            "The draft names the family: it uses the real name of "
            + ", ".join(f"“{n}”" for n in named)
            + ". Use their pseudonyms, then add the corrected version."
        )
    return ""


def assurance_problem(draft: ReportDraft, review: Review) -> str:
    """Why the draft may not be accepted yet for want of quality assurance ("" when it may): its latest
    quality assurance must find it ready to accept (the arrangements the {body} set at the start)."""
    latest = draft.assurances.order_by("-assured_on", "-pk").first()
    if latest is None:
        return (
            f"Draft {draft.version} has not been quality-assured: record the {review.words.body}'s quality "
            "assurance on the report's page first."
        )
    if latest.outcome != DraftAssurance.Outcome.ASSURED:
        return (
            f"The latest quality assurance of draft {draft.version} asked for changes: add a new draft, or "
            "record a quality assurance that finds it ready to accept."
        )
    return ""


def draft_accept(*, review: Review, user, draft: ReportDraft, received_on: date, note: str = "") -> Review:
    """The accountable people (the chair; a partnership's statutory partners) accept the latest draft as
    the final report: it must pass the names check; the lifecycle's "receive_report" step then records it
    as the review's final report, received on `received_on`, and moves the review on."""
    if received_on > timezone.localdate():
        raise ReportRefused("The date the report was received cannot be in the future.", field="received_on")
    if not access.roles_running(user, review) & workflow.accepts_report(review):
        raise ReportRefused(f"Only the {review.words.accountable} can accept the final report.")
    problem = names_problem(draft, review)  # read before any lock: a long document takes a while
    if problem:
        raise ReportRefused(problem)
    with transaction.atomic():
        review = _drafting(review.pk)
        draft = _draft_of(review, draft)
        latest = review.report_drafts.aggregate(last=Max("version"))["last"]
        if draft.version != latest:
            raise ReportRefused(f"Only the latest draft (version {latest}) can be accepted.")
        problem = assurance_problem(draft, review)
        if problem:
            raise ReportRefused(problem)
        draft.accepted_at, draft.accepted_by = timezone.now(), user
        draft.save(update_fields=["accepted_at", "accepted_by"])
        try:
            handle = draft.file.open("rb")
        except OSError as error:
            raise ReportRefused("The draft's file cannot be read: add it again as a new version.") from error
        with handle:
            copy = File(handle, name=draft.file_name)
            copy.display_name = draft.file_name
            try:
                review = review_transition(
                    review_id=review.pk,
                    name="receive_report",
                    user=user,
                    data={
                        "final_report": copy,
                        "report_received_on": received_on,
                        "note": note.strip() or f"Draft {draft.version} accepted as the final report.",
                    },
                )
            except TransitionRefused as refusal:
                raise ReportRefused(str(refusal)) from refusal
        notifications.resolve(review=review, prefix="report:")
    return review


def drafts_need_acceptance(review: Review) -> list[str]:
    """The guard conduct adds to the "receive_report" step: once a review has drafts of its report, the
    final report is recorded by accepting one, never by a separate upload."""
    drafts = review.report_drafts.all()
    if drafts.exists() and not drafts.filter(accepted_at__isnull=False).exists():
        return [f"The final draft is accepted by the {review.words.accountable} on the report's page."]
    return []
