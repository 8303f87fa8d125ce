"""Who may do what, for the whole project: one rule set, one place.

Views never test roles themselves. They load objects through a scoping selector (invisible objects are a
404, so existence is never revealed) and then ask `require(user, action, obj)` (403 when the object is
visible but the action is not allowed). Templates get booleans computed here, passed in by views.

Rules are written with the `rules` package. We keep our own RuleSet rather than Django's permission
backend because `user.has_perm()` answers True to every question for a superuser, and nobody, however
privileged in the admin, may see a review outside their boards or appointments.
"""

from __future__ import annotations

from collections import defaultdict

import rules
from django.core.exceptions import PermissionDenied

from reviews.models import BOARD_ROLES, Board, Membership, Review, Role

portal_rules = rules.RuleSet()


def board_roles(user) -> dict[int, frozenset[str]]:
    """Each board's id mapped to the roles `user` actively holds on it; one query, cached on the user."""
    if not user.is_authenticated or not user.is_active:
        return {}
    cached = getattr(user, "_board_roles", None)
    if cached is None:
        roles: dict[int, set[str]] = defaultdict(set)
        for board_id, role in Membership.objects.active().filter(user=user).values_list("board_id", "role"):
            roles[board_id].add(role)
        cached = user._board_roles = {board_id: frozenset(r) for board_id, r in roles.items()}
    return cached


def board_agencies(user) -> dict[int, frozenset[int]]:
    """Each board's id mapped to the agencies `user` represents on it as an active board member."""
    if not user.is_authenticated or not user.is_active:
        return {}
    cached = getattr(user, "_board_agencies", None)
    if cached is None:
        agencies: dict[int, set[int]] = defaultdict(set)
        rows = Membership.objects.active().filter(user=user, agency__isnull=False)
        for board_id, agency_id in rows.values_list("board_id", "agency_id"):
            agencies[board_id].add(agency_id)
        cached = user._board_agencies = {board_id: frozenset(a) for board_id, a in agencies.items()}
    return cached


def roles_on_board(user, board: Board) -> frozenset[str]:
    return board_roles(user).get(board.pk, frozenset())


def roles_on_review(user, review: Review) -> frozenset[str]:
    """The roles `user` holds on the review: their board roles on its lead or any participating board, and
    lead reviewer if currently appointed to it. Cached on the review object."""
    cache = review.__dict__.setdefault("_roles_by_user", {})
    if user.pk in cache:
        return cache[user.pk]
    held = board_roles(user)
    roles: set[str] = set()
    for board_id in review_board_ids(review):
        roles |= held.get(board_id, frozenset()) & set(BOARD_ROLES)
    if review.appointments.filter(reviewer_id=user.pk, ended_at__isnull=True).exists():
        roles.add(Role.LEAD_REVIEWER)
    cache[user.pk] = result = frozenset(roles)
    return result


def review_board_ids(review: Review) -> list[int]:
    """The lead board first, then participating boards (uses prefetched participations when present)."""
    cached = getattr(review, "_prefetched_objects_cache", {}).get("participations")
    participating = (
        [p.board_id for p in cached]
        if cached is not None
        else list(review.participations.values_list("board_id", flat=True))
    )
    return [review.lead_board_id, *participating]


def _on_board(*roles: str):
    @rules.predicate(name=f"on_board_as_{'_or_'.join(roles)}")
    def predicate(user, board: Board) -> bool:
        return bool(roles_on_board(user, board) & set(roles))

    return predicate


def _on_review(*roles: str):
    @rules.predicate(name=f"on_review_as_{'_or_'.join(roles)}")
    def predicate(user, review: Review) -> bool:
        return bool(roles_on_review(user, review) & set(roles))

    return predicate


board_participant = _on_board(*BOARD_ROLES)
board_manager = _on_board(Role.BUSINESS_MANAGER)
review_participant = _on_review(*BOARD_ROLES, Role.LEAD_REVIEWER)
review_manager = _on_review(Role.BUSINESS_MANAGER)


@rules.predicate
def review_is_open(user, review: Review) -> bool:
    return review.is_open


def _in_states(*states: str):
    @rules.predicate(name=f"review_in_{'_or_'.join(states)}")
    def predicate(user, review: Review) -> bool:
        return review.state in states

    return predicate


def _holds_anywhere(user, *roles: str) -> bool:
    return any(set(held) & set(roles) for held in board_roles(user).values())


CHAIR_ROLE = Role.CHAIR


