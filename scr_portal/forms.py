"""Form building blocks every app uses: GOV.UK Design System layouts through crispy-forms-gds, dates as
the design system's three-part date input, and length limits on free text so nothing huge is stored. Also
the answers to hostile input that every form needs (tests/security): ids larger than a database can hold,
and hidden fields sent back changed, are refused with a message rather than a server error."""

from __future__ import annotations

import html
from datetime import date

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models.fields import BLANK_CHOICE_DASH
from django.forms.utils import flatatt
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html
from django.utils.safestring import mark_safe

TEXT_LIMIT = 20_000  # characters in any free-text box: several pages, far beyond any real answer
NOT_DECIDED = "Not decided yet"  # the words of an optional question's blank radio option


class PortalDateField(DateInputField):
    """The design system's date input, saying "Enter … as a real date" for a date that does not exist (31
    February, or the year 99999999999999999999) instead of Python's "day is out of range for month" (or a
    500), and "Enter … as a day, month and year" when a part is only spaces."""

    def compress(self, data_list):
        # A part of only spaces passes the design system field's "is it empty" check, then strips to "":
        # without this, a required date could come back as None.
        if not all(data_list):
            if any(data_list):
                raise forms.ValidationError(self.error_messages["incomplete"], code="incomplete")
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return None
        try:
            return super().compress(data_list)
        except (forms.ValidationError, OverflowError) as error:  # OverflowError: a year of 20 digits
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from error


