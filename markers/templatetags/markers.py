"""`{% load markers %}{% marker_evidence review 6 %}`: a marker's evidence panel, for the page of the part
of the review it belongs to (those apps sit below this one and never import it)."""

from __future__ import annotations

from django import template

from markers.checks import evidence_for
from markers.registry import MARKERS
from reviews.models import Review

register = template.Library()


@register.inclusion_tag("markers/evidence.html")
def marker_evidence(review: Review, number: int) -> dict:
    marker = MARKERS[number].in_words(review)
    evidence = evidence_for(review, marker)
    return {"marker": marker, "evidence": [(q, evidence[q.number]) for q in marker.questions]}
