"""The three-part date input every form uses: a date that does not exist gets the design system's message."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms

from scr_portal.forms import date_field


class DateForm(forms.Form):
    on = date_field("Date of the progress")


@pytest.mark.parametrize("day, month, year", [("31", "2", "2026"), ("0", "5", "2026"), ("12", "13", "2026")])
def test_a_date_that_does_not_exist_is_refused_in_plain_words(day, month, year):
    form = DateForm({"on_0": day, "on_1": month, "on_2": year})
    assert not form.is_valid()
    assert form.errors["on"] == ["Enter the date of the progress as a real date"]


def test_a_real_date_is_accepted():
    form = DateForm({"on_0": "29", "on_1": "2", "on_2": "2028"})
    assert form.is_valid()
    assert form.cleaned_data["on"] == date(2028, 2, 29)
