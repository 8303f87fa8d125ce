"""Forms for the report: a draft, sending it to agencies, an agency's reply, how a comment was dealt with,
quality assurance, the family's view and acceptance."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone

from reviews.models import Agency, Review
from scr_portal.forms import PortalForm, date_field
from scr_portal.uploads import DOCX, PDF, named_upload

from ..models import DraftAssurance

COMMENT_ROWS = 5  # comments one reply can give (an agency with more replies with them grouped)
DEFAULT_DAYS = 10  # replies on a draft's facts are due this long after it is sent, unless changed


def _not_future(form: forms.Form, name: str, what: str):
    value = form.cleaned_data[name]
    if value and value > timezone.localdate():
        raise forms.ValidationError(f"The {what} cannot be in the future")
    return value


class DraftForm(PortalForm):
    submit_label = "Add the draft"
    file = forms.FileField(label="The draft", help_text="A PDF or Word (.docx) document, smaller than 25 MB.")
    notes = forms.CharField(
        label="What changed in this version (optional)", required=False, widget=forms.Textarea
    )

    def clean_file(self):
        return named_upload(self.cleaned_data["file"], allowed=(PDF, DOCX))


class AccuracySendForm(PortalForm):
    submit_label = "Send the draft"
    agencies = forms.TypedMultipleChoiceField(
        label="Which agencies check its facts?",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="The people who represent each agency on the lead board are told.",
        error_messages={"required": "Select at least one agency"},
    )
    due_on = date_field("Date replies are due")

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency_rows = {
            a.pk: a for a in Agency.objects.filter(boards=review.lead_board_id).order_by("name")
        }
        self.fields["agencies"].choices = [(pk, a.name) for pk, a in self.agency_rows.items()]
        self.fields["due_on"].initial = timezone.localdate() + timedelta(days=DEFAULT_DAYS)
        self.lay_out()

    def clean_due_on(self):
        value = self.cleaned_data["due_on"]
        if value < timezone.localdate():
            raise forms.ValidationError("The date replies are due cannot be in the past")
        return value

    def chosen(self) -> list[Agency]:
        return [self.agency_rows[pk] for pk in self.cleaned_data["agencies"]]


class AccuracyReplyForm(PortalForm):
    submit_label = "Send the agency's reply"
    no_comments = forms.BooleanField(label="The agency has no comments on the draft's facts", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, COMMENT_ROWS + 1):
            self.fields[f"where_{n}"] = forms.CharField(
                label=f"Comment {n}: section or page", max_length=100, required=False
            )
            self.fields[f"comment_{n}"] = forms.CharField(
                label=f"Comment {n}: what is not accurate, and what is", required=False, widget=forms.Textarea
            )
        self.lay_out()

    def comments(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        return [
            (data.get(f"where_{n}", ""), data.get(f"comment_{n}", "")) for n in range(1, COMMENT_ROWS + 1)
        ]

    def clean(self):
        data = super().clean()
        given = []
        for n in range(1, COMMENT_ROWS + 1):
            where, comment = (data.get(f"where_{n}") or "").strip(), (data.get(f"comment_{n}") or "").strip()
            if where and not comment:
                self.add_error(f"comment_{n}", f"Enter comment {n}, or clear its section or page")
            elif comment and not where:
                self.add_error(f"where_{n}", f"Enter the section or page comment {n} is about")
            if where or comment:
                given.append(n)
        if data.get("no_comments") and given:
            self.add_error("no_comments", "Either give comments or say the agency has none, not both")
        elif not data.get("no_comments") and not given and not self.errors:
            self.add_error("no_comments", "Add a comment, or say the agency has no comments")
        return data


class CommentResponseForm(PortalForm):
    submit_label = "Save"
    response = forms.CharField(
        label="How the comment was dealt with",
        widget=forms.Textarea,
        help_text="For example: the report was changed (say where), or why it was not.",
    )


class AssuranceForm(PortalForm):
    submit_label = "Record the quality assurance"
    assured_by = forms.CharField(label="Who quality-assured the draft", max_length=200)
    assured_on = date_field("Date of the quality assurance")
    outcome = forms.ChoiceField(
        label="Outcome", choices=DraftAssurance.Outcome.choices, widget=forms.RadioSelect
    )
    comments = forms.CharField(label="Comments (optional)", required=False, widget=forms.Textarea)

    def clean_assured_on(self):
        return _not_future(self, "assured_on", "date of the quality assurance")


class FamilyFeedbackForm(PortalForm):
    submit_label = "Record the family's view"
    seen_on = date_field("Date the family saw the draft")
    said = forms.CharField(
        label="What the family said",
        widget=forms.Textarea,
        help_text="A short record. Use the family's pseudonyms.",
    )

    def clean_seen_on(self):
        return _not_future(self, "seen_on", "date the family saw the draft")


class AcceptForm(PortalForm):
    submit_label = "Accept as the final report"
    received_on = date_field("Date the final report was received")
    note = forms.CharField(label="Note for the timeline (optional)", required=False, widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()

    def clean_received_on(self):
        return _not_future(self, "received_on", "date the final report was received")
