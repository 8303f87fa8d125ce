"""Writes for the terms of reference: drafting a version, editing its sections, sending it for comment,
commenting, addressing comments, closing the comment period early and approving.

Each write follows one shape: in one transaction it locks the row it changes, checks the guard, changes,
records the step on the review's timeline and notifies after the commit. A refusal raises ToRRefused with
a plain message and changes nothing."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

from commissioning.models import (
    ToRAgreement,
    ToRAgreementWaiver,
    ToRCitedFactor,
    ToRComment,
    ToRSection,
    ToRVersion,
)
from reviews import notifications
from reviews.access import (
    can,
    participating_board_ids,
    participating_boards_as,
    people_on_board,
    people_on_boards,
    roles_running,
)
from reviews.models import BOARD_ROLES, Board, Notification, Review, Role, TimelineEntry
from reviews.services import review_lock, timeline_add
from scr_portal.dates import long_date

from . import assemble, selectors, workflow


class ToRRefused(Exception):
    """The step cannot be taken now; the message says why, in words for the person who tried."""


class EditConflict(ToRRefused):
    """Someone else saved the version since this person opened the section: nothing was saved. Carries
    both texts so the person can compare and keep their own work."""

    def __init__(self, message: str, *, saved_body: str, revision: int):
        super().__init__(message)
        self.saved_body = saved_body
        self.revision = revision


def _locked(version_pk: int) -> ToRVersion:
    """The version read afresh once its review is locked (`review_lock`): every write to the terms of
    reference locks the review first, so they happen one at a time."""
    review_lock(ToRVersion.objects.values_list("review_id", flat=True).get(pk=version_pk))
    return ToRVersion.objects.select_related("review").get(pk=version_pk)


def _transition(version: ToRVersion, name: str, user, step: workflow.Step, refused: str) -> str:
    """Applies the workflow's transition `name` to the locked version (not saved): refused with `refused`
    when it cannot start from the version's status, or when the person's roles or its guard stop it.
    Returns the status before."""
    transition = workflow.MACHINE[name]
    if not workflow.MACHINE.allows(name, version):
        raise ToRRefused(refused)
    _check_role(transition, version, user)
    blockers = workflow.MACHINE.blockers(transition, version, step)
    if blockers:
        raise ToRRefused(" ".join(blockers))
    return workflow.MACHINE.apply(transition, version, step)


def _check_role(transition, version: ToRVersion, user) -> None:
    if not workflow.MACHINE.permitted(transition, roles_running(user, version.review)):
        who = " or ".join(Role(r).label.lower() for r in sorted(transition.roles))
        raise ToRRefused(f"Only the lead board's {who} can do this.")


def _notice_prefix(version: ToRVersion) -> str:
    """The start of the keys of the notifications asking people to act on this version."""
    return f"tor:{version.pk}:"


def _comment_key(version: ToRVersion) -> str:
    return f"{_notice_prefix(version)}out_for_comment"


def _version_path(version: ToRVersion) -> str:
    return reverse("tor_version", args=[version.review_id, version.number])


# Versions --------------------------------------------------------------------------------------------


def tor_draft_create(*, review: Review, user, source: str = "data") -> ToRVersion:
    """Makes version N+1 as a draft. `source` "data" builds every section from the current commissioning
    decisions (carrying over the free-text "Other" section); "copy" copies the latest version's text as it
    stands, with any edits. The version keeps the proportionality rationale and cited factors its text was
    made from (the scope's now, or the copied version's): approval checks those. Refused while a draft
    exists, or while a version is out for comment with comments not yet addressed; a version out for
    comment is superseded by the new draft."""
    with transaction.atomic():
        # Locking the review serialises the creation of versions: two clicks never make two drafts.
        review_lock(review.pk)
        latest = (
            ToRVersion.objects.select_for_update()
            .select_related("review")
            .filter(review=review)
            .order_by("-number")
            .first()
        )
        blockers = workflow.new_draft_blockers(latest)
        if blockers:
            raise ToRRefused(" ".join(blockers))
        previous = list(latest.sections.all()) if latest else []
        number = (ToRVersion.objects.filter(review=review).aggregate(n=Max("number"))["n"] or 0) + 1
        if source == "copy" and previous:
            drafts = [assemble.Draft(s.key, s.title, s.body) for s in previous]
            rationale = (
                latest.rationale,
                [
                    assemble.Cited(c.kind, c.title, c.weight, c.assessment)
                    for c in selectors.cited_factors_of(latest)
                ],
            )
            how = f"copied from version {latest.number}"
        else:
            kept = {s.key: s.body for s in previous if s.key in assemble.FREE_TEXT_KEYS}
            rationale = assemble.rationale_of(review)
            drafts = [
                assemble.Draft(d.key, d.title, kept.get(d.key, d.body))
                for d in assemble.sections_for(review, rationale)
            ]
            how = "built from the current commissioning decisions"
        version = ToRVersion.objects.create(
            review=review, number=number, created_by=user, rationale=rationale[0]
        )
        ToRCitedFactor.objects.bulk_create(
            ToRCitedFactor(
                version=version, kind=c.kind, title=c.title, weight=c.weight, assessment=c.assessment, order=n
            )
            for n, c in enumerate(rationale[1], 1)
        )
        ToRSection.objects.bulk_create(
            ToRSection(version=version, key=d.key, title=d.title, order=n, body=d.body)
            for n, d in enumerate(drafts, 1)
        )
        if latest and workflow.MACHINE.allows("supersede_by_draft", latest):
            _transition(latest, "supersede_by_draft", user, workflow.Step(user=user), refused="")
            latest.save(update_fields=["status"])
            notifications.resolve(review=review, prefix=_notice_prefix(latest))  # nothing more to do on it
            how += f"; version {latest.number}, which was out for comment, is superseded"
        timeline_add(
            review=review,
            user=user,
            title=f"Terms of reference: draft version {number} created",
            body=f"The draft was {how}.",
        )
    return version


def tor_section_save(*, section: ToRSection, user, body: str, seen_revision: int) -> ToRSection:
    """Saves a section of a draft, unless the version was saved by anyone since the person opened it
    (`seen_revision`): then EditConflict carries what is saved now, and nothing changes."""
    with transaction.atomic():
        version = _locked(section.version_id)
        if not workflow.is_editable(version):
            raise ToRRefused(workflow.not_editable_message(version))
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
    with transaction.atomic():
        version = _locked(version.pk)
        _transition(
            version,
            "send_for_comment",
            user,
            workflow.Step(user=user, closes_on=closes_on),
            refused=f"Version {version.number} is {version.get_status_display().lower()}; only a draft can be "
            "sent for comment.",
        )
        version.save(update_fields=["status", "comments_close_on", "sent_for_comment_at"])
        review = version.review
        label = long_date(closes_on)
        timeline_add(
            review=review,
            user=user,
            title=f"Terms of reference version {version.number} sent for comment",
            body=f"Comments close on {label}.",
        )
        transaction.on_commit(lambda: _notify_out_for_comment(version, user, label))
    return version


def _notify_out_for_comment(version: ToRVersion, actor, label: str) -> None:
    review = version.review
    path = reverse("tor_comments", args=[review.pk, version.number])
    notifications.notify_roles(
        review,
        (*BOARD_ROLES, Role.LEAD_REVIEWER),
        actor=actor,
        kind=Notification.Kind.ACTION_NEEDED,
        title=f"{review.reference}: comment on the terms of reference (version {version.number})",
        body=f"The draft terms of reference are out for comment until {label}. Comment on any section.",
        path=path,
        key=_comment_key(version),
    )
    lead_chairs = people_on_board(review.lead_board_id, (Role.CHAIR,)).exclude(pk=actor.pk)
    notifications.notify(
        review=review,
        recipients=lead_chairs,
        kind=Notification.Kind.ACTION_NEEDED,
        title=f"{review.reference}: your approval of the terms of reference will be needed",
        body=(
            f"Version {version.number} is out for comment until {label}. After that date (or once you close "
            "the comment period early, saying why) and once every comment is addressed, you can approve it."
        ),
        path=_version_path(version),
        key=f"{_notice_prefix(version)}approval_requested",
    )
    # A cross-border review: each participating board's chair agrees or objects to this version first.
    participating = participating_board_ids(review)
    if participating:
        notifications.notify(
            review=review,
            recipients=people_on_boards(participating, (Role.CHAIR,)).exclude(pk=actor.pk),
            kind=Notification.Kind.ACTION_NEEDED,
            title=f"{review.reference}: does your board agree to the terms of reference (version {version.number})?",
            body=(
                f"{review.lead_board.name} leads this review. Record your board's agreement or objection to "
                f"version {version.number} before its chair approves it."
            ),
            path=_version_path(version) + "#your-position",
            key=f"tor:{version.pk}:agreement_requested",
        )


# Comments --------------------------------------------------------------------------------------------


def tor_comment_add(*, section: ToRSection, user, text: str, parent: ToRComment | None = None) -> ToRComment:
    """A comment on a section of a version out for comment, or a reply in a comment's thread (replies
    always hang from the thread's first comment)."""
    if not text.strip():
        raise ToRRefused("Enter your comment.")
    with transaction.atomic():
        version = _locked(section.version_id)
        if not workflow.comments_open(version):
            raise ToRRefused(workflow.comments_closed_message(version))
        if parent is not None:
            if parent.section_id != section.pk:
                raise ToRRefused("That reply belongs to another section.")
            parent = parent.parent or parent
        comment = ToRComment.objects.create(section=section, parent=parent, author=user, text=text.strip())
        # The person has commented: their "comment on the terms of reference" is done.
        notifications.resolve(review=version.review_id, keys=[_comment_key(version)], recipient=user)
    return comment


