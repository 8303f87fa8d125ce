"""Administration of boards, agencies and memberships (reference data), and of reviews within the
administrator's own visibility: the admin grants no way around "nobody sees a review outside their boards".

Nor is it a second way to write a review: a review, a child or a parallel process is saved by the same
service as the portal's page (`reviews.services`), only by someone the portal's rules allow, and what the
lifecycle's steps record is read-only here. Lead reviewers are appointed and their appointments ended in
commissioning's admin, through the registry's checks. Rows without a service of their own (boards,
memberships) are checked by their models' validation on every save, and their history keeps who changed
what. Boards take part in a cross-border review only through the portal's invitations (invited, accepted,
removed or withdrawn by `services.board_invite` / `services.invitation_move`): read-only here."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import Http404

from scr_portal.accounts.admin import UserAdmin
from scr_portal.admin import HistoryAdmin, ReadOnly, ReadOnlyAdmin, adopt_saved

from . import services
from .access import can, manageable_boards, require, visible_reviews
from .forms import ChildForm, ParallelProcessForm
from .models import (
    Agency,
    Appointment,
    Board,
    BoardInvitation,
    Child,
    DecisionSignature,
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
    fields = ["user", "role", "agency", "partner", "is_active"]


# The board's local targets: its business manager sets them on the board's page, whose service also
# recomputes every open review's deadlines.
TIMESCALE_FIELDS = [
    "notification_working_days",
    "rapid_review_working_days",
    "decision_months",
    "completion_months",
    "publication_months",
]


@admin.register(Board)
class BoardAdmin(HistoryAdmin):
    list_display = ["name", "kind", "local_authority_area", "independent_chair"]
    list_filter = ["kind"]
    search_fields = ["name", "local_authority_area"]
    autocomplete_fields = ["independent_chair"]
    inlines = [MembershipInline]
    readonly_fields = TIMESCALE_FIELDS
    fieldsets = [
        (None, {"fields": ["name", "kind", "local_authority_area", "independent_chair"]}),
        (
            "Local targets",
            {
                "fields": TIMESCALE_FIELDS,
                "description": "Read-only here: the board's business manager sets them on the board's "
                "Local targets page in the portal, which also recomputes every open review's deadlines.",
            },
        ),
        ("Records", {"fields": ["retention_years"]}),
    ]


@admin.register(Agency)
class AgencyAdmin(HistoryAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind", "boards"]
    search_fields = ["name"]
    filter_horizontal = ["boards"]


@admin.register(Membership)
class MembershipAdmin(HistoryAdmin):
    list_display = ["user", "board", "role", "agency", "partner", "is_active", "created_at"]
    list_filter = ["board", "role", "partner", "is_active", "agency__kind"]
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


class ParticipatingBoardInline(ReadOnly, admin.TabularInline):
    """The boards taking part, read-only here: the lead board's business manager invites a board in the
    portal ("Boards taking part" on the review), and that board's business manager accepts."""

    model = ParticipatingBoard
    extra = 0
    fields = ["board", "joined_at"]
    readonly_fields = fields
    verbose_name_plural = (
        'boards taking part (read-only here: invite or remove a board on the review\'s "Boards taking part" '
        "page in the portal)"
    )


class DecisionSignatureInline(ReadOnly, admin.TabularInline):
    """A practice review's partners' signatures on their decision, shown, never written here: each partner
    signs on the portal's decision page."""

    model = DecisionSignature
    extra = 0
    fields = ["partner", "organisation", "user", "signed_at", "step", "digest"]
    readonly_fields = fields
    verbose_name_plural = "partners' signatures on the decision (read-only: each partner signs in the portal)"


class AppointmentInline(ReadOnly, admin.TabularInline):
    """The review's lead reviewers, read-only here: appointing one and ending an appointment go through the
    registry's conflict of interest and load checks, under Appointments (or on the portal's page)."""

    model = Appointment
    extra = 0
    fields = ["reviewer", "appointed_at", "ended_at"]
    readonly_fields = fields
    verbose_name_plural = (
        "lead reviewers (read-only here: appoint or end an appointment under Appointments, where the "
        "conflict of interest and load checks run)"
    )


