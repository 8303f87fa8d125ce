"""Retention decisions being applied and subject-access exports being made carry the lease documents carry
(scr_portal/leases.py): a worker claims one (who, until when), renews the claim while it works and clears
it when done. Work whose lease ran out, or whose holder's process is gone, is handed out again at once by
the catch-up (at a worker's start and periodically) and taken over; a live holder's never is, and nothing
is recorded over its work. The status pages say truthfully when a worker stopped and how long it may
take."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from records import services, subject_access
from records.models import Disposal, DisposalRequest, SubjectAccessExport
from records.tasks import requeue_stale
from scr_portal import leases
from tests.documents.test_leases import _dead_pid

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Kind:
    """What each kind of work is made with, for the tests that hold for both."""

    model: type
    work: leases.Work
    make: object  # the worker's service
    fail: object
    requeue: object
    done: str  # what `make` answers once the work is done
    busy: str  # what it answers while a live worker has the work


DISPOSALS = Kind(
    DisposalRequest,
    services.DISPOSALS,
    services.disposal_apply,
    services.disposal_fail,
    services.disposals_requeue_stale,
    "done",
    "being applied by another worker",
)
EXPORTS = Kind(
    SubjectAccessExport,
    subject_access.SUBJECT_ACCESS_EXPORTS,
    subject_access.account_export_make,
    subject_access.account_export_fail,
    subject_access.account_exports_requeue_stale,
    "made",
    "being made by another worker",
)


@pytest.fixture
def decision(rich, world, monkeypatch) -> DisposalRequest:
    monkeypatch.setattr(services, "disposal_dispatch", lambda pk: True)  # queued, not applied yet
    return services.disposal_request(
        review=rich.review,
        board=world.north,
        user=world.north_manager,
        kind=Disposal.Kind.ANONYMISE,
        typed_reference=rich.review.reference,
        channel="portal",
    )


@pytest.fixture
def export(world, staff_user, settings, tmp_path, monkeypatch) -> SubjectAccessExport:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    monkeypatch.setattr(subject_access, "account_export_dispatch", lambda pk: True)  # queued, not made yet
    return subject_access.account_export_request(subject=world.north_member, user=staff_user)


@pytest.fixture(params=["decision", "export"])
def job(request) -> tuple[Kind, object]:
    """A retention decision waiting to be applied, or a subject-access export waiting to be made."""
    return (DISPOSALS if request.param == "decision" else EXPORTS), request.getfixturevalue(request.param)


def _working(kind: Kind, job, claimed_by: str, until) -> None:
    kind.model.objects.filter(pk=job.pk).update(
        status=kind.work.working, claimed_by=claimed_by, lease_until=until, started_at=timezone.now()
    )


def _gone() -> str:
    """A holder on this machine whose process no longer runs."""
    return f"{leases.holder().rpartition(':')[0]}:{_dead_pid()}"


def test_the_worker_claims_the_work_and_clears_its_lease_when_done(job):
    kind, job = job
    assert kind.make(job.pk) == kind.done
    job.refresh_from_db()
    assert job.attempts == 1 and job.started_at is not None
    assert job.claimed_by == leases.holder() and job.lease_until is None
    assert kind.make(job.pk).startswith("already")


def test_a_claim_holds_for_the_lease_length_from_when_it_was_made(job, settings):
    kind, job = job
    settings.WORK_LEASE_SECONDS = 90
    locked = kind.model.objects.get(pk=job.pk)
    assert kind.work.claim(locked)
    assert locked.status == kind.work.working and locked.claimed_by == leases.holder()
    assert locked.lease_until - locked.started_at == timedelta(seconds=90)
    assert not kind.work.claim(locked)  # its own live claim is not taken twice


def test_a_live_worker_keeps_its_work(job):
    kind, job = job
    _working(kind, job, leases.holder(), timezone.now() + timedelta(seconds=30))  # this process: alive
    assert kind.make(job.pk) == kind.busy
    assert kind.requeue() == 0
    _working(kind, job, "another-machine:4242", timezone.now() + timedelta(seconds=30))
    assert kind.make(job.pk) == kind.busy
    assert kind.requeue() == 0
    kind.fail(job.pk, RuntimeError("this process's own failure"))  # not recorded over theirs
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (kind.work.working, 0, "")


def test_work_whose_worker_process_is_gone_is_taken_over_at_once(job):
    kind, job = job
    _working(kind, job, _gone(), timezone.now() + timedelta(seconds=60))  # its lease still runs
    assert kind.work.progress(kind.model.objects.get(pk=job.pk)) == "stopped"
    assert kind.requeue() == 1  # dispatched (the test's dispatch does nothing)
    assert kind.make(job.pk) == kind.done
    job.refresh_from_db()
    assert job.attempts == 1 and job.claimed_by == leases.holder()


def test_work_whose_lease_ran_out_is_taken_over(job):
    kind, job = job
    _working(kind, job, "another-machine:4242", timezone.now() - timedelta(seconds=1))
    assert kind.requeue() == 1
    assert kind.make(job.pk) == kind.done


def test_waiting_work_is_handed_out_at_once_when_the_queue_no_longer_holds_it(job, monkeypatch):
    from scr_portal import outbox

    kind, job = job
    monkeypatch.setattr(outbox, "held_by_queue", lambda name: {job.pk} if name == kind.work.task else set())
    assert kind.requeue() == 0  # the queue has it: a worker will take it
    monkeypatch.setattr(outbox, "held_by_queue", lambda name: set())
    assert kind.requeue() == 1  # Redis came back empty: at once, whatever its age
    monkeypatch.setattr(outbox, "held_by_queue", lambda name: None)
    assert kind.requeue() == 0  # cannot tell: only once it has waited STALE_QUEUED
    kind.model.objects.filter(pk=job.pk).update(requested_at=timezone.now() - leases.STALE_QUEUED)
    assert kind.requeue() == 1


def test_work_that_fails_gives_its_claim_up_so_the_retry_takes_over_at_once(job):
    kind, job = job
    work = (services, "review_anonymise") if kind is DISPOSALS else (subject_access, "write_account_export")
    with mock.patch.object(*work, side_effect=OSError("connection reset")), pytest.raises(OSError):
        kind.make(job.pk)  # a transient error: the task retries it
    job.refresh_from_db()
    assert job.status == kind.work.working and job.lease_until <= timezone.now()
    assert kind.work.progress(job) == "stopped"
    assert kind.make(job.pk) == kind.done  # the retry, at once


def test_the_catch_up_at_a_worker_start_looks_again_when_the_last_lease_runs_out(decision, export):
    now = timezone.now()
    _working(DISPOSALS, decision, "another-machine:4242", now + timedelta(seconds=20))
    _working(EXPORTS, export, "another-machine:4243", now + timedelta(seconds=40))
    with mock.patch.object(requeue_stale, "apply_async") as again:
        assert requeue_stale.apply(kwargs={"at_start": True}).get() == 0
    (call,) = again.call_args_list
    assert 39 <= call.kwargs["countdown"] <= 42  # the later of the two
    with mock.patch.object(requeue_stale, "apply_async") as again:
        requeue_stale.apply().get()  # the periodic run: no follow-up
    assert again.call_args_list == []


def test_the_decision_page_says_when_a_worker_stopped_and_how_long_it_may_take(client, world, decision):
    client.force_login(world.north_manager)
    url = reverse("retention_decision", args=[world.north.pk, decision.pk])
    assert "a review with many records can take a minute" in client.get(url).text

    _working(DISPOSALS, decision, "another-machine:4242", timezone.now() + timedelta(seconds=30))
    assert "a review with many records can take a minute" in client.get(url).text

    _working(DISPOSALS, decision, "another-machine:4242", timezone.now() - timedelta(seconds=1))
    page = client.get(reverse("retention_decision_status", args=[world.north.pk, decision.pk])).text
    assert "A worker stopped while applying this decision. It will be applied again within 5 minutes" in page
    assert "Until it is done, nothing in the review has changed." in page
    assert "can take a minute" not in page

    DisposalRequest.objects.filter(pk=decision.pk).update(
        status=DisposalRequest.Status.QUEUED, requested_at=timezone.now() - timedelta(minutes=3)
    )
    assert "within 5 minutes of the queue answering again" in client.get(url).text


def test_the_export_page_says_when_a_worker_stopped_and_how_long_it_may_take(client, staff_user, export):
    client.force_login(staff_user)
    url = reverse("admin:records_subjectaccessrequest_export_detail", args=[export.pk])
    assert "The portal makes the export in the background" in client.get(url).text

    _working(EXPORTS, export, "another-machine:4242", timezone.now() + timedelta(seconds=30))
    assert "A worker is making it now" in client.get(url).text

    _working(EXPORTS, export, "another-machine:4242", timezone.now() - timedelta(seconds=1))
    page = client.get(reverse("admin:records_subjectaccessrequest_export_status", args=[export.pk])).text
    assert "A worker stopped while making this export. It will be made again within 5 minutes" in page
    assert "in the background" not in page

    SubjectAccessExport.objects.filter(pk=export.pk).update(
        status=SubjectAccessExport.Status.QUEUED, requested_at=timezone.now() - timedelta(minutes=3)
    )
    assert "within 5 minutes of the queue answering again" in client.get(url).text
