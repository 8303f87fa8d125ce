"""The retention pages' rows in the authorization walk (tests/test_authorization.py): only the board's
business manager; another board's manager gets 404, the board's other roles 403."""

from __future__ import annotations

from tests.routes import Route, _object


def _due(w) -> dict:
    """North's review, closed long enough ago that its retention period has run out."""
    from reviews.models import Review
    from tests.records.conftest import years_ago

    Review.objects.filter(pk=w.north_review.pk).update(state="closed", closed_on=years_ago(30))
    return {"pk": w.north.pk, "review_pk": w.north_review.pk}


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
}
