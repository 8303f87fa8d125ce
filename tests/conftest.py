"""Fixtures shared by every test: a small world of two neighbouring boards and their people.

North and South each have a business manager, a board member, a chair and a lead reviewer. Each board
leads one review; North also leads a cross-border review in which South takes part. A third board, East,
is unrelated to both: its people must never see North's or South's data.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from reviews.models import (
    Agency,
    Board,
    BodyKind,
    Child,
    Notification,
    ParallelProcess,
    Regime,
    Review,
    Role,
    StatutoryPartner,
)
from scr_portal.accounts.models import User
from tests.factories import (
    AgencyFactory,
    AppointmentFactory,
    BoardFactory,
    ChildFactory,
    MembershipFactory,
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

    @property
    def north_author(self) -> User:
        """An agency author for North's board member's agency on North (made when first asked for): someone
        who writes that agency's information for North's reviews and holds no other role."""
        from reviews.models import Membership

        agency = Membership.objects.get(
            user=self.north_member, board=self.north, role=Role.BOARD_MEMBER
        ).agency
        author = UserFactory(email="author@north.example", full_name="Asha Author")
        Membership.objects.get_or_create(
            user=author, board=self.north, role=Role.AGENCY_AUTHOR, agency=agency
        )
        return author


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


# A safeguarding partnership ---------------------------------------------------------------------------


@dataclass
class Partnership:
    """West, a safeguarding partnership: its three statutory partners (each with a lead and a delegated
    partner), a partnership chair, an independent scrutineer, a business manager, a member for a relevant
    agency (schools) and a lead reviewer; it holds one practice review at the notification stage, about
    Child W. Coast is a second partnership whose delegated partner for the police is also a board member of
    North: they must see nothing of West, and only North's reviews as a member."""

    west: Board
    coast: Board
    agencies: dict[str, Agency]  # by statutory partner, plus "schools"
    manager: User
    chair: User
    scrutineer: User
    member: User
    reviewer: User
    leads: dict[str, User]  # by statutory partner
    delegates: dict[str, User]
    coast_manager: User
    coast_delegate: User  # police, on Coast; a board member on North
    review: Review
    child: Child

    def partner_people(self) -> list[User]:
        return [*self.leads.values(), *self.delegates.values()]


PARTNER_AGENCIES = {
    StatutoryPartner.LOCAL_AUTHORITY: ("{} Council Children's Services", Agency.Kind.CHILDRENS_SOCIAL_CARE),
    StatutoryPartner.INTEGRATED_CARE_BOARD: ("{} Integrated Care Board", Agency.Kind.HEALTH),
    StatutoryPartner.POLICE: ("{} Police", Agency.Kind.POLICE),
}


def partnership_board(name: str) -> tuple[Board, dict[str, Agency]]:
    board = BoardFactory(name=f"{name} Safeguarding Children Partnership", kind=BodyKind.PARTNERSHIP)
    agencies = {
        partner: AgencyFactory(name=label.format(name), kind=kind, boards=[board])
        for partner, (label, kind) in PARTNER_AGENCIES.items()
    }
    return board, agencies


def partner_of(board: Board, role: str, partner: str, agency: Agency, **user_fields) -> User:
    """A new person acting for `partner` (its organisation `agency`) on the partnership `board`. Partners
    sign, so they need a second factor: waived here, as for the world's chairs."""
    user_fields.setdefault("two_factor_waived", True)
    return MembershipFactory(
        board=board, role=role, partner=partner, agency=agency, user=UserFactory(**user_fields)
    ).user


@pytest.fixture
def partnership(world) -> Partnership:
    west, agencies = partnership_board("West")
    agencies["schools"] = AgencyFactory(name="West Schools", kind=Agency.Kind.EDUCATION, boards=[west])
    leads, delegates = {}, {}
    for partner in StatutoryPartner:
        leads[partner] = partner_of(
            west, Role.LEAD_PARTNER, partner, agencies[partner], email=f"lead-{partner}@west.example"
        )
        delegates[partner] = partner_of(
            west, Role.DELEGATED_PARTNER, partner, agencies[partner], email=f"delegate-{partner}@west.example"
        )
    coast, coast_agencies = partnership_board("Coast")
    coast_delegate = partner_of(
        coast,
        Role.DELEGATED_PARTNER,
        StatutoryPartner.POLICE,
        coast_agencies[StatutoryPartner.POLICE],
        email="delegate-police@coast.example",
    )
    MembershipFactory(board=world.north, role=Role.BOARD_MEMBER, user=coast_delegate)
    review = ReviewFactory(lead_board=west, reference="WSCP-1", regime=Regime.PRACTICE_REVIEW)
    return Partnership(
        west=west,
        coast=coast,
        agencies=agencies,
        manager=member_of(west, Role.BUSINESS_MANAGER, email="manager@west.example"),
        chair=member_of(west, Role.CHAIR, email="chair@west.example", two_factor_waived=True),
        scrutineer=member_of(west, Role.SCRUTINEER, email="scrutineer@west.example"),
        member=MembershipFactory(
            board=west,
            role=Role.BOARD_MEMBER,
            agency=agencies["schools"],
            user=UserFactory(email="member@west.example"),
        ).user,
        reviewer=member_of(west, Role.LEAD_REVIEWER, email="reviewer@west.example"),
        leads=leads,
        delegates=delegates,
        coast_manager=member_of(coast, Role.BUSINESS_MANAGER, email="manager@coast.example"),
        coast_delegate=coast_delegate,
        review=review,
        child=ChildFactory(review=review, pseudonym="Child W"),
    )
