"""The rules of documents (PDFs), declared into the one rule set of `reviews.access`. The business manager
asks for them; who may open one depends on what it shows (the terms of reference to everyone on the
review, lead reviewers included; the board pack to board people, once the report is held)."""

from __future__ import annotations

import rules

from reviews import workflow
from reviews.access import add_rule, on_review, review_allows, runs_review
from reviews.models import BOARD_ROLES, Role

review_participant = on_review(*BOARD_ROLES, Role.LEAD_REVIEWER)
# The lead board makes the documents of a cross-border review.
make_documents = runs_review(Role.BUSINESS_MANAGER) & review_allows(workflow.OPEN)


@rules.predicate
def report_held(user, review) -> bool:
    return workflow.report_held(review)


add_rule("make_documents", make_documents)
add_rule(
    "make_board_pack",
    make_documents & report_held,
    refusal="A board pack is made once the final report is received.",
)
add_rule("view_documents", review_participant)
