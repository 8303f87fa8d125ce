"""The rules of the analysis (SCIE Quality Marker 13) and of the running self-checks.

The analysis (lines of enquiry and key practice episodes) is read by whoever reads the merged chronology
it cites (`read_chronology`: the lead reviewer, the business manager and those who decide for the lead
board), and written by the lead reviewer, or the business manager for them, while the review is in
progress. An agency author sees none of it. The board's view on the running markers (10 and 13) is
recorded by the lead board's business manager, once there is information to judge."""

from __future__ import annotations

from reviews import workflow
from reviews.access import add_rule, review_allows, runs_review
from reviews.models import Role

add_rule(
    "write_analysis",
    runs_review(Role.LEAD_REVIEWER, Role.BUSINESS_MANAGER) & review_allows(workflow.INFORMATION_OPEN),
    refusal="Only the lead reviewer and the business manager record the analysis, while the review is in "
    "progress.",
)
add_rule(
    "record_running_self_check",
    runs_review(Role.BUSINESS_MANAGER) & review_allows(workflow.INFORMATION_SHOWN),
    refusal="Only the lead board's business manager records its view of the quality marker.",
)
