"""The stages a review can be at, in either regime: a module of its own so that the regime's words
(`reviews.words`), which name the stages, and the models, which store them, both read it without importing
each other."""

from __future__ import annotations

from django.db import models


class State(models.TextChoices):
    """Every stage of either regime (the regime's table names its own, and may name them differently)."""

    REFERRAL = "referral", "Referral"
    RAPID_REVIEW = "rapid_review", "Rapid review"
    WITH_PANEL = "with_panel", "With the national Panel"
    DECISION = "decision", "Decision"
    COMMISSIONING = "commissioning", "Commissioning"
    IN_PROGRESS = "in_progress", "Review in progress"
    REPORT_RECEIVED = "report_received", "Report received"
    RESPONSE = "response", "Response"
    PUBLISHED = "published", "Published"
    MONITORING = "monitoring", "Monitoring"
    CLOSED = "closed", "Closed"
    NOT_INITIATED = "not_initiated", "Not initiated"
    NATIONAL_REVIEW = "national_review", "National review"
    WITHDRAWN = "withdrawn", "Withdrawn"
