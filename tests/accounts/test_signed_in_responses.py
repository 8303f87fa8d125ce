"""What every signed-in response carries, and what the administration site answers to people who are not
administrators."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import login_verified

pytestmark = pytest.mark.django_db


def _directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize("name", ["home", "review_list", "account", "help"])
def test_signed_in_pages_are_never_stored(client, member, name):
    client.force_login(member)

    response = client.get(reverse(name))

    assert response.status_code == 200
    assert {"no-store", "private"} <= _directives(response)


def test_a_review_case_page_is_never_stored(client, world):
    client.force_login(world.north_manager)

    response = client.get(reverse("review_detail", args=[world.north_review.pk]))

    assert response.status_code == 200
    assert {"no-store", "private"} <= _directives(response)


def test_a_refusal_to_a_signed_in_person_is_never_stored(client, world):
    client.force_login(world.east_manager)

    response = client.get(reverse("review_detail", args=[world.north_review.pk]))

    assert response.status_code in (403, 404)
    assert "no-store" in _directives(response)


def test_anonymous_pages_keep_their_own_caching(client):
    assert "no-store" not in _directives(client.get(reverse("accessibility")))
    # The health check says never-cache itself (for monitors), as it always has.
    assert "no-cache" in _directives(client.get(reverse("healthz")))


def test_the_same_public_page_is_not_stored_once_signed_in(client, member):
    client.force_login(member)

    assert {"no-store", "private"} <= _directives(client.get(reverse("accessibility")))


# The administration site


def test_admin_refuses_a_signed_in_non_staff_person_with_a_plain_page(client, member):
    client.force_login(member)

    response = client.get("/admin/")

    assert response.status_code == 403
    body = response.content.decode()
    assert "You do not have permission to do this" in body
    assert "for administrators only" in body


def test_admin_sign_in_path_for_a_signed_in_non_staff_person_ends_at_the_refusal(client, member):
    """The loop was /admin/ -> /admin/login/ -> /accounts/login/?next=/admin/ -> /admin/: each step now
    leads to the 403, never round again."""
    client.force_login(member)

    response = client.get("/admin/login/?next=/admin/", follow=True)

    assert response.status_code == 403
    assert len(response.redirect_chain) <= 2
    assert [url for url, _ in response.redirect_chain].count("/admin/") <= 1


def test_admin_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_admin_still_opens_for_a_verified_administrator(client, staff):
    login_verified(client, staff)

    assert client.get("/admin/").status_code == 200
