"""Authorization-walk rows for the plan and governance (merged into tests/conduct/routes.py's ROUTES).

Everyone on the review reads the plan and its self-checks; the lead board's business manager keeps the plan,
the governance and the challenge log; the lead reviewer alone declares their independence. An agency author,
and anyone outside the review, gets nothing."""

from __future__ import annotations

from tests.conduct.helpers import in_progress
from tests.conduct.plan_helpers import north_challenge, north_milestone
from tests.routes import Route, _object

OUTSIDERS = ("east_manager", "south_member", "south_manager", "north_author")
NOT_MANAGER = (*OUTSIDERS, "north_member", "north_chair", "north_reviewer")
NOT_REVIEWER = (*OUTSIDERS, "north_member", "north_chair", "north_manager")


def _review(w) -> dict:
    return {"pk": in_progress(w.north_review).pk}


def _milestone(w) -> dict:
    made = north_milestone(w)
    return {"pk": made.review_id, "milestone_pk": made.pk}


def _challenge(w) -> dict:
    made = north_challenge(w)
    return {"pk": made.review_id, "challenge_pk": made.pk}


ROUTES: dict[str, Route] = {
    "review_plan": _object(_review, allowed="north_member", denied=OUTSIDERS),
    "milestone_add": _object(_review, allowed="north_manager", denied=NOT_MANAGER),
    "milestone_edit": _object(_milestone, allowed="north_manager", denied=NOT_MANAGER),
    "milestone_done": _object(_milestone, allowed="north_manager", denied=NOT_MANAGER),
    "governance_edit": _object(_review, allowed="north_manager", denied=NOT_MANAGER),
    "independence_declare": _object(_review, allowed="north_reviewer", denied=NOT_REVIEWER),
    "challenge_add": _object(_review, allowed="north_manager", denied=NOT_MANAGER),
    "challenge_resolve": _object(_challenge, allowed="north_manager", denied=NOT_MANAGER),
    # The self-checks of markers 7, 8 and 9: read by everyone on the review, recorded by the manager.
    "governance_self_check": _object(_review, allowed="north_chair", denied=OUTSIDERS),
    "management_self_check": _object(_review, allowed="north_reviewer", denied=OUTSIDERS),
    "parallel_self_check": _object(_review, allowed="north_member", denied=OUTSIDERS),
}
