"""The rules of the reviews app: boards, the review record and its lifecycle. Declared into the one rule
set of `reviews.access`; loaded by the app's `ready()`."""

from __future__ import annotations

import rules

from . import workflow
from .access import (
    add_rule,
    anywhere,
    invitation_parties,
    on_board,
    on_review,
    represents_agency,
    review_allows,
    roles_running,
    runs_review,
)
from .models import BOARD_ROLES, Role

BM, CHAIR = Role.BUSINESS_MANAGER, Role.CHAIR

board_participant = on_board(*BOARD_ROLES)
board_manager = on_board(BM)
review_participant = on_review(*BOARD_ROLES, Role.LEAD_REVIEWER)
review_manager = on_review(BM)
review_open = review_allows(workflow.OPEN)

# Boards
add_rule("view_board", board_participant)
add_rule("view_board_history", board_manager)
add_rule("change_board_timescales", board_manager)
add_rule("create_review", board_manager)
# Opening a review at all: a business manager of at least one board (which board is asked on the form).
add_rule("open_reviews", anywhere(BM), refusal="Only a business manager can open a review.")
# Reviews
add_rule("view_review", review_participant)
add_rule("view_review_history", review_manager)
# The lead board keeps the case record of a cross-border review (referral, children, parallel processes).
add_rule("change_review", runs_review(BM) & review_open)
# Taking a step of the lifecycle: the entry check; the workflow table names the roles per step
# (access.may_take_step).
add_rule("take_review_step", review_participant & review_allows(workflow.STEPS_TAKEN))

# Cross-border reviews: the lead board's business manager invites other boards and removes them; each
# invited board's business manager answers (or withdraws) for their board.
add_rule(
    "invite_boards",
    runs_review(BM) & review_open,
    refusal="Only the lead board's business manager can invite or remove boards.",
)
add_rule("answer_invitations", anywhere(BM), refusal="Only a business manager answers invitations.")


@rules.predicate
def answers_for_invited_board(user, invitation) -> bool:
    return workflow.INVITED_MANAGER in invitation_parties(user, invitation)


add_rule(
    "answer_invitation",
    answers_for_invited_board,
    refusal="Only the invited board's business manager can answer this invitation.",
)


# A practice review's rapid review: everyone on the review reads it once the serious incident is notified
# (the scrutineer included); the lead partnership's business manager asks agencies for summaries of their
# involvement; a summary is recorded by the business manager or by someone representing that agency on the
# lead partnership, while the rapid review is open.
add_rule(
    "view_rapid_review",
    review_participant & review_allows(workflow.RAPID_REVIEW_SHOWN),
    refusal="A practice review has a rapid review once the serious incident notification is recorded.",
)
add_rule(
    "request_agency_summaries",
    runs_review(BM) & review_allows(workflow.RAPID_REVIEW_OPEN),
    refusal="Only the partnership's business manager can ask agencies for summaries, while the rapid review "
    "is open.",
)


@rules.predicate
def records_for_agency(user, summary) -> bool:
    review = summary.review
    if not workflow.allows(review, workflow.RAPID_REVIEW_OPEN):
        return False
    return BM in roles_running(user, review) or represents_agency(
        user, review.lead_board_id, summary.agency_id
    )


add_rule(
    "record_agency_summary",
    records_for_agency,
    refusal="Only the partnership's business manager, or someone representing this agency on the "
    "partnership, can record its summary, while the rapid review is open.",
)
