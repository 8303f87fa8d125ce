"""Authorization-walk rows for the information from agencies (merged into tests/test_authorization.py).

Everyone on the review sees which agencies were asked; the lead board's business manager asks and answers;
the lead reviewer, the manager and the chair read what was sent and the merged chronology (a board member
does not); the named agency author alone writes the submission, and sees nothing else."""

from __future__ import annotations

from tests.conduct.helpers import in_progress, north_request
from tests.conduct.inquiry_helpers import episode, line
from tests.conduct.people_helpers import north_event, north_member
from tests.routes import Route, _object

OUTSIDERS = ("east_manager", "south_member", "south_manager")
NOT_READERS = (*OUTSIDERS, "north_member")
NOT_AUTHORS = (*OUTSIDERS, "north_manager", "north_reviewer", "north_member", "north_chair")
NOT_MANAGER = (*OUTSIDERS, "north_author", "north_member", "north_chair", "north_reviewer")


def _review(w) -> dict:
    return {"pk": in_progress(w.north_review).pk}


def _request(w, status: str = "asked") -> dict:
    made = north_request(w, status)
    return {"pk": made.review_id, "request_pk": made.pk}


def _entry(w) -> dict:
    made = north_request(w)
    return {"pk": made.review_id, "request_pk": made.pk, "entry_pk": made.entries.first().pk}


NOT_WRITERS = (*OUTSIDERS, "north_author", "north_member", "north_chair")


def _line(w) -> dict:
    review = in_progress(w.north_review)
    made = review.enquiry_lines.first() or line(review)
    return {"pk": review.pk, "line_pk": made.pk}


def _episode(w) -> dict:
    made = north_request(w, "submitted")
    review = made.review
    found = review.practice_episodes.first() or episode(review, entries=list(made.entries.all()))
    return {"pk": review.pk, "episode_pk": found.pk}


def _authorship(w) -> dict:
    from reviews.models import Membership, Role

    review = in_progress(w.north_review)
    held = Membership.objects.get(user=w.north_author, board=review.lead_board, role=Role.AGENCY_AUTHOR)
    return {"pk": review.pk, "membership_pk": held.pk}


