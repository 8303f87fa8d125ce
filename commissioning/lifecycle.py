"""What commissioning adds to the review's lifecycle: the review starts only once the chair has approved
the terms of reference, and a start date before that approval is explained. Registered with the workflow from the
app's `ready()`."""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format

from reviews import workflow
from reviews.models import Review

from .models import ToRVersion
from .tor import workflow as tor_workflow


def terms_approved(review: Review) -> list[str]:
    if ToRVersion.objects.filter(review=review, status__in=tor_workflow.APPROVED_STATUSES).exists():
        return []
    signers = review.words.signers
    return [
        f"{signers[0].upper()}{signers[1:]} approves the terms of reference (Commissioning, then Terms of reference)."
    ]


def started_after_approval(review: Review, data: dict) -> dict[str, str]:
    """A start date before the chair approved the terms of reference in the portal needs a word of
    explanation in the note: terms approved before the board used the portal and recorded since are the
    only good reason, and the timeline then says so."""
    started = data.get("started_on")
    approved = (
        ToRVersion.objects.filter(review=review, status__in=tor_workflow.APPROVED_STATUSES)
        .values_list("approved_at", flat=True)
        .first()
    )
    if started is None or approved is None or (data.get("note") or "").strip():
        return {}
    approved_on = timezone.localdate(approved)
    if started >= approved_on:
        return {}
    return {
        "started_on": f"This date is before {review.words.signers} approved the terms of reference ({date_format(approved_on, 'j F Y')}). "
        "Enter the date the review started, or, if the terms were agreed before they were recorded in the "
        "portal, say so in the note"
    }


workflow.add_guard("start_review", terms_approved)
workflow.add_date_rule("start_review", started_after_approval)
