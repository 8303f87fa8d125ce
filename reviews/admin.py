"""Administration of boards, agencies and memberships (reference data), and of reviews within the
administrator's own visibility: the admin grants no way around "nobody sees a review outside their boards"."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from simple_history.admin import SimpleHistoryAdmin

from .models import Agency, Appointment, Board, Membership, ParticipatingBoard, Review, ReviewAccess


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "agency"]
    fields = ["user", "role", "agency", "is_active"]


@admin.register(Board)
class BoardAdmin(SimpleHistoryAdmin):
    list_display = ["name", "local_authority_area", "independent_chair"]
    search_fields = ["name", "local_authority_area"]
    autocomplete_fields = ["independent_chair"]
    inlines = [MembershipInline]


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind", "boards"]
    search_fields = ["name"]
    filter_horizontal = ["boards"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "board", "role", "agency", "is_active", "created_at"]
    list_filter = ["board", "role", "is_active", "agency__kind"]
    search_fields = ["user__email", "user__full_name", "board__name", "agency__name"]
    autocomplete_fields = ["user", "agency"]
    list_select_related = ["user", "board", "agency"]
    actions = ["deactivate", "reactivate"]

    def _set_active(self, request, queryset, active: bool) -> int:
        # One save per row, so each change leaves its history row and admin log entry (an audited bulk action).
        changed = 0
        for membership in queryset.filter(is_active=not active):
            membership.is_active = active
            membership.save(update_fields=["is_active"])
            self.log_change(request, membership, [{"changed": {"fields": ["Active"]}}])
            changed += 1
        return changed

    @admin.action(description="End the selected roles (keep the record)")
    def deactivate(self, request, queryset):
        self.message_user(
            request, f"Ended {self._set_active(request, queryset, False)} role(s).", messages.SUCCESS
        )

    @admin.action(description="Restore the selected roles")
    def reactivate(self, request, queryset):
        self.message_user(
            request, f"Restored {self._set_active(request, queryset, True)} role(s).", messages.SUCCESS
        )


class ParticipatingBoardInline(admin.TabularInline):
    model = ParticipatingBoard
    extra = 0


class AppointmentInline(admin.TabularInline):
    model = Appointment
    extra = 0
    autocomplete_fields = ["reviewer"]


@admin.register(Review)
class ReviewAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "lead_board", "created_at"]
    list_filter = ["lead_board"]
    search_fields = ["reference"]
    list_select_related = ["lead_board"]
    inlines = [ParticipatingBoardInline, AppointmentInline]

    def get_queryset(self, request):
        # Only the reviews the administrator may see through their own roles.
        return Review.objects.visible_to(request.user).select_related("lead_board")


class VisibleReviewRowsMixin:
    """Rows that belong to a review: only those of reviews the administrator may see through their roles."""

    def get_queryset(self, request):
        visible = Review.objects.visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(review__in=visible)


@admin.register(ParticipatingBoard)
class ParticipatingBoardAdmin(VisibleReviewRowsMixin, SimpleHistoryAdmin):
    list_display = ["review", "board", "joined_at"]
    list_filter = ["board"]
    search_fields = ["review__reference", "board__name"]
    list_select_related = ["review", "board"]


@admin.register(Appointment)
class AppointmentAdmin(VisibleReviewRowsMixin, SimpleHistoryAdmin):
    list_display = ["review", "reviewer", "appointed_at", "ended_at"]
    list_filter = ["review__lead_board"]
    search_fields = ["review__reference", "reviewer__email", "reviewer__full_name"]
    list_select_related = ["review", "reviewer"]
    autocomplete_fields = ["reviewer"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """An audit record: readable, never added, changed or deleted through the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReviewAccess)
class ReviewAccessAdmin(VisibleReviewRowsMixin, ReadOnlyAdmin):
    list_display = ["at", "user", "review", "ip_address", "path"]
    list_filter = ["review__lead_board"]
    search_fields = ["user__email", "review__reference"]
    date_hierarchy = "at"
    list_select_related = ["user", "review"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(review__in=Review.objects.visible_to(request.user).values("pk"))
        )


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
    list_display = ["action_time", "user", "content_type", "object_repr", "action_flag", "change_message"]
    list_filter = ["action_flag", "content_type"]
    search_fields = ["object_repr", "user__email"]
    date_hierarchy = "action_time"
    list_select_related = ["user", "content_type"]
