"""Template filters that say what a review's stage means for a person, so templates name no stage."""

from __future__ import annotations

from django import template

from reviews.models import Review, State

register = template.Library()

# What a chair is waiting to do at the stages where the workflow asks the chair to act (besides signing
# off the board's response, which the home page links to the draft itself).
CHAIR_TASKS = {
    State.DECISION: "Your decision whether to initiate a review",
    State.COMMISSIONING: "Agreeing the terms of reference and starting the review",
}


@register.filter
def chair_task(review: Review) -> str:
    """`{{ review|chair_task }}`: what the chair is asked to do at the review's stage ("" for the response)."""
    return CHAIR_TASKS.get(review.state, "")
