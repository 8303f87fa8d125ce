"""Form building blocks every app uses: GOV.UK Design System layouts through crispy-forms-gds, dates as
the design system's three-part date input, and length limits on free text so nothing huge is stored."""

from __future__ import annotations

from datetime import date

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms
from django.core.validators import MaxLengthValidator

TEXT_LIMIT = 20_000  # characters in any free-text box: several pages, far beyond any real answer


class PortalDateField(DateInputField):
    """The design system's date input, saying "Enter … as a real date" for a date that does not exist (31
    February) instead of Python's "day is out of range for month"."""

    def compress(self, data_list):
        try:
            return super().compress(data_list)
        except forms.ValidationError as error:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from error


def date_field(label: str, *, required: bool = True, help_text: str = "") -> DateInputField:
    """A GOV.UK date input (day, month, year) with messages that say which part is wrong."""
    field = PortalDateField(label=label, required=required, help_text=help_text or "For example, 27 3 2026")
    field.error_messages.update(
        {
            "required": f"Enter the {label.lower()}",
            "incomplete": f"Enter the {label.lower()} as a day, month and year",
            "invalid": f"Enter the {label.lower()} as a real date",
        }
    )
    return field


def not_in_future(value: date | None, label: str) -> None:
    if value and value > date.today():
        raise forms.ValidationError(f"The {label.lower()} cannot be in the future")


def _say_what_is_required(field: forms.Field) -> None:
    """Replaces Django's bare "This field is required." with the design system's "Enter …" / "Select …"."""
    if field.error_messages.get("required") != forms.Field.default_error_messages["required"]:
        return
    label = str(field.label or "an answer").lower()
    choosing = isinstance(
        field.widget, forms.RadioSelect | forms.Select | forms.CheckboxSelectMultiple | forms.FileInput
    )
    field.error_messages["required"] = f"{'Select' if choosing else 'Enter'} {label}"


class PortalFormMixin:
    """Gives a form the design system's layout: each field as the matching component, then one button.

    Set `submit_label` on the form class; set `layout_fields` to change the order or leave fields out."""

    submit_label = "Save"
    layout_fields: list[str] | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            if isinstance(f, forms.CharField) and isinstance(f.widget, forms.Textarea) and not f.max_length:
                f.max_length = TEXT_LIMIT
                f.validators.append(MaxLengthValidator(TEXT_LIMIT))
        for f in self.fields.values():
            _say_what_is_required(f)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's own <form> carries the token
        names = self.layout_fields or list(self.fields)
        self.helper.layout = Layout(
            *(self._component(name) for name in names), Button("submit", self.submit_label)
        )

    def _component(self, name: str):
        widget = self.fields[name].widget
        if isinstance(widget, forms.RadioSelect):
            return Field.radios(name, legend_size=Size.SMALL)
        if isinstance(widget, forms.CheckboxSelectMultiple):
            return Field.checkboxes(name, legend_size=Size.SMALL)
        if isinstance(widget, forms.CheckboxInput):
            return Field.checkbox(name)
        if isinstance(widget, forms.Textarea):
            return Field.textarea(name, rows=4)
        if isinstance(widget, forms.Select):
            return Field.select(name)
        if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
            return Field(name)
        if isinstance(widget, forms.MultiWidget):
            return Field(name)
        return Field.text(name)


class PortalForm(PortalFormMixin, forms.Form):
    pass


class PortalModelForm(PortalFormMixin, forms.ModelForm):
    pass
