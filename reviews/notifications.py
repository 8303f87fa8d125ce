"""Notifications: who is told what, in the portal and by email. Recipients are always limited to people
who may see the review, checked at the query, so nobody is ever told about a review outside their boards."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from scr_portal import outbox, workdays

from . import access, clocks, workflow
from .models import AgencySummary, Notification, Regime, Review, Role

User = get_user_model()
REMINDER_WORKING_DAYS = 5  # remind this many working days before a deadline
SUMMARY_REMINDER_WORKING_DAYS = 2  # remind an agency of its rapid review summary this close to its date
_muted: ContextVar[bool] = ContextVar("notifications_muted", default=False)


def is_muted() -> bool:
    return _muted.get()


@contextmanager
def muted():
    """For loading demo data: within this block stage changes notify nobody, and other notifications are
    recorded in the portal but emailed to nobody (no one is told by email about a made-up past)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def notify(
    *, review: Review | None, recipients, kind: str, title: str, body: str, path: str, key: str
) -> list[Notification]:
    """Creates one notification per recipient who may see the review (once per `key`), and emails those who
    want emails at once, after the transaction commits."""
    people = list(recipients)
    if review is not None:
        # Everyone who may see the review holds a board role on one of its boards or a current appointment:
        # the rule of Review.objects.visible_to, asked once for all recipients rather than once each.
        may_see = access.people_who_may_see(review).filter(pk__in=[u.pk for u in people])
        visible = set(may_see.values_list("pk", flat=True))
        if any(
            u.pk not in visible for u in people
        ):  # told without seeing it (an action owner)? Asked only then.
            visible |= set(access.people_told_about(review))
        people = [u for u in people if u.pk in visible]
    if not people:
        return []
    already = set(
        Notification.objects.filter(key=key, recipient__in=people).values_list("recipient_id", flat=True)
    )
    fresh = [
        Notification(
            recipient=u, review=review, kind=kind, title=title[:200], body=body, path=path, key=key[:200]
        )
        for u in people
        if u.pk not in already
    ]
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    created = list(
        Notification.objects.filter(
            key=key[:200], recipient__in=[n.recipient for n in fresh], emailed_at__isnull=True
        ).select_related("recipient")
    )
    if is_muted():  # loading demo data: shown in the portal, emailed to nobody
        Notification.objects.filter(pk__in=[n.pk for n in created]).update(emailed_at=timezone.now())
        return created
    immediate = [n.pk for n in created if n.recipient.email_frequency == User.EmailFrequency.IMMEDIATE]
    if immediate:
        # If the broker is away they stay unsent (emailed_at empty) for `email_pending`: nothing is lost.
        transaction.on_commit(
            lambda: outbox.send("reviews.send_notification_emails", immediate, delayed=outbox.EMAIL_DELAYED)
        )
    return created


def notify_roles(
    review: Review, roles, *, actor=None, kind: str, title: str, body: str, path: str, key: str
) -> list[Notification]:
    """notify() everyone holding one of `roles` on the review, except the `actor` whose step it is about."""
    recipients = access.people_on_review(review, roles)
    if actor is not None:
        recipients = recipients.exclude(pk=actor.pk)
    return notify(review=review, recipients=recipients, kind=kind, title=title, body=body, path=path, key=key)


def absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def still_may_know(note: Notification) -> bool:
    """Checked again when sending: someone who has left the board since, or was deactivated, is not told."""
    if not note.recipient.is_active:
        return False
    if note.review_id is None or access.may_see_review(note.recipient, note.review_id):
        return True
    told = access.told_about(note.recipient)
    return told is not None and Notification.objects.filter(told, pk=note.pk).exists()


def message_id(note: Notification) -> str:
    """The same Message-ID every time this notification is emailed, so that in the one case where it can
    be sent twice (a worker killed after the mail server took it but before emailed_at was committed) mail
    systems that drop duplicate Message-IDs show it once."""
    host = urlsplit(settings.PORTAL_BASE_URL).hostname or "scr-portal.localhost"
    return f"<notification.{note.pk}.{note.created_at:%Y%m%d%H%M%S}@{host}>"


def email_notifications(ids: list[int]) -> int:
    """Sends each not-yet-emailed notification, holding its row locked until emailed_at is committed, so
    concurrent or repeated runs send it once. Only a worker killed between the mail server accepting the
    email and that commit leaves it unmarked, to be sent again (with the same Message-ID)."""
    sent = 0
    for note in Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).select_related("recipient"):
        with transaction.atomic():
            locked = (
                Notification.objects.select_for_update().filter(pk=note.pk, emailed_at__isnull=True).first()
            )
            if locked is None:
                continue
            if not still_may_know(note):
                locked.emailed_at = timezone.now()  # settled: never sent, never retried
                locked.save(update_fields=["emailed_at"])
                continue
            body = render_to_string(
                "reviews/email/notification.txt", {"note": note, "url": absolute(note.path)}
            )
            email = EmailMessage(
                f"SCR Portal: {note.title}",
                body,
                None,
                [note.recipient.email],
                headers={"Message-ID": message_id(note)},
            )
            email.send()
            locked.emailed_at = timezone.now()
            locked.save(update_fields=["emailed_at"])
            sent += 1
    return sent


