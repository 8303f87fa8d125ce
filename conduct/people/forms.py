"""Forms for practitioner events (with how many practitioners of each agency were invited and came) and the
restricted family record: a family member, and each contact with them."""

from __future__ import annotations

from django import forms

from reviews.models import Review
from scr_portal.forms import PortalForm, date_field, not_in_future, prepare_field

from ..models import FamilyContact, FamilyMember, PractitionerEvent
from .selectors import agencies_of, children_of

MOST_PRACTITIONERS = 999


def _count(agency: str, what: str) -> forms.IntegerField:
    ask = f"how many of {agency}'s practitioners {what}"
    return forms.IntegerField(
        label=f"{agency}: {what}",
        required=False,
        min_value=0,
        max_value=MOST_PRACTITIONERS,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "invalid": f"Enter {ask} as a whole number",
            "min_value": f"Enter {ask} as 0 or more",
            "max_value": f"Enter {ask} as {MOST_PRACTITIONERS} or fewer",
        },
    )


class PractitionerEventForm(PortalForm):
    submit_label = "Save the event"
    kind = forms.ChoiceField(
        label="What kind of event", choices=PractitionerEvent.Kind.choices, widget=forms.RadioSelect
    )
    purpose = forms.CharField(
        label="Purpose",
        widget=forms.Textarea,
        help_text="What the review wants to learn from the practitioners. Name nobody: roles and agencies only.",
    )
    held_on = date_field("Date of the event")
    briefed_on = date_field(
        "Date the practitioners were briefed",
        required=False,
        help_text="Leave blank until the briefing is given.",
    )
    support_offered = forms.CharField(
        label="Support offered to practitioners",
        required=False,
        widget=forms.Textarea,
        help_text="For example, supervision, a colleague present, an employee assistance service.",
    )
    feedback = forms.CharField(
        label="Feedback given after the event",
        required=False,
        widget=forms.Textarea,
        help_text="A summary of what practitioners were told of the review's findings.",
    )
    feedback_on = date_field("Date the feedback was given", required=False)

    def __init__(self, *args, review: Review, **kwargs):
        self.agencies = list(agencies_of(review))
        super().__init__(*args, **kwargs)
        for agency in self.agencies:
            for name, what in (("invited", "were invited"), ("attended", "attended")):
                field = self.fields[f"{name}_{agency.pk}"] = _count(agency.name, what)
                prepare_field(field)
        self.lay_out()

    def clean_briefed_on(self):
        value = self.cleaned_data["briefed_on"]
        not_in_future(value, "Date the practitioners were briefed")
        return value

    def clean_feedback_on(self):
        value = self.cleaned_data["feedback_on"]
        not_in_future(value, "Date the feedback was given")
        return value

    def clean(self):
        data = super().clean()
        for agency in self.agencies:
            invited = data.get(f"invited_{agency.pk}") or 0
            attended = data.get(f"attended_{agency.pk}") or 0
            if attended > invited:
                self.add_error(
                    f"attended_{agency.pk}",
                    f"More of {agency.name}'s practitioners cannot attend than were invited",
                )
        return data

    def attendance(self) -> dict[int, tuple[int, int]]:
        data = self.cleaned_data
        return {
            a.pk: (data.get(f"invited_{a.pk}") or 0, data.get(f"attended_{a.pk}") or 0) for a in self.agencies
        }

    def event_data(self) -> dict:
        data = self.cleaned_data
        names = ("kind", "purpose", "held_on", "briefed_on", "support_offered", "feedback", "feedback_on")
        return {name: data[name] for name in names}


class FamilyMemberForm(PortalForm):
    submit_label = "Save"
    real_name = forms.CharField(
        label="Real name",
        max_length=120,
        help_text="Seen only by the business manager and the lead reviewer. The report check looks for it in drafts.",
    )
    pseudonym = forms.CharField(
        label="Pseudonym used in the report", max_length=60, help_text='For example "Mother".'
    )
    relationship = forms.CharField(
        label="Relationship to the child", max_length=80, help_text='For example "Mother".'
    )
    child = forms.TypedChoiceField(
        label="Child", coerce=int, required=False, empty_value=None, widget=forms.Select
    )
    told_on = date_field("Date they were first told of the review", required=False)
    told_by = forms.CharField(
        label="Who told them",
        max_length=120,
        required=False,
        help_text="A role, for example the business manager.",
    )
    told_how = forms.ChoiceField(
        label="How they were told",
        choices=FamilyMember.Told.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    support_offered = forms.CharField(
        label="Support offered", required=False, widget=forms.Textarea, help_text="For example, an advocate."
    )
    consent = forms.ChoiceField(
        label="Taking part", choices=FamilyMember.Consent.choices, widget=forms.RadioSelect
    )
    influence = forms.CharField(
        label="Their influence on the focus of the review",
        required=False,
        widget=forms.Textarea,
        help_text="What changed because of what they said.",
    )
    saw_draft_on = date_field("Date they saw the draft report", required=False)
    draft_comments = forms.CharField(
        label="What they said of the draft", required=False, widget=forms.Textarea
    )
    not_involved_reason = forms.CharField(
        label="Why they are not involved",
        required=False,
        widget=forms.Textarea,
        help_text="Only when they take no part: the reasons.",
    )

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = [
            ("", "Choose a child"),
            *((c.pk, c.pseudonym) for c in children_of(review)),
        ]

    def clean_told_on(self):
        value = self.cleaned_data["told_on"]
        not_in_future(value, "Date they were first told of the review")
        return value

    def clean_saw_draft_on(self):
        value = self.cleaned_data["saw_draft_on"]
        not_in_future(value, "Date they saw the draft report")
        return value


class FamilyContactForm(PortalForm):
    submit_label = "Save the contact"
    contacted_on = date_field("Date of the contact")
    method = forms.ChoiceField(label="How", choices=FamilyContact.Method.choices, widget=forms.RadioSelect)
    outcome = forms.ChoiceField(
        label="Outcome", choices=FamilyContact.Outcome.choices, widget=forms.RadioSelect
    )
    views = forms.CharField(
        label="The views they gave",
        required=False,
        widget=forms.Textarea,
        help_text="What they said about the child, the services and what the review should look at.",
    )

    def clean_contacted_on(self):
        value = self.cleaned_data["contacted_on"]
        not_in_future(value, "Date of the contact")
        return value
