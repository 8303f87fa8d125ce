"""Retention decisions and subject-access exports made by a real Celery worker through Redis, on PostgreSQL:
the request returns at once with the work queued, the worker applies or makes it, and the page shows the
result (the decision's record; the export's download with its SHA-256, recorded as made)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator

import pytest
from django.urls import reverse

from records.models import Disposal, DisposalRequest, SubjectAccessExport, SubjectAccessRequest
from reviews.models import Review
from tests.integration.conftest import Workers, worker_pool
from tests.records.conftest import FAMILY, build_rich_review, tables_containing

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workers(services, tmp_path, settings, monkeypatch) -> Iterator[Workers]:
    yield from worker_pool(tmp_path, settings, monkeypatch)


def _until(done, workers: Workers, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, workers.logs()
        time.sleep(0.2)


def test_a_worker_applies_the_decision_the_page_confirmed(workers, world, client):
    review = build_rich_review(world).review
    workers.start()
    client.force_login(world.north_manager)

    started = time.monotonic()
    response = client.post(
        reverse("retention_confirm", args=[world.north.pk, review.pk]),
        {"decision": "anonymise", "other_names": FAMILY, "reference": review.reference},
    )
    asked_in = time.monotonic() - started

    assert response.status_code == 302 and asked_in < 1, f"confirming took {asked_in:.2f} s"
    decision = DisposalRequest.objects.get()
    _until(lambda: not DisposalRequest.objects.get(pk=decision.pk).is_pending, workers)
    decision.refresh_from_db()
    assert decision.status == DisposalRequest.Status.DONE, decision.error + workers.logs()
    assert Disposal.objects.get() == decision.disposal and decision.other_names == []
    assert tables_containing(FAMILY) == {}
    assert Review.objects.filter(pk=review.pk).exists()  # anonymised, kept
    assert "NSCB-1 is anonymised." in client.get(response["Location"]).text


def test_a_worker_makes_the_subject_access_export_the_admin_asked_for(workers, world, client, staff_user):
    workers.start()
    client.force_login(staff_user)

    started = time.monotonic()
    response = client.post(
        reverse("admin:records_subjectaccessrequest_export"), {"email": world.north_member.email}
    )
    asked_in = time.monotonic() - started

    assert response.status_code == 302 and asked_in < 1, f"asking took {asked_in:.2f} s"
    job = SubjectAccessExport.objects.get()
    _until(lambda: not SubjectAccessExport.objects.get(pk=job.pk).is_pending, workers)
    job.refresh_from_db()
    assert job.status == SubjectAccessExport.Status.READY, job.error + workers.logs()
    download = client.get(reverse("admin:records_subjectaccessrequest_export_download", args=[job.pk]))
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == job.sha256
    assert list(SubjectAccessRequest.objects.order_by("pk").values_list("step", "sha256")) == [
        ("asked", ""),
        ("done", job.sha256),
    ]
