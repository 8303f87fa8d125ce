"""Writes for the terms of reference: drafting a version, editing its sections, sending it for comment,
commenting, addressing comments and approving.

Each write follows one shape: in one transaction it locks the row it changes, checks the guard, changes,
records the step on the review's timeline and notifies after the commit. A refusal raises ToRRefused with
a plain message and changes nothing."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

from commissioning.models import ToRComment, ToRSection, ToRVersion
from reviews import access, notifications
from reviews.models import BOARD_ROLES, Notification, Review, Role, TimelineEntry
from reviews.services import timeline_add

from . import assemble

Status = ToRVersion.Status
OPEN_STATUSES = (Status.DRAFT, Status.OUT_FOR_COMMENT)


class ToRRefused(Exception):
    """The step cannot be taken now; the message says why, in words for the person who tried."""


class EditConflict(ToRRefused):
    """Someone else saved the version since this person opened the section: nothing was saved. Carries
    both texts so the person can compare and keep their own work."""

    def __init__(self, message: str, *, saved_body: str, revision: int):
        super().__init__(message)
        self.saved_body = saved_body
        self.revision = revision


FROZEN_MESSAGE = "Version {n} is {status} and can never change. To change the terms of reference, create a new draft version."


def _frozen(version: ToRVersion) -> ToRRefused:
    return ToRRefused(FROZEN_MESSAGE.format(n=version.number, status=version.get_status_display().lower()))


def _lock(version_pk: int) -> ToRVersion:
    return ToRVersion.objects.select_for_update().select_related("review").get(pk=version_pk)


def _version_path(version: ToRVersion) -> str:
    return reverse("tor_version", args=[version.review_id, version.number])


def unaddressed_count(version: ToRVersion) -> int:
    return ToRComment.objects.filter(
        section__version=version, parent__isnull=True, addressed_at__isnull=True
    ).count()


# Versions --------------------------------------------------------------------------------------------


def tor_draft_create(*, review: Review, user, source: str = "data") -> ToRVersion:
    """Makes version N+1 as a draft. `source` "data" builds every section from the current commissioning
    decisions (carrying over the free-text "Other" section); "copy" copies the latest version's text as it
    stands, with any edits. Refused while a draft exists, or while a version is out for comment with
    comments not yet addressed; a version out for comment is superseded by the new draft."""
    with transaction.atomic():
        # Locking the review serialises the creation of versions: two clicks never make two drafts.
        Review.objects.select_for_update().filter(pk=review.pk).first()
        latest = ToRVersion.objects.select_for_update().filter(review=review).order_by("-number").first()
        if latest and latest.status == Status.DRAFT:
            raise ToRRefused(
                f"Version {latest.number} is still a draft. Change that draft, or send it for comment; "
                "there is only one draft at a time."
            )
        if latest and latest.status == Status.OUT_FOR_COMMENT:
            waiting = unaddressed_count(latest)
            if waiting:
                raise ToRRefused(
                    f"Version {latest.number} is out for comment and {waiting} "
                    f"comment{'s are' if waiting != 1 else ' is'} not yet addressed. Address "
                    f"{'them' if waiting != 1 else 'it'} before starting a new version."
                )
        previous = list(latest.sections.all()) if latest else []
        number = (ToRVersion.objects.filter(review=review).aggregate(n=Max("number"))["n"] or 0) + 1
        version = ToRVersion.objects.create(review=review, number=number, created_by=user)
        if source == "copy" and previous:
            drafts = [assemble.Draft(s.key, s.title, s.body) for s in previous]
            how = f"copied from version {latest.number}"
        else:
            kept = {s.key: s.body for s in previous if s.key in assemble.FREE_TEXT_KEYS}
            drafts = [
                assemble.Draft(d.key, d.title, kept.get(d.key, d.body)) for d in assemble.sections_for(review)
            ]
            how = "built from the current commissioning decisions"
        ToRSection.objects.bulk_create(
            ToRSection(version=version, key=d.key, title=d.title, order=n, body=d.body)
            for n, d in enumerate(drafts, 1)
        )
        if latest and latest.status == Status.OUT_FOR_COMMENT:
            latest.status = Status.SUPERSEDED
            latest.save(update_fields=["status"])
            how += f"; version {latest.number}, which was out for comment, is superseded"
        timeline_add(
            review=review,
            user=user,
            kind=TimelineEntry.Kind.UPDATE,
            title=f"Terms of reference: draft version {number} created",
            body=f"The draft was {how}.",
        )
    return version


def tor_section_save(*, section: ToRSection, user, body: str, seen_revision: int) -> ToRSection:
    """Saves a section of a draft, unless the version was saved by anyone since the person opened it
    (`seen_revision`): then EditConflict carries what is saved now, and nothing changes."""
    with transaction.atomic():
        version = _lock(section.version_id)
        if version.is_frozen:
            raise _frozen(version)
        if version.status != Status.DRAFT:
            raise ToRRefused(
                f"Version {version.number} is out for comment, so its text cannot change now. Once its "
                "comments are addressed, create a new draft version to make changes."
            )
        current = ToRSection.objects.get(pk=section.pk)
        if current.body == body and version.revision == seen_revision:
            return current
        moved = ToRVersion.objects.filter(pk=version.pk, revision=seen_revision).update(
            revision=F("revision") + 1
        )
        if not moved:
            raise EditConflict(
                "Someone else saved this version after you opened it, so your text was not saved. "
                "Compare their text with yours below, then save again.",
                saved_body=current.body,
                revision=version.revision,
            )
        current.body = body
        current.save(update_fields=["body"])
    return current


def tor_send_for_comment(*, version: ToRVersion, user, closes_on: date) -> ToRVersion:
    """Opens the comment round on a draft until `closes_on`, and tells everyone on the review (once per
    version) and the chairs that their approval will be asked for."""
    if closes_on <= timezone.localdate():
        raise ToRRefused("The closing date for comments must be in the future.")
    with transaction.atomic():
        version = _lock(version.pk)
        if version.status != Status.DRAFT:
            raise ToRRefused(
                f"Version {version.number} is {version.get_status_display().lower()}; only a draft can be "
                "sent for comment."
            )
        version.status = Status.OUT_FOR_COMMENT
        version.comments_close_on = closes_on
        version.sent_for_comment_at = timezone.now()
        version.save(update_fields=["status", "comments_close_on", "sent_for_comment_at"])
        review = version.review
        label = format(closes_on, "%-d %B %Y")
        timeline_add(
            review=review,
            user=user,
            kind=TimelineEntry.Kind.UPDATE,
            title=f"Terms of reference version {version.number} sent for comment",
            body=f"Comments close on {label}.",
        )
        transaction.on_commit(lambda: _notify_out_for_comment(version, user, label))
    return version


def _notify_out_for_comment(version: ToRVersion, actor, label: str) -> None:
    review = version.review
    path = reverse("tor_comments", args=[review.pk, version.number])
    notifications.notify(
        review=review,
        recipients=access.people_on_review(review, (*BOARD_ROLES, Role.LEAD_REVIEWER)).exclude(pk=actor.pk),
        kind=Notification.Kind.ACTION_NEEDED,
        title=f"{review.reference}: comment on the terms of reference (version {version.number})",
        body=f"The draft terms of reference are out for comment until {label}. Comment on any section.",
        path=path,
        key=f"tor:{version.pk}:out_for_comment",
    )
    notifications.notify(
        review=review,
        recipients=access.people_on_review(review, (Role.CHAIR,)).exclude(pk=actor.pk),
        kind=Notification.Kind.ACTION_NEEDED,
        title=f"{review.reference}: your approval of the terms of reference will be needed",
        body=(
            f"Version {version.number} is out for comment until {label}. Once every comment is addressed, "
            "the chair approves it."
        ),
        path=_version_path(version),
        key=f"tor:{version.pk}:approval_requested",
    )


# Comments --------------------------------------------------------------------------------------------


def tor_comment_add(*, section: ToRSection, user, text: str, parent: ToRComment | None = None) -> ToRComment:
    """A comment on a section of a version out for comment, or a reply in a comment's thread (replies
    always hang from the thread's first comment)."""
    if not text.strip():
        raise ToRRefused("Enter your comment.")
    with transaction.atomic():
        version = _lock(section.version_id)
        if version.status != Status.OUT_FOR_COMMENT:
            raise ToRRefused(
                f"Version {version.number} is not out for comment, so comments cannot be added to it."
            )
        if version.comments_close_on and timezone.localdate() > version.comments_close_on:
            raise ToRRefused(
                f"Comments on version {version.number} closed on {version.comments_close_on:%-d %B %Y}."
            )
        if parent is not None:
            if parent.section_id != section.pk:
                raise ToRRefused("That reply belongs to another section.")
            parent = parent.parent or parent
        return ToRComment.objects.create(section=section, parent=parent, author=user, text=text.strip())


