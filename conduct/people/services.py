"""Writes for practitioners' involvement (SCIE Quality Marker 11) and the family record (Quality Markers 4
and 12), and the daily reminders of practitioner briefings and feedback not yet recorded.

Each write locks the review, checks what must be true, changes, and (for practitioner events) records on
the review's timeline. The family record is restricted to the business manager and the lead reviewer, so
its writes record nothing on the timeline and tell nobody: everyone on the review reads the timeline."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from reviews import access, notifications, workflow
from reviews.models import Child, Notification, Review, Role
from reviews.services import review_lock, timeline_add
from scr_portal import workdays
from scr_portal.dates import long_date

from ..models import FamilyContact, FamilyMember, PractitionerAttendance, PractitionerEvent
from .selectors import agencies_of

BRIEF_WITHIN_WORKING_DAYS = 2  # the manager is reminded of a briefing not recorded this close to the event
FEEDBACK_AFTER_DAYS = 7  # and of feedback not recorded this long after it


class PeopleRefused(Exception):
    """The action cannot be taken now; the message says why in plain words. Nothing was changed. `field`
    names the form field the message belongs beside, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _open(review_pk: int, what: str) -> Review:
    review = review_lock(review_pk)
    if not workflow.allows(review, workflow.INFORMATION_OPEN):
        raise PeopleRefused(f"{what} only while the review is in progress.")
    return review


def _not_future(value: date | None, label: str, field: str) -> None:
    if value and value > timezone.localdate():
        raise PeopleRefused(f"The {label} cannot be in the future.", field=field)


# Practitioners ------------------------------------------------------------------------------------------


def event_path(review: Review) -> str:
    return reverse("practitioners", args=[review.pk])


def practitioner_event_save(
    *,
    review: Review,
    user,
    kind: str,
    purpose: str,
    held_on: date,
    briefed_on: date | None,
    support_offered: str,
    feedback: str,
    feedback_on: date | None,
    attendance: dict[int, tuple[int, int]],
    event: PractitionerEvent | None = None,
) -> PractitionerEvent:
    """Records a practitioner event or interview (or changes `event`): its purpose and date, the briefing,
    the support offered, the feedback after, and per agency (`attendance`: agency id -> (invited,
    attended)) how many practitioners were invited and came. Nothing personal beyond agency."""
    if not purpose.strip():
        raise PeopleRefused("Enter the purpose of the event.", field="purpose")
    if briefed_on and briefed_on > held_on:
        raise PeopleRefused("The briefing is given on or before the day of the event.", field="briefed_on")
    _not_future(briefed_on, "date of the briefing", "briefed_on")
    if feedback_on and feedback_on < held_on:
        raise PeopleRefused("Feedback is given on or after the day of the event.", field="feedback_on")
    _not_future(feedback_on, "date of the feedback", "feedback_on")
    if feedback.strip() and not feedback_on:
        raise PeopleRefused("Enter the date the feedback was given.", field="feedback_on")
    for invited, attended in attendance.values():
        if invited < 0 or attended < 0:
            raise PeopleRefused("Enter numbers of practitioners of 0 or more.", field="attendance")
        if attended > invited:
            raise PeopleRefused("More practitioners cannot attend than were invited.", field="attendance")
    if attendance and held_on > timezone.localdate() and any(a for _, a in attendance.values()):
        raise PeopleRefused(
            "Nobody can have attended an event that has not happened yet.", field="attendance"
        )
    with transaction.atomic():
        review = _open(review.pk, "Practitioner events are recorded")
        known = set(agencies_of(review).values_list("pk", flat=True))
        if set(attendance) - known:
            raise PeopleRefused(f"Count only the agencies of the {review.words.body}.", field="attendance")
        creating = event is None
        if creating:
            event = PractitionerEvent(review=review, recorded_by=user)
        elif event.review_id != review.pk:
            raise PeopleRefused("That event belongs to another review.")
        event.kind, event.purpose, event.held_on = kind, purpose.strip(), held_on
        event.briefed_on, event.support_offered = briefed_on, support_offered.strip()
        event.feedback, event.feedback_on = feedback.strip(), feedback_on
        event.full_clean(exclude=["review", "recorded_by"])
        event.save()
        for agency_id, (invited, attended) in attendance.items():
            if invited or attended:
                PractitionerAttendance.objects.update_or_create(
                    event=event, agency_id=agency_id, defaults={"invited": invited, "attended": attended}
                )
            else:
                PractitionerAttendance.objects.filter(event=event, agency_id=agency_id).delete()
        what = event.get_kind_display().lower()
        timeline_add(
            review=review,
            user=user,
            title=f"Practitioner {what} {'recorded' if creating else 'updated'}: {long_date(held_on)}"[:200],
            body=event.purpose,
        )
        if event.briefed_on:
            notifications.resolve(review=review, prefix=f"practitioners:{event.pk}:briefing")
        if event.feedback:
            notifications.resolve(review=review, prefix=f"practitioners:{event.pk}:feedback")
    return event


