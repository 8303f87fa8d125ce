"""Forms for the business plan (periods and priorities) and the learning and improvement framework."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.utils import timezone

from responses.models import LearningItem, PlanPeriod, PlanPriority, Theme
from reviews.models import Board
from scr_portal.forms import FilterSelect, PortalForm, date_field

from . import selectors


def _themes_field(*, required: bool, help_text: str) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label="Themes",
        queryset=Theme.objects.order_by("name"),
        required=required,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
        error_messages={
            "required": "Select at least one theme",
            "invalid_choice": "Select themes from the list",
            "invalid_pk_value": "Select themes from the list",
        },
    )


class _PlanForm(PortalForm):
    def _component(self, name: str):
        if name == "themes":
            return Field.checkboxes(name, legend_size=Size.SMALL, small=True)
        if name == "number":
            return Field.text(name, field_width=2)
        return super()._component(name)


class PlanPeriodForm(_PlanForm):
    """A period of the business plan: its title and the dates it covers."""

    submit_label = "Save the period"
    title = forms.CharField(
        label="Title",
        max_length=PlanPeriod._meta.get_field("title").max_length,
        help_text="For example “Business plan 2026 to 2028”.",
        error_messages={"required": "Enter the title of the period"},
    )
    starts_on = date_field("Start date")
    ends_on = date_field("End date")

    def __init__(self, *args, board: Board, period: PlanPeriod | None = None, **kwargs):
        self.board, self.period = board, period
        if period is not None:
            kwargs.setdefault(
                "initial", {"title": period.title, "starts_on": period.starts_on, "ends_on": period.ends_on}
            )
        super().__init__(*args, **kwargs)
        self.fields["title"].help_text = f"For example “{board.words.Plan} 2026 to 2028”."

    def clean(self):
        data = super().clean()
        starts_on, ends_on, title = data.get("starts_on"), data.get("ends_on"), data.get("title", "").strip()
        if starts_on and ends_on and ends_on <= starts_on:
            self.add_error("ends_on", "The end date must be after the start date")
        if title and selectors.period_title_taken(self.board, title, self.period.pk if self.period else None):
            self.add_error("title", f"{self.board.name} already has a plan period called “{title}”")
        return data


class PlanPriorityForm(_PlanForm):
    """One numbered priority of a plan period."""

    submit_label = "Save the priority"
    number = forms.IntegerField(
        label="Priority number",
        min_value=1,
        max_value=99,
        help_text="Priorities are listed in number order. Each number is used once in a period.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the priority number",
            "invalid": "Enter the priority number as a whole number, like 3",
            "min_value": "The priority number must be between 1 and 99",
            "max_value": "The priority number must be between 1 and 99",
        },
    )
    title = forms.CharField(
        label="Priority",
        max_length=PlanPriority._meta.get_field("title").max_length,
        help_text="A short statement, for example “Children living with neglect are identified early”.",
        error_messages={"required": "Enter the priority"},
    )
    description = forms.CharField(
        label="What the board will do (optional)",
        required=False,
        widget=forms.Textarea,
        help_text="How the board means to achieve the priority, and how it will know.",
    )
    themes = _themes_field(
        required=False,
        help_text="Findings of reviews with any of these themes show this priority beside them.",
    )

    def __init__(self, *args, period: PlanPeriod, priority: PlanPriority | None = None, **kwargs):
        self.period, self.priority = period, priority
        if priority is not None:
            kwargs.setdefault(
                "initial",
                {
                    "number": priority.number,
                    "title": priority.title,
                    "description": priority.description,
                    "themes": [t.pk for t in priority.themes.all()],
                },
            )
        else:
            kwargs.setdefault("initial", {"number": selectors.next_priority_number(period)})
        super().__init__(*args, **kwargs)

    def clean_number(self):
        number = self.cleaned_data["number"]
        if selectors.priority_number_taken(self.period, number, self.priority.pk if self.priority else None):
            raise forms.ValidationError(
                f"“{self.period.title}” already has a priority {number}: choose another number"
            )
        return number


class LearningItemForm(_PlanForm):
    """One piece of learning in the board's learning and improvement framework."""

    submit_label = "Save the learning"
    title = forms.CharField(
        label="Title",
        max_length=LearningItem._meta.get_field("title").max_length,
        help_text="A short name for the learning, for example “Bruising in non-mobile babies”.",
        error_messages={"required": "Enter the title of the learning"},
    )
    source = forms.ChoiceField(
        label="Where the learning came from",
        choices=LearningItem.Source.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select where the learning came from"},
    )
    source_reference = forms.CharField(
        label="Name of the source (optional)",
        required=False,
        max_length=LearningItem._meta.get_field("source_reference").max_length,
        help_text="For example “Multi-agency audit of neglect, 2025” or “Ofsted inspection, May 2025”.",
    )
    summary = forms.CharField(
        label="What was learned",
        widget=forms.Textarea,
        help_text="What the source found, and what it means for practice here.",
        error_messages={"required": "Enter what was learned"},
    )
    learned_on = date_field(
        "Date of the learning", help_text="When the source reported. For example, 27 3 2026"
    )
    status = forms.ChoiceField(
        label="Where it stands",
        choices=LearningItem.Status.choices,
        widget=forms.RadioSelect,
        initial=LearningItem.Status.OPEN,
        error_messages={"required": "Select where the learning stands"},
    )
    themes = _themes_field(
        required=True,
        help_text="Select every theme that applies: reviews' findings with the same theme show this learning.",
    )

    def __init__(self, *args, item: LearningItem | None = None, **kwargs):
        if item is not None:
            kwargs.setdefault(
                "initial",
                {
                    **{k: getattr(item, k) for k in ("title", "source", "source_reference", "summary")},
                    "learned_on": item.learned_on,
                    "status": item.status,
                    "themes": [t.pk for t in item.themes.all()],
                },
            )
        super().__init__(*args, **kwargs)

    def clean_learned_on(self):
        value = self.cleaned_data["learned_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date of the learning cannot be in the future")
        return value


class LearningFilterForm(forms.Form):
    """Narrows the framework to one theme, one kind of source, or one status (a GET form; all optional)."""

    theme = forms.ModelChoiceField(
        label="Theme",
        queryset=Theme.objects.order_by("name"),
        required=False,
        empty_label="All themes",
        widget=FilterSelect,
    )
    source = forms.ChoiceField(
        label="Source",
        choices=[("", "All sources"), *LearningItem.Source.choices],
        required=False,
        widget=FilterSelect,
    )
    status = forms.ChoiceField(
        label="Where it stands",
        choices=[("", "Any"), *LearningItem.Status.choices],
        required=False,
        widget=FilterSelect,
    )

    def filters(self) -> dict:
        """The valid filters given (a value that is not a choice is ignored)."""
        if not self.is_bound:
            return {"theme": None, "source": "", "status": ""}
        self.is_valid()
        data = self.cleaned_data
        return {
            "theme": data.get("theme"),
            "source": data.get("source") or "",
            "status": data.get("status") or "",
        }
