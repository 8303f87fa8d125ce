"""Writes for the lead reviewer registry, appointments, declarations of interest and the lead reviewer's
proposals (SCIE Quality Marker 6: the lead reviewer can influence scope, nature and approach).

Each is one transaction. Appointing locks the reviewer's registry entry so two business managers cannot
both take the last place in a reviewer's load; answering locks the proposal so it is answered once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commissioning.models import Availability, ConflictDeclaration, LeadReviewer, Proposal, Skill
from reviews import notifications
from reviews.models import Appointment, Notification, Review, Role
from reviews.services import timeline_add

from . import selectors

User = get_user_model()


class RegistryError(Exception):
    """The change cannot be made; the message says why in plain words. Nothing was changed."""


class AppointmentRefused(RegistryError):
    """The appointment needs the business manager's explicit override (conflict of interest or full load),
    or cannot be made at all."""

    def __init__(self, message: str, *, can_override: bool = False):
        super().__init__(message)
        self.can_override = can_override


class ProposalAlreadyAnswered(RegistryError):
    pass


# Registry ---------------------------------------------------------------------------------------------


def skills_ensure(names: Iterable[str]) -> list[Skill]:
    """The skills named, creating those not yet known (matched without regard to case)."""
    skills = []
    for name in {n.strip()[:100] for n in names if n.strip()}:
        skill = Skill.objects.filter(name__iexact=name).first() or Skill.objects.create(name=name)
        skills.append(skill)
    return skills


PROFILE_FIELDS = ("independent", "organisation", "accreditation", "experience", "max_concurrent_reviews")


@transaction.atomic
def lead_reviewer_create(
    *,
    actor,
    user=None,
    email: str = "",
    full_name: str = "",
    profile: dict,
    skills: Iterable[Skill] = (),
    new_skills: Iterable[str] = (),
    window: tuple[date, date, str] | None = None,
) -> LeadReviewer:
    """Puts a person on the registry: `user`, or the person with `email` (their account is created, with
    no password, when there is none; they set one through "forgotten password")."""
    if user is None:
        email = email.strip().lower()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            if not full_name.strip():
                raise RegistryError(
                    "Enter the person's full name: there is no account with that email address."
                )
            user = User.objects.create_user(email=email, password=None, full_name=full_name.strip())
    if LeadReviewer.objects.filter(user=user).exists():
        raise RegistryError(f"{user} is already on the registry.")
    reviewer = LeadReviewer(user=user, **{k: profile[k] for k in PROFILE_FIELDS if k in profile})
    reviewer.full_clean()
    reviewer.save()
    reviewer.skills.set([*skills, *skills_ensure(new_skills)])
    if window:
        availability_add(reviewer=reviewer, available_from=window[0], available_to=window[1], note=window[2])
    return reviewer


@transaction.atomic
def lead_reviewer_update(
    *,
    reviewer: LeadReviewer,
    actor,
    profile: dict,
    skills: Iterable[Skill] = (),
    new_skills: Iterable[str] = (),
    remove_windows: Iterable[Availability] = (),
    window: tuple[date, date, str] | None = None,
) -> LeadReviewer:
    """Saves a registry entry: its details, skills (adding new ones), and availability windows removed
    and added. The history keeps every earlier value."""
    reviewer = LeadReviewer.objects.select_for_update().get(pk=reviewer.pk)
    for k in PROFILE_FIELDS:
        if k in profile:
            setattr(reviewer, k, profile[k])
    reviewer.full_clean()
    reviewer.save()
    wanted = {s.pk for s in [*skills, *skills_ensure(new_skills)]}
    if wanted != set(reviewer.skills.values_list("pk", flat=True)):
        reviewer.skills.set(wanted)
    Availability.objects.filter(reviewer=reviewer, pk__in=[w.pk for w in remove_windows]).delete()
    if window:
        availability_add(reviewer=reviewer, available_from=window[0], available_to=window[1], note=window[2])
    return reviewer


def availability_add(
    *, reviewer: LeadReviewer, available_from: date, available_to: date, note: str = ""
) -> Availability:
    window = Availability(
        reviewer=reviewer, available_from=available_from, available_to=available_to, note=note
    )
    window.full_clean()
    window.save()
    return window


# Appointments -----------------------------------------------------------------------------------------


def appointment_check(*, review: Review, reviewer: LeadReviewer, override_reason: str = "") -> list[str]:
    """The checks an appointment must pass, run by `appointment_make` under its lock and by the admin's form
    before anything is saved (so a refusal is shown beside the fields).

    Raises AppointmentRefused when the review is closed, the reviewer's account is inactive or they are
    already appointed; and (with `can_override`) when their latest declaration for this review says they
    have a conflict of interest, or they are at their maximum load, unless `override_reason` is given.
    Returns those concerns, which the override answers."""
    if not review.is_open:
        raise AppointmentRefused("This review is closed: nobody can be appointed to it.")
    if not reviewer.user.is_active:
        raise AppointmentRefused(f"{reviewer} no longer has an active account and cannot be appointed.")
    if Appointment.objects.filter(review=review, reviewer=reviewer.user, ended_at__isnull=True).exists():
        raise AppointmentRefused(f"{reviewer} is already appointed to this review.")
    concerns = []
    declaration = selectors.latest_declaration(review, reviewer)
    if declaration is not None and declaration.has_conflict:
        concerns.append(
            f"{reviewer} has declared a conflict of interest for this review (“{declaration.details}”)."
        )
    load = selectors.current_load(reviewer)
    if load >= reviewer.max_concurrent_reviews:
        concerns.append(
            f"{reviewer} is already leading {load} of at most {reviewer.max_concurrent_reviews} "
            f"review{'s' if reviewer.max_concurrent_reviews != 1 else ''}."
        )
    if concerns and not override_reason.strip():
        raise AppointmentRefused(
            " ".join(concerns) + " To appoint them anyway, tick the override and say why.",
            can_override=True,
        )
    return concerns


def appointment_make(
    *, review: Review, reviewer: LeadReviewer, actor, override_reason: str = ""
) -> Appointment:
    """Appoints a registry reviewer to the review, records it on the timeline and tells the reviewer.

    Refused (AppointmentRefused) as `appointment_check` says; a business manager's `override_reason` for a
    conflict of interest or a full load is recorded on the timeline."""
    override_reason = override_reason.strip()
    with transaction.atomic():
        # Lock the entry: load is counted and the appointment made before anyone else can appoint them.
        reviewer = LeadReviewer.objects.select_for_update().select_related("user").get(pk=reviewer.pk)
        concerns = appointment_check(review=review, reviewer=reviewer, override_reason=override_reason)
        appointment = Appointment.objects.create(review=review, reviewer=reviewer.user)
        body = ""
        if concerns:
            body = (
                "Appointed despite: " + " ".join(concerns) + f"\nReason for the override: {override_reason}"
            )
        timeline_add(
            review=review,
            user=actor,
            title=f"Lead reviewer appointed: {reviewer.user.get_full_name() or reviewer.user.email}",
            body=body,
        )
        notifications.notify(
            review=review,
            recipients=[reviewer.user],
            kind=Notification.Kind.ACTION_NEEDED,
            title=f"You are appointed lead reviewer of {review.reference}",
            body="Read the scope and terms of reference, and declare any conflict of interest.",
            path=reverse("commissioning", args=[review.pk]),
            key=f"appointed:{appointment.pk}",
        )
    return appointment


@transaction.atomic
def appointment_end(*, appointment: Appointment, actor, reason: str = "") -> Appointment:
    """Ends an appointment (the reviewer loses access to the review) and records it on the timeline."""
    appointment = (
        Appointment.objects.select_for_update().select_related("reviewer", "review").get(pk=appointment.pk)
    )
    if appointment.ended_at is not None:
        raise RegistryError("This appointment has already ended.")
    appointment.ended_at = timezone.now()
    appointment.save(update_fields=["ended_at"])
    notifications.resolve(review=appointment.review_id, keys=[f"appointed:{appointment.pk}"])
    who = appointment.reviewer.get_full_name() or appointment.reviewer.email
    timeline_add(
        review=appointment.review,
        user=actor,
        title=f"Lead reviewer appointment ended: {who}",
        body=reason.strip(),
    )
    return appointment


# Declarations of interest -----------------------------------------------------------------------------


@transaction.atomic
def conflict_declare(
    *, review: Review, reviewer: LeadReviewer, actor, has_conflict: bool, details: str
) -> ConflictDeclaration:
    """Records a declaration of interests for the review. Earlier declarations stay: the latest counts."""
    declaration = ConflictDeclaration(
        review=review, reviewer=reviewer, has_conflict=has_conflict, details=details.strip()
    )
    declaration.full_clean()
    declaration.save()
    # The appointment's notice asked the reviewer to declare their interests: that is done.
    notifications.resolve(review=review, prefix="appointed:", recipient=reviewer.user)
    who = reviewer.user.get_full_name() or reviewer.user.email
    timeline_add(
        review=review,
        user=actor,
        title=f"Conflict of interest declared: {who}" if has_conflict else f"No conflict of interest: {who}",
        body=declaration.details,
    )
    return declaration


# Proposals --------------------------------------------------------------------------------------------


def _proposal_key(proposal: Proposal) -> str:
    return f"proposal:{proposal.pk}"


def _proposals_path(review: Review, proposal: Proposal) -> str:
    return reverse("proposal_list", args=[review.pk]) + f"#proposal-{proposal.pk}"


@transaction.atomic
def proposal_make(*, review: Review, author, topic: str, text: str) -> Proposal:
    """Records the lead reviewer's proposal and asks the business managers and chairs to answer it."""
    proposal = Proposal(review=review, author=author, topic=topic, text=text.strip())
    proposal.full_clean()
    proposal.save()
    timeline_add(
        review=review,
        user=author,
        title=f"Lead reviewer proposed a change of {proposal.get_topic_display().lower()}",
        body=proposal.text,
    )
    notifications.notify_roles(
        review,
        (Role.BUSINESS_MANAGER, Role.CHAIR),
        actor=author,
        kind=Notification.Kind.ACTION_NEEDED,
        title=f"{review.reference}: the lead reviewer proposes a change of {proposal.get_topic_display().lower()}",
        body="Answer the proposal: accept it, accept it in part or decline it, and say why.",
        path=_proposals_path(review, proposal),
        key=_proposal_key(proposal),
    )
    return proposal


