"""Forms for the lead reviewer registry, appointments, declarations of interest and proposals."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model

from commissioning.models import Availability, LeadReviewer, Proposal, Skill
from reviews.models import Membership, Role
from scr_portal.forms import FilterSelect, PortalForm, PortalModelForm, date_field

User = get_user_model()


class RegistrySearchForm(forms.Form):
    """Filters the registry by skill and by availability on a date (a GET form; every field optional)."""

    skill = forms.ModelChoiceField(
        label="Skill",
        queryset=Skill.objects.order_by("name"),
        required=False,
        empty_label="Any skill",
        widget=FilterSelect,
    )
    available_on = date_field("Available on", required=False)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {"skill": self.cleaned_data["skill"], "available_on": self.cleaned_data["available_on"]}

    @property
    def query_string(self) -> str:
        """The filters as a query string, for pagination links."""
        if not self.is_bound:
            return ""
        keep = {k: v for k, v in self.data.items() if k != "page" and v}
        return urlencode(keep)


class LeadReviewerForm(PortalModelForm):
    """A registry entry: details, skills (tick, or add new ones), and availability windows to remove or add.
    With `creating`, first who the person is: a lead reviewer already in the portal, or an email address."""

    submit_label = "Save the registry entry"
    user = forms.ModelChoiceField(
        label="Person",
        queryset=User.objects.none(),
        required=False,
        empty_label="Choose a person",
        help_text="People who hold the lead reviewer role on a board and are not on the registry yet.",
    )
    email = forms.EmailField(
        label="Or their email address",
        required=False,
        help_text="If they have no account yet, one is made; they set a password with “forgotten password”.",
    )
    full_name = forms.CharField(
        label="Full name", max_length=150, required=False, help_text="Needed when they have no account yet."
    )
    new_skills = forms.CharField(
        label="Add skills not in the list",
        required=False,
        max_length=500,
        help_text="Separate skills with commas, for example: neglect, adolescent risk.",
    )
    remove_windows = forms.ModelMultipleChoiceField(
        label="Remove availability",
        queryset=Availability.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    window_from = date_field("Available from", required=False)
    window_to = date_field("Available until", required=False)
    window_note = forms.CharField(label="About this availability (optional)", max_length=200, required=False)

    class Meta:
        model = LeadReviewer
        fields = [
            "independent",
            "organisation",
            "skills",
            "accreditation",
            "experience",
            "max_concurrent_reviews",
        ]
        labels = {
            "independent": "Independent of every agency in the boards' areas",
            "max_concurrent_reviews": "Most reviews they lead at once",
            "skills": "Skills",
        }
        widgets = {
            "skills": forms.CheckboxSelectMultiple,
            "experience": forms.Textarea,
            # The design system asks for a text input with a numeric keyboard, not type="number".
            "max_concurrent_reviews": forms.TextInput(
                attrs={"inputmode": "numeric", "spellcheck": "false", "class": "govuk-input--width-2"}
            ),
        }
        help_texts = {"independent": ""}

    def __init__(self, *args, creating: bool = False, **kwargs):
        self.creating = creating
        instance = kwargs.get("instance")
        windows = (
            instance.availability.order_by("available_from")
            if instance is not None and instance.pk
            else Availability.objects.none()
        )
        has_windows = windows.exists()
        fields = self.Meta.fields
        self.layout_fields = [
            *(["user", "email", "full_name"] if creating else []),
            *fields[:3],
            "new_skills",
            *fields[3:],
            *(["remove_windows"] if has_windows else []),
            "window_from",
            "window_to",
            "window_note",
        ]
        super().__init__(*args, **kwargs)
        for name in set(self.fields) - set(self.layout_fields):
            del self.fields[name]
        self.fields["skills"].queryset = Skill.objects.order_by("name")
        self.fields["skills"].required = False
        if creating:
            self.fields["user"].queryset = User.objects.filter(
                is_active=True,
                pk__in=Membership.objects.active().filter(role=Role.LEAD_REVIEWER).values("user_id"),
                lead_reviewer_profile__isnull=True,
            ).order_by("full_name", "email")
            self.fields["user"].label_from_instance = lambda u: f"{u.get_full_name() or u.email} ({u.email})"
        if has_windows:
            self.fields["remove_windows"].queryset = windows
            self.fields["remove_windows"].label_from_instance = lambda w: (
                f"{w.available_from:%-d %B %Y} to {w.available_to:%-d %B %Y}"
                + (f" ({w.note})" if w.note else "")
            )

    def clean(self):
        data = super().clean()
        if self.creating:
            user, email = data.get("user"), data.get("email")
            if not user and not email and "email" not in self.errors:
                self.add_error("user", "Choose a person, or enter their email address")
            if user and email:
                self.add_error("email", "Choose a person or enter an email address, not both")
            if email and not user:
                existing = User.objects.filter(email__iexact=email).first()
                if existing is None and not data.get("full_name", "").strip():
                    self.add_error(
                        "full_name", "Enter their full name: nobody has an account with that email"
                    )
                if existing is not None and LeadReviewer.objects.filter(user=existing).exists():
                    self.add_error("email", "This person is already on the registry")
        start, end = data.get("window_from"), data.get("window_to")
        if start and not end:
            self.add_error("window_to", "Enter the last day they are available")
        if end and not start:
            self.add_error("window_from", "Enter the first day they are available")
        if start and end and end < start:
            self.add_error("window_to", "The last day must be on or after the first day")
        return data

    def profile(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.Meta.fields if k != "skills"}

    def new_skill_names(self) -> list[str]:
        return [n.strip() for n in self.cleaned_data.get("new_skills", "").split(",") if n.strip()]

    def window(self):
        d = self.cleaned_data
        if d.get("window_from") and d.get("window_to"):
            return d["window_from"], d["window_to"], d.get("window_note", "")
        return None


class AppointForm(PortalForm):
    """Confirms an appointment; the override (with a reason) is offered only when the service refuses."""

    submit_label = "Appoint"
    override = forms.BooleanField(
        label="Appoint them anyway: the board has considered the conflict of interest or their load",
        required=False,
    )
    override_reason = forms.CharField(
        label="Why the board is appointing them anyway", required=False, widget=forms.Textarea
    )

    def __init__(self, *args, offer_override: bool = False, **kwargs):
        if not offer_override:
            self.layout_fields = []
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("override") and not data.get("override_reason", "").strip():
            self.add_error("override_reason", "Enter why the board is appointing them anyway")
        return data

    def reason(self) -> str:
        return self.cleaned_data["override_reason"].strip() if self.cleaned_data.get("override") else ""


class EndAppointmentForm(PortalForm):
    submit_label = "End the appointment"
    reason = forms.CharField(
        label="Why the appointment ends (optional)", required=False, widget=forms.Textarea
    )


class ConflictDeclarationForm(PortalForm):
    submit_label = "Record the declaration"
    has_conflict = forms.TypedChoiceField(
        label="Is there a conflict of interest with this review?",
        choices=[("no", "No conflict of interest"), ("yes", "Yes, there is a conflict of interest")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    details = forms.CharField(
        label="Details",
        required=False,
        widget=forms.Textarea,
        help_text="Required when there is a conflict: who or what, and how it touches this review.",
    )

    def clean(self):
        data = super().clean()
        if data.get("has_conflict") and not data.get("details", "").strip():
            self.add_error("details", "Describe the conflict of interest")
        return data


class ProposalForm(PortalForm):
    submit_label = "Send the proposal"
    topic = forms.ChoiceField(
        label="What the proposal is about", choices=Proposal.Topic.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label="The proposal",
        widget=forms.Textarea,
        help_text="What you propose to change and why. The business manager or chair will answer.",
    )


class ProposalAnswerForm(PortalForm):
    submit_label = "Record the answer"
    answer = forms.ChoiceField(
        label="The board's answer", choices=Proposal.Answer.choices, widget=forms.RadioSelect
    )
    answer_reason = forms.CharField(
        label="Why",
        widget=forms.Textarea,
        help_text="The lead reviewer sees this reason.",
        error_messages={"required": "Enter why the board gave this answer"},
    )
