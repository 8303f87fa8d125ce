"""Every page needs a signed-in user, except the few that must work before signing in."""

import pytest
from django.urls import reverse

OPEN_PAGES = [
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_complete",
    "healthz",
    "accessibility",
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", OPEN_PAGES)
def test_page_open_before_signing_in(client, name):
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["home", "password_change", "password_change_done", "admin:index"])
def test_page_needs_sign_in(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") if name != "admin:index" else "/admin/login/")


@pytest.mark.django_db
def test_signed_in_user_sees_home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert user.get_full_name() in response.content.decode()


@pytest.mark.django_db
def test_signed_in_user_visiting_login_goes_home(client, user):
    client.force_login(user)
    assert client.get(reverse("login"))["Location"] == reverse("home")


@pytest.mark.django_db
def test_sign_out_needs_post(client, user):
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302
