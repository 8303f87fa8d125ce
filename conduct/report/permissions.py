"""The rules of the report (SCIE Quality Marker 14), declared into the one rule set of `reviews.access`.

Everyone on the review's boards sees the report's page while there are drafts to show; the lead reviewer
adds drafts and records how agencies' comments were dealt with; the business manager sends a draft to
agencies for a factual-accuracy check; the business manager or the lead reviewer records the panel's
quality assurance and the family's view; the people who represent an asked agency on the lead board reply
for it; the regime's accountable people (the chair; a partnership's statutory partners) accept the final
version. Drafts are read by the review's runners, its deciders and the agencies asked to check them."""

from __future__ import annotations

import rules

from reviews import workflow
from reviews.access import add_rule, on_review, represents_agency, review_allows, roles_running, runs_review
from reviews.models import BOARD_ROLES, PARTNER_ROLES, Role

BM, LR = Role.BUSINESS_MANAGER, Role.LEAD_REVIEWER
READERS = (BM, LR, Role.CHAIR, *PARTNER_ROLES)


@rules.predicate
def accepts_final_report(user, review) -> bool:
    return bool(roles_running(user, review) & workflow.accepts_report(review))


@rules.predicate
def reads_draft(user, draft) -> bool:
    review = draft.review
    if not workflow.allows(review, workflow.REPORT_SHOWN):
        return False
    if roles_running(user, review) & set(READERS):
        return True
    asked = draft.accuracy_checks.values_list("agency_id", flat=True)
    return any(represents_agency(user, review.lead_board_id, agency) for agency in asked)


@rules.predicate
def replies_for_agency(user, check) -> bool:
    review = check.review
    return workflow.allows(review, workflow.REPORT_DRAFTING) and represents_agency(
        user, review.lead_board_id, check.agency_id
    )


DRAFTING = review_allows(workflow.REPORT_DRAFTING)

add_rule("view_report", on_review(*BOARD_ROLES, LR) & review_allows(workflow.REPORT_SHOWN))
add_rule(
    "add_report_draft",
    runs_review(LR) & DRAFTING,
    refusal="Only the lead reviewer adds drafts of the report, while the review is in progress.",
)
add_rule(
    "send_for_accuracy",
    runs_review(BM) & DRAFTING,
    refusal="Only the lead board's business manager sends a draft to agencies, while the review is in "
    "progress.",
)
add_rule(
    "respond_to_accuracy",
    runs_review(LR) & DRAFTING,
    refusal="Only the lead reviewer records how agencies' comments were dealt with.",
)
add_rule(
    "record_draft_review",
    runs_review(BM, LR) & DRAFTING,
    refusal="Only the business manager or the lead reviewer records quality assurance and the family's view.",
)
add_rule(
    "accept_report",
    accepts_final_report & DRAFTING,
    refusal="Only those who decide for the lead board accept the final report, while the review is in "
    "progress.",
)
add_rule(
    "read_report_draft",
    reads_draft,
    refusal="Drafts are for the lead reviewer, the business manager, those who decide for the lead board "
    "and the agencies asked to check them.",
)
add_rule(
    "reply_for_accuracy",
    replies_for_agency,
    refusal="Only the people who represent the agency on the lead board reply for it.",
)
add_rule(
    "assess_report",
    runs_review(BM) & review_allows(workflow.REPORT_SHOWN) & review_allows(workflow.OPEN),
    refusal="Only the lead board's business manager records the self-check of the report.",
)
