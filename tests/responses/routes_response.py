"""Authorization-walk rows for the response overview, self-check, report and findings, and the written
response (merged into tests/test_authorization.py)."""

from __future__ import annotations

from tests.responses.helpers import at_stage, finding
from tests.routes import Route, _object


def _review(w, state: str = "response") -> dict:
    return {"pk": at_stage(w.north_review, state).pk}


def _finding(w) -> dict:
    review = at_stage(w.north_review)
    made = review.findings.first() or finding(review)
    return {"pk": review.pk, "finding_pk": made.pk}


def _draft(w) -> dict:
    """The north review's draft of the written response (made once)."""
    from responses.document import services

    review = at_stage(w.north_review)
    if not review.findings.exists():
        finding(review)
    version = review.response_versions.filter(
        signed_at__isnull=True
    ).first() or services.response_version_create(review=review, user=w.north_manager)
    return {"pk": review.pk, "number": version.number}


# Board people read the response; a lead reviewer's access ends with the scoping.
READERS_ONLY = ("east_manager", "north_reviewer", "south_member")
# The business manager records and drafts; members, chairs and lead reviewers may not.
MANAGERS_ONLY = ("east_manager", "north_member", "north_chair", "north_reviewer")


def _read(kwargs, **extra) -> Route:
    return _object(kwargs, allowed="north_member", denied=READERS_ONLY, **extra)


def _manage(kwargs, **extra) -> Route:
    return _object(kwargs, allowed="north_manager", denied=MANAGERS_ONLY, **extra)


ROUTES: dict[str, Route] = {
    "response": _read(_review),
    "response_self_check": _read(_review),
    # Report and findings
    "response_report": _read(_review),
    "report_download": _read(_review),
    "report_replace": _manage(_review),
    "finding_add": _manage(_review),
    "finding_edit": _manage(_finding),
    "finding_delete": _manage(_finding),
    # The written response
    "response_versions": _read(_review),
    "response_verify": _read(_review),
    "response_version": _read(_draft),
    "response_version_download": _read(_draft),
    "response_version_create": _manage(_review),
    "response_version_edit": _manage(_draft),
    "response_version_rebuild": Route(
        kwargs=_draft, method="post", allowed="north_manager", denied=MANAGERS_ONLY, ok_status=302
    ),
    "response_version_request": Route(
        kwargs=_draft, method="post", allowed="north_manager", denied=MANAGERS_ONLY, ok_status=302
    ),
    "response_version_sign": _object(
        _draft,
        allowed="north_chair",
        denied=("east_manager", "north_manager", "north_member", "north_reviewer"),
    ),
}
