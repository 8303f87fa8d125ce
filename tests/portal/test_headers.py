import pytest
from django.test import Client, override_settings
from django.urls import reverse


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy_and_security_headers():
    response = Client().get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
@override_settings(
    SECURE_HSTS_SECONDS=31_536_000,
    SECURE_SSL_REDIRECT=True,
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
)
def test_production_settings_send_hsts_and_secure_cookies(user):
    client = Client()
    assert client.get(reverse("login"))["Location"].startswith("https://")  # plain HTTP is redirected
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"]
    client.force_login(user)
    session = client.get(reverse("home"), secure=True).cookies["sessionid"]
    assert session["secure"] and session["httponly"]
