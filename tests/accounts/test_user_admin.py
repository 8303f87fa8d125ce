"""The administration pages for people: an old version's page and its links work, and a duplicate email
address is refused in plain words."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from scr_portal.accounts.models import User
from tests.factories import UserFactory, login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff):
    login_verified(client, staff)
    return client


def _errors(response) -> str:
    return " ".join(re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S))


def _version_of(person: User) -> int:
    return person.history.order_by("-history_id").first().history_id


def test_the_password_link_from_an_old_version_is_not_a_server_error(admin_client):
    person = UserFactory(email="jo@west.example")

    response = admin_client.get(f"/admin/accounts/user/{person.pk}/history/password/")

    assert response.status_code == 404


def test_an_old_version_links_to_the_person_s_password_page(admin_client):
    person = UserFactory(email="jo@west.example")
    page = admin_client.get(f"/admin/accounts/user/{person.pk}/history/{_version_of(person)}/")
    assert page.status_code == 200

    password_page = reverse("admin:auth_user_password_change", args=[person.pk])
    assert f'href="{password_page}"' in page.content.decode()
    assert 'href="../password/"' not in page.content.decode()
    assert admin_client.get(password_page).status_code == 200


def test_a_person_s_change_page_links_to_their_password_page(admin_client):
    person = UserFactory(email="jo@west.example")

    page = admin_client.get(reverse("admin:accounts_user_change", args=[person.pk]))

    assert f'href="{reverse("admin:auth_user_password_change", args=[person.pk])}"' in page.content.decode()


@pytest.mark.parametrize("typed", ["jo@west.example", "Jo@West.EXAMPLE"])
def test_adding_a_person_with_a_taken_address_says_so_plainly(admin_client, typed):
    UserFactory(email="jo@west.example")

    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": typed,
            "full_name": "Another Jo",
            "usable_password": "true",
            "password1": "a-long-password-for-jo",
            "password2": "a-long-password-for-jo",
        },
    )

    assert response.status_code == 200
    errors = _errors(response)
    assert "Someone already has an account with this email address" in errors
    assert "accounts_user_email_ci_unique" not in response.content.decode()
    assert "Constraint" not in errors
    assert User.objects.filter(email__iexact="jo@west.example").count() == 1


def test_changing_a_person_s_address_to_a_taken_one_says_so_plainly(admin_client):
    UserFactory(email="jo@west.example")
    sam = UserFactory(email="sam@west.example", full_name="Sam")
    form = admin_client.get(reverse("admin:accounts_user_change", args=[sam.pk])).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(
        {
            "email": "JO@west.example",
            "groups": [],
            "user_permissions": [],
            "date_joined_0": sam.date_joined.strftime("%d/%m/%Y"),
            "date_joined_1": sam.date_joined.strftime("%H:%M:%S"),
        }
    )

    response = admin_client.post(reverse("admin:accounts_user_change", args=[sam.pk]), data)

    assert "Someone already has an account with this email address" in _errors(response)
    assert "accounts_user_email_ci_unique" not in response.content.decode()
    sam.refresh_from_db()
    assert sam.email == "sam@west.example"
