"""The rules of commissioning (QM 6), declared into the one rule set of `reviews.access`. The scoping is
seen by everyone on the review, lead reviewers included; the business manager shapes it while the review
is being commissioned; the chair approves the terms of reference."""

from __future__ import annotations

import rules

from reviews import workflow
from reviews.access import (
    add_rule,
    anywhere,
    can,
    on_review,
    participating_boards_as,
    review_allows,
    runs_review,
)
from reviews.models import BOARD_ROLES, Role

BM, CHAIR = Role.BUSINESS_MANAGER, Role.CHAIR

review_participant = on_review(*BOARD_ROLES, Role.LEAD_REVIEWER)
# In a cross-border review the lead board runs the commissioning: its business manager shapes the scope,
# opens input rounds, appoints and drafts; its chair approves. Participating boards give input and comment.
review_manager = runs_review(BM)
review_open = review_allows(workflow.OPEN)
commissioning_open = review_allows(workflow.COMMISSIONING_OPEN)

add_rule("view_commissioning", review_participant)
add_rule("change_commissioning", review_manager & commissioning_open)
add_rule("open_input_round", review_manager & commissioning_open)
add_rule("give_input", on_review(Role.BOARD_MEMBER, CHAIR) & commissioning_open)
add_rule("appoint_lead_reviewer", review_manager & review_open)
add_rule("propose_scope_change", on_review(Role.LEAD_REVIEWER) & review_open)
add_rule("answer_proposal", runs_review(BM, CHAIR) & review_open)
add_rule("edit_terms_of_reference", review_manager & commissioning_open)
add_rule("comment_terms_of_reference", review_participant & commissioning_open)
add_rule("approve_terms_of_reference", runs_review(CHAIR) & commissioning_open)


# A cross-border review: each participating board's chair agrees or objects to a version of the terms of
# reference before the lead board's chair approves it.
@rules.predicate
def chairs_a_participating_board(user, review) -> bool:
    return bool(participating_boards_as(user, review, CHAIR))


add_rule(
    "agree_terms_of_reference",
    chairs_a_participating_board & commissioning_open,
    refusal="Only the chair of a board taking part in the review records its agreement or objection.",
)
# The lead reviewer registry is shared by all boards: business managers and chairs consult it.
add_rule("view_registry", anywhere(BM, CHAIR))
add_rule("manage_registry", anywhere(BM))


# A declaration of interests for a review, about one registry reviewer: the rule's object is the pair
# (review, reviewer). The business manager records one for any reviewer (a candidate may declare by
# email); the appointed lead reviewer records their own.
@rules.predicate
def declares_own_interests(user, subject) -> bool:
    review, reviewer = subject
    return reviewer.user_id == user.pk and can(user, "propose_scope_change", review)


@rules.predicate
def records_interests_for_others(user, subject) -> bool:
    review, _reviewer = subject
    return can(user, "appoint_lead_reviewer", review)


add_rule("declare_own_interests", declares_own_interests)
add_rule(
    "declare_interests",
    declares_own_interests | records_interests_for_others,
    refusal="Only the business manager or the lead reviewer can record this declaration.",
)