def practitioner_reminders_send(today: date | None = None) -> int:
    """Daily: for each practitioner event of a review in progress, reminds the lead board's business
    manager once of an event within BRIEF_WITHIN_WORKING_DAYS working days whose briefing is not recorded,
    and once of an event held FEEDBACK_AFTER_DAYS days ago or more whose feedback is not recorded. Notes
    the day on the event. Running it again tells nobody twice. Returns how many people were told."""
    today = today or timezone.localdate()
    horizon = workdays.add_working_days(today, BRIEF_WITHIN_WORKING_DAYS + 1)
    open_states = workflow.states_allowing(workflow.INFORMATION_OPEN)
    events = (
        PractitionerEvent.objects.filter(review__state__in=open_states)
        .filter(
            # a briefing due soon and not recorded, or feedback late
            Q(briefed_on__isnull=True, held_on__gte=today, held_on__lt=horizon)
            | Q(feedback="", held_on__lte=today - timedelta(days=FEEDBACK_AFTER_DAYS))
        )
        .select_related("review")
        .order_by("held_on", "pk")
    )
    told = 0
    for event in events:
        review = event.review
        managers = access.people_on_board(review.lead_board_id, [Role.BUSINESS_MANAGER])
        what = event.get_kind_display().lower()
        with transaction.atomic():
            if event.briefed_on is None and today <= event.held_on < horizon:
                created = notifications.notify(
                    review=review,
                    recipients=managers,
                    kind=Notification.Kind.ACTION_NEEDED,
                    title=f"{review.reference}: practitioners' briefing for the {what} on "
                    f"{long_date(event.held_on)} is not recorded",
                    body="Brief the practitioners invited before the day (what the review is, what will "
                    "happen, the support offered), then record the briefing on the practitioners page.",
                    path=event_path(review),
                    key=f"practitioners:{event.pk}:briefing:{event.held_on:%Y%m%d}",
                )
                if created:
                    event.briefing_reminded_on = today
                    event.save(update_fields=["briefing_reminded_on"])
                    told += len(created)
            if not event.feedback.strip() and event.held_on <= today - timedelta(days=FEEDBACK_AFTER_DAYS):
                created = notifications.notify(
                    review=review,
                    recipients=managers,
                    kind=Notification.Kind.ACTION_NEEDED,
                    title=f"{review.reference}: feedback to practitioners after the {what} on "
                    f"{long_date(event.held_on)} is not recorded",
                    body="Tell the practitioners what the review made of what they said, then record the "
                    "feedback on the practitioners page.",
                    path=event_path(review),
                    key=f"practitioners:{event.pk}:feedback:{event.held_on:%Y%m%d}",
                )
                if created:
                    event.feedback_reminded_on = today
                    event.save(update_fields=["feedback_reminded_on"])
                    told += len(created)
    return told


