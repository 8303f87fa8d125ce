"""The rules of the board's response (QM 15), declared into the one rule set of `reviews.access`. Board
people see it (a lead reviewer's access ends at the scoping); the business manager records the findings,
meetings, actions and engagement plan and drafts the written response; the chair signs a version off.
Action owners, and members of the owning agency, post progress on their actions."""

from __future__ import annotations

import rules

from reviews import workflow
from reviews.access import (
    add_rule,
    board_agencies,
    on_board,
    on_review,
    review_allows,
    review_board_ids,
    roles_on_review,
    roles_running,
    runs_review,
)
from reviews.models import BOARD_ROLES, Role

from .actions.selectors import roles_on_action

BM, CHAIR = Role.BUSINESS_MANAGER, Role.CHAIR

board_participant = on_board(*BOARD_ROLES)


@rules.predicate
def signs_for_regime(user, review) -> bool:
    """Who signs the response under the review's regime, on its lead board: the chair of an LSCB, a lead or
    delegated partner of a partnership (`workflow.table(review).signers`)."""
    return bool(roles_running(user, review) & workflow.table(review).signers)


add_rule("view_response", on_review(*BOARD_ROLES))
# The lead board records the findings, drafts the written response and signs it off.
add_rule("change_findings", runs_review(BM) & review_allows(workflow.FINDINGS_OPEN))
# Meetings, actions and the engagement plan of a cross-border review are the lead board's to record; the
# participating boards read them and update their own agencies' actions.
add_rule("manage_response", runs_review(BM) & review_allows(workflow.RESPONSE_OPEN))
add_rule("edit_written_response", runs_review(BM) & review_allows(workflow.RESPONSE_DRAFTING))
add_rule("sign_response", signs_for_regime & review_allows(workflow.RESPONSE_DRAFTING))


@rules.predicate
def owns_as_action_owner(user, action) -> bool:
    """The action's named owner, acting as an action owner for its agency (the rule of
    `responses.actions.selectors.owned_by`, asked of one action)."""
    return Role.ACTION_OWNER in roles_on_action(user, action)


@rules.predicate
def reads_the_response(user, action) -> bool:
    return bool(roles_on_review(user, action.review) & set(BOARD_ROLES))


# An action's page: everyone who reads the review's response, and its action owner, who sees nothing else
# of the review.
add_rule("view_action", reads_the_response | owns_as_action_owner)


@rules.predicate
def may_update_action(user, action) -> bool:
    """The named owner, a board member for the owning agency on one of the review's boards, or the business
    manager of the review's lead board; while the review's response is open."""
    review = action.review
    if not workflow.allows(review, workflow.RESPONSE_OPEN):
        return False
    held = roles_on_review(user, review)
    if action.owner_id == user.pk:
        return bool(held) or owns_as_action_owner(user, action)
    if BM in roles_running(user, review):  # the lead board's business manager, who manages the actions
        return True
    agencies = board_agencies(user)
    return any(action.owner_agency_id in agencies.get(board_id, ()) for board_id in review_board_ids(review))


add_rule("update_action", may_update_action)
add_rule("view_action_plan", board_participant)
add_rule("view_business_plan", board_participant)
add_rule("manage_business_plan", on_board(BM))
