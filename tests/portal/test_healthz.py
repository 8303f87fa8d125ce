import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_healthz_answers_without_login(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_redis_as_not_configured_in_the_embedded_default(client, settings):
    settings.REDIS_URL = ""
    assert client.get(reverse("healthz")).json()["redis"] == "not configured"


@pytest.mark.django_db
def test_healthz_is_503_when_redis_does_not_answer(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # the discard port: nothing listens
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["redis"].startswith("error")


@pytest.mark.django_db
def test_healthz_is_never_cached(client):
    assert "no-cache" in client.get(reverse("healthz"))["Cache-Control"]
