from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.conduct.helpers import author_for, in_progress, other_agency
from tests.conftest import World
from tests.responses.helpers import agency_of


@dataclass
class Info:
    """North's review in progress; North's member's agency and its author; a second agency (a health trust,
    nobody on the board represents it) and its author."""

    review: object
    agency: object
    author: object
    health: object
    health_author: object


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def info(world: World, media) -> Info:
    health = other_agency(world.north)
    return Info(
        review=in_progress(world.north_review),
        agency=agency_of(world.north_member, world.north),
        author=world.north_author,
        health=health,
        health_author=author_for(health, world.north, email="author@health.example", full_name="Hal Health"),
    )
