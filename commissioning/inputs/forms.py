"""Forms for the board input round."""

from __future__ import annotations

from django import forms

from scr_portal.forms import PortalForm, date_field

from .services import closing_date_problem


class InputRoundForm(PortalForm):
    submit_label = "Send the request to every board member"
    request = forms.CharField(
        label="What the board is asked",
        help_text="What information would help the board agree a proportionate approach to this review.",
        widget=forms.Textarea,
    )
    closes_on = date_field(
        "Closing date", help_text="At least 1 working day from today. For example, 27 3 2026"
    )

    def clean_closes_on(self):
        closes_on = self.cleaned_data["closes_on"]
        problem = closing_date_problem(closes_on)
        if problem:
            raise forms.ValidationError(problem)
        return closes_on


class InputReplyForm(PortalForm):
    submit_label = "Send my reply"
    text = forms.CharField(
        label="Information you think is relevant",
        required=False,
        help_text="Anything your agency knows that would help agree a proportionate approach.",
        widget=forms.Textarea,
    )
    nothing_to_add = forms.BooleanField(label="My agency has nothing to add", required=False)

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("nothing_to_add"):
            self.add_error("text", "Enter the information you want to give, or say you have nothing to add")
        return data
