"""factory-boy factories for the small world of boards, people and reviews the tests build."""

from __future__ import annotations

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from reviews.models import (
    Agency,
    Appointment,
    Board,
    Child,
    Membership,
    ParallelProcess,
    ParticipatingBoard,
    Review,
    Role,
)
from scr_portal.accounts.models import User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"person{n}@north.example")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password(PASSWORD)


class BoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Board
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Board {n} Safeguarding Children Board")
    local_authority_area = factory.Sequence(lambda n: f"Area {n}")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["name"]
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = Agency.Kind.POLICE

    @factory.post_generation
    def boards(self, create, extracted, **kwargs):
        if create and extracted:
            self.boards.add(*extracted)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    board = factory.SubFactory(BoardFactory)
    role = Role.BUSINESS_MANAGER
    # A board member represents an agency of their board; other roles need none.
    agency = factory.LazyAttribute(
        lambda m: AgencyFactory(boards=[m.board]) if m.role == Role.BOARD_MEMBER else None
    )


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    reference = factory.Sequence(lambda n: f"SCR-{n:04d}")
    lead_board = factory.SubFactory(BoardFactory)


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    review = factory.SubFactory(ReviewFactory)
    pseudonym = factory.Sequence(lambda n: f"Child {chr(65 + n % 26)}{n // 26 or ''}")
    age = "4 years"
    outcome = Child.Outcome.SERIOUSLY_HARMED


class ParallelProcessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParallelProcess

    review = factory.SubFactory(ReviewFactory)
    kind = ParallelProcess.Kind.CRIMINAL
    description = "Trial of the mother's partner"


class ParticipatingBoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParticipatingBoard

    review = factory.SubFactory(ReviewFactory)
    board = factory.SubFactory(BoardFactory)


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    review = factory.SubFactory(ReviewFactory)
    reviewer = factory.SubFactory(UserFactory)


def member_of(board: Board, role: str = Role.BUSINESS_MANAGER, **user_fields) -> User:
    """A new person holding `role` on `board`."""
    return MembershipFactory(board=board, role=role, user=UserFactory(**user_fields)).user


def confirmed_totp_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def login_verified(client, user: User) -> None:
    """Signs `user` in with a confirmed second factor, as if they had entered a valid code."""
    from django_otp import DEVICE_ID_SESSION_KEY

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or confirmed_totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
