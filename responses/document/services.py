"""Writes for the board's written response: making a version, changing a draft's own text, rebuilding it
from the current findings and actions, and the chair's signature.

A write locks the review row first (so versions are numbered and signed one at a time), checks, changes,
records the step on the review's timeline and notifies after the commit. A refusal raises ResponseRefused
with a plain message and changes nothing. A signed version is never changed: the model and a database
trigger refuse it whatever the caller."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from responses.models import ResponseVersion, digest_of
from reviews import notifications
from reviews.access import roles_running
from reviews.models import BOARD_ROLES, Notification, Review, Role, TimelineEntry
from reviews.services import review_lock, timeline_add

from . import assemble, workflow


class ResponseRefused(Exception):
    """The step cannot be taken now; the message says why, for the person who tried."""


class EditConflict(ResponseRefused):
    """Someone saved the draft since this person opened it; nothing was saved."""


class AlreadySigned(ResponseRefused):
    """Another chair signed the version first; nothing more is needed."""


class SignedTextChanged(ResponseRefused):
    """The draft changed after the chair opened it: they have not read the text as it is now."""


def already_signed(version: ResponseVersion) -> AlreadySigned:
    """The refusal for signing a version that is signed, saying by whom and when."""
    return AlreadySigned(
        f"Version {version.number} was already signed by {version.signed_by.get_full_name()} on "
        f"{timezone.localtime(version.signed_at):%-d %B %Y at %H:%M}. Your signature was not added: "
        "nothing more is needed."
    )


def _locked(version: ResponseVersion) -> ResponseVersion:
    """The version read afresh once its review is locked (`review_lock`): versions are made, changed and
    signed one at a time."""
    review_lock(version.review_id)
    return ResponseVersion.objects.select_related("review").get(pk=version.pk)


def response_version_create(*, review: Review, user) -> ResponseVersion:
    """Makes version N+1 as a draft, carrying over the latest version's own text. Refused while a draft
    exists: there is one draft at a time."""
    with transaction.atomic():
        review_lock(review.pk)
        draft = ResponseVersion.objects.filter(workflow.DRAFTS, review=review).first()
        if draft:
            raise ResponseRefused(
                f"Version {draft.number} is still a draft. Change that draft, or ask the chair to sign it."
            )
        latest = ResponseVersion.objects.filter(review=review).order_by("-number").first()
        number = (ResponseVersion.objects.filter(review=review).aggregate(n=Max("number"))["n"] or 0) + 1
        version = ResponseVersion(
            review=review,
            number=number,
            created_by=user,
            introduction=latest.introduction if latest else "",
            monitoring=latest.monitoring if latest else "",
            closing=latest.closing if latest else "",
        )
        version.content = assemble.assemble(review, version)
        version.save()
        timeline_add(
            review=review,
            user=user,
            kind=TimelineEntry.Kind.DOCUMENT,
            title=f"Board's response: draft version {number} created",
            body=f"Carried over the text of version {latest.number}." if latest else "",
        )
    return version


def response_version_save(
    *,
    version: ResponseVersion,
    user,
    introduction: str,
    monitoring: str,
    closing: str,
    seen_revision: int,
) -> ResponseVersion:
    """Saves the draft's own text and reassembles the document, unless someone saved it since the person
    opened it (EditConflict) or it has been signed (ResponseRefused)."""
    with transaction.atomic():
        current = _locked(version)
        _check_draft(current)
        if current.revision != seen_revision:
            raise EditConflict(
                "Someone else saved this draft after you opened it. Your text is below and was not saved: "
                "compare it with the draft as it is now, then save again."
            )
        current.introduction, current.monitoring, current.closing = introduction, monitoring, closing
        _new_revision(current, assemble.assemble(current.review, current), user, "changed")
    return current


def response_version_rebuild(*, version: ResponseVersion, user) -> ResponseVersion:
    """Reassembles the draft from the current findings, positions, actions and engagement plan."""
    with transaction.atomic():
        current = _locked(version)
        _check_draft(current)
        content = assemble.assemble(current.review, current)
        if content != current.content:
            _new_revision(current, content, user, "rebuilt from the current data")
    return current


def _new_revision(current: ResponseVersion, content: str, user, how: str) -> None:
    """Saves the draft's assembled `content` as its next revision, and says on the timeline `how` it came."""
    current.content = content
    current.revision += 1
    current.updated_at = timezone.now()
    current.save()
    # The text the chair was asked to sign has changed: that request is void (a new one asks again).
    notifications.resolve(
        review=current.review_id, prefix=f"{_sign_request_prefix(current.review_id)}{current.number}:"
    )
    timeline_add(
        review=current.review,
        user=user,
        title=f"Board's response: draft version {current.number} {how}",
    )


