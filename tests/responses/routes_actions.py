"""Authorization-walk rows for the response's actions pages (merged into tests/test_authorization.py).

Board people of the review's boards read the action plan; the business manager agrees and changes actions;
the named owner, board members for the owning agency and the business manager record progress; people of
another board and lead reviewers (whose access ends with the scoping) get nothing."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.utils import timezone

from responses.models import ActionUpdate, Evidence
from tests.responses.helpers import PDF_BYTES, action, at_stage
from tests.routes import Route, _object

OUTSIDERS = ("east_manager", "north_reviewer", "south_member")


def _review(w) -> dict:
    return {"pk": at_stage(w.north_review).pk}


def _action(w, review=None):
    """The review's first action, owned by North's board member (made once)."""
    review = at_stage(review or w.north_review)
    return review.actions.order_by("number").first() or action(review, w.north_member)


def _action_kwargs(w) -> dict:
    made = _action(w)
    return {"pk": made.review_id, "number": made.number}


def _cross_border_action(w) -> dict:
    """An action of the cross-border review owned by North's board member (and North's member's agency)."""
    made = _action(w, w.cross_border_review)
    return {"pk": made.review_id, "number": made.number}


def _evidence(w) -> dict:
    made = _action(w)
    evidence = Evidence.objects.filter(update__action=made).first()
    if evidence is None:
        update = ActionUpdate.objects.create(
            action=made, author=w.north_member, on=timezone.localdate(), text="Training delivered."
        )
        evidence = Evidence(update=update, name="Attendance.pdf", size=len(PDF_BYTES))
        evidence.file.save("attendance.pdf", ContentFile(PDF_BYTES), save=True)
    return {"pk": made.review_id, "number": made.number, "evidence_pk": evidence.pk}


def _board(w) -> dict:
    return {"pk": w.north.pk}


ROUTES: dict[str, Route] = {
    "action_plan": _object(_review, allowed="north_member", denied=OUTSIDERS),
    "action_plan_csv": _object(_review, allowed="north_chair", denied=OUTSIDERS),
    "action_create": _object(
        _review, allowed="north_manager", denied=(*OUTSIDERS, "north_member", "north_chair")
    ),
    "action_detail": _object(_action_kwargs, allowed="north_chair", denied=OUTSIDERS),
    "action_edit": _object(
        _action_kwargs, allowed="north_manager", denied=(*OUTSIDERS, "north_member", "north_chair")
    ),
    # The owner records progress; the chair (neither owner nor of the owning agency) may not.
    "action_progress": _object(_action_kwargs, allowed="north_member", denied=(*OUTSIDERS, "north_chair")),
    # On the cross-border review South's board member sees the action but represents another agency.
    "action_status": _object(
        _cross_border_action,
        allowed="north_member",
        denied=("east_manager", "south_member", "south_chair", "south_manager"),
    ),
    "action_evidence": _object(_evidence, allowed="north_chair", denied=OUTSIDERS),
    "board_action_plan": _object(_board, allowed="north_member", denied=("east_manager", "north_reviewer")),
    "board_action_plan_csv": _object(
        _board, allowed="north_manager", denied=("east_manager", "north_reviewer", "south_member")
    ),
}