# Boards
portal_rules.add_rule("view_board", board_participant)
portal_rules.add_rule("view_board_history", board_manager)
portal_rules.add_rule("change_board_timescales", board_manager)
# Retention (records app): the business manager sets the board's period and decides, review by review,
# what happens to reviews whose period has run out.
portal_rules.add_rule("manage_retention", board_manager)
portal_rules.add_rule("create_review", board_manager)
# Reviews
portal_rules.add_rule("view_review", review_participant)
portal_rules.add_rule("view_review_history", review_manager)
portal_rules.add_rule("change_review", review_manager & review_is_open)
# Commissioning (QM 6). The scoping is seen by everyone on the review, lead reviewers included; the
# business manager shapes it while the review is being commissioned; the chair approves the terms.
commissioning_open = _in_states("decision", "commissioning")
portal_rules.add_rule("view_commissioning", review_participant)
portal_rules.add_rule("change_commissioning", review_manager & commissioning_open)
portal_rules.add_rule("open_input_round", review_manager & commissioning_open)
portal_rules.add_rule("give_input", _on_review(Role.BOARD_MEMBER, CHAIR_ROLE) & commissioning_open)
portal_rules.add_rule("appoint_lead_reviewer", review_manager & review_is_open)
portal_rules.add_rule("propose_scope_change", _on_review(Role.LEAD_REVIEWER) & review_is_open)
portal_rules.add_rule("answer_proposal", _on_review(Role.BUSINESS_MANAGER, CHAIR_ROLE) & review_is_open)
portal_rules.add_rule("edit_terms_of_reference", review_manager & commissioning_open)
portal_rules.add_rule("comment_terms_of_reference", review_participant & commissioning_open)
portal_rules.add_rule("approve_terms_of_reference", _on_review(CHAIR_ROLE) & commissioning_open)
# The lead reviewer registry is shared by all boards: business managers and chairs consult it.
portal_rules.add_rule(
    "view_registry", rules.predicate(lambda user: _holds_anywhere(user, Role.BUSINESS_MANAGER, CHAIR_ROLE))
)
portal_rules.add_rule(
    "manage_registry", rules.predicate(lambda user: _holds_anywhere(user, Role.BUSINESS_MANAGER))
)

# The response (QM 15). Board people see it (a lead reviewer's access ends at the scoping); the business
# manager records the report's findings, the meetings, the actions and the engagement plan, and drafts the
# written response; the chair signs a version off. Action owners, and members of the owning agency, post
# progress on their actions.
FINDINGS_STATES = ("report_received", "response")
RESPONSE_STATES = ("report_received", "response", "published", "monitoring")
response_reader = _on_review(*BOARD_ROLES)
portal_rules.add_rule("view_response", response_reader)
portal_rules.add_rule("change_findings", review_manager & _in_states(*FINDINGS_STATES))
portal_rules.add_rule("manage_response", review_manager & _in_states(*RESPONSE_STATES))
portal_rules.add_rule("edit_written_response", review_manager & _in_states("response"))
portal_rules.add_rule("sign_response", _on_review(CHAIR_ROLE) & _in_states("response"))


@rules.predicate
def may_update_action(user, action) -> bool:
    """The named owner, a board member for the owning agency on one of the review's boards, or the review's
    business manager; while the review's response is open."""
    review = action.review
    if review.state not in RESPONSE_STATES:
        return False
    if action.owner_id == user.pk:
        return bool(roles_on_review(user, review))
    if Role.BUSINESS_MANAGER in roles_on_review(user, review):
        return True
    agencies = board_agencies(user)
    return any(action.owner_agency_id in agencies.get(board_id, ()) for board_id in review_board_ids(review))


portal_rules.add_rule("update_action", may_update_action)
portal_rules.add_rule("view_action_plan", board_participant)
portal_rules.add_rule("view_business_plan", board_participant)
portal_rules.add_rule("manage_business_plan", board_manager)

# Documents (PDFs): the business manager asks for them; who may open one depends on what it shows (the
# terms of reference to everyone on the review, lead reviewers included; the board pack to board people).
portal_rules.add_rule("make_documents", review_manager & review_is_open)
portal_rules.add_rule("view_documents", review_participant)

# Taking a step of the lifecycle: the workflow table names the roles per step; this is the entry check.
portal_rules.add_rule("take_review_step", review_participant & review_is_open)


def manageable_boards(user) -> list[Board]:
    """Boards on which the person is a business manager (where they may open reviews)."""
    ids = [board_id for board_id, roles in board_roles(user).items() if Role.BUSINESS_MANAGER in roles]
    return list(Board.objects.filter(pk__in=ids).order_by("name"))


def can(user, action: str, obj=None) -> bool:
    return portal_rules.test_rule(action, user, obj)


def require(user, action: str, obj=None) -> None:
    """Raises PermissionDenied (403) unless `user` may do `action` to `obj`."""
    if not can(user, action, obj):
        raise PermissionDenied(f"You do not have permission to {action.replace('_', ' ')}.")


def requires_two_factor(user) -> bool:
    """Chairs and administrators must use a second factor; anyone may. Demo accounts can be waived."""
    if not user.is_authenticated or user.two_factor_waived:
        return False
    return user.is_staff or any(Role.CHAIR in roles for roles in board_roles(user).values())
