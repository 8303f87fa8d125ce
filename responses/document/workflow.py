"""The state of a version of the written response, declared as data: a version is a draft until it is
signed off, and a signed version never changes again (the model and a database trigger refuse it too).
The state is not a column of its own: a version is signed (final) when it carries a signature
(`signed_at`).

Who signs is the regime's (`reviews.workflow.table(review).signers`), so each regime has its machine:
- a Serious Case Review's (`MACHINE`): the lead board's chair signs, and that one signature is final;
- a practice review's (`PARTNERS_MACHINE`): a lead or delegated safeguarding partner of the lead
  partnership signs for the statutory partner (and organisation) their membership names; a partner signs a
  given text once, whether its lead or its delegate signs. Each signature is a `PartnerSignature` on the
  digest of the text as it was signed, and counts for that text only: a changed draft needs
  `partner_signatures` (three) new ones, the earlier ones staying recorded. The version becomes final when
  the third different partner signs the same text; until then it stays a draft, which can still change.
`services.response_version_sign` applies the transition; pages ask this module what to offer."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils import timezone

from responses.models import PartnerSignature, ResponseVersion, digest_of
from reviews import access
from reviews import workflow as lifecycle
from reviews.models import PARTNER_ROLES, Membership, Regime, Review, StatutoryPartner
from scr_portal.statemachine import Machine, Transition

from . import assemble


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


# Named groups, as query conditions (the state is read from the signature's fields).
DRAFTS = Q(signed_at__isnull=True)  # the one draft of a review, if any: its text can change
SIGNED = Q(signed_at__isnull=False)  # signed versions: never change again


def state_of(version: ResponseVersion) -> State:
    return State.SIGNED if version.signed_at is not None else State.DRAFT


def is_editable(version: ResponseVersion) -> bool:
    return state_of(version) == State.DRAFT


def is_stale(version: ResponseVersion) -> bool:
    """The findings, positions, actions or engagement plan changed since this draft was assembled."""
    return is_editable(version) and assemble.assemble(version.review, version) != version.content


@dataclass(frozen=True)
class Signature:
    user: object
    at: object = None  # a datetime; only the demonstration data's made-up past sets it
    # Under a partnership: the statutory partner signed for, and its organisation (the signer's membership).
    partner: str = ""
    organisation: object = None


def _all(*guards):
    def guard(version: ResponseVersion, signature: Signature) -> list[str]:
        return [problem for g in guards for problem in g(version, signature)]

    return guard


def _assembled_from_current_data(version: ResponseVersion, signature: Signature) -> list[str]:
    if assemble.assemble(version.review, version) != version.content:
        return [
            "The findings, positions, actions or engagement plan changed after this draft was put "
            "together. Ask the business manager to rebuild the draft, then sign it."
        ]
    return []


def _sign(version: ResponseVersion, signature: Signature) -> None:
    version.signed_by = signature.user
    version.signed_at = signature.at or timezone.now()
    version.digest = digest_of(version.content.encode("utf-8"))


def _partner_not_signed_this_text(version: ResponseVersion, signature: Signature) -> list[str]:
    earlier = partner_signature(version, signature.partner)
    if earlier is None:
        return []
    return [
        f"{earlier.organisation} already signed this text as the {earlier.get_partner_display().lower()}: "
        f"{earlier.user.get_full_name()} on {timezone.localtime(earlier.signed_at):%-d %B %Y at %H:%M}. "
        "A partner signs a text once."
    ]


def _partner_sign(version: ResponseVersion, signature: Signature) -> None:
    """Records the partner's signature on the text as it is now; the third different partner's signature
    on the same text makes the version final (signed by that last signer, at that time)."""
    digest = version.content_digest()
    made = PartnerSignature.objects.create(
        version=version,
        partner=signature.partner,
        organisation=signature.organisation,
        user=signature.user,
        digest=digest,
        signed_at=signature.at or timezone.now(),
    )
    needed = lifecycle.table(Regime.PRACTICE_REVIEW).partner_signatures
    signed = set(version.partner_signatures.on(digest).values_list("partner", flat=True))
    if len(signed) >= needed:
        version.signed_by = signature.user
        version.signed_at = made.signed_at
        version.digest = digest


MACHINE: Machine[ResponseVersion] = Machine(
    states=State.values,
    state_of=state_of,
    transitions=[
        Transition(
            name="sign",
            label="Sign off",
            source=frozenset({State.DRAFT}),
            target=State.SIGNED,
            roles=lifecycle.table(Regime.SERIOUS_CASE_REVIEW).signers,
            guard=_assembled_from_current_data,
            effect=_sign,
        )
    ],
)

PARTNERS_MACHINE: Machine[ResponseVersion] = Machine(
    states=State.values,
    state_of=state_of,
    transitions=[
        Transition(
            name="sign",
            label="Sign for your organisation",
            source=frozenset({State.DRAFT}),
            # Reached when this is the third different partner's signature on the same text; before that the
            # version stays a draft holding the signatures made so far.
            target=State.SIGNED,
            roles=lifecycle.table(Regime.PRACTICE_REVIEW).signers,
            guard=_all(_assembled_from_current_data, _partner_not_signed_this_text),
            effect=_partner_sign,
        )
    ],
)

_MACHINES = {Regime.SERIOUS_CASE_REVIEW: MACHINE, Regime.PRACTICE_REVIEW: PARTNERS_MACHINE}


def machine_for(review: Review) -> Machine[ResponseVersion]:
    """The response's machine under the review's regime."""
    return _MACHINES.get(review.regime, MACHINE)


def by_partners(review: Review) -> bool:
    """Whether the statutory partners sign the review's response (rather than one chair)."""
    return lifecycle.table(review).partner_signatures > 0