def tor_comment_address(*, comment: ToRComment, user, how: str) -> ToRComment:
    """The business manager marks a comment addressed, saying how (for example "changed in section 3")."""
    if not how.strip():
        raise ToRRefused("Say how the comment was addressed.")
    with transaction.atomic():
        version = _locked(comment.section.version_id)
        if not workflow.is_commentable(version):
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


def tor_close_comments_early(*, version: ToRVersion, user, reason: str) -> ToRVersion:
    """The chair closes a version's comment period before its closing date, saying why (for example the
    board meets before then): no more comments are taken, and the version can be approved once every
    comment is addressed. Recorded on the review's timeline with the reason."""
    with transaction.atomic():
        version = _locked(version.pk)
        _transition(
            version,
            "close_comments_early",
            user,
            workflow.Step(user=user, reason=reason),
            refused=f"Version {version.number} is not out for comment, so there is no comment period to close.",
        )
        version.save(
            update_fields=[
                "comments_closed_early_at",
                "comments_closed_early_by",
                "comments_closed_early_reason",
            ]
        )
        timeline_add(
            review=version.review,
            user=user,
            kind=TimelineEntry.Kind.DECISION,
            title=f"Comments on terms of reference version {version.number} closed early",
            body=f"They were open until {long_date(version.comments_close_on)}. Why: "
            f"{version.comments_closed_early_reason}",
        )
    return version


