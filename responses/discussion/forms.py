"""Forms for the board's discussion of the report and for the engagement plan."""

from __future__ import annotations

from crispy_forms_gds.layout import HTML, Button, Field, Fieldset, Layout, Size
from django import forms
from django.utils.html import format_html

from reviews.models import Agency
from scr_portal.forms import PortalForm, date_field, not_in_future

from ..models import EngagementActivity, Meeting, Position

ATTENDANCE_MAX = 300  # Attendance.attendees


def _minutes_field() -> forms.IntegerField:
    return forms.IntegerField(
        label="Time given to the review, in minutes",
        min_value=1,
        max_value=1440,
        help_text="Only the time the meeting spent on this review. For example, 90 for an hour and a half.",
        error_messages={
            "required": "Enter the time the meeting gave to the review, in minutes",
            "invalid": "Enter the time given as a whole number of minutes, for example 90",
            "min_value": "The time given must be at least 1 minute",
            "max_value": "The time given cannot be more than 1,440 minutes (a whole day)",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
    )


class MeetingForm(PortalForm):
    """A meeting: its kind, date, time given and chair, a summary, and one box per agency of the review's
    boards for who attended for it (blank when nobody did)."""

    submit_label = "Save the meeting"
    kind = forms.ChoiceField(
        label="Kind of meeting",
        choices=Meeting.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of meeting"},
    )
    held_on = date_field("Date of the meeting", help_text="For example, 27 3 2026")
    minutes_given = _minutes_field()
    chaired_by = forms.CharField(
        label="Chaired by (optional)",
        max_length=150,
        required=False,
        help_text="Name and role, for example “Helen Marsh, independent chair”.",
    )
    summary = forms.CharField(
        label="Summary of the discussion (optional)",
        required=False,
        widget=forms.Textarea,
        help_text="How the meeting approached the report: you can record the discussion of each finding "
        "once the meeting is saved.",
    )
    BASE_FIELDS = ["kind", "held_on", "minutes_given", "chaired_by", "summary"]

    def __init__(self, *args, agencies: list[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        self.agencies = agencies
        for agency in agencies:
            self.fields[self.agency_field(agency.pk)] = forms.CharField(
                label=f"Who attended for {agency.name}",
                max_length=ATTENDANCE_MAX,
                required=False,
                error_messages={
                    "max_length": f"Who attended for {agency.name} must be {ATTENDANCE_MAX} characters or fewer"
                },
            )
        self.helper.layout = Layout(
            *(self._component(name) for name in self.BASE_FIELDS),
            Fieldset(
                HTML(
                    format_html(
                        '<div class="govuk-hint" id="attendance-hint">{}</div>',
                        "For each agency, the names and roles of the people who attended, for example "
                        "“Sam Patel, Head of Safeguarding”. Leave the box empty if nobody attended for "
                        "that agency: the meeting page will show it as absent.",
                    )
                ),
                *(self._component(self.agency_field(a.pk)) for a in agencies),
                legend="Who attended",
                legend_size=Size.MEDIUM,
                aria_describedby="attendance-hint",
            )
            if agencies
            else HTML(
                format_html(
                    '<div class="govuk-inset-text">{}</div>',
                    "The review's boards have no agencies listed, so attendance cannot be recorded by "
                    "agency. An administrator can add the boards' agencies.",
                )
            ),
            Button("submit", self.submit_label),
        )

    @staticmethod
    def agency_field(agency_id: int) -> str:
        return f"agency_{agency_id}"

    @classmethod
    def for_meeting(cls, meeting: Meeting, agencies: list[Agency], data=None) -> MeetingForm:
        initial = {name: getattr(meeting, name) for name in cls.BASE_FIELDS}
        for attendance in meeting.attendances.all():
            initial[cls.agency_field(attendance.agency_id)] = attendance.attendees
        return cls(data, agencies=agencies, initial=initial)

    def _component(self, name: str):
        if name == "minutes_given":
            return Field.text(name, field_width=4)
        if name == "chaired_by" or name.startswith("agency_"):
            return Field.text(name, field_width=30 if name == "chaired_by" else None)
        return super()._component(name)

    def clean_held_on(self):
        value = self.cleaned_data["held_on"]
        not_in_future(value, "date of the meeting")
        return value

    def attendance(self) -> dict[int, str]:
        """Agency id → who attended for it ("" when nobody did)."""
        return {a.pk: self.cleaned_data.get(self.agency_field(a.pk), "") for a in self.agencies}

    def meeting_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.BASE_FIELDS}


class DiscussionForm(PortalForm):
    submit_label = "Save the discussion"
    discussion = forms.CharField(
        label="What was discussed",
        widget=forms.Textarea,
        help_text="The main points the meeting made about this finding, and what agencies said.",
        error_messages={"required": "Enter what was discussed"},
    )
    challenge = forms.CharField(
        label="Challenge made (optional)",
        widget=forms.Textarea,
        required=False,
        help_text="Questions put to agencies, disagreements, and how they were resolved.",
    )

    def __init__(self, *args, number: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if number:
            self.fields["discussion"].label = f"What was discussed about finding {number}"


class PositionForm(PortalForm):
    submit_label = "Save the board's position"
    position = forms.ChoiceField(
        label="The board's position",
        choices=Position.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the board's position on the finding"},
    )
    reason = forms.CharField(
        label="Why the board took this position",
        widget=forms.Textarea,
        help_text="This is part of the board's written response. If the board does not accept the finding, "
        "or accepts only part of it, say what it disagrees with.",
        error_messages={"required": "Enter why the board took this position"},
    )
    meeting = forms.ModelChoiceField(
        label="Meeting at which it was agreed (optional)",
        queryset=Meeting.objects.none(),
        required=False,
        empty_label="Not agreed at a recorded meeting",
    )

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = Meeting.objects.filter(review=review).order_by("-held_on", "-pk")
        self.fields["meeting"].error_messages["invalid_choice"] = "Choose one of this review's meetings"


class ActivityForm(PortalForm):
    """An activity of the engagement plan."""

    submit_label = "Save the activity"
    audience = forms.ChoiceField(
        label="Audience",
        choices=EngagementActivity.Audience.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the audience"},
    )
    audience_detail = forms.CharField(
        label="Who exactly (optional)",
        max_length=200,
        required=False,
        help_text="For example “health visitors in the north locality”.",
    )
    description = forms.CharField(
        label="The activity",
        max_length=300,
        help_text="What will be done, for example “Briefing on the findings at the health visitors’ team "
        "meeting”.",
        error_messages={"required": "Enter the activity"},
    )
    method = forms.ChoiceField(
        label="How the learning is shared",
        choices=EngagementActivity.Method.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the learning is shared"},
    )
    planned_on = date_field(
        "Date of the activity",
        help_text="When it is planned for, or when it took place. For example, 27 3 2026",
    )
    status = forms.ChoiceField(
        label="Status",
        choices=EngagementActivity.Status.choices,
        widget=forms.RadioSelect,
        initial=EngagementActivity.Status.PLANNED,
        error_messages={"required": "Select the status"},
    )
    reached = forms.IntegerField(
        label="People reached (if done)",
        min_value=0,
        max_value=1_000_000,
        required=False,
        help_text="How many people it reached. An estimate is fine, for example the number invited.",
        error_messages={
            "invalid": "Enter the number of people reached as a whole number, for example 25",
            "min_value": "The number of people reached cannot be negative",
            "max_value": "The number of people reached must be 1,000,000 or fewer",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
    )

    @classmethod
    def for_activity(cls, activity: EngagementActivity, data=None) -> ActivityForm:
        names = ["audience", "audience_detail", "description", "method", "planned_on", "status", "reached"]
        return cls(data, initial={name: getattr(activity, name) for name in names})

    def _component(self, name: str):
        if name == "reached":
            return Field.text(name, field_width=5)
        if name == "description":
            return Field.text(name)
        return super()._component(name)

    def clean(self):
        data = super().clean()
        if data.get("status") == EngagementActivity.Status.DONE:
            if data.get("reached") is None and "reached" not in self.errors:
                self.add_error("reached", "Enter how many people the activity reached, as it is done")
            try:
                not_in_future(data.get("planned_on"), "date of an activity that is done")
            except forms.ValidationError as error:
                self.add_error("planned_on", error)
        return data


class ActivityDoneForm(PortalForm):
    submit_label = "Mark as done"
    done_on = date_field("Date it took place")
    reached = forms.IntegerField(
        label="People reached",
        min_value=0,
        max_value=1_000_000,
        help_text="An estimate is fine, for example the number who attended or were sent the briefing.",
        error_messages={
            "required": "Enter how many people the activity reached",
            "invalid": "Enter the number of people reached as a whole number, for example 25",
            "min_value": "The number of people reached cannot be negative",
            "max_value": "The number of people reached must be 1,000,000 or fewer",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
    )

    def _component(self, name: str):
        return Field.text(name, field_width=5) if name == "reached" else super()._component(name)

    def clean_done_on(self):
        value = self.cleaned_data["done_on"]
        not_in_future(value, "date it took place")
        return value