class FilterSelect(forms.Select):
    """A drop-down of a filter form (a GET form beside a list), rendered by includes/filter_select.html.

    Its options are written here rather than through a template each: a board's filters list hundreds of
    reviews and owners, and a template per option took most of the board action plan's time (the same
    HTML, in a tenth of the time)."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"class": "govuk-select app-select-full", **(attrs or {})}, choices)

    def render(self, name, value, attrs=None, renderer=None):
        if any(isinstance(label, (list, tuple)) for _, label in self.choices):
            return super().render(name, value, attrs, renderer)  # groups: Django's own templates
        chosen = set(self.format_value(value))
        options = []
        for option_value, label in self.choices:
            text = "" if option_value is None else str(option_value)
            selected = " selected" if text in chosen else ""
            if selected and not self.allow_multiple_selected:
                chosen = set()  # as Django's: only the first match is selected
            # The standard library's escape, which Django's wraps (the same text, without the check for lazy
            # strings on each of hundreds of calls); labels are made plain strings first, as Django does. An
            # id's digits need no escaping.
            value = text if type(option_value) is int else html.escape(text)
            options.append(f'  <option value="{value}"{selected}>{html.escape(str(label))}</option>')
        final = self.build_attrs(self.attrs, attrs)
        # Each value and label is escaped above.
        listed = mark_safe("\n".join(options))  # noqa: S308  # nosec B308 B703
        return format_html('<select name="{}"{}>\n{}\n</select>', name, flatatt(final), listed)


class Listed(BaseChoiceIterator):
    """A field's choices already in their final form, a list of (value, label) pairs of plain values, which
    Django then takes as they are: given as a plain list, each pair is checked and copied again
    (`normalize_choices`) every time a form is made, a millisecond or two for a board's hundreds of reviews
    and owners on every page of its plan."""

    def __init__(self, pairs):
        self.pairs = list(pairs)

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, index):
        return self.pairs[index]


class FollowingSelect(forms.Select):
    """A drop-down whose options depend on another field's choice: each option lists, in `data-for`, the
    values of the other field it goes with (none: it goes with any), and portal.js hides the others when
    that field changes. Without JavaScript every option stays listed and the form checks the pair when it
    is sent, so nothing depends on the script.

    `follows` is the other field's name; `goes_with` maps an option's value to the values it goes with."""

    def __init__(self, *, follows: str, goes_with: dict[str, list] | None = None, attrs=None, choices=()):
        super().__init__({"class": "govuk-select", "data-follows": f"id_{follows}", **(attrs or {})}, choices)
        self.goes_with = goes_with or {}

    def __deepcopy__(self, memo):
        copied = super().__deepcopy__(memo)
        copied.goes_with = dict(self.goes_with)
        return copied

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        values = self.goes_with.get(str(value))
        if values:
            option["attrs"]["data-for"] = " ".join(str(v) for v in values)
        return option


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


# The largest id a database integer column holds: SQLite cannot even compare a larger number with one.
LARGEST_ID = 2**63 - 1
# What a person is told when a hidden field comes back changed: only a tampered or truncated page does that.
HIDDEN_FIELD_PROBLEM = (
    "The page was changed before it was sent. Reload the page, then make your changes again."
)


def id_from_query(value: str | None) -> int | None:
    """An object id read from a query string, or None when `value` is not one: plain digits only (not "²",
    which `str.isdigit` accepts but `int` refuses) and no larger than a database id can be."""
    if value and value.isascii() and value.isdigit() and len(value) <= 19 and int(value) <= LARGEST_ID:
        return int(value)
    return None


def refuse_impossible_ids(field: forms.ModelMultipleChoiceField) -> None:
    """Makes the field refuse an id no database row can have, as not one of the choices. Django checks the
    ids with a `pk__in` query, which SQLite cannot run with a number beyond 64 bits (OverflowError, a 500)."""
    clean = field.clean

    def checked(value):
        for item in value if isinstance(value, list | tuple) else ():
            text = str(item).strip()
            if text.isascii() and text.lstrip("+-").isdigit() and id_from_query(text.lstrip("+")) is None:
                raise forms.ValidationError(
                    field.error_messages["invalid_choice"], code="invalid_choice", params={"value": text[:40]}
                )
        return clean(value)

    field.clean = checked


def _say_what_is_required(field: forms.Field) -> None:
    """Replaces Django's bare "This field is required." with the design system's "Enter …" / "Select …"."""
    if field.error_messages.get("required") != forms.Field.default_error_messages["required"]:
        return
    label = str(field.label or "an answer").lower()
    choosing = isinstance(
        field.widget, forms.RadioSelect | forms.Select | forms.CheckboxSelectMultiple | forms.FileInput
    )
    field.error_messages["required"] = f"{'Select' if choosing else 'Enter'} {label}"


def _name_the_blank_radio(field: forms.Field) -> None:
    """A model field that may be left blank gives its radios Django's "---------" option: a required
    question loses it (it is no answer), an optional one says in words what choosing it means."""
    if not isinstance(field.widget, forms.RadioSelect):
        return
    if isinstance(field, forms.ModelChoiceField):  # its blank option is `empty_label` (no query to read it)
        if field.empty_label is not None:
            field.empty_label = None if field.required else NOT_DECIDED
        return
    blank = BLANK_CHOICE_DASH[0]
    if isinstance(field, forms.ChoiceField) and blank in field.choices:
        field.choices = [
            (value, NOT_DECIDED) if (value, label) == blank else (value, label)
            for value, label in field.choices
            if (value, label) != blank or not field.required
        ]


def prepare_field(f: forms.Field) -> None:
    """What every portal form does to each of its fields: a length limit on free text, the design system's
    "Enter …" / "Select …" messages, named blank radios, and ids no row can have refused."""
    if isinstance(f, forms.CharField) and isinstance(f.widget, forms.Textarea) and not f.max_length:
        f.max_length = TEXT_LIMIT
        f.validators.append(MaxLengthValidator(TEXT_LIMIT))
    _say_what_is_required(f)
    _name_the_blank_radio(f)
    if isinstance(f, forms.ModelMultipleChoiceField):
        refuse_impossible_ids(f)


class PortalFormMixin:
    """Gives a form the design system's layout: each field as the matching component, then one button.

    Set `submit_label` on the form class; set `layout_fields` to change the order or leave fields out."""

    submit_label = "Save"
    layout_fields: list[str] | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            prepare_field(f)
        self.lay_out()

    def lay_out(self) -> None:
        """Builds the layout from `layout_fields` (or every field) and `submit_label`. A form that adds or
        removes fields, or changes its label, in its own __init__ calls it again afterwards (a new field
        is given `prepare_field` first)."""
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's own <form> carries the token
        names = [n for n in (self.layout_fields or list(self.fields)) if n in self.fields]
        self.helper.layout = Layout(
            *(self._component(name) for name in names), Button("submit", self.submit_label)
        )

    def full_clean(self):
        """As Django's, but an error in a hidden field (which the page cannot show beside it) becomes one
        message at the top of the error summary."""
        super().full_clean()
        hidden = [n for n in self.errors if n in self.fields and self.fields[n].widget.is_hidden]
        for name in hidden:
            del self._errors[name]
        if hidden and HIDDEN_FIELD_PROBLEM not in self.non_field_errors():
            self.add_error(None, HIDDEN_FIELD_PROBLEM)

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
