"""Authorization-walk rows for the response overview, self-check, report and findings, and the written
response (merged into tests/test_authorization.py)."""

from __future__ import annotations

from tests.responses.helpers import at_stage
from tests.routes import Route, _object


def _review(w, state: str = "response") -> dict:
    return {"pk": at_stage(w.north_review, state).pk}


# Board people read the response; a lead reviewer's access ends with the scoping.
READERS_ONLY = ("east_manager", "north_reviewer", "south_member")

ROUTES: dict[str, Route] = {
    "response": _object(_review, allowed="north_member", denied=READERS_ONLY),
    "response_self_check": _object(_review, allowed="north_member", denied=READERS_ONLY),
}