# Approval --------------------------------------------------------------------------------------------


def tor_approve(*, version: ToRVersion, user) -> ToRVersion:
    """The chair approves a version out for comment: it is frozen for good, and any earlier approved version
    is superseded. Refused while the version's own proportionality rationale (the copy it was made with)
    lacks a case or context factor, while its comment period is open (unless the chair closed it early), or
    while any comment is unaddressed. Of two chairs approving at once, one wins; the other is told."""
    try:
        with transaction.atomic():
            version = _locked(version.pk)
            if workflow.is_approved(version):  # another chair was first
                raise ToRRefused(
                    f"Version {version.number} was already approved by {version.approved_by.get_full_name()} "
                    f"on {timezone.localtime(version.approved_at):%-d %B %Y at %H:%M}. Your approval was not "
                    "added: nothing more is needed."
                )
            blockers = workflow.approval_blockers(version)
            if blockers:
                raise ToRRefused("The terms of reference cannot be approved yet: " + " ".join(blockers))
            approve = workflow.MACHINE["approve"]
            _check_role(approve, version, user)
            step = workflow.Step(user=user)
            for earlier in ToRVersion.objects.select_for_update().filter(
                review_id=version.review_id, status__in=workflow.APPROVED_STATUSES
            ):
                earlier.review = version.review
                _transition(earlier, "supersede_by_approval", user, step, refused="")
                earlier.save(update_fields=["status"])
            workflow.MACHINE.apply(approve, version, step)  # its guard is approval_blockers, checked above
            version.save(update_fields=["status", "approved_by", "approved_at"])
            notifications.resolve(review=version.review_id, prefix=_notice_prefix(version))
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
    notifications.notify_roles(
        review,
        (*BOARD_ROLES, Role.LEAD_REVIEWER),
        actor=actor,
        kind=Notification.Kind.INFORMATION,
        title=f"{review.reference}: terms of reference version {version.number} approved",
        body=f"Approved by {actor.get_full_name()}.",
        path=_version_path(version),
        key=f"tor:{version.pk}:approved",
    )


