"""Password rules on changing a password: at least 12 characters, not a common password, not only digits,
not like the person's own details."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def jo(client):
    user = UserFactory(email="jo.bloggs@north.example", full_name="Jo Bloggs")
    client.force_login(user)
    return user


def change_password(client, new: str):
    return client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Vx7#pq2!Lm", "This password is too short. It must contain at least 12 characters."),
        ("1q2w3e4r5t6y", "This password is too common."),
        ("738291046583", "This password is entirely numeric."),
        ("jo.bloggs@north", "The password is too similar to the email address."),
    ],
    ids=["short", "common", "numeric", "like-the-email"],
)
def test_weak_new_password_is_refused_with_the_reason(client, jo, password, reason):
    response = change_password(client, password)

    assert response.status_code == 200
    assert reason in response.content.decode()
    jo.refresh_from_db()
    assert jo.check_password(PASSWORD)


def test_strong_new_password_is_accepted(client, jo):
    response = change_password(client, "violet-harbour-lantern-42")

    assert response["Location"] == reverse("password_change_done")
    jo.refresh_from_db()
    assert jo.check_password("violet-harbour-lantern-42")
