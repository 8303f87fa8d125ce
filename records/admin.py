"""The records of retention decisions and subject-access requests, read-only, and the administrators'
subject-access export (superusers only: it gathers one person's data from every table)."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path

from reviews.access import participant_board_ids
from scr_portal.accounts.models import User
from scr_portal.admin import ReadOnlyAdmin
from scr_portal.downloads import attachment_bytes, safe_name_part

from . import subject_access
from .forms import SubjectAccessForm
from .models import Channel, Disposal, SubjectAccessRequest


@admin.register(Disposal)
class DisposalAdmin(ReadOnlyAdmin):
    list_display = ["confirmed_at", "review_reference", "kind", "board", "confirmed_by", "channel"]
    list_filter = ["kind", "channel"]
    search_fields = ["review_reference"]
    list_select_related = ["board", "confirmed_by"]

    def get_queryset(self, request):
        # Like reviews, retention records are seen only by administrators with a role on the board.
        return super().get_queryset(request).filter(board_id__in=participant_board_ids(request.user))


@admin.register(SubjectAccessRequest)
class SubjectAccessRequestAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "subject", "requested_by_label", "channel"]
    list_filter = ["kind", "channel"]
    search_fields = ["subject", "requested_by_label"]

    def get_urls(self):
        export = path(
            "export/",
            self.admin_site.admin_view(self.export_view),
            name="records_subjectaccessrequest_export",
        )
        return [export, *super().get_urls()]

    def export_view(self, request):
        if not request.user.is_superuser:
            raise PermissionDenied("Only a superuser can export a person's data.")
        form = SubjectAccessForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            subject = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
            if subject is None:
                form.add_error("email", "No account has this email address")
            else:
                export = subject_access.export_account(
                    subject,
                    requested_by=request.user,
                    requested_by_label=request.user.email,
                    channel=Channel.ADMIN,
                )
                name = f"subject-access-{safe_name_part(subject.email)}-{export.record.at:%Y-%m-%d}.zip"
                return attachment_bytes(export.content, name, "application/zip")
        ctx = {
            **self.admin_site.each_context(request),
            "title": "Export everything held about a person",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "records/admin_export.html", ctx)