# What the lifecycle's steps record: shown, never edited here (the stage changes only through the workflow).
LIFECYCLE_FIELDS = [
    "state",
    "state_changed_at",
    "due_on",
    "due_kind",
    "decision",
    "decision_date",
    "decision_rationale",
    "decided_by",
    "national_panel_notified_on",
    "inspectorate_notified_on",
    "reviewers_named",
    "incident_notified_on",
    "incident_notified_by",
    "rapid_review_meeting_on",
    "immediate_safety_actions",
    "learning_identified",
    "recommendation",
    "recommendation_reasons",
    "sent_to_panel_on",
    "panel_reply",
    "panel_replied_on",
    "panel_reply_reasons",
    "started_on",
    "final_report",
    "final_report_name",
    "report_received_on",
    "publication_notice_on",
    "report_published_on",
    "response_published_on",
    "closed_on",
    "end_reason",
]


@admin.register(Review)
class ReviewAdmin(ScopedHistoryMixin, HistoryAdmin):
    """A review is opened and its referral details edited by the portal's services (its deadline recomputed,
    the timeline told), by a business manager of one of its boards while it is open."""

    list_display = ["reference", "lead_board", "created_at"]
    list_filter = ["lead_board"]
    search_fields = ["reference"]
    list_select_related = ["lead_board"]
    inlines = [ParticipatingBoardInline, AppointmentInline, DecisionSignatureInline]

    def get_queryset(self, request):
        # Only the reviews the administrator may see through their own roles.
        return visible_reviews(request.user).select_related("lead_board")

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["lead_board", "regime", *services.REFERRAL_FIELDS]})]
        return [
            (None, {"fields": ["reference", "lead_board", "regime"]}),
            (
                "Referral",
                {
                    "fields": [
                        "case_summary",
                        "incident_date",
                        "notification_date",
                        "agencies_known",
                        "criteria",
                        "criteria_notes",
                    ]
                },
            ),
            (
                "Lifecycle",
                {
                    "fields": LIFECYCLE_FIELDS,
                    "description": "Read-only here: the stage and what each step records change only "
                    "through the review's steps in the portal.",
                },
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        # The regime decides the stages: chosen when the review is opened, never changed.
        return [] if obj is None else ["lead_board", "regime", *LIFECYCLE_FIELDS]

    def get_inlines(self, request, obj):
        # A review's other boards and lead reviewers are added once it exists.
        return self.inlines if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and "agencies_known" in form.base_fields:
            # As on the portal's page: the agencies of the lead board.
            form.base_fields["agencies_known"].queryset = obj.lead_board.agencies.order_by("name")
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lead_board":
            # A review is opened by a business manager of its lead board.
            kwargs["queryset"] = Board.objects.filter(pk__in=[b.pk for b in manageable_boards(request.user)])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and bool(manageable_boards(request.user))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or can(request.user, "change_review", obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or can(request.user, "change_review", obj)
        )

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.REFERRAL_FIELDS}
        if not change:
            fields["regime"] = form.cleaned_data["regime"]
        if change:
            saved = services.review_update(
                review=obj, user=request.user, agencies_known=form.cleaned_data["agencies_known"], **fields
            )
        else:
            board = form.cleaned_data["lead_board"]
            require(request.user, "create_review", board)
            saved = services.review_create(board=board, user=request.user, **fields)
        adopt_saved(obj, saved)

    def save_related(self, request, form, formsets, change):
        # The service saved the review's agencies known with it: only the inline rows are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class VisibleReviewRowsMixin(ScopedHistoryMixin):
    """Rows that belong to a review: only those of reviews the administrator may see through their roles,
    and only those reviews offered when adding one. Writing a row needs the portal's permission for its
    review (`review_action`: 403 otherwise), and a row never moves to another review."""

    review_action = "change_review"

    def get_queryset(self, request):
        visible = visible_reviews(request.user).values("pk")
        return super().get_queryset(request).filter(review__in=visible)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "review":
            kwargs["queryset"] = visible_reviews(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "review"] if obj is not None and "review" not in fields else fields

    def may_write(self, request, review: Review) -> bool:
        return can(request.user, self.review_action, review)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or self.may_write(request, obj.review)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or self.may_write(request, obj.review)
        )

    def require_write(self, request, review: Review) -> None:
        # A review is chosen in the add form from those the administrator sees: they may not write to all.
        require(request.user, self.review_action, review)

    def save_model(self, request, obj, form, change):
        self.require_write(request, obj.review)
        super().save_model(request, obj, form, change)


