"""No radio option reads "---------" (Django's blank choice): a required question has no blank option, an
optional one says in words what choosing it means."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.urls import reverse

from reviews.models import Board, Review
from scr_portal.forms import NOT_DECIDED, PortalForm

pytestmark = pytest.mark.django_db

DASHES = "---------"


class _Choices(PortalForm):
    required_choice = forms.ChoiceField(choices=[("", DASHES), ("a", "A")], widget=forms.RadioSelect)
    optional_choice = forms.ChoiceField(
        choices=[("", DASHES), ("a", "A")], widget=forms.RadioSelect, required=False
    )
    required_board = forms.ModelChoiceField(queryset=Board.objects.all(), widget=forms.RadioSelect)
    optional_board = forms.ModelChoiceField(
        queryset=Board.objects.all(), widget=forms.RadioSelect, required=False, blank=True
    )
    listed_board = forms.ModelChoiceField(queryset=Board.objects.all(), required=False)


def test_a_required_radio_question_has_no_blank_option_and_an_optional_one_names_it(
    django_assert_num_queries,
):
    with django_assert_num_queries(0):  # naming the blank option reads no choices from the database
        form = _Choices()
    assert list(form.fields["required_choice"].choices) == [("a", "A")]
    assert list(form.fields["optional_choice"].choices) == [("", NOT_DECIDED), ("a", "A")]
    assert form.fields["required_board"].empty_label is None
    assert form.fields["optional_board"].empty_label == NOT_DECIDED
    assert form.fields["listed_board"].empty_label == DASHES  # a drop-down is left as it is


def test_the_scope_form_names_its_blank_method(client, world):
    Review.objects.filter(pk=world.north_review.pk).update(state="commissioning")
    client.force_login(world.north_manager)

    html = client.get(reverse("scope_edit", args=[world.north_review.pk])).text

    assert DASHES not in html
    labels = re.findall(
        r'<label[^>]*govuk-radios__label[^>]*for="id_method_\d+"[^>]*>\s*(.*?)\s*</label>', html
    )
    assert labels[0] == NOT_DECIDED and len(labels) > 1, labels
