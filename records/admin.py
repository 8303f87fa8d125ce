"""The records of retention decisions and subject-access requests, read-only, and the administrators'
subject-access export (superusers only: it gathers one person's data from every table)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from documents.services import EXPORT_KEPT
from reviews.access import participant_board_ids, require
from scr_portal.accounts.models import User
from scr_portal.admin import ReadOnlyAdmin
from scr_portal.downloads import attachment, safe_name_part
from scr_portal.pages import polled_status

from . import subject_access
from .forms import SubjectAccessForm
from .models import Disposal, SubjectAccessExport, SubjectAccessRequest

KEPT_HOURS = int(EXPORT_KEPT.total_seconds() // 3600)


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
    """The audit of subject-access requests, and the superusers' export of a person's account: the form
    asks a worker for it (the zip takes seconds to minutes at national scale), its page shows how far it has
    got and, once made, the download. Every URL asks the portal's rules (403 for anyone but a superuser)
    and finds an export only among the superuser's own (404 for anyone else's)."""

    list_display = ["at", "kind", "step", "subject", "requested_by_label", "channel"]
    list_filter = ["kind", "step", "channel"]
    search_fields = ["subject", "requested_by_label"]

    def get_urls(self):
        def view(function, route: str, name: str):
            return path(
                route, self.admin_site.admin_view(function), name=f"records_subjectaccessrequest_{name}"
            )

        return [
            view(self.export_view, "export/", "export"),
            view(self.export_detail_view, "export/<int:pk>/", "export_detail"),
            view(self.export_status_view, "export/<int:pk>/status/", "export_status"),
            view(self.export_download_view, "export/<int:pk>/download/", "export_download"),
            view(self.export_retry_view, "export/<int:pk>/retry/", "export_retry"),
            *super().get_urls(),
        ]

    def _context(self, request, title: str) -> dict:
        return {**self.admin_site.each_context(request), "title": title, "opts": self.model._meta}

    def export_view(self, request):
        require(request.user, "export_subject_access")
        form = SubjectAccessForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            subject = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
            if subject is None:
                form.add_error("email", "No account has this email address")
            else:
                job = subject_access.account_export_request(subject=subject, user=request.user)
                return redirect("admin:records_subjectaccessrequest_export_detail", job.pk)
        ctx = {
            **self._context(request, "Export everything held about a person"),
            "form": form,
            "recent": SubjectAccessExport.objects.filter(requested_by=request.user).select_related("subject")[
                :10
            ],
            "kept_hours": KEPT_HOURS,
        }
        return TemplateResponse(request, "records/admin_export.html", ctx)

    def _export(self, request, pk: int) -> SubjectAccessExport:
        """The superuser's own export (404 for anyone else's)."""
        require(request.user, "export_subject_access")
        return get_object_or_404(
            SubjectAccessExport.objects.select_related("subject"), pk=pk, requested_by=request.user
        )

    def _status_context(self, request, pk: int) -> dict:
        job = self._export(request, pk)
        return {
            "job": job,
            "ready": job.status == SubjectAccessExport.Status.READY,
            "failed": job.status == SubjectAccessExport.Status.FAILED,
            # How long it may still take, truthfully: a stopped worker or a queue away says so.
            "progress": subject_access.SUBJECT_ACCESS_EXPORTS.progress(job) if job.is_pending else "",
            "sweep_minutes": subject_access.SUBJECT_ACCESS_EXPORTS.sweep_minutes(),
            "kept_hours": KEPT_HOURS,
        }

    def export_detail_view(self, request, pk: int):
        ctx = {**self._context(request, "Export of a person's data"), **self._status_context(request, pk)}
        return TemplateResponse(request, "records/admin_export_detail.html", ctx)

    def export_status_view(self, request, pk: int):
        """The status panel alone, polled by the export's page while it is being made."""
        ctx = self._status_context(request, pk)
        response = TemplateResponse(request, "records/includes/admin_export_status.html", ctx)
        return polled_status(response, pending=ctx["job"].is_pending)

    def export_download_view(self, request, pk: int):
        job = self._export(request, pk)
        if job.status != SubjectAccessExport.Status.READY:
            raise Http404("The export is not ready.")
        made_on = timezone.localdate(job.finished_at)
        return attachment(
            job.file, f"subject-access-{safe_name_part(job.subject.email)}-{made_on:%Y-%m-%d}.zip"
        )

    def export_retry_view(self, request, pk: int):
        job = self._export(request, pk)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            subject_access.account_export_retry(export=job, user=request.user)
        except subject_access.SubjectAccessRefused as refusal:
            messages.error(request, str(refusal))
        return redirect("admin:records_subjectaccessrequest_export_detail", job.pk)
