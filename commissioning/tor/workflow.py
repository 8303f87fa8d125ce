"""The status of a version of the terms of reference, declared as data: the statuses, the transitions (who
may make each, what must be true first, what each records) and the named groups of statuses. The services
in `services.py` apply them; pages ask this module what to offer. Nothing else sets `version.status`.

Draft → out for comment → approved. A new draft supersedes a version out for comment once its comments are
addressed; approving a version supersedes the version approved before it. Approved and superseded versions
are frozen: their text never changes again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from commissioning.models import ToRVersion
from commissioning.selectors import rationale_gaps
from reviews.models import Role
from scr_portal.statemachine import Machine, Transition

from .selectors import boards_not_heard, unaddressed_count, waiver_of

Status = ToRVersion.Status
BM, CHAIR = Role.BUSINESS_MANAGER, Role.CHAIR

# Named groups of statuses.
EDITABLE_STATUSES = (Status.DRAFT,)  # its text can change
COMMENTABLE_STATUSES = (Status.OUT_FOR_COMMENT,)  # comments can be added and addressed
APPROVED_STATUSES = (Status.APPROVED,)  # the review's terms of reference, as the chair approved them
SUPERSEDED_STATUSES = (Status.SUPERSEDED,)  # replaced by a later version: kept for the record only
FROZEN_STATUSES = (Status.APPROVED, Status.SUPERSEDED)  # never change again (also checked in ToRSection.save)
OPEN_STATUSES = (Status.DRAFT, Status.OUT_FOR_COMMENT)  # still being worked on


@dataclass(frozen=True)
class Step:
    """What comes with a transition: who makes it and when, and the closing date of a comment round."""

    user: object = None
    closes_on: date | None = None


def _comments_close_later(version: ToRVersion, step: Step) -> list[str]:
    if step.closes_on is None or step.closes_on <= timezone.localdate():
        return ["The closing date for comments must be in the future."]
    return []


def _open_comment_round(version: ToRVersion, step: Step) -> None:
    version.comments_close_on = step.closes_on
    version.sent_for_comment_at = timezone.now()


def _waiting(version: ToRVersion) -> int:
    return unaddressed_count(version)


def _ready_to_approve(version: ToRVersion, step: Step) -> list[str]:
    """The proportionality rationale cites a case and a context factor, and every comment is addressed."""
    blockers = list(rationale_gaps(version.review))
    waiting = _waiting(version)
    if waiting:
        blockers.append(
            f"{waiting} comment{'s are' if waiting != 1 else ' is'} not yet addressed. The business manager "
            "marks each comment addressed, saying how."
        )
    return blockers


def _participating_boards_heard(version: ToRVersion, step: Step) -> list[str]:
    """In a cross-border review, every board taking part has agreed or objected to this version (its chair
    records it), unless the lead chair has recorded why approval goes ahead without."""
    missing = boards_not_heard(version)
    if not missing or waiver_of(version) is not None:
        return []
    names = " and ".join(board.name for board in missing)
    return [
        f"{names} {'has' if len(missing) == 1 else 'have'} not yet agreed or objected to version "
        f"{version.number}. Their chair records it on the version's page; or record why approval goes ahead "
        "without it."
    ]


def _approval_guard(version: ToRVersion, step: Step) -> list[str]:
    """Approval's conditions, each its own named check."""
    return _ready_to_approve(version, step) + _participating_boards_heard(version, step)


def _record_approval(version: ToRVersion, step: Step) -> None:
    version.approved_by = step.user
    version.approved_at = timezone.now()


def _comments_addressed(version: ToRVersion, step: Step) -> list[str]:
    waiting = _waiting(version)
    if not waiting:
        return []
    return [
        f"Version {version.number} is out for comment and {waiting} "
        f"comment{'s are' if waiting != 1 else ' is'} not yet addressed. Address "
        f"{'them' if waiting != 1 else 'it'} before starting a new version."
    ]


MACHINE: Machine[ToRVersion] = Machine(
    field="status",
    states=Status.values,
    transitions=[
        Transition(
            name="send_for_comment",
            label="Send for comment",
            source=frozenset(EDITABLE_STATUSES),
            target=Status.OUT_FOR_COMMENT,
            roles=frozenset({BM}),
            guard=_comments_close_later,
            effect=_open_comment_round,
        ),
        Transition(
            name="approve",
            label="Approve",
            source=frozenset(COMMENTABLE_STATUSES),
            target=Status.APPROVED,
            roles=frozenset({CHAIR}),
            guard=_approval_guard,
            effect=_record_approval,
        ),
        Transition(
            name="supersede_by_draft",  # a new draft replaces the version out for comment
            label="Create a new draft",
            source=frozenset(COMMENTABLE_STATUSES),
            target=Status.SUPERSEDED,
            roles=frozenset({BM}),
            guard=_comments_addressed,
        ),
        Transition(
            name="supersede_by_approval",  # approving a later version replaces the approved one
            label="Approve a later version",
            source=frozenset(APPROVED_STATUSES),
            target=Status.SUPERSEDED,
            roles=frozenset({CHAIR}),
        ),
    ],
)


def is_editable(version: ToRVersion) -> bool:
    return version.status in EDITABLE_STATUSES


def is_commentable(version: ToRVersion) -> bool:
    return version.status in COMMENTABLE_STATUSES


def is_approved(version: ToRVersion) -> bool:
    return version.status in APPROVED_STATUSES


def is_superseded(version: ToRVersion) -> bool:
    return version.status in SUPERSEDED_STATUSES


def is_frozen(version: ToRVersion) -> bool:
    return version.status in FROZEN_STATUSES


def not_editable_message(version: ToRVersion) -> str:
    """Why the version's text cannot change now (for a version that is not a draft)."""
    if is_frozen(version):
        return (
            f"Version {version.number} is {version.get_status_display().lower()} and can never change. To "
            "change the terms of reference, create a new draft version."
        )
    return (
        f"Version {version.number} is out for comment, so its text cannot change now. Once its comments are "
        "addressed, create a new draft version to make changes."
    )


def new_draft_blockers(latest: ToRVersion | None) -> list[str]:
    """What stops a new draft version now, given the review's latest version: there is one draft at a time,
    and a version out for comment is superseded only once its comments are addressed."""
    if latest is None:
        return []
    if is_editable(latest):
        return [
            f"Version {latest.number} is still a draft. Change that draft, or send it for comment; "
            "there is only one draft at a time."
        ]
    if MACHINE.allows("supersede_by_draft", latest):
        return MACHINE.blockers(MACHINE["supersede_by_draft"], latest, Step())
    return []


def approval_blockers(version: ToRVersion) -> list[str]:
    """What stops the chair approving this version now (empty when nothing does)."""
    if not MACHINE.allows("approve", version):
        if is_approved(version):
            return [f"Version {version.number} is already approved."]
        return [
            f"Version {version.number} is {version.get_status_display().lower()}. Only a version that has "
            "been out for comment can be approved."
        ]
    return MACHINE.blockers(MACHINE["approve"], version, Step())


def may_record_agreement(version: ToRVersion) -> bool:
    """A participating board's chair agrees or objects to a version while it is out for comment (the version
    the lead chair may approve)."""
    return is_commentable(version)
