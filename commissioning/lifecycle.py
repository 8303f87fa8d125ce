"""What commissioning adds to the review's lifecycle: the review starts only once the chair has approved
the terms of reference. Registered with the workflow from the app's `ready()`."""

from __future__ import annotations

from reviews import workflow
from reviews.models import Review

from .models import ToRVersion
from .tor import workflow as tor_workflow


def terms_approved(review: Review) -> list[str]:
    if ToRVersion.objects.filter(review=review, status__in=tor_workflow.APPROVED_STATUSES).exists():
        return []
    return ["The chair approves the terms of reference (Commissioning, then Terms of reference)."]


workflow.add_guard("start_review", terms_approved)
