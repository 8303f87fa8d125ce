import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, UserFactory

User = get_user_model()


@pytest.mark.django_db
def test_email_is_the_login_and_is_case_insensitive(client):
    UserFactory(email="jo.bloggs@north.example")
    response = client.post(reverse("login"), {"username": "Jo.Bloggs@NORTH.example", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.django_db
def test_create_user_normalises_email():
    user = User.objects.create_user("Sam@South.Example", "a-long-password-1")
    assert user.email == "sam@south.example"


@pytest.mark.django_db
def test_two_accounts_cannot_share_an_address_in_any_case():
    User.objects.create_user("sam@south.example", "a-long-password-1")
    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="SAM@south.example")])


@pytest.mark.django_db
def test_createsuperuser_can_reach_the_admin_after_setting_up_two_factor(client):
    call_command(
        "createsuperuser", "--no-input", email="root@example.com", full_name="Root", stdout=StringIO()
    )
    user = User.objects.get(email="root@example.com")
    user.set_password("a-long-password-1")
    user.save()

    response = client.post(
        reverse("login"), {"username": "root@example.com", "password": "a-long-password-1"}
    )
    assert response["Location"] == reverse("home")
    setup = client.get(reverse("admin:index"))
    assert setup["Location"] == reverse("two_factor_setup") + "?next=%2Fadmin%2F"

    client.get(setup["Location"])  # creates the device the QR code shows
    device = TOTPDevice.objects.get(user=user)
    token = f"{totp(device.bin_key):06d}"
    response = client.post(setup["Location"], {"token": token, "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_wrong_password_shows_a_clear_message(client):
    UserFactory(email="jo@north.example")
    response = client.post(reverse("login"), {"username": "jo@north.example", "password": "nope"})
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.content.decode()


@pytest.mark.django_db
def test_password_reset_by_email_lets_the_person_choose_a_new_password(client):
    UserFactory(email="jo@north.example")
    client.post(reverse("password_reset"), {"email": "jo@north.example"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Reset your SCR Portal password"
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)

    form_url = client.get(link)["Location"]  # Django swaps the token for a session-held one
    response = client.post(
        form_url, {"new_password1": "a-much-longer-secret", "new_password2": "a-much-longer-secret"}
    )
    assert response["Location"] == reverse("password_reset_complete")
    response = client.post(
        reverse("login"), {"username": "jo@north.example", "password": "a-much-longer-secret"}
    )
    assert response["Location"] == reverse("home")


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@north.example"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


@pytest.mark.django_db
def test_weak_passwords_are_refused_with_reasons(client, user):
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "at least 12 characters" in body
    assert "too common" in body
