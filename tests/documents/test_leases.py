"""A document being made carries a lease (who claimed it, until when, renewed while rendering). Work whose
lease has run out, or whose holder's process is gone, is taken over at once; a live holder's is never
taken; the status page says truthfully how long a document may still take."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from documents import services
from documents.models import Document
from reviews.models import State
from scr_portal import leases
from tests.documents.test_pipeline import fake_content  # noqa: F401 - the fixture
from tests.responses.helpers import at_stage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def document(world, fake_content, monkeypatch):  # noqa: F811 - the fixture imported above
    review = at_stage(world.north_review, State.RESPONSE)
    monkeypatch.setattr(services, "document_dispatch", lambda pk: True)  # queued, not made yet
    return services.document_request(review=review, user=world.north_manager, kind="board_pack")


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    return int(done.stdout)


def _rendering(document: Document, claimed_by: str, until) -> None:
    Document.objects.filter(pk=document.pk).update(
        status=Document.Status.RENDERING, claimed_by=claimed_by, lease_until=until, started_at=timezone.now()
    )


def test_making_a_document_claims_it_and_clears_the_lease_when_ready(document):
    assert services.document_render(document.pk) == "made"
    document.refresh_from_db()
    assert document.status == Document.Status.READY
    assert document.claimed_by == leases.holder() and document.lease_until is None
    assert document.file and services.document_render(document.pk) == "already ready"


def test_a_live_worker_keeps_its_document(document):
    _rendering(document, leases.holder(), timezone.now() + timedelta(seconds=30))  # this process: alive
    assert services.document_render(document.pk) == "being made by another worker"
    assert services.documents_requeue_stale() == 0
    _rendering(document, "another-machine:4242", timezone.now() + timedelta(seconds=30))
    assert services.document_render(document.pk) == "being made by another worker"


def test_a_document_whose_worker_process_is_gone_is_taken_over_at_once(document):
    _rendering(
        document,
        f"{leases.holder().rpartition(':')[0]}:{_dead_pid()}",
        timezone.now() + timedelta(seconds=60),
    )
    assert services.documents_requeue_stale() == 1  # dispatched (the test's dispatch does nothing)
    assert services.document_render(document.pk) == "made"
    document.refresh_from_db()
    assert document.status == Document.Status.READY and document.attempts == 1


def test_a_document_whose_lease_ran_out_is_taken_over(document):
    _rendering(document, "another-machine:4242", timezone.now() - timedelta(seconds=1))
    assert services.documents_requeue_stale() == 1
    assert services.document_render(document.pk) == "made"


def test_the_catch_up_at_a_worker_start_looks_again_when_the_first_lease_runs_out(document):
    from documents.tasks import requeue_stale

    until = timezone.now() + timedelta(seconds=40)
    _rendering(document, "another-machine:4242", until)
    assert services.DOCUMENTS.last_lease_end() == until
    with mock.patch.object(requeue_stale, "apply_async") as again:
        assert requeue_stale.apply(kwargs={"at_start": True}).get() == 0
    (call,) = again.call_args_list
    assert 39 <= call.kwargs["countdown"] <= 42
    with mock.patch.object(requeue_stale, "apply_async") as again:
        requeue_stale.apply().get()  # the periodic run: no follow-up
    assert again.call_args_list == []


def test_a_waiting_document_is_handed_out_at_once_when_the_queue_no_longer_holds_it(document, monkeypatch):
    from scr_portal import outbox

    monkeypatch.setattr(outbox, "held_by_queue", lambda name: {document.pk})
    assert services.documents_requeue_stale() == 0  # the queue has it: a worker will take it
    monkeypatch.setattr(outbox, "held_by_queue", lambda name: set())
    assert services.documents_requeue_stale() == 1  # Redis came back empty: at once, whatever its age
    monkeypatch.setattr(outbox, "held_by_queue", lambda name: None)
    assert services.documents_requeue_stale() == 0  # cannot tell: only once it has waited STALE_QUEUED


def test_the_status_page_says_when_a_worker_stopped_and_how_long_it_may_take(client, world, document):
    client.force_login(world.north_manager)
    url = reverse("document_detail", args=[document.review_id, document.pk])
    assert "usually within a minute" in client.get(url).text

    _rendering(document, "another-machine:4242", timezone.now() + timedelta(seconds=30))
    assert "A worker is making it now." in client.get(url).text

    _rendering(document, "another-machine:4242", timezone.now() - timedelta(seconds=1))
    page = client.get(url).text
    assert "A worker stopped while making this document. It will be made again within 5 minutes" in page
    assert "usually within a minute" not in page
