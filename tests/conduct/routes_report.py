"""Authorization-walk rows for the report (merged into tests/test_authorization.py).

Everyone on the review's boards sees the report's page; the lead reviewer adds drafts and records how
comments were dealt with; the business manager sends a draft to agencies; the manager or the lead reviewer
records quality assurance and the family's view; the people who represent an asked agency reply for it; the
chair accepts. Drafts are read by the runners, the chair and the agencies asked to check them."""

from __future__ import annotations

from tests.conduct.helpers import in_progress
from tests.conduct.report_helpers import check, draft
from tests.responses.helpers import agency_of
from tests.routes import Route, _object

OUTSIDERS = ("east_manager", "south_member", "south_manager")
NOT_WRITERS = (*OUTSIDERS, "north_member", "north_author")


def _review(w) -> dict:
    return {"pk": in_progress(w.north_review).pk}


def _draft(w) -> dict:
    review = in_progress(w.north_review)
    made = review.report_drafts.first() or draft(review)
    return {"pk": review.pk, "draft_pk": made.pk}


def _check(w, comments: tuple[str, ...] = ()) -> dict:
    review = in_progress(w.north_review)
    made = review.report_drafts.first() or draft(review)
    agency = agency_of(w.north_member, w.north)
    row = made.accuracy_checks.filter(agency=agency).first() or check(
        made, agency, replied=bool(comments), comments=comments
    )
    return {"pk": review.pk, "check_pk": row.pk, "comment": row.comments.first()}


def _reply(w) -> dict:
    kwargs = _check(w)
    kwargs.pop("comment")
    return kwargs


def _comment(w) -> dict:
    kwargs = _check(w, comments=("The visit was on 4 March.",))
    return {"pk": kwargs["pk"], "comment_pk": kwargs["comment"].pk}


ROUTES: dict[str, Route] = {
    "report": _object(_review, allowed="north_member", denied=(*OUTSIDERS, "north_author")),
    "report_draft_add": _object(
        _review, allowed="north_reviewer", denied=(*NOT_WRITERS, "north_manager", "north_chair")
    ),
    "report_draft_download": _object(_draft, allowed="north_chair", denied=NOT_WRITERS),
    "report_accuracy_send": _object(
        _draft, allowed="north_manager", denied=(*NOT_WRITERS, "north_reviewer", "north_chair")
    ),
    "report_assurance_add": _object(_draft, allowed="north_manager", denied=(*NOT_WRITERS, "north_chair")),
    "report_family_add": _object(_draft, allowed="north_reviewer", denied=(*NOT_WRITERS, "north_chair")),
    "report_accept": _object(
        _draft, allowed="north_chair", denied=(*NOT_WRITERS, "north_manager", "north_reviewer")
    ),
    "report_accuracy_reply": _object(
        _reply,
        allowed="north_member",
        denied=(*OUTSIDERS, "north_author", "north_manager", "north_chair", "north_reviewer"),
    ),
    "report_comment_respond": _object(
        _comment, allowed="north_reviewer", denied=(*NOT_WRITERS, "north_manager", "north_chair")
    ),
    # Quality marker 14's self-check: read by everyone who sees the report, recorded by the manager.
    "report_self_check": _object(_review, allowed="north_member", denied=(*OUTSIDERS, "north_author")),
}
