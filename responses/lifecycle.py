"""What the response adds to the review's lifecycle: the board responds once the report's findings are
recorded, and publishes once the chair has signed the latest version of its written response. Registered
with the workflow from the app's `ready()`."""

from __future__ import annotations

from reviews import workflow
from reviews.models import Review

from .models import Finding, ResponseVersion


def findings_recorded(review: Review) -> list[str]:
    if Finding.objects.filter(review=review).exists():
        return []
    return ["Record the report's findings (Response, then Report and findings)."]


def response_signed(review: Review) -> list[str]:
    latest = ResponseVersion.objects.filter(review=review).order_by("-number").first()
    if latest is None:
        return ["The chair signs off the board's written response (Response, then Written response)."]
    if not latest.is_signed:
        return [
            f"The chair signs off version {latest.number} of the board's written response, which is still a draft."
        ]
    return []


workflow.add_guard("begin_response", findings_recorded)
workflow.add_guard("publish", response_signed)
