"""People for the login-security tests. The shared `world` waives two-factor for its chairs, so the chairs
here are made afresh and must use a second factor."""

from __future__ import annotations

import pytest

from reviews.models import Role
from tests.factories import BoardFactory, UserFactory, member_of


@pytest.fixture
def board(db):
    return BoardFactory(name="West Safeguarding Children Board")


@pytest.fixture
def chair(board):
    """A chair who must use two-factor authentication."""
    return member_of(board, Role.CHAIR, email="chair@west.example", full_name="Casey Chair")


@pytest.fixture
def waived_chair(board):
    return member_of(board, Role.CHAIR, email="demo-chair@west.example", two_factor_waived=True)


@pytest.fixture
def member(board):
    """A board member: two-factor is available to them but not required."""
    return member_of(board, Role.BOARD_MEMBER, email="member@west.example")


@pytest.fixture
def staff(db):
    """An administrator, who must use two-factor authentication."""
    return UserFactory(email="admin@west.example", is_staff=True, is_superuser=True)
