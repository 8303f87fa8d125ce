"""Forms for the information from agencies: the business manager's request, the author's chronology
entries and document, sending a submission back, and the merged chronology's filters."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone

from reviews.models import Review
from scr_portal.forms import FilterSelect, PortalForm, date_field
from scr_portal.uploads import DOC, DOCX, PDF, named_upload

from .models import ChronologyEntry
from .selectors import agencies_of_board, author_choices
from .services import due_problem

ASKED_FOR = [
    ("chronology", "A chronology of the agency's involvement"),
    ("report", "An agency report"),
    ("records", "Records"),
]
DEFAULT_WEEKS = 4  # a request is due this long after it is sent, unless the manager says otherwise


class InformationRequestForm(PortalForm):
    submit_label = "Send the request"
    agency = forms.TypedChoiceField(label="Agency", coerce=int, widget=forms.Select)
    author = forms.TypedChoiceField(
        label="Who writes it",
        coerce=int,
        widget=forms.Select,
        help_text="An agency author of the agency. They see only this request and what they send.",
    )
    asked_for = forms.MultipleChoiceField(
        label="What is the agency asked for?",
        choices=ASKED_FOR,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages={"required": "Select what the agency is asked for"},
    )
    reason = forms.CharField(
        label="Why the information is needed",
        widget=forms.Textarea,
        help_text="The author sees this: the period and the questions the review needs the agency to answer.",
    )
    due_on = date_field("Date the information is due")

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [
            ("", "Choose an agency"),
            *((a.pk, a.name) for a in agencies_of_board(review)),
        ]
        labels: dict[int, str] = {}
        for membership, label in author_choices(review):
            labels[membership.user_id] = (
                f"{labels[membership.user_id][:-1]}, {membership.agency.name})"
                if membership.user_id in labels
                else label
            )
        self.fields["author"].choices = [("", "Choose a person"), *labels.items()]
        self.fields["due_on"].initial = timezone.localdate() + timedelta(weeks=DEFAULT_WEEKS)

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        problem = due_problem(due_on)
        if problem:
            raise forms.ValidationError(problem)
        return due_on


class ChronologyEntryForm(PortalForm):
    submit_label = "Save the entry"
    occurred_on = date_field("Date of the event")
    occurred_at = forms.TimeField(
        label="Time (if known)",
        required=False,
        help_text="For example, 14:30",
        input_formats=["%H:%M", "%H.%M", "%H%M"],
        error_messages={"invalid": "Enter the time as hours and minutes, for example 14:30"},
        widget=forms.TimeInput(format="%H:%M", attrs={"class": "govuk-input--width-5"}),
    )
    event = forms.CharField(
        label="What happened",
        widget=forms.Textarea,
        help_text="The facts: who was seen, what was known, what was decided. Use the child's pseudonym.",
    )
    source = forms.CharField(
        label="Source",
        max_length=200,
        help_text="Where it is recorded, for example the GP record or case file.",
    )
    significance = forms.ChoiceField(
        label="Significance", choices=ChronologyEntry.Significance.choices, widget=forms.RadioSelect
    )

    def clean_occurred_on(self):
        value = self.cleaned_data["occurred_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The date of the event cannot be in the future")
        return value


class AgencyReportForm(PortalForm):
    submit_label = "Upload the document"
    report = forms.FileField(
        label="Agency report or records", help_text="A PDF or Word document, smaller than 25 MB."
    )

    def clean_report(self):
        return named_upload(self.cleaned_data["report"], allowed=(PDF, DOCX, DOC))


class ReturnForm(PortalForm):
    submit_label = "Send it back"
    reason = forms.CharField(
        label="Why it is sent back",
        widget=forms.Textarea,
        help_text="The author sees this: say what is missing or needs changing.",
    )


class ChronologyFilterForm(forms.Form):
    """The merged chronology's filters: every field optional; bad values are ignored with a message."""

    agency = forms.TypedChoiceField(
        label="Agency", required=False, coerce=int, empty_value=None, widget=FilterSelect
    )
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date", "class": "govuk-input"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date", "class": "govuk-input"})
    )
    order = forms.ChoiceField(
        label="Order",
        required=False,
        choices=[("", "Oldest first"), ("newest", "Newest first")],
        widget=FilterSelect,
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "Every agency"), *((a.pk, a.name) for a in agencies)]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end of the period must be on or after its start")
        return data

    def filters(self) -> dict:
        """The filters understood, as `selectors.merged_chronology` takes them: a value that was not
        understood is left out (the page says so); none at all for an unbound form."""
        if not self.is_bound:
            return {"agency": None, "since": None, "until": None, "newest_first": False}
        errors = self.errors  # cleans the form: cleaned_data then holds the values that were understood
        data = self.cleaned_data
        return {
            "agency": data.get("agency") if "agency" not in errors else None,
            "since": data.get("since") if "since" not in errors else None,
            "until": data.get("until") if "until" not in errors else None,
            "newest_first": data.get("order") == "newest" and "order" not in errors,
        }


def chronology_query(filters: dict) -> list[tuple[str, str]]:
    """The filters of `ChronologyFilterForm.filters` as the form's fields and values again (what a
    chronology export records as its query, and what the page's download form sends)."""
    pairs = []
    if filters.get("agency"):
        pairs.append(("agency", str(filters["agency"])))
    for name in ("since", "until"):
        if filters.get(name):
            pairs.append((name, filters[name].isoformat()))
    if filters.get("newest_first"):
        pairs.append(("order", "newest"))
    return pairs