# An immediate email still unsent after this long missed its task (the broker was away): catch it up.
PENDING_AFTER = timedelta(minutes=1)
PENDING_BATCH = 500  # per run; the next run takes the rest


def email_pending(now=None) -> int:
    """Sends the immediate emails whose task never ran (the broker was away, or the message was lost):
    periodic, and safe to run at any time, as `email_notifications` sends each notification once. People
    who chose a daily summary are left to the digest."""
    now = now or timezone.now()
    ids = list(
        Notification.objects.filter(
            emailed_at__isnull=True,
            created_at__lt=now - PENDING_AFTER,
            recipient__email_frequency=User.EmailFrequency.IMMEDIATE,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:PENDING_BATCH]
    )
    return email_notifications(ids) if ids else 0


def email_digests() -> int:
    """One summary email per person of everything not yet emailed (daily-digest people, and anything an
    immediate email could not be queued for)."""
    sent = 0
    pending = (
        Notification.objects.filter(emailed_at__isnull=True).values_list("recipient_id", flat=True).distinct()
    )
    for user in User.objects.filter(pk__in=pending, is_active=True):
        with transaction.atomic():
            pending = list(
                Notification.objects.select_for_update()
                .filter(recipient=user, emailed_at__isnull=True)
                .select_related("recipient")
                .order_by("created_at")
            )
            notes = [n for n in pending if still_may_know(n)]
            if not notes:
                Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
                continue
            body = render_to_string(
                "reviews/email/digest.txt",
                {
                    "user": user,
                    "notes": [(n, absolute(n.path)) for n in notes],
                    "all_url": absolute(reverse("notification_list")),
                },
            )
            send_mail(
                f"SCR Portal: {len(notes)} update{'s' if len(notes) != 1 else ''}", body, None, [user.email]
            )
            Notification.objects.filter(pk__in=[n.pk for n in notes]).update(emailed_at=timezone.now())
            sent += 1
    return sent


def notify_stage_reached(review: Review, actor=None) -> None:
    """Tells the people who must act at the review's new stage (not the person who moved it there)."""
    roles = workflow.actors(review)
    if not roles:
        return
    who, what = workflow.next_step(review)
    notify_roles(
        review,
        roles,
        actor=actor,
        kind=Notification.Kind.ACTION_NEEDED,
        title=f"{review.reference} is at the {review.stage_label.lower()} stage",
        body=f"{who}: {what}",
        path=reverse("review_detail", args=[review.pk]),
        key=f"stage:{review.pk}:{review.state}:{review.state_changed_at:%Y%m%d%H%M%S}",
    )


def send_deadline_reminders(today=None) -> int:
    """Daily: reminds business managers and chairs of each open review whose next deadline is within
    REMINDER_WORKING_DAYS working days or has passed. Each reminder is created once per person."""
    today = today or timezone.localdate()
    horizon = workdays.add_working_days(today, REMINDER_WORKING_DAYS)
    created = 0
    due = Review.objects.filter(due_on__isnull=False, due_on__lte=horizon).select_related("lead_board")
    # An open review's clocks, and a notice still owed once a review has ended (clocks.RUN_AFTER_THE_END).
    running = Q(state__in=workflow.states_allowing(workflow.DEADLINES_RUN)) | Q(
        due_kind__in=clocks.RUN_AFTER_THE_END
    )
    for review in due.filter(running):
        passed = review.due_on < today
        label = review.due_on.strftime("%-d %B %Y")
        clock = workdays.clock(review.due_on, today)
        created += len(
            notify(
                review=review,
                recipients=access.people_on_review(
                    review, (Role.BUSINESS_MANAGER, *workflow.table(review).signers)
                ),
                kind=Notification.Kind.DEADLINE_PASSED if passed else Notification.Kind.DEADLINE_APPROACHING,
                title=f"{review.reference}: deadline {'passed' if passed else 'approaching'} ({label})",
                body=f"{clock.label}. See the review's timescales.",
                path=reverse("review_detail", args=[review.pk]),
                key=f"deadline:{review.pk}:{review.due_kind}:{review.due_on:%Y%m%d}:{'passed' if passed else 'soon'}",
            )
        )
    return created


