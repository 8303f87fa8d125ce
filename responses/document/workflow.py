"""The state of a version of the board's written response, declared as data: a version is a draft until the
chair signs it, and a signed version never changes again (the model and a database trigger refuse it too).
The state is not a column of its own: a version is signed when it carries a signature (`signed_at`).
`services.response_version_sign` applies the one transition; pages ask this module what to offer."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils import timezone

from responses.models import ResponseVersion, digest_of
from reviews.models import Role
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


MACHINE: Machine[ResponseVersion] = Machine(
    states=State.values,
    state_of=state_of,
    transitions=[
        Transition(
            name="sign",
            label="Sign off",
            source=frozenset({State.DRAFT}),
            target=State.SIGNED,
            roles=frozenset({Role.CHAIR}),
            guard=_assembled_from_current_data,
            effect=_sign,
        )
    ],
)
