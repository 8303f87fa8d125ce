"""Administration of boards, agencies and memberships (reference data), and of reviews within the
administrator's own visibility: the admin grants no way around "nobody sees a review outside their boards"."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from .access import visible_reviews
from .models import (
    Agency,
    Appointment,
    Board,
    Child,
    Membership,
    Notification,
    ParallelProcess,
    ParticipatingBoard,
    Review,
    ReviewAccess,
    TimelineEntry,
)


class ScopedHistoryMixin:
    """simple-history's history pages do not consult get_queryset(); these do, so an object outside the
    administrator's visibility has no history page either (404)."""

    def _require_visible(self, request, object_id) -> None:
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._require_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_visible(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


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
class ReviewAdmin(ScopedHistoryMixin, SimpleHistoryAdmin):
    list_display = ["reference", "lead_board", "created_at"]
    list_filter = ["lead_board"]
    search_fields = ["reference"]
    list_select_related = ["lead_board"]
    inlines = [ParticipatingBoardInline, AppointmentInline]
    # The lifecycle owns these: they change only through the workflow's steps.
    readonly_fields = [
        "state",
        "state_changed_at",
        "due_on",
        "due_kind",
        "decision",
        "decided_by",
        "final_report",
    ]

    def get_queryset(self, request):
        # Only the reviews the administrator may see through their own roles.
        return visible_reviews(request.user).select_related("lead_board")


class VisibleReviewRowsMixin(ScopedHistoryMixin):
    """Rows that belong to a review: only those of reviews the administrator may see through their roles,
    and only those reviews offered when adding or changing one."""

    def get_queryset(self, request):
        visible = visible_reviews(request.user).values("pk")
        return super().get_queryset(request).filter(review__in=visible)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "review":
            kwargs["queryset"] = visible_reviews(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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
        return super().get_queryset(request).filter(review__in=visible_reviews(request.user).values("pk"))


# Models whose admin log entries name a review: shown only for reviews the administrator may see.
REVIEW_MODELS = {Review: "pk", ParticipatingBoard: "review", Appointment: "review", ReviewAccess: "review"}


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
    list_display = ["action_time", "user", "content_type", "object_repr", "action_flag", "change_message"]
    list_filter = ["action_flag", "content_type"]
    search_fields = ["object_repr", "user__email"]
    date_hierarchy = "action_time"
    list_select_related = ["user", "content_type"]

    def get_queryset(self, request):
        visible = visible_reviews(request.user).values("pk")
        hidden = Q()
        for model, path in REVIEW_MODELS.items():
            ids = model.objects.filter(**{f"{path}__in" if path != "pk" else "pk__in": visible}).values_list(
                "pk", flat=True
            )
            hidden |= Q(content_type=ContentType.objects.get_for_model(model)) & ~Q(
                object_id__in=[str(i) for i in ids]
            )
        return super().get_queryset(request).exclude(hidden)


@admin.register(Child)
class ChildAdmin(VisibleReviewRowsMixin, SimpleHistoryAdmin):
    list_display = ["pseudonym", "review", "outcome", "age"]
    search_fields = ["pseudonym", "review__reference"]
    list_select_related = ["review"]


@admin.register(ParallelProcess)
class ParallelProcessAdmin(VisibleReviewRowsMixin, SimpleHistoryAdmin):
    list_display = ["review", "kind", "description", "may_delay_publication", "concluded_on"]
    list_filter = ["kind", "may_delay_publication"]
    search_fields = ["review__reference", "description"]
    list_select_related = ["review"]


@admin.register(TimelineEntry)
class TimelineEntryAdmin(VisibleReviewRowsMixin, ReadOnlyAdmin):
    list_display = ["at", "review", "kind", "title", "actor"]
    list_filter = ["kind"]
    search_fields = ["review__reference", "title"]
    list_select_related = ["review", "actor"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__email", "title"]
    list_select_related = ["recipient"]

    def get_queryset(self, request):
        visible = visible_reviews(request.user).values("pk")
        return super().get_queryset(request).filter(Q(review__isnull=True) | Q(review__in=visible))
