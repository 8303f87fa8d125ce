"""Fixtures for the hostile-input and upload tests: objects of other boards whose ids a hostile person
might post, and a throwaway media folder so stored uploads can be inspected and are not kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import World


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def foreign_world(world: World, media_root) -> World:
    """The shared world, plus South's and East's objects of every kind a form lets North choose from, so
    each choice field is offered an id it must refuse."""
    from commissioning.models import Availability, Factor, FactorAssessment, LeadReviewer, Skill
    from responses.models import Meeting
    from reviews.models import Agency
    from tests.responses.helpers import agency_of, finding, plan_priority

    today = timezone.localdate()
    east_agency = Agency.objects.create(name="East police", kind=Agency.Kind.POLICE)
    east_agency.boards.add(world.east)
    Meeting.objects.create(
        review=world.south_review,
        kind=Meeting.Kind.EXTRAORDINARY,
        held_on=today - timedelta(days=3),
        minutes_given=30,
        created_by=world.south_manager,
    )
    finding(world.south_review)
    plan_priority(world.south)
    FactorAssessment.objects.create(
        review=world.south_review,
        factor=Factor.objects.filter(key__isnull=False).first(),
        assessment="South's own assessment",
        weight=FactorAssessment._meta.get_field("weight").choices[0][0],
        updated_by=world.south_manager,
    )
    # North's own choices, so a valid submission is possible too: a finding, a plan priority, a skill.
    finding(world.north_review)
    plan_priority(world.north)
    agency_of(world.north_member, world.north)
    Skill.objects.get_or_create(name="Neglect")
    other = LeadReviewer.objects.get_or_create(user=world.north_reviewer)[0]
    Availability.objects.create(reviewer=other, available_from=today, available_to=today + timedelta(days=9))
    return world