def tor_comment_address(*, comment: ToRComment, user, how: str) -> ToRComment:
    """The business manager marks a comment addressed, saying how (for example "changed in section 3")."""
    if not how.strip():
        raise ToRRefused("Say how the comment was addressed.")
    with transaction.atomic():
        version = _lock(comment.section.version_id)
        if version.status != Status.OUT_FOR_COMMENT:
            raise ToRRefused(f"Version {version.number} is not out for comment; its comments cannot change.")
        comment = ToRComment.objects.select_for_update().get(pk=comment.pk)
        if comment.parent_id:
            raise ToRRefused("Replies are part of a thread: mark the thread's first comment addressed.")
        if comment.addressed_at:
            raise ToRRefused("This comment is already marked addressed.")
        comment.addressed_at = timezone.now()
        comment.addressed_by = user
        comment.addressed_how = how.strip()
        comment.save(update_fields=["addressed_at", "addressed_by", "addressed_how"])
    return comment


# Approval --------------------------------------------------------------------------------------------


def approval_blockers(version: ToRVersion) -> list[str]:
    """What stops the chair approving this version now (empty when nothing does)."""
    from commissioning.selectors import rationale_gaps

    if version.status != Status.OUT_FOR_COMMENT:
        if version.status == Status.APPROVED:
            return [f"Version {version.number} is already approved."]
        return [
            f"Version {version.number} is {version.get_status_display().lower()}. Only a version that has "
            "been out for comment can be approved."
        ]
    blockers = list(rationale_gaps(version.review))
    waiting = unaddressed_count(version)
    if waiting:
        blockers.append(
            f"{waiting} comment{'s are' if waiting != 1 else ' is'} not yet addressed. The business manager "
            "marks each comment addressed, saying how."
        )
    return blockers


