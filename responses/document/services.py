"""Writes for the written response: making a version, changing a draft's own text, rebuilding it from the
current findings and actions, and its signatures (the chair's under an LSCB, each statutory partner's under
a partnership: `workflow`).

A write locks the review row first (so versions are numbered and signed one at a time), checks, changes,
records the step on the review's timeline and notifies after the commit. A refusal raises ResponseRefused
with a plain message and changes nothing. A signed version is never changed: the model and a database
trigger refuse it whatever the caller."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from responses.models import ResponseVersion, digest_of
from reviews import notifications
from reviews.access import roles_running
from reviews.models import BOARD_ROLES, PARTNER_ROLES, Membership, Notification, Review, Role, TimelineEntry
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
    if workflow.by_partners(version.review):
        return AlreadySigned(
            f"Version {version.number} was already signed by each of the three statutory partners, the last by "
            f"{version.signed_by.get_full_name()} on {timezone.localtime(version.signed_at):%-d %B %Y at %H:%M}. "
            "Your signature was not added: nothing more is needed."
        )
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
                f"Version {draft.number} is still a draft. Change that draft, or ask "
                f"{review.words.signers} to sign it."
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
            title=f"{review.words.Response}: draft version {number} created",
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
    before = current.content_digest()
    current.content = content
    current.revision += 1
    current.updated_at = timezone.now()
    current.save()
    # The text the signers were asked to sign has changed: that request is void (a new one asks again).
    notifications.resolve(
        review=current.review_id, prefix=f"{_sign_request_prefix(current.review_id)}{current.number}:"
    )
    # A partner's signature counts for the text it was made on: those on the earlier text stay recorded
    # but no longer count, and the changed text needs three new ones.
    voided = [
        s
        for s in workflow.partner_standings(current)
        if s.signature is None and any(e.digest == before for e in s.earlier)
    ]
    timeline_add(
        review=current.review,
        user=user,
        title=f"{current.review.words.Response}: draft version {current.number} {how}",
        body=(
            f"Signed on the earlier text, no longer counting: {_names(str(s.organisation) for s in voided)}. "
            "The changed text needs each of the three statutory partners to sign it."
            if voided
            else ""
        ),
    )


def _sign_request_prefix(review_id: int) -> str:
    return f"response-sign-request:{review_id}:"


def _check_draft(version: ResponseVersion) -> None:
    if not workflow.is_editable(version):
        raise ResponseRefused(
            f"Version {version.number} is signed and can never change. To change the response, make a new "
            f"version and ask {version.review.words.signers} to sign it."
        )


def response_version_sign(*, version: ResponseVersion, user, seen_digest: str, at=None) -> ResponseVersion:
    """The signer signs exactly the text they were shown (`seen_digest`): the workflow's "sign" transition
    under the review's regime. Under an LSCB the chair's signature is final. Under a partnership the lead or
    delegated partner signs for their statutory partner; the third different partner's signature on the
    same text makes the version final.

    The review row is locked first: two chairs signing at once, the second waits, then finds the version
    signed and is refused (AlreadySigned); two partners signing at once, the second waits and then adds its
    own signature, so both count; the lead and the delegate of one partner signing at once, the second is
    refused (AlreadySigned: their partner has signed). A draft changed since the signer opened it is refused
    (SignedTextChanged), and so is a draft assembled before the data it shows changed. `at` is only for the
    demonstration data's made-up past; a real signature is timed by the clock."""
    with transaction.atomic():
        current = _locked(version)
        review = current.review
        machine = workflow.machine_for(review)
        sign = machine["sign"]
        w = review.words
        if not machine.allows(sign.name, current):
            raise already_signed(current)
        if not machine.permitted(sign, roles_running(user, review)):
            if workflow.by_partners(review):
                raise ResponseRefused(
                    f"Only a lead or delegated safeguarding partner of {review.lead_board.name} can sign the "
                    f"{w.response}."
                )
            raise ResponseRefused("Only the lead board's chair can sign the board's response off.")
        if current.content_digest() != seen_digest:
            raise SignedTextChanged(
                "The draft changed after you opened it, so it was not signed. Read it again as it is now "
                "below, then sign."
            )
        if workflow.by_partners(review):
            return _partner_sign(current, user, at)
        signature = workflow.Signature(user=user, at=at)
        blockers = machine.blockers(sign, current, signature)
        if blockers:
            raise ResponseRefused(" ".join(blockers))
        machine.apply(sign, current, signature)
        current.save()
        notifications.resolve(review=review, prefix=_sign_request_prefix(review.pk))  # signed: nothing to ask
        timeline_add(
            review=review,
            user=user,
            kind=TimelineEntry.Kind.DECISION,
            title=f"{w.Response}: version {current.number} signed off by the chair",
            body=f"Fingerprint of the signed text (SHA-256): {current.digest}",
        )
        _tell_signed(
            current, user, body=f"Version {current.number} of the {w.response} was signed off by the chair."
        )
    return current