ROUTES: dict[str, Route] = {
    "information_requests": _object(_review, allowed="north_member", denied=(*OUTSIDERS, "north_author")),
    "information_request_create": _object(_review, allowed="north_manager", denied=NOT_MANAGER),
    "information_request": _object(_request, allowed="north_reviewer", denied=NOT_READERS),
    "chronology_entry_add": _object(_request, allowed="north_author", denied=NOT_AUTHORS),
    "chronology_entry_edit": _object(_entry, allowed="north_author", denied=NOT_AUTHORS),
    "chronology_entry_delete": _object(_entry, allowed="north_author", denied=NOT_AUTHORS),
    "information_report_upload": _object(_request, allowed="north_author", denied=NOT_AUTHORS),
    "information_report_download": _object(_request, allowed="north_chair", denied=NOT_READERS),
    "information_submit": Route(
        kwargs=_request, method="post", allowed="north_author", denied=NOT_AUTHORS, ok_status=302
    ),
    "information_accept": Route(
        kwargs=lambda w: _request(w, "submitted"),
        method="post",
        allowed="north_manager",
        denied=NOT_MANAGER,
        ok_status=302,
    ),
    "information_send_back": _object(
        lambda w: _request(w, "submitted"), allowed="north_manager", denied=NOT_MANAGER
    ),
    "chronology": _object(_review, allowed="north_chair", denied=(*NOT_READERS, "north_author")),
    # The merged chronology as a CSV file: asked for (documents' export pipeline) by whoever reads it.
    "chronology_csv": Route(
        kwargs=_review,
        method="post",
        allowed="north_reviewer",
        denied=(*NOT_READERS, "north_author"),
        ok_status=302,
    ),
    "chronology_xlsx": Route(
        kwargs=_review,
        method="post",
        allowed="north_manager",
        denied=(*NOT_READERS, "north_author"),
        ok_status=302,
    ),
    "chronology_pdf": Route(
        kwargs=_review,
        method="post",
        allowed="north_chair",
        denied=(*NOT_READERS, "north_author"),
        ok_status=302,
    ),
    # The analysis (conduct/inquiry): read as the chronology is, written by the lead reviewer or the manager;
    # the self-checks of markers 10 and 13, read as their parts are.
    "analysis": _object(_review, allowed="north_chair", denied=(*NOT_READERS, "north_author")),
    "enquiry_line_add": _object(_review, allowed="north_reviewer", denied=NOT_WRITERS),
    "enquiry_line_edit": _object(_line, allowed="north_manager", denied=NOT_WRITERS),
    "enquiry_line_delete": _object(_line, allowed="north_reviewer", denied=NOT_WRITERS),
    "practice_episode_add": _object(_review, allowed="north_reviewer", denied=NOT_WRITERS),
    "practice_episode_edit": _object(_episode, allowed="north_reviewer", denied=NOT_WRITERS),
    "practice_episode_evidence": _object(_episode, allowed="north_manager", denied=NOT_WRITERS),
    "practice_episode_delete": _object(_episode, allowed="north_reviewer", denied=NOT_WRITERS),
    "analysis_self_check": _object(_review, allowed="north_chair", denied=(*NOT_READERS, "north_author")),
    # Naming agency authors: the lead board's business manager, while the review is in progress.
    "agency_authors": _object(_review, allowed="north_manager", denied=NOT_MANAGER),
    "agency_author_end": Route(
        kwargs=_authorship, method="post", allowed="north_manager", denied=NOT_MANAGER, ok_status=302
    ),
    "information_self_check": _object(_review, allowed="north_member", denied=(*OUTSIDERS, "north_author")),
}
# The pages an agency author reaches: those of the request naming them, and nothing else of any review.
AUTHOR_ROUTES = frozenset(
    {
        "information_request",
        "chronology_entry_add",
        "chronology_entry_edit",
        "chronology_entry_delete",
        "information_report_upload",
        "information_report_download",
        "information_submit",
    }
)


# Practitioners and the family (conduct.people) ----------------------------------------------------------
# Everyone on the review sees the practitioner events (counts by agency, nobody named); the business manager
# and the lead reviewer record them. The family record is the business manager's and lead reviewer's only:
# the chair, a member of the lead board, other boards and agency authors are all refused.


def _event(w) -> dict:
    made = north_event(w)
    return {"pk": made.review_id, "event_pk": made.pk}


def _member(w) -> dict:
    made = north_member(w)
    return {"pk": made.review_id, "member_pk": made.pk}


NOT_KEEPERS = (*OUTSIDERS, "north_author", "north_member", "north_chair")
ROUTES.update(
    {
        "practitioners": _object(_review, allowed="north_member", denied=(*OUTSIDERS, "north_author")),
        "practitioner_event_add": _object(_review, allowed="north_reviewer", denied=NOT_KEEPERS),
        "practitioner_event_edit": _object(_event, allowed="north_manager", denied=NOT_KEEPERS),
        "practitioners_self_check": _object(
            _review, allowed="north_chair", denied=(*OUTSIDERS, "north_author")
        ),
        "family": _object(_review, allowed="north_reviewer", denied=NOT_KEEPERS),
        "family_member_add": _object(_review, allowed="north_manager", denied=NOT_KEEPERS),
        "family_member": _object(_member, allowed="north_reviewer", denied=NOT_KEEPERS),
        "family_member_edit": _object(_member, allowed="north_manager", denied=NOT_KEEPERS),
        "family_contact_add": _object(_member, allowed="north_reviewer", denied=NOT_KEEPERS),
        "family_self_check": _object(_review, allowed="north_manager", denied=NOT_KEEPERS),
        "informing-the-family_self_check": _object(_review, allowed="north_reviewer", denied=NOT_KEEPERS),
    }
)

# The plan and governance's rows, kept beside its own tests.
from tests.conduct.routes_plan import ROUTES as PLAN_ROUTES  # noqa: E402

ROUTES.update(PLAN_ROUTES)
