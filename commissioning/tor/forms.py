"""Forms for the terms of reference."""

from __future__ import annotations

from crispy_forms_gds.layout import Field
from django import forms
from django.utils import timezone

from scr_portal.forms import PortalForm, date_field


class DraftCreateForm(PortalForm):
    submit_label = "Create the draft"
    source = forms.ChoiceField(
        label="Start the new version from",
        widget=forms.RadioSelect,
        choices=[
            ("data", "The board's current commissioning decisions (factors, scope, questions, agencies)"),
            ("copy", "The latest version's text, with every change made to it"),
        ],
        initial="data",
    )

    def __init__(self, *args, latest=None, **kwargs):
        super().__init__(*args, **kwargs)
        if latest is None:
            self.fields["source"].choices = self.fields["source"].choices[:1]
        else:
            self.fields["source"].choices = [
                self.fields["source"].choices[0],
                ("copy", f"The text of version {latest.number}, with every change made to it"),
            ]


class SectionForm(PortalForm):
    """The text of one section, with the version's revision as the person saw it (lost-update check)."""

    submit_label = "Save the section"
    body = forms.CharField(label="Text", required=False, widget=forms.Textarea(attrs={"rows": 12}))
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    layout_fields = ["body"]

    def __init__(self, *args, title: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if title:
            self.fields["body"].label = title

    def _component(self, name: str):
        return Field.textarea(name, rows=14) if name == "body" else super()._component(name)


class SendForCommentForm(PortalForm):
    submit_label = "Send for comment"
    closes_on = date_field("Closing date for comments")

    def clean_closes_on(self):
        value = self.cleaned_data["closes_on"]
        if value <= timezone.localdate():
            raise forms.ValidationError("The closing date for comments must be in the future")
        return value


class CommentForm(PortalForm):
    submit_label = "Add your comment"
    text = forms.CharField(label="Your comment", widget=forms.Textarea)


class ReplyForm(CommentForm):
    submit_label = "Reply"
    text = forms.CharField(label="Your reply", widget=forms.Textarea)


class AddressForm(PortalForm):
    submit_label = "Mark as addressed"
    how = forms.CharField(
        label="How was the comment addressed?",
        help_text="For example: “Section 4 now names the health visiting service.”",
        widget=forms.Textarea,
    )


class CloseCommentsForm(PortalForm):
    submit_label = "Close the comment period"
    reason = forms.CharField(
        label="Why close the comment period early?",
        help_text="Everyone on the review sees this on the timeline. For example: “The board meets on 10 "
        "December and every agency has already commented.”",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why the comment period closes early"},
    )
