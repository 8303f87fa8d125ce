"""The rules of the review's plan and governance, declared into the one rule set of `reviews.access`.

Everyone on the review reads the plan, the governance, the lead reviewer's independence declaration and
the challenge log (an agency author does not: their membership grants no board role). The lead board's
business manager keeps them while the review is in progress; the lead reviewer declares their own
independence. The business manager records the board's view of the self-checks of markers 7, 8 and 9."""

from __future__ import annotations

from reviews import workflow
from reviews.access import add_rule, on_review, review_allows, runs_review
from reviews.models import BOARD_ROLES, Role

BM = Role.BUSINESS_MANAGER

add_rule(
    "view_plan",
    on_review(*BOARD_ROLES, Role.LEAD_REVIEWER) & review_allows(workflow.INFORMATION_SHOWN),
    refusal="The plan and governance are for the people on the review, once it is in progress.",
)
add_rule(
    "change_plan",
    runs_review(BM) & review_allows(workflow.INFORMATION_OPEN),
    refusal="Only the lead board's business manager keeps the plan and governance, while the review is in "
    "progress.",
)
add_rule(
    "declare_independence",
    runs_review(Role.LEAD_REVIEWER) & review_allows(workflow.INFORMATION_OPEN),
    refusal="Only the review's lead reviewer declares their independence, while the review is in progress.",
)
add_rule(
    "record_plan_self_check",
    runs_review(BM) & review_allows(workflow.INFORMATION_SHOWN) & review_allows(workflow.OPEN),
    refusal="Only the lead board's business manager records the self-check, while the review is open.",
)
