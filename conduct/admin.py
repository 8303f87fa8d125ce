"""The information from agencies, readable in the admin for the reviews the administrator may see; never
written here: requests, entries and answers go through the portal's services (conduct.services), which
check the stage, lock, record on the timeline and tell people."""

from __future__ import annotations

from django.contrib import admin

from reviews.admin import VisibleReviewRowsMixin
from scr_portal.admin import HistoryAdmin, ReadOnly

from .models import (
    AccuracyCheck,
    Challenge,
    ChronologyEntry,
    EnquiryLine,
    Governance,
    IndependenceDeclaration,
    InformationRequest,
    Milestone,
    PracticeEpisode,
    PractitionerEvent,
    ReportDraft,
)


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


# Plan and governance (conduct.plan): read here, written through conduct.plan.services.


@admin.register(Milestone)
class MilestoneAdmin(ReadOnly, VisibleReviewRowsMixin, HistoryAdmin):
    list_display = ["review", "name", "owner", "planned_on", "due_on", "done_on"]
    list_filter = ["review__lead_board"]
    search_fields = ["review__reference", "name"]
    list_select_related = ["review", "owner"]
    readonly_fields = ["review", "name", "owner", "planned_on", "due_on", "done_on"]
    fields = readonly_fields


@admin.register(Governance)
class GovernanceAdmin(ReadOnly, VisibleReviewRowsMixin, HistoryAdmin):
    list_display = ["review", "quality_assured_by", "updated_at"]
    list_select_related = ["review"]
    readonly_fields = ["review", "quality_assured_by", "quality_assurance", "sign_off", "updated_by"]
    fields = readonly_fields


@admin.register(IndependenceDeclaration)
class IndependenceDeclarationAdmin(ReadOnly, VisibleReviewRowsMixin, HistoryAdmin):
    list_display = ["review", "reviewer", "independent", "declared_on"]
    list_select_related = ["review", "reviewer"]
    readonly_fields = ["review", "reviewer", "independent", "interests", "managed_how", "declared_on"]
    fields = readonly_fields


@admin.register(Challenge)
class ChallengeAdmin(ReadOnly, VisibleReviewRowsMixin, HistoryAdmin):
    list_display = ["review", "kind", "raised_by", "raised_on", "escalated", "resolved_on"]
    list_filter = ["kind", "escalated", "review__lead_board"]
    list_select_related = ["review"]
    readonly_fields = [
        "review",
        "kind",
        "issue",
        "raised_by",
        "raised_on",
        "escalated",
        "resolution",
        "resolved_on",
        "recorded_by",
    ]
    fields = readonly_fields


# Practitioner events (conduct.people). The family record is restricted to the review's business manager and
# lead reviewer, so it has no admin page: an administrator who sees the review is not necessarily either.


@admin.register(PractitionerEvent)
class PractitionerEventAdmin(ReadOnly, VisibleReviewRowsMixin, HistoryAdmin):
    list_display = ["review", "kind", "held_on", "briefed_on", "feedback_on"]
    list_filter = ["kind", "review__lead_board"]
    search_fields = ["review__reference"]
    list_select_related = ["review"]
    readonly_fields = [
        "review",
        "kind",
        "purpose",
        "held_on",
        "briefed_on",
        "support_offered",
        "feedback",
        "feedback_on",
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