def _partner_sign(current: ResponseVersion, user, at) -> ResponseVersion:
    """A partner's signature, inside response_version_sign's transaction (the review locked)."""
    review, w = current.review, current.review.words
    machine = workflow.machine_for(review)
    sign = machine["sign"]
    acting = workflow.acting_partner(user, review)
    if acting is None:  # the roles said a partner: only a membership gone since could get here
        raise ResponseRefused(
            f"Only a lead or delegated safeguarding partner of {review.lead_board.name} can sign the {w.response}."
        )
    signature = workflow.Signature(user=user, at=at, partner=acting.partner, organisation=acting.agency)
    earlier = workflow.partner_signature(current, acting.partner)
    if earlier is not None:
        raise AlreadySigned(
            f"{earlier.user.get_full_name()} already signed this text for {earlier.organisation} on "
            f"{timezone.localtime(earlier.signed_at):%-d %B %Y at %H:%M}. Your signature was not added: a "
            "partner signs a text once."
        )
    blockers = machine.blockers(sign, current, signature)
    if blockers:
        raise ResponseRefused(" ".join(blockers))
    machine.apply(sign, current, signature)
    digest = current.content_digest()
    partner_label = acting.get_partner_display().lower()
    # What this partner was asked to do is done, for its lead and its delegate alike.
    for_partner = Membership.objects.filter(
        board_id=review.lead_board_id, role__in=PARTNER_ROLES, partner=acting.partner
    ).values_list("user_id", flat=True)
    for recipient in set(for_partner):
        notifications.resolve(review=review, prefix=_sign_request_prefix(review.pk), recipient=recipient)
    timeline_add(
        review=review,
        user=user,
        kind=TimelineEntry.Kind.DECISION,
        title=f"{w.Response}: version {current.number} signed for {acting.agency} ({partner_label})",
        body=f"Fingerprint of the signed text (SHA-256): {digest}",
    )
    if current.is_signed:
        current.save()
        notifications.resolve(review=review, prefix=_sign_request_prefix(review.pk))  # final: nothing to ask
        timeline_add(
            review=review,
            user=user,
            kind=TimelineEntry.Kind.DECISION,
            title=f"{w.Response}: version {current.number} signed off by the three statutory partners",
            body=f"Fingerprint of the signed text (SHA-256): {current.digest}",
        )
        _tell_signed(
            current,
            user,
            body=f"Version {current.number} of the {w.response} was signed by each of the three statutory partners.",
        )
    return current


def _tell_signed(current: ResponseVersion, user, *, body: str) -> None:
    """After the commit: the review's board people are told the version was signed off."""
    review = current.review
    path = reverse("response_version", args=[review.pk, current.number])
    number = current.number
    transaction.on_commit(
        lambda: notifications.notify_roles(
            review,
            BOARD_ROLES,
            actor=user,
            kind=Notification.Kind.INFORMATION,
            title=f"{review.reference}: the {review.words.response} was signed off",
            body=body,
            path=path,
            key=f"response-signed:{review.pk}:{number}",
        )
    )


def response_signature_request(*, version: ResponseVersion, user) -> None:
    """Asks those who sign the response (`reviews.workflow.table(review).signers`) to sign the draft: the
    chairs of the review's boards under an LSCB; the lead and delegated partners under a partnership (only
    the lead partnership's sign)."""
    review = version.review
    w = review.words
    _check_draft(version)
    path = reverse("response_version", args=[review.pk, version.number])
    key = f"{_sign_request_prefix(review.pk)}{version.number}:{version.revision}"
    if workflow.by_partners(review):
        waiting = workflow.partners_to_sign(version)
        partners = {s.partner for s in waiting}
        recipients = (
            get_user_model()
            .objects.filter(
                is_active=True,
                memberships__board_id=review.lead_board_id,
                memberships__role__in=PARTNER_ROLES,
                memberships__partner__in=partners,
                memberships__is_active=True,
            )
            .exclude(pk=user.pk)
            .distinct()
        )
        notifications.notify(
            review=review,
            recipients=recipients,
            kind=Notification.Kind.ACTION_NEEDED,
            title=f"{review.reference}: please sign the {w.response}",
            body=(
                f"Version {version.number} of the {w.response} is ready to be signed by each of the three "
                f"statutory partners. Still to sign: {_names(s.label.lower() for s in waiting)}."
            ),
            path=path,
            key=key,
        )
        asked = "the partners still to sign were"
    else:
        notifications.notify_roles(
            review,
            (Role.CHAIR,),
            actor=user,
            kind=Notification.Kind.ACTION_NEEDED,
            title=f"{review.reference}: please sign off the {w.response}",
            body=f"Version {version.number} of the {w.response} is ready for the chair's sign-off.",
            path=path,
            key=key,
        )
        asked = "the chair was"
    timeline_add(
        review=review,
        user=user,
        title=f"{w.Response}: {asked} asked to sign version {version.number}",
    )


def _names(items) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


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
