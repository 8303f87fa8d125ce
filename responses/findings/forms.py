from __future__ import annotations

from django import forms

from responses.models import Finding, Theme
from scr_portal.forms import PortalForm
from scr_portal.uploads import DOC, DOCX, PDF, named_upload


class FindingForm(PortalForm):
    submit_label = "Save the finding"
    number = forms.IntegerField(
        label="Finding number",
        min_value=1,
        max_value=999,
        help_text="As numbered in the report.",
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3"}),
    )
    title = forms.CharField(label="Short title", max_length=200, help_text="A few words to name the finding.")
    text = forms.CharField(
        label="The finding", widget=forms.Textarea, help_text="What the report found, as the report puts it."
    )
    themes = forms.ModelMultipleChoiceField(
        label="Themes",
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The board's related learning and plan priorities are found by theme.",
    )

    @classmethod
    def for_finding(cls, finding: Finding, data=None) -> FindingForm:
        return cls(
            data,
            initial={
                "number": finding.number,
                "title": finding.title,
                "text": finding.text,
                "themes": list(finding.themes.all()),
            },
        )


class ReportReplaceForm(PortalForm):
    submit_label = "Replace the report"
    final_report = forms.FileField(
        label="Corrected final report", help_text="A PDF or Word document, smaller than 25 MB."
    )
    reason = forms.CharField(
        label="Why the report is being replaced",
        max_length=300,
        help_text="For example “the lead reviewer corrected the chronology on page 12”.",
    )

    def clean_final_report(self):
        return named_upload(self.cleaned_data["final_report"], allowed=(PDF, DOCX, DOC))


class ConfirmForm(PortalForm):
    submit_label = "Remove the finding"