def tor_approve(*, version: ToRVersion, user) -> ToRVersion:
    """The chair approves a version out for comment: it is frozen for good, and any earlier approved version
    is superseded. Refused while the proportionality rationale lacks a case or context factor, or while
    any comment is unaddressed. Of two chairs approving at once, one wins; the other is told."""
    try:
        with transaction.atomic():
            version = _lock(version.pk)
            if version.status == Status.APPROVED:  # another chair was first
                raise ToRRefused(
                    f"Version {version.number} was already approved by {version.approved_by.get_full_name()} "
                    f"on {timezone.localtime(version.approved_at):%-d %B %Y at %H:%M}. Your approval was not "
                    "added: nothing more is needed."
                )
            blockers = approval_blockers(version)
            if blockers:
                raise ToRRefused("The terms of reference cannot be approved yet: " + " ".join(blockers))
            for earlier in ToRVersion.objects.select_for_update().filter(
                review_id=version.review_id, status=Status.APPROVED
            ):
                earlier.status = Status.SUPERSEDED
                earlier.save(update_fields=["status"])
            version.status = Status.APPROVED
            version.approved_by = user
            version.approved_at = timezone.now()
            version.save(update_fields=["status", "approved_by", "approved_at"])
            timeline_add(
                review=version.review,
                user=user,
                kind=TimelineEntry.Kind.DECISION,
                title=f"Terms of reference version {version.number} approved",
                body="The approved version is frozen; any change needs a new version.",
            )
            transaction.on_commit(lambda: _notify_approved(version, user))
    except IntegrityError as error:  # the one-approved-version constraint: another chair was first
        raise ToRRefused(
            "Another approval of these terms of reference was recorded at the same moment. Nothing was changed."
        ) from error
    return version


def _notify_approved(version: ToRVersion, actor) -> None:
    review = version.review
    notifications.notify(
        review=review,
        recipients=access.people_on_review(review, (*BOARD_ROLES, Role.LEAD_REVIEWER)).exclude(pk=actor.pk),
        kind=Notification.Kind.INFORMATION,
        title=f"{review.reference}: terms of reference version {version.number} approved",
        body=f"Approved by {actor.get_full_name()}.",
        path=_version_path(version),
        key=f"tor:{version.pk}:approved",
    )
