"""Forms for a board's retention period, the business manager's decision on a review that is due, and the
administrators' subject-access export."""

from __future__ import annotations

from crispy_forms_gds.layout import Field
from django import forms

from reviews.models import Board, Review
from scr_portal.forms import PortalForm, PortalModelForm

OTHER_NAMES_LIMIT = 100


class RetentionPeriodForm(PortalModelForm):
    submit_label = "Save retention period"

    class Meta:
        model = Board
        fields = ["retention_years"]
        labels = {"retention_years": "Keep each review's records for this many years after it ends"}
        widgets = {"retention_years": forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})}
        error_messages = {
            "retention_years": {
                "required": "Enter how many years to keep each review's records, from 1 to 100",
                "invalid": "Enter the number of years as a whole number, for example 25",
                "min_value": "Keep each review's records for at least 1 year",
                "max_value": "Keep each review's records for no more than 100 years",
            }
        }

    def _component(self, name: str):
        return Field.text(name, field_width=4)


class DisposalForm(PortalForm):
    """Anonymise or delete, confirmed by typing the review's reference."""

    ANONYMISE, DELETE = "anonymise", "delete"

    submit_label = "Confirm"
    decision = forms.ChoiceField(
        label="What should happen to this review?",
        choices=[
            (ANONYMISE, "Anonymise: keep the learning, remove everything that identifies anyone"),
            (DELETE, "Delete: remove the review and everything in it, including its files"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select anonymise or delete"},
    )
    other_names = forms.CharField(
        label="Other names to remove (anonymise only, optional)",
        required=False,
        widget=forms.Textarea,
        help_text="Names the portal cannot know, such as family members named in the text, one per line. "
        "Children's pseudonyms and the names of everyone with an account are removed anyway.",
    )
    reference = forms.CharField(
        label="Type the review's reference to confirm",
        max_length=40,
        error_messages={"required": "Type the review's reference to confirm"},
    )

    def __init__(self, *args, review: Review, **kwargs):
        self.review = review
        super().__init__(*args, **kwargs)
        self.fields[
            "reference"
        ].help_text = f"Type {review.reference} exactly as shown. This cannot be undone."

    def clean_reference(self) -> str:
        typed = self.cleaned_data["reference"].strip()
        if typed != self.review.reference:
            raise forms.ValidationError(f"Type the reference exactly as shown: {self.review.reference}")
        return typed

    def clean_other_names(self) -> list[str]:
        names = [" ".join(line.split()) for line in self.cleaned_data["other_names"].splitlines()]
        names = [n for n in names if n]
        if len(names) > OTHER_NAMES_LIMIT:
            raise forms.ValidationError(f"Give at most {OTHER_NAMES_LIMIT} names")
        if any(len(n) < 3 or len(n) > 150 for n in names):
            raise forms.ValidationError("Each name must be between 3 and 150 characters long")
        return names


class SubjectAccessForm(PortalForm):
    submit_label = "Make the export"
    email = forms.EmailField(
        label="Email address of the account",
        error_messages={"required": "Enter the email address of the account"},
    )
