"""Forms of the plan and governance: a milestone (added or changed, with the reason for a delay), marking one
done, the governance set at the start, the lead reviewer's independence declaration, and a challenge or
impasse raised and resolved."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from reviews.models import Review
from scr_portal.forms import PortalForm, date_field, not_in_future

from ..models import Challenge, Milestone
from .selectors import owner_choices


class MilestoneForm(PortalForm):
    submit_label = "Save the milestone"
    name = forms.CharField(label="Milestone", max_length=200)
    owner = forms.TypedChoiceField(
        label="Owner",
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select,
        help_text="The person on the review who sees that it is done.",
    )
    due_on = date_field("Date it is due")
    reason = forms.CharField(
        label="Reason for the delay",
        required=False,
        widget=forms.Textarea,
        help_text="Needed when the date moves later or the milestone is overdue. The chair or partners and the "
        "business manager are told.",
    )

    def __init__(self, *args, review: Review, milestone: Milestone | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {u.pk: u for u in owner_choices(review)}
        self.fields["owner"].choices = [
            ("", "No owner yet"),
            *((pk, u.get_full_name()) for pk, u in self.people.items()),
        ]
        self.milestone = milestone
        words = review.words
        self.fields["reason"].help_text = (
            "Needed when the date moves later or the milestone is overdue. The "
            f"{words.accountable} and the business manager of the {words.body} are told."
        )
        if milestone is None:
            del self.fields["reason"]
            self.lay_out()

    def clean_owner(self):
        pk = self.cleaned_data["owner"]
        if pk is None:
            return None
        return self.people[pk]

    def clean(self):
        data = super().clean()
        due_on, milestone = data.get("due_on"), self.milestone
        today = timezone.localdate()
        if due_on is None:
            return data
        if milestone is None:
            if due_on < today:
                self.add_error("due_on", "A new milestone cannot be due in the past")
            return data
        if due_on < milestone.planned_on:
            self.add_error("due_on", "It cannot be due before the date first planned")
        elif milestone.is_overdue(today) and due_on < today:
            self.add_error(
                "due_on", "The milestone is overdue: give the date it is now expected, today or later"
            )
        elif (due_on > milestone.due_on or milestone.is_overdue(today)) and not (
            data.get("reason") or ""
        ).strip():
            self.add_error("reason", "Say why it is delayed")
        return data


class MilestoneDoneForm(PortalForm):
    submit_label = "Mark it done"
    done_on = date_field("Date it was done")

    def clean_done_on(self):
        value = self.cleaned_data["done_on"]
        not_in_future(value, "Date it was done")
        return value


class GovernanceForm(PortalForm):
    submit_label = "Save the arrangements"
    quality_assured_by = forms.CharField(
        label="Who quality-assures the review",
        max_length=300,
        help_text="For example, a review panel named by the board: its members' roles and agencies.",
    )
    quality_assurance = forms.CharField(
        label="How the review is quality-assured",
        widget=forms.Textarea,
        help_text="When the panel meets, what it reads, and how the lead reviewer hears its challenge.",
    )
    sign_off = forms.CharField(
        label="How the final report is signed off",
        widget=forms.Textarea,
        help_text="Who accepts the final report, at which meeting, and what happens if they do not.",
    )

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        words = review.words
        self.fields[
            "quality_assured_by"
        ].help_text = (
            f"For example, a review panel named by the {words.body}: its members' roles and agencies."
        )
        self.fields["sign_off"].help_text = (
            f"Who accepts the final report for the {words.body} (the {words.accountable}), at which meeting, "
            "and what happens if it is not accepted."
        )


class IndependenceForm(PortalForm):
    submit_label = "Declare"
    independent = forms.TypedChoiceField(
        label="Are you independent of the case and its agencies?",
        choices=[
            ("yes", "Yes: I have no line management of, or involvement with, the case or the agencies in it"),
            ("no", "No: I declare interests, and how they are managed"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether you are independent of the case and its agencies"},
    )
    interests = forms.CharField(
        label="Interests you declare",
        required=False,
        widget=forms.Textarea,
        help_text="For example, you once managed a service of one of the agencies.",
    )
    managed_how = forms.CharField(
        label="How the interests are managed",
        required=False,
        widget=forms.Textarea,
        help_text="For example, another reviewer leads on that agency's part.",
    )

    def clean(self):
        data = super().clean()
        if data.get("independent") is False:
            if not (data.get("interests") or "").strip():
                self.add_error("interests", "Describe the interests you declare")
            if not (data.get("managed_how") or "").strip():
                self.add_error("managed_how", "Say how the interests are managed")
        return data


class ChallengeForm(PortalForm):
    submit_label = "Log it"
    kind = forms.ChoiceField(label="What is it?", choices=Challenge.Kind.choices, widget=forms.RadioSelect)
    issue = forms.CharField(label="The issue", widget=forms.Textarea)
    raised_by = forms.CharField(
        label="Raised by",
        max_length=200,
        help_text="A role and agency, for example the police's board member.",
    )
    raised_on = date_field("Date it was raised")
    escalated = forms.BooleanField(label="It is taken to the chair to resolve", required=False)

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["escalated"].label = f"It is taken to the {review.words.accountable} to resolve"

    def clean_raised_on(self):
        value = self.cleaned_data["raised_on"]
        not_in_future(value, "Date it was raised")
        return value


class ResolutionForm(PortalForm):
    submit_label = "Record the resolution"
    resolution = forms.CharField(label="How it was resolved", widget=forms.Textarea)
    resolved_on = date_field("Date it was resolved")
    escalated = forms.BooleanField(label="It was taken to the chair to resolve", required=False)

    def __init__(self, *args, review: Review, challenge: Challenge, **kwargs):
        super().__init__(*args, **kwargs)
        self.challenge = challenge
        self.fields["escalated"].label = f"It was taken to the {review.words.accountable} to resolve"
        self.fields["escalated"].initial = challenge.escalated

    def clean_resolved_on(self):
        value = self.cleaned_data["resolved_on"]
        not_in_future(value, "Date it was resolved")
        if value < self.challenge.raised_on:
            raise forms.ValidationError("It cannot be resolved before it was raised")
        return value