def tor_notifications_sweep() -> int:
    """Periodic (registered with `notifications.add_sweep`): requests to comment on or approve a version no
    longer out for comment are done, however the version left that status."""
    return notifications.resolve_settled(
        "tor",
        lambda ids: (
            ToRVersion.objects.filter(pk__in=ids)
            .exclude(status__in=workflow.COMMENTABLE_STATUSES)
            .values_list("pk", flat=True)
        ),
    )


# Cross-border reviews: each participating board's agreement before the lead chair approves -------------


def tor_agreement_record(
    *, version: ToRVersion, user, board: Board, position: str, reasons: str = ""
) -> ToRAgreement:
    """A participating board's chair records the board's agreement or objection (with reasons) to a version
    out for comment; recording again replaces the board's earlier position on that version (the history
    keeps it). Noted on the timeline; the lead board's chair and business manager are told."""
    with transaction.atomic():
        version = _locked(version.pk)
        review = version.review
        if not can(user, "agree_terms_of_reference", review) or board.pk not in participating_boards_as(
            user, review, Role.CHAIR
        ):
            raise ToRRefused("Only the chair of a board taking part in the review records its agreement.")
        if not workflow.may_record_agreement(version):
            raise ToRRefused(
                f"Version {version.number} is {version.get_status_display().lower()}: a board agrees or objects "
                "to a version while it is out for comment."
            )
        if position == ToRAgreement.Position.OBJECT and not reasons.strip():
            raise ToRRefused("Say why your board objects.")
        agreement = ToRAgreement.objects.filter(version=version, board=board).first() or ToRAgreement(
            version=version, board=board
        )
        agreement.position, agreement.reasons = position, reasons.strip()
        agreement.recorded_by, agreement.recorded_at = user, timezone.now()
        agreement.full_clean()
        agreement.save()
        title = f"{board.name} {agreement.get_position_display().lower()} to terms of reference version {version.number}"
        timeline_add(review=review, user=user, title=title, body=agreement.reasons)
        notifications.notify(
            review=review,
            recipients=people_on_board(review.lead_board_id, (Role.CHAIR, Role.BUSINESS_MANAGER)),
            kind=Notification.Kind.INFORMATION,
            title=f"{review.reference}: {title}",
            body=agreement.reasons,
            path=reverse("tor_approve", args=[review.pk, version.number]),
            key=f"tor:{version.pk}:agreement:{board.pk}:{agreement.recorded_at:%Y%m%d%H%M%S}",
        )
    return agreement


def tor_agreement_waive(*, version: ToRVersion, user, reason: str) -> ToRAgreementWaiver:
    """The lead board's chair records why a version may be approved without every participating board's
    agreement or objection (for example a board that does not answer). Noted on the timeline."""
    with transaction.atomic():
        version = _locked(version.pk)
        review = version.review
        if not can(user, "approve_terms_of_reference", review):
            raise ToRRefused("Only the lead board's chair can record this.")
        if not workflow.is_commentable(version):
            raise ToRRefused(
                f"Version {version.number} is {version.get_status_display().lower()}: nothing to approve."
            )
        if not reason.strip():
            raise ToRRefused("Say why approval goes ahead without every board's answer.")
        waiver = ToRAgreementWaiver.objects.filter(version=version).first() or ToRAgreementWaiver(
            version=version
        )
        waiver.reason, waiver.recorded_by, waiver.recorded_at = reason.strip(), user, timezone.now()
        waiver.full_clean()
        waiver.save()
        timeline_add(
            review=review,
            user=user,
            title=f"Terms of reference version {version.number}: approval to go ahead without every board's agreement",
            body=waiver.reason,
        )
    return waiver
