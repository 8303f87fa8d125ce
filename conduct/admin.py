"""The information from agencies, readable in the admin for the reviews the administrator may see; never
written here: requests, entries and answers go through the portal's services (conduct.services), which
check the stage, lock, record on the timeline and tell people."""

from __future__ import annotations

from django.contrib import admin

from reviews.admin import VisibleReviewRowsMixin
from scr_portal.admin import HistoryAdmin, ReadOnly

from .models import AccuracyCheck, ChronologyEntry, InformationRequest, ReportDraft


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


# The report (conduct.report): drafts and what was recorded of them, read-only like the rest.


@admin.register(ReportDraft)
class ReportDraftAdmin(ReadOnly, VisibleReviewRowsMixin, HistoryAdmin):
    list_display = ["review", "version", "file_name", "uploaded_at", "accepted_at"]
    list_filter = ["review__lead_board"]
    search_fields = ["review__reference"]
    list_select_related = ["review"]
    readonly_fields = [
        "review",
        "version",
        "file_name",
        "file_size",
        "notes",
        "uploaded_by",
        "uploaded_at",
        "accepted_by",
        "accepted_at",
    ]
    fields = readonly_fields


@admin.register(AccuracyCheck)
class AccuracyCheckAdmin(ReadOnly, VisibleReviewRowsMixin, HistoryAdmin):
    list_display = ["review", "draft", "agency", "due_on", "replied_at", "no_comments"]
    list_filter = ["review__lead_board"]
    search_fields = ["review__reference", "agency__name"]
    list_select_related = ["review", "draft", "agency"]
    readonly_fields = [
        "review",
        "draft",
        "agency",
        "due_on",
        "asked_by",
        "asked_on",
        "replied_at",
        "replied_by",
        "no_comments",
        "reminded_on",
    ]
    fields = readonly_fields
