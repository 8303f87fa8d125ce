"""The rules of practitioners' involvement and the family record, declared into the one rule set of
`reviews.access`.

Practitioner events hold nothing personal beyond role and agency: everyone on the review sees them; the
lead board's business manager and the lead reviewer record them while the review is in progress. The family
record is restricted: only the lead board's business manager and the review's lead reviewer know of it (the
chair, the members, other boards and agency authors are refused, and no other page counts it)."""

from __future__ import annotations

from reviews import workflow
from reviews.access import add_rule, on_review, review_allows, runs_review
from reviews.models import BOARD_ROLES, Role

KEEPERS = (Role.BUSINESS_MANAGER, Role.LEAD_REVIEWER)  # who keep these records

add_rule(
    "view_practitioners",
    on_review(*BOARD_ROLES, Role.LEAD_REVIEWER) & review_allows(workflow.INFORMATION_SHOWN),
)
add_rule(
    "record_practitioners",
    runs_review(*KEEPERS) & review_allows(workflow.INFORMATION_OPEN),
    refusal="Only the lead board's business manager and the lead reviewer record practitioner events, while "
    "the review is in progress.",
)
add_rule(
    "view_family",
    runs_review(*KEEPERS) & review_allows(workflow.INFORMATION_SHOWN),
    refusal="The family record is for the business manager and the lead reviewer only.",
)
add_rule(
    "record_family",
    runs_review(*KEEPERS) & review_allows(workflow.INFORMATION_OPEN),
    refusal="Only the business manager and the lead reviewer keep the family record, while the review is in "
    "progress.",
)
add_rule(
    "assess_people",
    runs_review(Role.BUSINESS_MANAGER) & review_allows(workflow.INFORMATION_SHOWN),
    refusal="The business manager records the self-check.",
)
