"""The information from agencies, readable in the admin for the reviews the administrator may see; never
written here: requests, entries and answers go through the portal's services (conduct.services), which
check the stage, lock, record on the timeline and tell people."""

from __future__ import annotations

from django.contrib import admin

from reviews.admin import VisibleReviewRowsMixin
from scr_portal.admin import HistoryAdmin, ReadOnly

from .models import ChronologyEntry, EnquiryLine, InformationRequest, PracticeEpisode


@admin.register(InformationRequest)
class InformationRequestAdmin(ReadOnly, VisibleReviewRowsMixin, HistoryAdmin):
    list_display = ["review", "agency", "author", "due_on", "status", "submitted_at"]
    list_filter = ["status", "review__lead_board"]
    search_fields = ["review__reference", "agency__name", "author__email", "author__full_name"]
    list_select_related = ["review", "agency", "author"]
    readonly_fields = [
        "review",
        "agency",
        "author",
        "wants_chronology",
        "wants_report",
        "wants_records",
        "reason",
        "due_on",
        "asked_by",
        "asked_on",
        "status",
        "submitted_at",
        "answered_at",
        "answered_by",
        "return_reason",
        "report_name",
        "report_size",
        "reminded_on",
        "escalated_on",
    ]
    fields = readonly_fields


@admin.register(ChronologyEntry)
class ChronologyEntryAdmin(ReadOnly, VisibleReviewRowsMixin, HistoryAdmin):
    list_display = ["review", "agency", "occurred_on", "occurred_at", "significance"]
    list_filter = ["significance", "review__lead_board"]
    search_fields = ["review__reference", "agency__name"]
    list_select_related = ["review", "agency"]
    readonly_fields = [
        "request",
        "review",
        "agency",
        "occurred_on",
        "occurred_at",
        "event",
        "source",
        "significance",
    ]
    fields = readonly_fields


# The analysis (conduct/inquiry): read-only, written through conduct.inquiry.services.
@admin.register(EnquiryLine)
class EnquiryLineAdmin(ReadOnly, VisibleReviewRowsMixin, HistoryAdmin):
    list_display = ["review", "question", "created_at"]
    list_filter = ["review__lead_board"]
    search_fields = ["review__reference"]
    list_select_related = ["review"]
    readonly_fields = ["review", "question", "why", "created_by", "created_at"]
    fields = readonly_fields


@admin.register(PracticeEpisode)
class PracticeEpisodeAdmin(ReadOnly, VisibleReviewRowsMixin, HistoryAdmin):
    list_display = ["review", "title", "starts_on", "ends_on"]
    list_filter = ["review__lead_board"]
    search_fields = ["review__reference"]
    list_select_related = ["review"]
    readonly_fields = [
        "review",
        "title",
        "starts_on",
        "ends_on",
        "summary",
        "analysis",
        "created_by",
        "created_at",
    ]
    fields = readonly_fields