def send_summary_reminders(today=None) -> int:
    """Daily: reminds the people of each agency whose summary for a rapid review still open is awaited and
    due within SUMMARY_REMINDER_WORKING_DAYS working days (once), or overdue (once more), and notes the day
    on the summary. Running it again the same day reminds nobody twice. Returns how many were told."""
    today = today or timezone.localdate()
    # Due dates with at most 2 working days left are exactly those before the 3rd working day from today.
    horizon = workdays.add_working_days(today, SUMMARY_REMINDER_WORKING_DAYS + 1)
    waiting = (
        AgencySummary.objects.filter(
            received_on__isnull=True,
            due_on__lt=horizon,
            review__state__in=workflow.states_allowing(workflow.RAPID_REVIEW_OPEN),
            review__regime=Regime.PRACTICE_REVIEW,
        )
        .select_related("agency", "review")
        .order_by("due_on", "pk")
    )
    told = 0
    for summary in waiting:
        review = summary.review
        passed = summary.due_on < today
        phase = "overdue" if passed else "soon"
        when = (
            f"was due on {summary.due_on.day} {summary.due_on:%B %Y}"
            if passed
            else (
                "is due today"
                if summary.due_on == today
                else f"is due by {summary.due_on.day} {summary.due_on:%B %Y}"
            )
        )
        with transaction.atomic():
            created = notify(
                review=review,
                recipients=access.agency_people_on_board(review.lead_board_id, summary.agency_id),
                kind=Notification.Kind.DEADLINE_PASSED if passed else Notification.Kind.DEADLINE_APPROACHING,
                title=f"{review.reference}: {summary.agency.name}'s summary for the rapid review {when}",
                body=f"The {review.words.body} is waiting for your agency's summary of its involvement with "
                "the child and family. Record it on the rapid review page, or send it to the business manager.",
                path=reverse("rapid_review", args=[review.pk]),
                key=f"summary:{summary.pk}:reminder:{summary.due_on:%Y%m%d}:{phase}",
            )
            if created:
                AgencySummary.objects.filter(pk=summary.pk).update(reminded_on=today)
                told += len(created)
    return told


# Resolving: an "action needed" notification is marked done once its action is done or no longer possible.


def resolve(*, review: Review | int, keys=(), prefix: str = "", recipient=None, every: bool = False) -> int:
    """Marks done the review's unresolved "action needed" notifications whose key is one of `keys` or starts
    with `prefix`, or all of them with `every` (only `recipient`'s when given). Called by the service that does the action or makes it
    impossible, inside its transaction, so the notification and the action change together."""
    review_id = review if isinstance(review, int) else review.pk
    match = Q() if every else Q(pk__in=[])
    if keys:
        match |= Q(key__in=[k[:200] for k in keys])
    if prefix:
        match |= Q(key__startswith=prefix)
    rows = Notification.objects.filter(
        match, review_id=review_id, kind=Notification.Kind.ACTION_NEEDED, resolved_at__isnull=True
    )
    if recipient is not None:
        rows = rows.filter(recipient=recipient)
    return rows.update(resolved_at=timezone.now())


def stage_prefix(review: Review) -> str:
    """The start of the keys of the notices `notify_stage_reached` sends about the review's stages."""
    return f"stage:{review.pk}:"


def resolve_on_review_change(review: Review) -> int:
    """The review moved on: what its earlier stage asked of people is done, and on a closed review nothing
    is asked of anyone any longer."""
    if not workflow.allows(review, workflow.OPEN):
        return resolve(review=review, every=True)
    return resolve(review=review, prefix=stage_prefix(review))


# The apps' own sweeps (each resolves what only it knows became impossible), added by their ready().
_sweeps: list[Callable[[], int]] = []


def add_sweep(sweep: Callable[[], int]) -> None:
    if sweep not in _sweeps:
        _sweeps.append(sweep)


def resolve_settled(prefix: str, settled: Callable[[set[int]], Iterable[int]]) -> int:
    """For an app's sweep: of the unresolved "action needed" notifications keyed `prefix:<id>:…`, resolves
    those whose <id> is among `settled(ids)` (the thing they ask about can no longer be acted on)."""
    unresolved = Notification.objects.filter(
        kind=Notification.Kind.ACTION_NEEDED, resolved_at__isnull=True, key__startswith=f"{prefix}:"
    )
    ids = set()
    for key in unresolved.values_list("key", flat=True).distinct():
        part = key.split(":")[1]
        if part.isdigit():
            ids.add(int(part))
    done = 0
    for pk in settled(ids) if ids else ():
        done += unresolved.filter(key__startswith=f"{prefix}:{pk}:").update(resolved_at=timezone.now())
    return done


def sweep_resolved() -> int:
    """Periodic: resolves what a service could not resolve at the moment of the change (a notification
    created after it, or before this feature): every "action needed" notification of a closed review,
    stage notices of a stage the review has left, and what each app's sweep (`add_sweep`) finds settled."""
    unresolved = Notification.objects.filter(kind=Notification.Kind.ACTION_NEEDED, resolved_at__isnull=True)
    closed = unresolved.exclude(review__state__in=workflow.states_allowing(workflow.OPEN)).exclude(
        review__isnull=True
    )
    n = closed.update(resolved_at=timezone.now())
    current_stage = Concat(
        Value("stage:"), Cast("review_id", CharField()), Value(":"), "review__state", Value(":")
    )
    stale = (
        unresolved.filter(key__startswith="stage:")
        .alias(current=current_stage)
        .exclude(key__startswith=F("current"))
        .values("pk")
    )
    n += Notification.objects.filter(pk__in=stale).update(resolved_at=timezone.now())
    return n + sum(sweep() for sweep in _sweeps)


def purge_old(days: int = 365) -> int:
    deleted, _ = Notification.objects.filter(
        created_at__lt=timezone.now() - timedelta(days=days), read_at__isnull=False
    ).delete()
    return deleted
