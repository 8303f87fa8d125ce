"""Lead reviewers' appointments in the admin, through the registry's services as on the portal's Lead
reviewer page: appointing runs the same conflict of interest and load checks (a refusal is shown beside the
fields, with the same override and reason), and appointing or ending leaves the same timeline entry and
tells the same people. An appointment is never deleted: ending it keeps it in the review's history."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from reviews.admin import VisibleReviewRowsMixin
from reviews.models import Appointment
from scr_portal.admin import HistoryAdmin, adopt_saved

from .models import LeadReviewer
from .registry import services
from .registry.forms import AppointForm, EndAppointmentForm

APPOINTING = ("lead_reviewer", "override", "override_reason")
ENDING = ("end", "end_reason")


class AppointmentAdminForm(forms.ModelForm):
    """Appoints (a new row) or ends (an existing one); the service's checks run in `clean`, before saving."""

    lead_reviewer = forms.ModelChoiceField(
        LeadReviewer.objects.select_related("user").order_by("user__full_name", "pk"),
        label="Lead reviewer",
        help_text="Someone on the lead reviewer registry.",
    )
    override = AppointForm.base_fields["override"]
    override_reason = AppointForm.base_fields["override_reason"]
    end = forms.BooleanField(
        label="End this appointment",
        required=False,
        help_text="They will no longer see this review. The appointment stays in the review's history.",
    )
    end_reason = EndAppointmentForm.base_fields["reason"]

    class Meta:
        model = Appointment
        fields = ["review"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ENDING if self.instance.pk is None else APPOINTING:
            del self.fields[name]

    def reason(self) -> str:
        data = self.cleaned_data
        return data.get("override_reason", "").strip() if data.get("override") else ""

    def clean(self):
        data = super().clean()
        if self.instance.pk is not None:
            return data
        if data.get("override") and not data.get("override_reason", "").strip():
            self.add_error("override_reason", "Enter why the board is appointing them anyway")
        review, reviewer = data.get("review"), data.get("lead_reviewer")
        if review is not None and reviewer is not None:
            try:
                services.appointment_check(review=review, reviewer=reviewer, override_reason=self.reason())
            except services.AppointmentRefused as refusal:
                self.add_error("override" if refusal.can_override else None, str(refusal))
        return data


@admin.register(Appointment)
class AppointmentAdmin(VisibleReviewRowsMixin, HistoryAdmin):
    form = AppointmentAdminForm
    review_action = "appoint_lead_reviewer"
    list_display = ["review", "reviewer", "appointed_at", "ended_at"]
    list_filter = ["review__lead_board"]
    search_fields = ["review__reference", "reviewer__email", "reviewer__full_name"]
    list_select_related = ["review", "reviewer"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["review", *APPOINTING]
        return ["review", "reviewer", "appointed_at", "ended_at", *ENDING]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["review", "reviewer", "appointed_at", "ended_at"]

    def has_change_permission(self, request, obj=None):
        # An ended appointment is history: nothing more to do to it.
        return super().has_change_permission(request, obj) and (obj is None or obj.ended_at is None)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        self.require_write(request, obj.review)
        if not change:
            saved = services.appointment_make(
                review=obj.review,
                reviewer=form.cleaned_data["lead_reviewer"],
                actor=request.user,
                override_reason=form.reason(),
            )
        elif form.cleaned_data["end"]:
            saved = services.appointment_end(
                appointment=obj, actor=request.user, reason=form.cleaned_data["end_reason"]
            )
        else:
            return
        adopt_saved(obj, saved)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.RegistryError as refusal:
            # Refused under the service's lock after the form's checks passed (someone else acted first);
            # the whole save was rolled back.
            self.message_user(request, f"{refusal} Nothing was saved.", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