@admin.register(ParticipatingBoard)
class ParticipatingBoardAdmin(VisibleReviewRowsMixin, ReadOnly, HistoryAdmin):
    """Read-only: a board takes part by accepting the lead board's invitation in the portal."""

    list_display = ["review", "board", "joined_at"]
    list_filter = ["board"]
    search_fields = ["review__reference", "board__name"]
    list_select_related = ["review", "board"]


@admin.register(BoardInvitation)
class BoardInvitationAdmin(VisibleReviewRowsMixin, ReadOnly, HistoryAdmin):
    """Read-only: invitations are sent, answered, removed and withdrawn in the portal."""

    list_display = ["review", "board", "status", "invited_at", "answered_at"]
    list_filter = ["status", "board"]
    search_fields = ["review__reference", "board__name"]
    list_select_related = ["review", "board"]


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
REVIEW_MODELS = {
    Review: "pk",
    ParticipatingBoard: "review",
    BoardInvitation: "review",
    Appointment: "review",
    ReviewAccess: "review",
}


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


CHILD_FIELDS = ["pseudonym", "age", "outcome", "circumstances"]


@admin.register(Child)
class ChildAdmin(VisibleReviewRowsMixin, HistoryAdmin):
    """Saved by the portal's service with the portal's form (a pseudonym once per review), so the review's
    timeline records it."""

    form = ChildForm
    fields = ["review", *CHILD_FIELDS]
    list_display = ["pseudonym", "review", "outcome", "age"]
    search_fields = ["pseudonym", "review__reference"]
    list_select_related = ["review"]

    def save_model(self, request, obj, form, change):
        self.require_write(request, obj.review)
        services.child_save(
            review=obj.review, user=request.user, child=obj, **{n: form.cleaned_data[n] for n in CHILD_FIELDS}
        )


PROCESS_FIELDS = ["kind", "description", "may_delay_publication", "expected_end", "concluded_on"]


@admin.register(ParallelProcess)
class ParallelProcessAdmin(VisibleReviewRowsMixin, HistoryAdmin):
    """Saved by the portal's service with the portal's form, so the review's timeline records it."""

    form = ParallelProcessForm
    fields = ["review", *PROCESS_FIELDS]
    list_display = ["review", "kind", "description", "may_delay_publication", "concluded_on"]
    list_filter = ["kind", "may_delay_publication"]
    search_fields = ["review__reference", "description"]
    list_select_related = ["review"]

    def save_model(self, request, obj, form, change):
        self.require_write(request, obj.review)
        services.parallel_process_save(
            review=obj.review,
            user=request.user,
            process=obj,
            **{n: form.cleaned_data[n] for n in PROCESS_FIELDS},
        )


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


class UserMembershipInline(admin.TabularInline):
    """The person's roles, on their page in the accounts app's user admin."""

    model = Membership
    extra = 0
    fields = ["board", "role", "agency", "is_active"]
    autocomplete_fields = ["agency"]


UserAdmin.inlines = [*UserAdmin.inlines, UserMembershipInline]
