"""Forms for the terms of reference."""

from __future__ import annotations

from crispy_forms_gds.layout import Field
from django import forms
from django.utils import timezone

from reviews.models import Board
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


class AgreementForm(PortalForm):
    """A participating board's chair: the board agrees or objects to this version, with reasons."""

    submit_label = "Record your board's position"
    board = forms.ModelChoiceField(
        label="For which board?",
        queryset=Board.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose the board you speak for"},
    )
    position = forms.ChoiceField(
        label="Does your board agree to this version of the terms of reference?",
        widget=forms.RadioSelect,
        choices=[("agree", "Yes, my board agrees"), ("object", "No, my board objects")],
        error_messages={"required": "Choose whether your board agrees or objects"},
    )
    reasons = forms.CharField(
        label="Reasons",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed if your board objects. Both boards see them on the review's timeline.",
    )

    def __init__(self, *args, boards, **kwargs):
        # The chair of one board taking part is not asked which board: it is that one.
        boards = list(boards)
        self.only_board = boards[0] if len(boards) == 1 else None
        self.layout_fields = ["position", "reasons"] if self.only_board else None
        super().__init__(*args, **kwargs)
        if self.only_board:
            del self.fields["board"]
        else:
            self.fields["board"].queryset = Board.objects.filter(pk__in=[b.pk for b in boards]).order_by(
                "name"
            )

    def clean(self):
        data = super().clean()
        if self.only_board:
            data["board"] = self.only_board
        if data.get("position") == "object" and not (data.get("reasons") or "").strip():
            self.add_error("reasons", "Say why your board objects")
        return data


class WaiverForm(PortalForm):
    """The lead chair: why approval goes ahead without every participating board's answer."""

    submit_label = "Record the reason"
    reason = forms.CharField(
        label="Why should approval go ahead without every board's agreement or objection?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example: the board was asked on 3 March and has not answered. Both boards see it.",
        error_messages={"required": "Give the reason"},
    )
