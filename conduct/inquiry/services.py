"""Writes of the analysis (SCIE Quality Marker 13): the lead reviewer's lines of enquiry and key practice
episodes, and which chronology entries and lines each episode cites; and the business manager naming the
agency authors of the lead board (and ending their role) without the admin. Each write locks the review,
checks that the review is in progress and that what it touches belongs to it, changes, and records on
the review's timeline."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from reviews import workflow
from reviews.models import Membership, Review, Role
from reviews.notifications import absolute
from reviews.services import review_lock, timeline_add

from ..models import ChronologyEntry, EnquiryLine, PracticeEpisode
from ..selectors import SENT

log = logging.getLogger(__name__)
User = get_user_model()


class AnalysisRefused(Exception):
    """The change cannot be made now; the message says why in plain words. Nothing was changed. `field`
    names the form field the message belongs beside, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _open(review: Review) -> Review:
    """The review, locked and read afresh, refused unless it is in progress."""
    locked = review_lock(review.pk)
    if not workflow.allows(locked, workflow.INFORMATION_OPEN):
        raise AnalysisRefused("The analysis changes only while the review is in progress.")
    return locked


def enquiry_line_save(
    *, review: Review, user, question: str, why: str, line: EnquiryLine | None = None
) -> EnquiryLine:
    """Adds a line of enquiry to the review's analysis (or changes `line`)."""
    question, why = question.strip(), why.strip()
    if not question:
        raise AnalysisRefused("Enter the question.", field="question")
    if not why:
        raise AnalysisRefused("Enter why the review asks it.", field="why")
    with transaction.atomic():
        review = _open(review)
        if line is None:
            line = EnquiryLine(review=review, created_by=user)
        elif line.review_id != review.pk:
            raise AnalysisRefused("That line of enquiry belongs to another review.")
        added = line.pk is None
        line.question, line.why = question, why
        line.full_clean()
        line.save()
        timeline_add(
            review=review,
            user=user,
            title=f"Line of enquiry {'added' if added else 'changed'}",
            body=question[:500],
        )
    return line


def enquiry_line_delete(*, review: Review, user, line: EnquiryLine) -> None:
    """Removes a line of enquiry; the episodes that cited it no longer do."""
    with transaction.atomic():
        review = _open(review)
        if line.review_id != review.pk:
            raise AnalysisRefused("That line of enquiry belongs to another review.")
        question = line.question
        line.delete()
        timeline_add(review=review, user=user, title="Line of enquiry removed", body=question[:500])


def episode_save(
    *,
    review: Review,
    user,
    title: str,
    starts_on: date,
    ends_on: date,
    summary: str,
    analysis: str,
    line_ids: Iterable[int] = (),
    episode: PracticeEpisode | None = None,
) -> PracticeEpisode:
    """Adds a key practice episode to the review's analysis (or changes `episode`), with the lines of
    enquiry it helps answer (lines of this review)."""
    if ends_on < starts_on:
        raise AnalysisRefused("The end of the period must be on or after its start.", field="ends_on")
    for name, value, what in (
        ("title", title, "a title"),
        ("summary", summary, "what happened"),
        ("analysis", analysis, "why practice was as it was"),
    ):
        if not value.strip():
            raise AnalysisRefused(f"Enter {what}.", field=name)
    wanted = set(line_ids)
    with transaction.atomic():
        review = _open(review)
        lines = list(EnquiryLine.objects.filter(review=review, pk__in=wanted))
        if len(lines) != len(wanted):
            raise AnalysisRefused("Choose lines of enquiry of this review.", field="lines")
        if episode is None:
            episode = PracticeEpisode(review=review, created_by=user)
        elif episode.review_id != review.pk:
            raise AnalysisRefused("That episode belongs to another review.")
        added = episode.pk is None
        episode.title, episode.summary, episode.analysis = title.strip(), summary.strip(), analysis.strip()
        episode.starts_on, episode.ends_on = starts_on, ends_on
        episode.full_clean()
        episode.save()
        episode.lines.set(lines)
        timeline_add(
            review=review,
            user=user,
            title=f"Key practice episode {'added' if added else 'changed'}: {episode.title}"[:200],
        )
    return episode


def episode_evidence_set(
    *, review: Review, user, episode: PracticeEpisode, entry_ids: Iterable[int]
) -> PracticeEpisode:
    """Sets the chronology entries the episode cites: entries of the review's merged chronology (what
    agencies have submitted or had accepted)."""
    wanted = set(entry_ids)
    with transaction.atomic():
        review = _open(review)
        if episode.review_id != review.pk:
            raise AnalysisRefused("That episode belongs to another review.")
        entries = list(ChronologyEntry.objects.filter(review=review, request__status__in=SENT, pk__in=wanted))
        if len(entries) != len(wanted):
            raise AnalysisRefused(
                "Choose entries of this review's merged chronology (what agencies have sent).",
                field="entries",
            )
        episode.entries.set(entries)
        agencies = len({e.agency_id for e in entries})
        timeline_add(
            review=review,
            user=user,
            title=f"Evidence for {episode.title}: {len(entries)} chronology entr"
            f"{'y' if len(entries) == 1 else 'ies'} from {agencies} agenc{'y' if agencies == 1 else 'ies'}"[
                :200
            ],
        )
    return episode