def _sign_request_prefix(review_id: int) -> str:
    return f"response-sign-request:{review_id}:"


def _check_draft(version: ResponseVersion) -> None:
    if not workflow.is_editable(version):
        raise ResponseRefused(
            f"Version {version.number} is signed and can never change. To change the response, make a new "
            "version and ask the chair to sign it."
        )


def response_version_sign(*, version: ResponseVersion, user, seen_digest: str, at=None) -> ResponseVersion:
    """The chair signs exactly the text they were shown (`seen_digest`): the workflow's "sign" transition.
    Two chairs signing at once: the second waits for the first's lock, then finds the version signed and
    is refused (AlreadySigned); a draft changed since the chair opened it is refused too
    (SignedTextChanged), and so is a draft assembled before the data it shows changed. `at` is only for
    the demonstration data's made-up past; a real signature is timed by the clock."""
    sign = workflow.MACHINE["sign"]
    with transaction.atomic():
        current = _locked(version)
        if not workflow.MACHINE.allows(sign.name, current):
            raise already_signed(current)
        if not workflow.MACHINE.permitted(sign, roles_running(user, current.review)):
            raise ResponseRefused("Only the lead board's chair can sign the board's response off.")
        if current.content_digest() != seen_digest:
            raise SignedTextChanged(
                "The draft changed after you opened it, so it was not signed. Read it again as it is now "
                "below, then sign."
            )
        signature = workflow.Signature(user=user, at=at)
        blockers = workflow.MACHINE.blockers(sign, current, signature)
        if blockers:
            raise ResponseRefused(" ".join(blockers))
        workflow.MACHINE.apply(sign, current, signature)
        current.save()
        review = current.review
        notifications.resolve(review=review, prefix=_sign_request_prefix(review.pk))  # signed: nothing to ask
        timeline_add(
            review=review,
            user=user,
            kind=TimelineEntry.Kind.DECISION,
            title=f"Board's response: version {current.number} signed off by the chair",
            body=f"Fingerprint of the signed text (SHA-256): {current.digest}",
        )
        path = reverse("response_version", args=[review.pk, current.number])
        number = current.number
        transaction.on_commit(
            lambda: notifications.notify_roles(
                review,
                BOARD_ROLES,
                actor=user,
                kind=Notification.Kind.INFORMATION,
                title=f"{review.reference}: the board's response was signed off",
                body=f"Version {number} of the board's response was signed off by the chair.",
                path=path,
                key=f"response-signed:{review.pk}:{number}",
            )
        )
    return current


def response_signature_request(*, version: ResponseVersion, user) -> None:
    """Asks the chairs of the review's boards to sign the draft off."""
    review = version.review
    _check_draft(version)
    notifications.notify_roles(
        review,
        (Role.CHAIR,),
        actor=user,
        kind=Notification.Kind.ACTION_NEEDED,
        title=f"{review.reference}: please sign off the board's response",
        body=f"Version {version.number} of the board's response is ready for the chair's sign-off.",
        path=reverse("response_version", args=[review.pk, version.number]),
        key=f"{_sign_request_prefix(review.pk)}{version.number}:{version.revision}",
    )
    timeline_add(
        review=review,
        user=user,
        title=f"Board's response: the chair was asked to sign version {version.number}",
    )


def response_copy_verify(
    *, review: Review, data: bytes | None = None, digest: str = ""
) -> tuple[str, ResponseVersion | None]:
    """What a copy (its bytes) or a digest corresponds to among this review's signed versions: the digest
    looked for and the version that was signed with it (None when none was)."""
    wanted = digest_of(data) if data is not None else digest.strip().lower()
    match = (
        ResponseVersion.objects.filter(workflow.SIGNED, review=review, digest=wanted)
        .select_related("signed_by")
        .first()
    )
    return wanted, match
