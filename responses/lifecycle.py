"""What the response adds to the review's lifecycle: the board responds once the report's findings are
recorded, and publishes once the latest version of its written response is signed off: by the chair under
an LSCB; under a partnership, by each of the three statutory partners on the latest version's text (a
changed text needs three new signatures). Registered with the workflow from the app's `ready()`."""

from __future__ import annotations

from reviews import workflow
from reviews.models import Review

from .document import workflow as document_workflow
from .models import Finding, ResponseVersion


def findings_recorded(review: Review) -> list[str]:
    if Finding.objects.filter(review=review).exists():
        return []
    return ["Record the report's findings (Response, then Report and findings)."]


def response_signed(review: Review) -> list[str]:
    latest = ResponseVersion.objects.filter(review=review).order_by("-number").first()
    if document_workflow.by_partners(review):
        return _partners_signed(review, latest)
    if latest is None:
        return ["The chair signs off the board's written response (Response, then Written response)."]
    if not latest.is_signed:
        return [
            f"The chair signs off version {latest.number} of the board's written response, which is still a draft."
        ]
    return []


def _partners_signed(review: Review, latest: ResponseVersion | None) -> list[str]:
    w = review.words
    if latest is None:
        return [
            f"Each of the three statutory partners signs the {w.response} (Response, then Written response)."
        ]
    waiting = document_workflow.partners_to_sign(latest)
    if latest.is_signed and not waiting:
        return []
    who = [f"{s.organisation} ({s.label.lower()})" if s.organisation else s.label for s in waiting]
    names = ", ".join(who[:-1]) + " and " + who[-1] if len(who) > 1 else "".join(who)
    return [
        f"Each of the three statutory partners signs version {latest.number} of the {w.response}; still to "
        f"sign: {names}."
    ]


workflow.add_guard("begin_response", findings_recorded)
workflow.add_guard("publish", response_signed)
