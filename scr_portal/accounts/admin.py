from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from scr_portal.admin import HistoryAdmin

from .forms import AdminUserChangeForm, AdminUserCreationForm
from .models import User


@admin.register(User)
class UserAdmin(HistoryAdmin, DjangoUserAdmin):
    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "job_title",
        "is_staff",
        "is_active",
        "two_factor_waived",
        "last_login",
    ]
    list_filter = [
        "is_staff",
        "is_superuser",
        "is_active",
        "two_factor_waived",
        "memberships__board",
        "memberships__role",
    ]
    search_fields = ["email", "full_name", "job_title"]
    readonly_fields = ["last_login", "date_joined"]
    # The person's board roles are the reviews app's: it adds its inline here (reviews/admin.py), so the
    # infrastructure imports no domain app.
    inlines = []
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "job_title"]}),
        (
            "Access",
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "two_factor_waived",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]
