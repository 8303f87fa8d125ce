"""The rules of the information from agencies, declared into the one rule set of `reviews.access`.

Everyone on the review sees which agencies were asked for what and where each stands; the lead board's
business manager asks and answers the submissions; the lead reviewer, the business manager, and those who
decide for the lead board (its chair, a partnership's statutory partners) read what agencies sent and the
merged chronology. An agency author sees only the requests naming them: the request, their entries and
their upload, never the review's own pages (their membership grants no board role)."""

from __future__ import annotations

import rules

from reviews import workflow
from reviews.access import add_rule, author_agencies, on_review, review_allows, roles_running, runs_review
from reviews.models import BOARD_ROLES, PARTNER_ROLES, Role

BM = Role.BUSINESS_MANAGER
# Who reads what agencies sent: the review's runners and its deciders on the lead board.
READERS = (BM, Role.LEAD_REVIEWER, Role.CHAIR, *PARTNER_ROLES)


@rules.predicate
def is_named_author(user, request) -> bool:
    """The request's named author, while they write for its agency as an agency author on the review's
    lead board (an ended membership ends their access)."""
    if request.author_id != user.pk:
        return False
    return request.agency_id in author_agencies(user).get(request.review.lead_board_id, frozenset())


@rules.predicate
def reads_submissions(user, request) -> bool:
    review = request.review
    return bool(roles_running(user, review) & set(READERS)) and workflow.allows(
        review, workflow.INFORMATION_SHOWN
    )


@rules.predicate
def answers_submissions(user, request) -> bool:
    review = request.review
    return BM in roles_running(user, review) and workflow.allows(review, workflow.INFORMATION_OPEN)


@rules.predicate
def writes_while_open(user, request) -> bool:
    return workflow.allows(request.review, workflow.INFORMATION_OPEN)


add_rule(
    "view_information_requests",
    on_review(*BOARD_ROLES, Role.LEAD_REVIEWER) & review_allows(workflow.INFORMATION_SHOWN),
)
add_rule(
    "ask_for_information",
    runs_review(BM) & review_allows(workflow.INFORMATION_OPEN),
    refusal="Only the lead board's business manager asks agencies for information, while the review is in "
    "progress.",
)
add_rule(
    "read_chronology",
    runs_review(*READERS) & review_allows(workflow.INFORMATION_SHOWN),
    refusal="The merged chronology is for the lead reviewer, the business manager and those who decide for "
    "the lead board.",
)
add_rule(
    "view_information_request",
    reads_submissions | is_named_author,
    refusal="What an agency sent is for its author, the lead reviewer, the business manager and those who "
    "decide for the lead board.",
)
add_rule(
    "write_submission",
    is_named_author & writes_while_open,
    refusal="Only the request's named author writes its submission, while the review is in progress.",
)
add_rule(
    "answer_submission",
    answers_submissions,
    refusal="Only the lead board's business manager accepts a submission or sends it back.",
)
