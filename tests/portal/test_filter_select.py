"""The filter drop-down writes its options itself (speed, issue 17): it must give the HTML Django's own Select
gives, hostile labels escaped, the chosen option selected."""

from __future__ import annotations

import re

import pytest
from django import forms

from scr_portal.forms import FilterSelect

HOSTILE = [
    ("", "Any review"),
    (1, "<script>alert('x')</script>"),
    (2, 'O\'Brien & "Sons" > <b>'),
    (3, "Ærø – naïve ✓"),
    (None, "Nothing"),
]


def _same(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("value", [None, "", "2", 2, "99"])
def test_the_options_are_those_djangos_select_writes(value):
    ours = FilterSelect(choices=HOSTILE).render("review", value, attrs={"id": "id_review"})
    django = forms.Select(attrs={"class": "govuk-select app-select-full"}, choices=HOSTILE).render(
        "review", value, attrs={"id": "id_review"}
    )
    assert _same(ours) == _same(django)
    assert "<script>" not in ours


def test_only_the_first_matching_option_is_selected():
    html = FilterSelect(choices=[(1, "One"), ("1", "One again")]).render("x", "1")
    assert html.count(" selected") == 1
