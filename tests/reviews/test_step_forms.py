"""The lifecycle steps' forms lay out exactly the fields they have: a layout naming a field the form
dropped makes crispy-forms log "Could not resolve form field" on every render."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from reviews.models import State
from reviews.workflow import SCR_TRANSITIONS as TRANSITIONS
from tests.reviews.test_workflow import at_state

pytestmark = pytest.mark.django_db


def _layout_names(form) -> list[str]:
    return [pointer.name for pointer in form.helper.layout.get_field_names()]


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_every_step_form_lays_out_only_its_own_fields(world, name):
    form = TRANSITIONS[name].form_class(review=world.north_review)

    assert set(_layout_names(form)) <= set(form.fields)


@pytest.mark.parametrize("name", ["initiate", "do_not_initiate"])
def test_the_decision_pages_render_without_a_missing_field_warning(client, world, caplog, name):
    review = at_state(world, State.DECISION)
    client.force_login(world.north_chair)

    with caplog.at_level(logging.WARNING):
        response = client.get(reverse("review_step", args=[review.pk, name]))

    assert response.status_code == 200
    assert 'name="decision_rationale"' in response.content.decode()
    assert not [r for r in caplog.records if "Could not resolve form field" in r.getMessage()]