# The family ---------------------------------------------------------------------------------------------


def family_member_save(
    *,
    review: Review,
    user,
    real_name: str,
    pseudonym: str,
    relationship: str,
    child: Child | None,
    told_on: date | None,
    told_by: str,
    told_how: str,
    support_offered: str,
    consent: str,
    influence: str,
    saw_draft_on: date | None,
    draft_comments: str,
    not_involved_reason: str,
    member: FamilyMember | None = None,
) -> FamilyMember:
    """Adds a family member to the restricted family record (or changes `member`)."""
    real_name, pseudonym = real_name.strip(), pseudonym.strip()
    if not real_name:
        raise PeopleRefused("Enter their real name.", field="real_name")
    if not pseudonym:
        raise PeopleRefused("Enter the pseudonym the report uses for them.", field="pseudonym")
    if pseudonym.casefold() == real_name.casefold():
        raise PeopleRefused("The pseudonym must not be their real name.", field="pseudonym")
    _not_future(told_on, "date they were told", "told_on")
    _not_future(saw_draft_on, "date they saw the draft", "saw_draft_on")
    if told_on and not told_how:
        raise PeopleRefused("Choose how they were told.", field="told_how")
    if draft_comments.strip() and not saw_draft_on:
        raise PeopleRefused("Enter the date they saw the draft.", field="saw_draft_on")
    with transaction.atomic():
        review = _open(review.pk, "The family record is kept")
        if child is not None and child.review_id != review.pk:
            raise PeopleRefused("Choose one of the review's children.", field="child")
        if member is None:
            member = FamilyMember(review=review)
        elif member.review_id != review.pk:
            raise PeopleRefused("That family member belongs to another review.")
        taken = FamilyMember.objects.filter(review=review, pseudonym__iexact=pseudonym)
        if member.pk:
            taken = taken.exclude(pk=member.pk)
        if taken.exists():
            raise PeopleRefused("Another family member has that pseudonym.", field="pseudonym")
        member.real_name, member.pseudonym, member.relationship = real_name, pseudonym, relationship.strip()
        member.child = child
        member.told_on, member.told_by, member.told_how = told_on, told_by.strip(), told_how
        member.support_offered, member.consent = support_offered.strip(), consent
        member.influence = influence.strip()
        member.saw_draft_on, member.draft_comments = saw_draft_on, draft_comments.strip()
        member.not_involved_reason = not_involved_reason.strip()
        try:
            with transaction.atomic():
                member.save()
        except IntegrityError as error:
            raise PeopleRefused("Another family member has that pseudonym.", field="pseudonym") from error
    return member


def family_contact_add(
    *, member: FamilyMember, user, contacted_on: date, method: str, outcome: str, views: str
) -> FamilyContact:
    """Records a contact with (or an attempt to reach) a family member, and the views they gave."""
    _not_future(contacted_on, "date of the contact", "contacted_on")
    if views.strip() and outcome == FamilyContact.Outcome.NO_REPLY:
        raise PeopleRefused("A contact with no reply has no views to record.", field="views")
    with transaction.atomic():
        review = _open(member.review_id, "The family record is kept")
        contact = FamilyContact(
            member=member,
            review=review,
            contacted_on=contacted_on,
            method=method,
            outcome=outcome,
            views=views.strip(),
            recorded_by=user,
        )
        contact.full_clean(exclude=["member", "review", "recorded_by"])
        contact.save()
    return contact


def practitioner_notifications_sweep(today: date | None = None) -> int:
    """Periodic (registered with `notifications.add_sweep`): a reminder about an event of a review no
    longer in progress can no longer be acted on."""
    return notifications.resolve_settled(
        "practitioners",
        lambda ids: (
            PractitionerEvent.objects.filter(pk__in=ids)
            .exclude(review__state__in=workflow.states_allowing(workflow.INFORMATION_OPEN))
            .values_list("pk", flat=True)
        ),
    )
