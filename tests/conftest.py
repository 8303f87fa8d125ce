"""Fixtures shared by every test: a small world of two neighbouring boards and their people.

North and South each have a business manager, a board member, a chair and a lead reviewer. Each board
leads one review; North also leads a cross-border review in which South takes part. A third board, East,
is unrelated to both: its people must never see North's or South's data.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from reviews.models import Board, Child, Notification, ParallelProcess, Review, Role
from scr_portal.accounts.models import User
from tests.factories import (
    AppointmentFactory,
    BoardFactory,
    ChildFactory,
    ParallelProcessFactory,
    ParticipatingBoardFactory,
    ReviewFactory,
    UserFactory,
    member_of,
)


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def staff_user(db):
    return UserFactory(is_staff=True, is_superuser=True, two_factor_waived=True)


@dataclass
class World:
    north: Board
    south: Board
    east: Board
    north_manager: User
    north_member: User
    north_chair: User
    north_reviewer: User
    south_manager: User
    south_member: User
    south_chair: User
    south_reviewer: User
    east_manager: User
    north_review: Review
    south_review: Review
    cross_border_review: Review
    north_child: Child
    north_process: ParallelProcess
    north_notification: Notification


@pytest.fixture
def standard_factors(db) -> None:
    """The marker's factors are reference data from a migration; a transactional test's flush removes
    them, so every test that needs them makes sure they are there."""
    from commissioning.factors import STANDARD_FACTORS, ensure_standard_factors
    from commissioning.models import Factor

    if Factor.objects.filter(key__isnull=False).count() != len(STANDARD_FACTORS):
        ensure_standard_factors()


@pytest.fixture
def standard_themes(db) -> None:
    """The standard themes come from a migration too; restored after a transactional test's flush."""
    from responses.models import Theme
    from responses.themes import STANDARD_THEMES, ensure_standard_themes

    if Theme.objects.count() < len(STANDARD_THEMES):
        ensure_standard_themes()


@pytest.fixture
def world(db, standard_factors, standard_themes) -> World:
    north = BoardFactory(name="North Safeguarding Children Board")
    south = BoardFactory(name="South Safeguarding Children Board")
    east = BoardFactory(name="East Safeguarding Children Board")
    people = {}
    for key, board in (("north", north), ("south", south)):
        people[f"{key}_manager"] = member_of(board, Role.BUSINESS_MANAGER, email=f"manager@{key}.example")
        people[f"{key}_member"] = member_of(board, Role.BOARD_MEMBER, email=f"member@{key}.example")
        people[f"{key}_chair"] = member_of(
            board, Role.CHAIR, email=f"chair@{key}.example", two_factor_waived=True
        )
        people[f"{key}_reviewer"] = member_of(board, Role.LEAD_REVIEWER, email=f"reviewer@{key}.example")
    people["east_manager"] = member_of(east, Role.BUSINESS_MANAGER, email="manager@east.example")

    north_review = ReviewFactory(lead_board=north, reference="NSCB-1")
    south_review = ReviewFactory(lead_board=south, reference="SSCB-1")
    cross_border = ReviewFactory(lead_board=north, reference="NSCB-X")
    ParticipatingBoardFactory(review=cross_border, board=south)
    AppointmentFactory(review=north_review, reviewer=people["north_reviewer"])
    AppointmentFactory(review=south_review, reviewer=people["south_reviewer"])
    return World(
        north=north,
        south=south,
        east=east,
        north_review=north_review,
        south_review=south_review,
        cross_border_review=cross_border,
        north_child=ChildFactory(review=north_review, pseudonym="Child A"),
        north_process=ParallelProcessFactory(review=north_review),
        north_notification=Notification.objects.create(
            recipient=people["north_manager"],
            review=north_review,
            kind=Notification.Kind.ACTION_NEEDED,
            title="NSCB-1 needs you",
            path=f"/reviews/{north_review.pk}/",
            key="test:north",
        ),
        **people,
    )
