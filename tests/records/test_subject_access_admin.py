"""The superusers' subject-access export in the administration site, made by a worker: the form records the
request (and the audit says so) and sends the superuser to the export's page at once; the worker writes the
zip into storage, saying how far it has got, and records it as made with its SHA-256; the page then offers
the download. Only the superuser who asked sees it (404 for anyone else, 403 for staff who are not
superusers); a failed one can be tried again; stale ones are handed out again; made ones go after a day."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from kombu.exceptions import OperationalError

from records import subject_access
from records.models import SubjectAccessExport, SubjectAccessRequest
from records.tasks import make_subject_access_export, requeue_stale
from tests.factories import UserFactory

Status = SubjectAccessExport.Status
Step = SubjectAccessRequest.Step
ASK = "admin:records_subjectaccessrequest_export"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _url(name: str, job: SubjectAccessExport) -> str:
    return reverse(f"admin:records_subjectaccessrequest_export_{name}", args=[job.pk])


def _ask(client, email: str, run=None):
    """Posts the admin's form; with `run` (django_capture_on_commit_callbacks), the worker's part runs too
    (the embedded default makes it as the transaction commits)."""
    if run is None:
        return client.post(reverse(ASK), {"email": email})
    with run(execute=True):
        return client.post(reverse(ASK), {"email": email})


def _zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_a_superuser_asks_for_an_export_and_downloads_it_once_made(
    client, world, staff_user, django_capture_on_commit_callbacks
):
    subject = world.north_member
    client.force_login(staff_user)
    assert client.get(reverse(ASK)).status_code == 200

    response = _ask(client, subject.email.upper(), run=django_capture_on_commit_callbacks)

    job = SubjectAccessExport.objects.get()
    assert response.status_code == 302 and response["Location"] == _url("detail", job)
    assert (job.status, job.subject, job.requested_by, job.attempts) == (Status.READY, subject, staff_user, 1)
    assert job.steps_done == job.steps_total > 0
    page = client.get(response["Location"]).text
    assert "Ready." in page and job.sha256 in page and _url("download", job) in page
    assert "hx-get" not in page  # nothing left to wait for
    assert client.get(_url("status", job)).status_code == 286  # the polling stops

    download = client.get(_url("download", job))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].startswith('attachment; filename="subject-access-')
    content = b"".join(download.streaming_content)
    assert hashlib.sha256(content).hexdigest() == job.sha256 and len(content) == job.size
    archive = zipfile.ZipFile(io.BytesIO(content))
    rows = json.loads(archive.read("tables/accounts.User.json"))["rows"]
    assert [r["email"] for r in rows] == [subject.email]

    # Recorded when asked for, and again when made with what was found and the file's SHA-256.
    asked, made = SubjectAccessRequest.objects.order_by("pk")
    for record in (asked, made):
        assert (record.kind, record.subject, record.requested_by, record.channel) == (
            "account",
            subject.email,
            staff_user,
            "admin",
        )
    assert (asked.step, asked.sha256, asked.found) == (Step.ASKED, "", {})
    assert (made.step, made.sha256) == (Step.DONE, job.sha256)
    assert made.found == job.found and made.found["accounts.User"] == 1

    form = client.get(reverse(ASK)).text
    assert _url("detail", job) in form  # the superuser's recent exports, to come back to

    # An address with no account: said so on the form, nothing asked for or recorded.
    unknown = client.post(reverse(ASK), {"email": "nobody@example.org"})
    assert unknown.status_code == 200 and "No account has this email address" in unknown.text
    assert (SubjectAccessExport.objects.count(), SubjectAccessRequest.objects.count()) == (1, 2)


def test_asking_returns_at_once_and_the_worker_makes_the_export_once(client, world, staff_user):
    client.force_login(staff_user)
    response = _ask(client, world.north_member.email)  # the worker's part does not run

    job = SubjectAccessExport.objects.get()
    assert response.status_code == 302 and job.status == Status.QUEUED and not job.file
    assert list(SubjectAccessRequest.objects.values_list("step", flat=True)) == [Step.ASKED]
    page = client.get(response["Location"]).text
    assert "Waiting to be made." in page and f'hx-get="{_url("status", job)}"' in page
    assert client.get(_url("status", job)).status_code == 200  # still polling
    assert client.get(_url("download", job)).status_code == 404  # nothing to download yet

    # A double click gives the export on its way, not a second (nor a second record).
    _ask(client, world.north_member.email)
    assert SubjectAccessExport.objects.count() == 1 and SubjectAccessRequest.objects.count() == 1

    assert subject_access.account_export_make(job.pk) == "made"
    job.refresh_from_db()
    assert job.status == Status.READY and default_storage.exists(job.file.name)
    # Made again (a rerun after a worker died, or a stale requeue): nothing changes, nothing is recorded twice.
    assert subject_access.account_export_make(job.pk) == "already ready"
    assert SubjectAccessExport.objects.get().file.name == job.file.name
    assert list(SubjectAccessRequest.objects.order_by("pk").values_list("step", flat=True)) == [
        Step.ASKED,
        Step.DONE,
    ]
    assert subject_access.account_export_make(10**9) == "missing"
    assert client.get(_url("download", job)).status_code == 200


def test_the_page_shows_how_far_the_export_has_got(client, world, staff_user):
    job = SubjectAccessExport.objects.create(subject=world.north_member, requested_by=staff_user)
    SubjectAccessExport.objects.filter(pk=job.pk).update(
        status=Status.RENDERING, started_at=timezone.now(), steps_total=160, steps_done=40
    )
    client.force_login(staff_user)
    panel = client.get(_url("status", job))
    assert panel.status_code == 200
    assert "Being made." in panel.text and "40 of 160 kinds of record looked through (25%)" in panel.text


def test_the_worker_tells_how_far_it_has_got_as_it_goes(world, staff_user):
    job = SubjectAccessExport.objects.create(subject=world.north_member, requested_by=staff_user)
    seen = []
    real = subject_access.write_account_export

    def watched(user, handle, progress):
        def record(done, total):
            progress(done, total)
            seen.append(tuple(SubjectAccessExport.objects.values_list("steps_done", "steps_total").get()))

        return real(user, handle, record)

    with mock.patch.object(subject_access, "write_account_export", watched):
        subject_access.account_export_make(job.pk)

    total = seen[-1][1]
    assert seen == [(n, total) for n in range(1, total + 1)]  # every kind of record, then each search


def test_only_the_superuser_who_asked_reaches_the_export(client, world, staff_user):
    job = SubjectAccessExport.objects.create(subject=world.north_member, requested_by=staff_user)
    subject_access.account_export_make(job.pk)
    urls = [_url(name, job) for name in ("detail", "status", "download")]

    other_superuser = UserFactory(is_staff=True, is_superuser=True, two_factor_waived=True)
    client.force_login(other_superuser)
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(_url("retry", job)).status_code == 404

    staff = world.north_manager
    staff.is_staff, staff.two_factor_waived = True, True
    staff.save()
    client.force_login(staff)  # staff, but not a superuser
    for url in [reverse(ASK), *urls]:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse(ASK), {"email": world.north_member.email}).status_code == 403
    assert client.post(_url("retry", job)).status_code == 403
    assert SubjectAccessExport.objects.count() == 1

    client.force_login(world.north_member)  # signed in, not staff: the admin's plain 403, not a sign-in loop
    for url in urls:
        assert client.get(url).status_code == 403, url

    client.force_login(staff_user)
    assert client.get(_url("retry", job)).status_code == 405  # only a POST retries


def test_the_worker_refuses_an_export_for_someone_no_longer_a_superuser(world, staff_user):
    job = SubjectAccessExport.objects.create(subject=world.north_member, requested_by=staff_user)
    type(staff_user).objects.filter(pk=staff_user.pk).update(is_superuser=False)

    assert make_subject_access_export.apply(args=[job.pk]).get() == "failed"
    job.refresh_from_db()
    assert job.status == Status.FAILED and not job.file
    assert job.error == "The person who asked for this export can no longer export a person's data."
    assert not SubjectAccessRequest.objects.filter(step=Step.DONE).exists()


def test_a_failed_export_says_why_and_can_be_tried_again(
    client, world, staff_user, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)

    def broken(*args, **kwargs):
        raise ValueError("the disk is full")

    monkeypatch.setattr(subject_access, "write_account_export", broken)
    response = _ask(client, world.north_member.email, run=django_capture_on_commit_callbacks)
    job = SubjectAccessExport.objects.get()
    assert job.status == Status.FAILED
    page = client.get(response["Location"]).text
    assert "The export could not be made: ValueError: the disk is full" in page and "Try again" in page
    assert client.get(_url("download", job)).status_code == 404
    assert client.get(_url("status", job)).status_code == 286

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(_url("retry", job))
    assert retried.status_code == 302 and retried["Location"] == _url("detail", job)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (Status.READY, 2, "")
    assert "tables/accounts.User.json" in _zip(client.get(_url("download", job))).namelist()
    again = client.post(_url("retry", job), follow=True)
    assert "Only an export that could not be made can be tried again." in again.text
    assert SubjectAccessRequest.objects.filter(step=Step.DONE).count() == 1


def test_stale_exports_are_handed_out_again(world, staff_user, monkeypatch):
    now = timezone.now()
    _fresh, stale, died, alive = (
        SubjectAccessExport.objects.create(subject=world.north_member, requested_by=staff_user)
        for _ in range(4)
    )
    SubjectAccessExport.objects.filter(pk=stale.pk).update(requested_at=now - timedelta(minutes=5))
    SubjectAccessExport.objects.filter(pk=died.pk).update(
        status=Status.RENDERING, claimed_by="another-machine:4242", lease_until=now - timedelta(seconds=1)
    )
    SubjectAccessExport.objects.filter(pk=alive.pk).update(  # long under way, its worker still renewing
        status=Status.RENDERING,
        started_at=now - timedelta(hours=1),
        claimed_by="another-machine:4243",
        lease_until=now + timedelta(seconds=30),
    )
    sent = []
    monkeypatch.setattr(
        subject_access.outbox, "send", lambda name, *args, delayed: sent.append((name, *args)) or True
    )

    assert subject_access.account_exports_requeue_stale(now) == 2

    name = "records.make_subject_access_export"
    assert sorted(sent) == sorted([(name, stale.pk), (name, died.pk)])


def test_exports_made_more_than_a_day_ago_are_removed_with_their_files_but_not_their_records(
    world, staff_user, django_capture_on_commit_callbacks
):
    old, recent = (
        SubjectAccessExport.objects.create(subject=world.north_member, requested_by=staff_user)
        for _ in range(2)
    )
    for job in (old, recent):
        subject_access.account_export_make(job.pk)
    old.refresh_from_db()
    SubjectAccessExport.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    assert default_storage.exists(old.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        requeue_stale.apply().get()

    assert list(SubjectAccessExport.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not default_storage.exists(old.file.name)
    assert SubjectAccessRequest.objects.filter(step=Step.DONE).count() == 2  # the audit stays


@pytest.mark.django_db(transaction=True)
def test_the_queue_being_away_leaves_the_export_queued_and_says_so(client, world, staff_user):
    client.force_login(staff_user)
    with mock.patch(
        "records.tasks.make_subject_access_export.delay", side_effect=OperationalError("Connection refused")
    ):
        response = _ask(client, world.north_member.email)

    assert response.status_code == 302
    assert SubjectAccessExport.objects.get().status == Status.QUEUED
    page = client.get(response["Location"]).text
    assert escape(subject_access.SUBJECT_ACCESS_DELAYED) in page and "Waiting to be made." in page
    SubjectAccessExport.objects.update(requested_at=timezone.now() - timedelta(minutes=5))
    assert "This is taking longer than usual" in client.get(response["Location"]).text
