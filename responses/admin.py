"""Themes are reference data kept by administrators. Versions of the written response (with a partnership's
partners' signatures) are shown for the reviews the administrator may see; they are read-only here (drafts are written and signed in the
portal; a signed version is also refused by the model and a database trigger)."""

from __future__ import annotations

from django.contrib import admin

from reviews.admin import VisibleReviewRowsMixin
from scr_portal.admin import HistoryAdmin, ReadOnly

from .models import PartnerSignature, ResponseVersion, Theme


@admin.register(Theme)
class ThemeAdmin(HistoryAdmin):
    list_display = ["name", "description"]
    search_fields = ["name"]


class PartnerSignatureInline(admin.TabularInline):
    """A practice review's partners' signatures on the version, shown, never written here."""

    model = PartnerSignature
    fields = readonly_fields = ["partner", "organisation", "user", "signed_at", "digest"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ResponseVersion)
class ResponseVersionAdmin(ReadOnly, VisibleReviewRowsMixin, HistoryAdmin):
    inlines = [PartnerSignatureInline]
    list_display = ["review", "number", "signed_by", "signed_at", "digest"]
    list_filter = ["review__lead_board"]
    search_fields = ["review__reference", "digest"]
    list_select_related = ["review", "signed_by"]
    # Versions are drafted, assembled and signed in the portal, never typed in here.
    readonly_fields = [
        "review",
        "number",
        "content",
        "revision",
        "created_by",
        "created_at",
        "updated_at",
        "signed_by",
        "signed_at",
        "digest",
    ]
