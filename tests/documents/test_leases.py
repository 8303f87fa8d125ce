"""A document or an Excel export being made carries a lease (who claimed it, until when, renewed while it is
made). Work whose lease has run out, or whose holder's process is gone, is taken over at once; a live
holder's is never taken; a worker whose work was taken over records nothing; the status pages say
truthfully how long a document or an export may still take."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from documents import services
from documents.models import Document, Export
from responses.actions import export as action_export
from reviews.models import State
from scr_portal import leases
from tests.documents.test_pipeline import fake_content  # noqa: F401 - the fixture
from tests.responses.helpers import action, at_stage

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


# Exports: the same lease, the same rule (scr_portal/leases.py Work) ------------------------------------


@pytest.fixture
def export(world, monkeypatch) -> Export:
    review = at_stage(world.north_review, State.RESPONSE)
    action(review, world.north_member)
    monkeypatch.setattr(services, "export_dispatch", lambda pk: True)  # queued, not made yet
    return services.export_request(user=world.north_member, review=review, query="")


def _exporting(export: Export, claimed_by: str, until) -> None:
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.RENDERING, claimed_by=claimed_by, lease_until=until, started_at=timezone.now()
    )


def test_making_an_export_claims_it_and_clears_the_lease_when_ready(export):
    assert services.export_make(export.pk) == "made"
    export.refresh_from_db()
    assert export.status == Export.Status.READY and export.attempts == 1
    assert export.claimed_by == leases.holder() and export.lease_until is None
    assert services.export_make(export.pk) == "already ready"


def test_a_live_worker_keeps_its_export(export):
    _exporting(export, leases.holder(), timezone.now() + timedelta(seconds=30))  # this process: alive
    assert services.export_make(export.pk) == "being made by another worker"
    assert services.exports_requeue_stale() == 0
    _exporting(export, "another-machine:4242", timezone.now() + timedelta(seconds=30))
    assert services.export_make(export.pk) == "being made by another worker"
    assert services.exports_requeue_stale() == 0
    services.export_fail(export.pk, RuntimeError("this process's own failure"))  # not recorded over theirs
    export.refresh_from_db()
    assert (export.status, export.attempts, export.error) == (Export.Status.RENDERING, 0, "")


def test_an_export_whose_worker_process_is_gone_is_taken_over_at_once(export):
    _exporting(
        export,
        f"{leases.holder().rpartition(':')[0]}:{_dead_pid()}",
        timezone.now() + timedelta(seconds=60),
    )
    assert services.exports_requeue_stale() == 1  # dispatched (the test's dispatch does nothing)
    assert services.export_make(export.pk) == "made"
    export.refresh_from_db()
    assert export.status == Export.Status.READY and export.claimed_by == leases.holder()


def test_an_export_whose_lease_ran_out_is_taken_over(export):
    _exporting(export, "another-machine:4242", timezone.now() - timedelta(seconds=1))
    assert services.exports_requeue_stale() == 1
    assert services.export_make(export.pk) == "made"


def test_an_export_taken_over_while_it_was_written_is_left_to_the_new_worker(export, settings):
    written = action_export.write_xlsx

    def overtaken(*args, **kwargs):
        out = written(*args, **kwargs)
        # Meanwhile this worker's lease ran out and another took the export over.
        _exporting(export, "another-machine:4242", timezone.now() + timedelta(seconds=60))
        return out

    with mock.patch.object(action_export, "write_xlsx", overtaken):
        assert services.export_make(export.pk) == "taken over by another worker"
    export.refresh_from_db()
    assert (export.status, export.claimed_by, export.file.name) == (
        Export.Status.RENDERING,
        "another-machine:4242",
        "",
    )
    media = Path(settings.MEDIA_ROOT) / "exports"
    assert not media.exists() or list(media.iterdir()) == []  # its file was removed


def test_an_export_that_fails_gives_its_claim_up_so_the_retry_takes_over_at_once(export):
    with (
        mock.patch.object(action_export, "write_xlsx", side_effect=OSError("No space left on device")),
        pytest.raises(OSError),
    ):
        services.export_make(export.pk)  # a transient error: the task retries it
    export.refresh_from_db()
    assert export.status == Export.Status.RENDERING and export.lease_until <= timezone.now()
    assert services.EXPORTS.progress(export) == "stopped"
    assert services.export_make(export.pk) == "made"  # the retry, at once


def test_the_catch_up_at_a_worker_start_looks_again_when_the_last_export_lease_runs_out(document, export):
    from documents.tasks import requeue_stale

    now = timezone.now()
    _rendering(document, "another-machine:4242", now + timedelta(seconds=20))
    _exporting(export, "another-machine:4243", now + timedelta(seconds=40))
    with mock.patch.object(requeue_stale, "apply_async") as again:
        assert requeue_stale.apply(kwargs={"at_start": True}).get() == 0
    (call,) = again.call_args_list
    assert 39 <= call.kwargs["countdown"] <= 42  # the later of the two


def test_the_export_page_says_when_a_worker_stopped_and_how_long_it_may_take(client, world, export):
    client.force_login(world.north_member)
    url = reverse("export_detail", args=[export.pk])
    assert "usually within a minute" in client.get(url).text

    _exporting(export, "another-machine:4242", timezone.now() + timedelta(seconds=30))
    assert "A worker is making it now." in client.get(url).text

    _exporting(export, "another-machine:4242", timezone.now() - timedelta(seconds=1))
    page = client.get(url).text
    assert "A worker stopped while making this file. It will be made again within 5 minutes" in page
    assert "usually within a minute" not in page

    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.QUEUED, requested_at=timezone.now() - timedelta(minutes=3)
    )
    page = client.get(reverse("export_status", args=[export.pk])).text
    assert "within 5 minutes of the queue answering again" in page


# The renewal itself --------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_lease_is_renewed_while_the_work_goes_on_and_given_up_when_it_fails(export, settings):
    settings.WORK_LEASE_SECONDS = 0.4  # renewed every 0.1 s
    me = leases.holder()
    first = timezone.now() + leases.length()
    _exporting(export, me, first)
    seen = []
    with services.EXPORTS.renewed(export.pk, me):
        for _ in range(6):
            time.sleep(0.1)
            seen.append(Export.objects.get(pk=export.pk).lease_until)
    assert seen[-1] > first  # renewed while the block ran
    _exporting(export, "another-machine:4242", first)
    with services.EXPORTS.renewed(export.pk, me):
        time.sleep(0.3)
    assert Export.objects.get(pk=export.pk).lease_until == first  # another's lease is never renewed

    _exporting(export, me, timezone.now() + timedelta(seconds=60))
    with pytest.raises(RuntimeError), services.EXPORTS.renewed(export.pk, me):
        raise RuntimeError("the work failed")
    assert Export.objects.get(pk=export.pk).lease_until <= timezone.now()  # given up at once
