"""The status of a version of the terms of reference, declared as data: the statuses, the transitions (who
may make each, what must be true first, what each records) and the named groups of statuses. The services
in `services.py` apply them; pages ask this module what to offer. Nothing else sets `version.status`.

Draft → out for comment → approved. A new draft supersedes a version out for comment once its comments are
addressed; approving a version supersedes the version approved before it. Approved and superseded versions
are frozen: their text never changes again.

A version is approved on what it says itself: the proportionality rationale and cited factors it was made
with (a frozen copy), not the scope as it stands now. It is approved only once its comment period is over,
or the chair has closed it early saying why, and every comment is addressed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from commissioning.models import ToRVersion
from commissioning.selectors import gaps_of
from reviews.models import Role
from scr_portal.dates import long_date
from scr_portal.statemachine import Machine, Transition

from .selectors import boards_not_heard, cited_kinds_of, unaddressed_count, waiver_of

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
    """What comes with a transition: who makes it and when, the closing date of a comment round, and why
    a comment period closes early."""

    user: object = None
    closes_on: date | None = None
    reason: str = ""


def _comments_close_later(version: ToRVersion, step: Step) -> list[str]:
    if step.closes_on is None or step.closes_on <= timezone.localdate():
        return ["The closing date for comments must be in the future."]
    return []


def _open_comment_round(version: ToRVersion, step: Step) -> None:
    version.comments_close_on = step.closes_on
    version.sent_for_comment_at = timezone.now()


def _waiting(version: ToRVersion) -> int:
    return unaddressed_count(version)


def comments_open(version: ToRVersion) -> bool:
    """Whether people can still comment: the version is out for comment, its closing date has not passed
    (comments are taken on the closing date itself) and the chair has not closed the period early."""
    return (
        is_commentable(version)
        and version.comments_closed_early_at is None
        and version.comments_close_on is not None
        and timezone.localdate() <= version.comments_close_on
    )


def comments_closed_message(version: ToRVersion) -> str:
    """Why comments on a version out for comment can no longer be added."""
    if version.comments_closed_early_at is not None:
        when = long_date(timezone.localtime(version.comments_closed_early_at).date())
        return f"The chair closed comments on version {version.number} early, on {when}."
    if version.comments_close_on is not None:
        return f"Comments on version {version.number} closed on {long_date(version.comments_close_on)}."
    return f"Version {version.number} is not out for comment, so comments cannot be added to it."


def own_rationale_gaps(version: ToRVersion) -> list[str]:
    """What the version's own rationale lacks (the copy it was made with): one message, or none."""
    gaps = gaps_of(version.rationale, cited_kinds_of(version))
    if not gaps:
        return []
    return [
        f"Version {version.number} keeps the proportionality rationale it was made with, and that rationale "
        f"is not complete. {' '.join(gaps)} Complete the rationale, then create a new version from the "
        "current commissioning decisions."
    ]


def _comment_period_over(version: ToRVersion) -> list[str]:
    if not comments_open(version):
        return []
    return [
        f"Comments on version {version.number} are open until {long_date(version.comments_close_on)}, and "
        "everyone on the review may still comment. Approve it after that date, or close the comment period "
        "early, saying why."
    ]


def _ready_to_approve(version: ToRVersion, step: Step) -> list[str]:
    """The version's own rationale cites a case and a context factor, its comment period is over (or was
    closed early) and every comment is addressed."""
    blockers = own_rationale_gaps(version) + _comment_period_over(version)
    waiting = _waiting(version)
    if waiting:
        blockers.append(
            f"{waiting} comment{'s are' if waiting != 1 else ' is'} not yet addressed. The business manager "
            "marks each comment addressed, saying how."
        )
    return blockers


def _may_close_early(version: ToRVersion, step: Step) -> list[str]:
    blockers = [] if comments_open(version) else [comments_closed_message(version)]
    if not step.reason.strip():
        blockers.append("Say why the comment period closes early.")
    return blockers


def _record_early_close(version: ToRVersion, step: Step) -> None:
    version.comments_closed_early_at = timezone.now()
    version.comments_closed_early_by = step.user
    version.comments_closed_early_reason = step.reason.strip()


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
            name="close_comments_early",  # the chair ends the comment period before its closing date
            label="Close the comment period early",
            source=frozenset(COMMENTABLE_STATUSES),
            target=Status.OUT_FOR_COMMENT,
            roles=frozenset({CHAIR}),
            guard=_may_close_early,
            effect=_record_early_close,
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


def may_close_comments_early(version: ToRVersion) -> bool:
    """Whether the chair can close this version's comment period early now (given a reason)."""
    return MACHINE.allows("close_comments_early", version) and comments_open(version)


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
