"""factory-boy factories for the small world of boards, people and reviews the tests build."""

from __future__ import annotations

import factory

from scr_portal.accounts.models import User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"person{n}@north.example")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password(PASSWORD)
