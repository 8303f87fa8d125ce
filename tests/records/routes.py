"""The retention pages' rows in the authorization walk (tests/test_authorization.py): only the board's
business manager; another board's manager gets 404, the board's other roles 403. (The subject-access
export's pages are admin URLs: the walk's admin rule covers them, tests/records/test_subject_access_admin.py
the superuser and owner checks.)"""

from __future__ import annotations

from tests.routes import Route, _object


def _due(w) -> dict:
    """North's review, closed long enough ago that its retention period has run out."""
    from reviews.models import Review
    from tests.records.conftest import years_ago

    Review.objects.filter(pk=w.north_review.pk).update(state="closed", closed_on=years_ago(30))
    return {"pk": w.north.pk, "review_pk": w.north_review.pk}


def _decision(w) -> dict:
    """A decision on North's due review, confirmed by its business manager and waiting for a worker
    (recorded directly: the confirmation would apply it at once in the embedded default)."""
    from records.models import DisposalRequest

    _due(w)
    decision, _ = DisposalRequest.objects.get_or_create(
        review_id=w.north_review.pk,
        defaults={
            "board": w.north,
            "review_reference": w.north_review.reference,
            "kind": "anonymise",
            "channel": "portal",
            "requested_by": w.north_manager,
        },
    )
    return {"pk": w.north.pk, "request_pk": decision.pk}


ROUTES: dict[str, Route] = {
    "retention_due": _object(
        lambda w: {"pk": w.north.pk},
        allowed="north_manager",
        denied=("east_manager", "north_member", "north_chair"),
    ),
    "retention_period": _object(
        lambda w: {"pk": w.north.pk}, allowed="north_manager", denied=("south_manager", "north_chair")
    ),
    "retention_confirm": _object(
        _due, allowed="north_manager", denied=("east_manager", "south_manager", "north_member", "north_chair")
    ),
    # A confirmed decision's page and its polled panel (200 while it waits for a worker).
    **{
        name: _object(
            _decision,
            allowed="north_manager",
            denied=("east_manager", "south_manager", "north_member", "north_chair"),
        )
        for name in ("retention_decision", "retention_decision_status")
    },
}