def proposal_answer(*, proposal: Proposal, actor, answer: str, reason: str) -> Proposal:
    """Records the board's answer to a proposal, once, with the reason, and tells the author.

    Raises ProposalAlreadyAnswered when someone answered it first (the first answer stands), and
    ValidationError when the answer or reason is missing."""
    reason = reason.strip()
    if answer not in Proposal.Answer.values:
        raise ValidationError({"answer": "Select the board's answer"})
    if not reason:
        raise ValidationError({"answer_reason": "Enter why the board gave this answer"})
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().select_related("review", "author").get(pk=proposal.pk)
        if proposal.answer:
            raise ProposalAlreadyAnswered(
                f"This proposal was already answered ({proposal.get_answer_display().lower()}). "
                "An answer cannot be changed; the lead reviewer can make a new proposal."
            )
        proposal.answer, proposal.answer_reason = answer, reason
        proposal.answered_by, proposal.answered_at = actor, timezone.now()
        proposal.full_clean()
        proposal.save(update_fields=["answer", "answer_reason", "answered_by", "answered_at"])
        review = proposal.review
        # One answer settles it for every business manager and chair who was asked.
        notifications.resolve(review=review, keys=[_proposal_key(proposal)])
        label = proposal.get_answer_display().lower()
        timeline_add(
            review=review,
            user=actor,
            title=f"Proposal on {proposal.get_topic_display().lower()} {label}",
            body=reason,
        )
        notifications.notify(
            review=review,
            recipients=[proposal.author],
            kind=Notification.Kind.INFORMATION,
            title=f"{review.reference}: your proposal on {proposal.get_topic_display().lower()} was {label}",
            body=reason,
            path=_proposals_path(review, proposal),
            key=f"proposal-answer:{proposal.pk}",
        )
    return proposal


def proposal_notifications_sweep() -> int:
    """Periodic (registered with `notifications.add_sweep`): a proposal answered needs no more answers."""
    return notifications.resolve_settled(
        "proposal",
        lambda ids: Proposal.objects.filter(pk__in=ids).exclude(answer="").values_list("pk", flat=True),
    )