def episode_delete(*, review: Review, user, episode: PracticeEpisode) -> None:
    with transaction.atomic():
        review = _open(review)
        if episode.review_id != review.pk:
            raise AnalysisRefused("That episode belongs to another review.")
        title = episode.title
        episode.delete()
        timeline_add(review=review, user=user, title=f"Key practice episode removed: {title}"[:200])


# Naming agency authors ----------------------------------------------------------------------------------


class AuthorRefused(AnalysisRefused):
    """The person cannot be named (or their role ended); the message says why. Nothing was changed."""


def _set_password_email(user) -> None:
    """Emails the person a link to set their password (Django's reset link: it works once, and only while
    the password is still the one they have). Sent after the commit; if the mail server is down it is
    logged, and the person can still ask for a link from the sign-in page ("Forgotten your password?")."""
    link = absolute(
        reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    )
    body = (
        f"Hello {user.get_full_name()},\n\nYou have been named as an agency author on SCR Portal: you will be "
        "asked there for your agency's information for a review. Set your password with this link (it works "
        f'once):\n\n{link}\n\nIf the link has expired, use "Forgotten your password?" on the sign-in page.\n'
    )
    try:
        send_mail("SCR Portal: set your password", body, None, [user.email])
    except Exception:
        log.exception("The set-password email to a new agency author was not sent")


def agency_author_name(
    *, review: Review, user, agency, email: str, full_name: str = "", job_title: str = ""
) -> tuple[Membership, bool]:
    """Names a person as an agency author of `agency` on the review's lead board: the account with `email`,
    or a new one (name and job title; no usable password: they are emailed a link to set one). Refused
    for someone who holds another role on the board (an agency author sees only the request naming them,
    which a board role would widen), who already writes for another agency there, or whose account is
    switched off. Returns the membership and whether the account was made."""
    email = email.strip().lower()
    if not email:
        raise AuthorRefused("Enter the person's email address.", field="email")
    with transaction.atomic():
        review = review_lock(review.pk)
        board = review.lead_board
        if not workflow.allows(review, workflow.INFORMATION_OPEN):
            raise AuthorRefused("Agency authors are named here only while the review is in progress.")
        if not agency.boards.filter(pk=board.pk).exists():
            raise AuthorRefused(f"{agency.name} is not an agency of the {review.words.body}.", field="agency")
        person = User.objects.filter(email__iexact=email).first()
        made = person is None
        if person is not None:
            if not person.is_active or person.is_staff:
                raise AuthorRefused(
                    "That account cannot be named here: ask an administrator about it.", field="email"
                )
            held = list(Membership.objects.select_for_update().filter(user=person, board=board))
            other = [m for m in held if m.is_active and m.role != Role.AGENCY_AUTHOR]
            if other:
                raise AuthorRefused(
                    f"{person.get_full_name()} is already on the {review.words.body} as "
                    f"{other[0].get_role_display().lower()}. An agency author sees only the request naming them, "
                    "so name a colleague at the agency instead.",
                    field="email",
                )
            authoring = next((m for m in held if m.role == Role.AGENCY_AUTHOR), None)
        else:
            if not full_name.strip():
                raise AuthorRefused(
                    "Enter the person's full name: they are new to the portal.", field="full_name"
                )
            person = User.objects.create_user(
                email, None, full_name=full_name.strip(), job_title=job_title.strip()
            )
            authoring = None
        if authoring is not None and authoring.is_active:
            if authoring.agency_id != agency.pk:
                raise AuthorRefused(
                    f"{person.get_full_name()} already writes for {authoring.agency.name} on the "
                    f"{review.words.body}; an agency author writes for one agency.",
                    field="email",
                )
            raise AuthorRefused(
                f"{person.get_full_name()} is already an agency author for {agency.name}.", field="email"
            )
        if authoring is None:
            authoring = Membership(user=person, board=board, role=Role.AGENCY_AUTHOR, agency=agency)
        authoring.agency, authoring.is_active = agency, True
        authoring.full_clean()
        authoring.save()
        timeline_add(
            review=review,
            user=user,
            title=f"{person.get_full_name()} named as an agency author for {agency.name}"[:200],
            body="A new account; they were emailed a link to set their password." if made else "",
        )
        if made:
            transaction.on_commit(lambda: _set_password_email(person))
    return authoring, made


def agency_author_end(*, review: Review, user, membership: Membership) -> Membership:
    """Ends a person's role as an agency author on the review's lead board: they no longer see any request
    naming them (the requests stay, for the business manager to see)."""
    with transaction.atomic():
        review = review_lock(review.pk)
        if not workflow.allows(review, workflow.INFORMATION_OPEN):
            raise AuthorRefused("Agency authors are changed here only while the review is in progress.")
        locked = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("user", "agency")
            .get(pk=membership.pk)
        )
        if locked.board_id != review.lead_board_id or locked.role != Role.AGENCY_AUTHOR:
            raise AuthorRefused("That person is not an agency author of the review's lead board.")
        if not locked.is_active:
            raise AuthorRefused(f"{locked.user.get_full_name()} is no longer an agency author.")
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        timeline_add(
            review=review,
            user=user,
            title=f"{locked.user.get_full_name()} is no longer an agency author for {locked.agency.name}"[
                :200
            ],
        )
    return locked