# A partnership's signatures ---------------------------------------------------------------------------


# Who signs for which statutory partner is the access module's rule (the partners' decision uses it too).
acting_partner = access.acting_partner


def partner_signature(version: ResponseVersion, partner: str, digest: str = "") -> PartnerSignature | None:
    """The partner's signature on the version's text with `digest` (its text as it is now by default)."""
    return (
        version.partner_signatures.on(digest or version.digest or version.content_digest())
        .filter(partner=partner)
        .select_related("user", "organisation")
        .first()
    )


@dataclass(frozen=True)
class PartnerStanding:
    """Where one statutory partner stands on a version: its signature on the text (as it is now, or as it
    was made final), if any, and its signatures on earlier texts of the version, which no longer count."""

    partner: str
    label: str
    organisation: (
        object  # the organisation that signed, or the one its lead partner acts for; None if unknown
    )
    signature: PartnerSignature | None
    earlier: list[PartnerSignature]


def partner_standings(version: ResponseVersion) -> list[PartnerStanding]:
    """The three statutory partners in order, each with its signature on the version's text (the signed
    digest once final, else the text as it is now) and its signatures on earlier texts. Two queries."""
    digest = version.digest or version.content_digest()
    signatures = list(version.partner_signatures.select_related("user", "organisation").order_by("signed_at"))
    organisations = {
        m.partner: m.agency
        for m in Membership.objects.active()
        .filter(board_id=version.review.lead_board_id, role__in=PARTNER_ROLES)
        .select_related("agency")
        .order_by("role")  # delegated_partner, then lead_partner: the lead's organisation wins
    }
    standings = []
    for partner in StatutoryPartner:
        own = [s for s in signatures if s.partner == partner]
        current = next((s for s in own if s.digest == digest), None)
        standings.append(
            PartnerStanding(
                partner=partner.value,
                label=partner.label,
                organisation=current.organisation if current else organisations.get(partner.value),
                signature=current,
                earlier=[s for s in own if s.digest != digest],
            )
        )
    return standings


def partners_to_sign(version: ResponseVersion) -> list[PartnerStanding]:
    """The statutory partners who have not signed the version's text."""
    return [s for s in partner_standings(version) if s.signature is None]
