"""Forms of the analysis: a line of enquiry, a key practice episode (with the lines it helps answer) and
the chronology entries an episode cites."""

from __future__ import annotations

from django import forms
from django.utils.text import Truncator

from scr_portal.forms import PortalForm, date_field

from ..models import ChronologyEntry, EnquiryLine


class EnquiryLineForm(PortalForm):
    submit_label = "Save the line of enquiry"
    question = forms.CharField(
        label="The question",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the review needs to understand, for example: how did agencies share what they knew "
        "about the family's moves?",
    )
    why = forms.CharField(
        label="Why the review asks it",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What in the case or the terms of reference makes it matter.",
    )


class EpisodeForm(PortalForm):
    submit_label = "Save the episode"
    title = forms.CharField(label="Title", max_length=200, help_text="A few words that name the episode.")
    starts_on = date_field("Start of the period")
    ends_on = date_field("End of the period")
    summary = forms.CharField(
        label="What happened", widget=forms.Textarea, help_text="The practice in the period, in brief."
    )
    analysis = forms.CharField(
        label="Why practice was as it was",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="The analysis: what helped or hindered the people involved, beyond what they did.",
    )
    lines = forms.TypedMultipleChoiceField(
        label="Lines of enquiry it helps answer",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, lines: list[EnquiryLine], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = [(line.pk, Truncator(line.question).chars(120)) for line in lines]
        if not lines:
            del self.fields["lines"]
            self.lay_out()

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The end of the period must be on or after its start")
        return data


def entry_label(entry: ChronologyEntry) -> str:
    return f"{entry.occurred_on:%-d %b %Y} · {entry.agency.name} · {Truncator(entry.event).chars(140)}"


class EvidenceForm(PortalForm):
    submit_label = "Save the evidence"
    entries = forms.TypedMultipleChoiceField(
        label="Chronology entries the episode rests on",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply. Entries from several agencies show how they saw the same period.",
    )

    def __init__(self, *args, entries: list[ChronologyEntry], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entries"].choices = [(e.pk, entry_label(e)) for e in entries]


class AgencyAuthorForm(PortalForm):
    submit_label = "Name the agency author"
    agency = forms.TypedChoiceField(label="Agency", coerce=int, widget=forms.Select)
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="Their work email. Someone already on the portal keeps their account.",
    )
    full_name = forms.CharField(
        label="Full name", max_length=150, required=False, help_text="Needed when they are new to the portal."
    )
    job_title = forms.CharField(label="Job title (optional)", max_length=150, required=False)

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "Choose an agency"), *((a.pk, a.name) for a in agencies)]
