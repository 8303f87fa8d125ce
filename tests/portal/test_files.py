"""Files follow their rows (scr_portal/files.py): a file is stored before the transaction that records it
and removed if that fails; a file no row names (its writer was killed in between) is reported by
verify_integrity and removed by the sweep once past its grace period; uploads being received are kept in
a folder of the web process's own, removed when the process is gone."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from responses.actions import services as actions
from responses.models import Evidence
from reviews import workflow
from reviews.models import Review, State
from scr_portal import files
from scr_portal.uploads import PDF
from tests.conftest import World
from tests.responses.helpers import PDF_BYTES, action, at_stage, finding

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """A media store and an uploads folder of the test's own, so only the test's files are in them."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir()
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def review(world: World, media) -> Review:
    return at_stage(world.north_review)


def _later() -> timezone.datetime:
    return timezone.now() + files.grace() + timedelta(seconds=1)


def _verify() -> tuple[str, bool]:
    out = StringIO()
    try:
        call_command("verify_integrity", stdout=out)
    except CommandError:
        return out.getvalue(), False
    return out.getvalue(), True


def test_a_file_no_row_names_is_reported_then_swept_after_its_grace_period(review, caplog):
    orphan = default_storage.save("evidence/left-behind.pdf", ContentFile(PDF_BYTES))
    text, ok = _verify()
    assert not ok
    assert "Files in the media store: 2, of which named by no record: 1" in text  # and the final report
    assert f"Stored file {orphan} (" in text and "is named by no record" in text

    assert files.orphans_sweep() == 0  # just written: it may belong to a transaction not yet committed
    assert default_storage.exists(orphan)

    with caplog.at_level(logging.WARNING, logger="scr_portal.files"):
        assert files.orphans_sweep(now=_later()) == 1
    assert not default_storage.exists(orphan)
    assert f"Removing stored file {orphan}" in caplog.text
    text, ok = _verify()
    assert ok, text
    assert "named by no record: 0" in text and "belongs to a record" in text


def test_files_named_by_rows_or_by_history_are_never_swept(review, world):
    first = review.final_report.name
    review.final_report.save("corrected.pdf", ContentFile(PDF_BYTES), save=False)
    review.save()  # the first report is still named by the review's history
    a = action(review, world.north_member, findings=[finding(review, 1)])
    upload = SimpleUploadedFile("Audit.pdf", PDF_BYTES, content_type="application/pdf")
    a.review = review
    actions.action_progress_record(
        action=a,
        user=world.north_member,
        on=timezone.localdate(),
        text="Audit done.",
        files=[actions.Upload(file=upload, kind=PDF)],
    )
    evidence = Evidence.objects.get().file.name

    assert files.orphans_sweep(now=_later()) == 0
    for name in (first, review.final_report.name, evidence):
        assert default_storage.exists(name)
    assert files.orphans() == []


def test_evidence_stored_for_a_refused_update_is_removed(review, world, media):
    a = action(review, world.north_member, findings=[finding(review, 1)])
    a.review = review
    upload = SimpleUploadedFile("Impact.pdf", PDF_BYTES, content_type="application/pdf")
    with pytest.raises(actions.ActionRefused):
        actions.action_progress_record(
            action=a,
            user=world.north_member,
            on=timezone.localdate(),
            text="Done.",
            status_to="impact_evidenced",  # not a move the workflow allows from "agreed"
            files=[actions.Upload(file=upload, kind=PDF)],
        )
    assert not any((media / "evidence").glob("*"))  # written, then removed with the refusal
    assert files.orphans() == []


def test_evidence_stored_before_a_database_failure_is_removed(review, world, media):
    a = action(review, world.north_member, findings=[finding(review, 1)])
    a.review = review
    upload = SimpleUploadedFile("Audit.pdf", PDF_BYTES, content_type="application/pdf")
    with (
        mock.patch.object(actions, "timeline_add", side_effect=OperationalError("gone")),
        pytest.raises(OperationalError),
    ):
        actions.action_progress_record(
            action=a,
            user=world.north_member,
            on=timezone.localdate(),
            text="Audit done.",
            files=[actions.Upload(file=upload, kind=PDF)],
        )
    assert (media / "evidence").is_dir()  # it was written, before the transaction
    assert list((media / "evidence").iterdir()) == []
    assert not Evidence.objects.exists()


def test_a_large_upload_is_received_in_the_process_folder_and_nothing_is_left_there(
    client, review, world, settings
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # so this upload is written to disk as it arrives
    a = action(review, world.north_member, findings=[finding(review, 1)])
    client.force_login(world.north_member)
    seen = []
    original = files._ProcessTemporaryUploadedFile.__init__

    def spy(self, *args, **kwargs):
        original(self, *args, **kwargs)
        seen.append(Path(self.temporary_file_path()))

    today = timezone.localdate()
    with mock.patch.object(files._ProcessTemporaryUploadedFile, "__init__", spy):
        response = client.post(
            reverse("action_progress", args=[review.pk, a.number]),
            {
                "on_0": today.day,
                "on_1": today.month,
                "on_2": today.year,
                "text": "Audit done.",
                "status": "",
                "evidence": [SimpleUploadedFile("Audit.pdf", PDF_BYTES, content_type="application/pdf")],
            },
        )
    assert response.status_code == 302
    assert [p.parent for p in seen] == [files.upload_folder()]
    assert not seen[0].exists()  # moved into the media store
    assert list(files.upload_folder().iterdir()) == []
    assert default_storage.exists(Evidence.objects.get().file.name)


def test_the_sweep_removes_the_uploads_of_a_process_that_is_gone(media, settings):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    dead_pid = int(gone.stdout)
    left = files.upload_folder(dead_pid)
    left.mkdir(parents=True)
    (left / "tmpabc.upload.pdf").write_bytes(b"%PDF-" + b"x" * 4096)
    mine = files.upload_folder()
    mine.mkdir(parents=True, exist_ok=True)
    receiving = mine / "tmpdef.upload.pdf"
    receiving.write_bytes(b"%PDF-")

    assert files.orphans_sweep() == 1
    assert not left.exists()
    assert receiving.exists()  # this process is alive and may still be receiving it
    os.utime(receiving, (0, 0))
    assert files.uploads_sweep() == 1  # past the grace period: no request takes that long
    assert not receiving.exists()


def test_a_dead_web_process_upload_folder_is_removed_by_gunicorn_child_exit(media):
    import runpy

    config = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    folder = files.upload_folder(999_999)
    folder.mkdir(parents=True)
    (folder / "tmp.upload.pdf").write_bytes(b"%PDF-")
    config["child_exit"](None, mock.Mock(pid=999_999))
    assert not folder.exists()


def test_a_corrected_final_report_stored_before_a_failure_is_removed_and_the_first_kept(review, world):
    from responses.findings import services as findings

    first = review.final_report.name
    upload = SimpleUploadedFile("Corrected.pdf", PDF_BYTES, content_type="application/pdf")
    upload.display_name = "Corrected.pdf"
    storage = Review._meta.get_field("final_report").storage
    with (
        mock.patch.object(storage, "save", wraps=storage.save) as save,
        mock.patch.object(findings, "timeline_add", side_effect=OperationalError("gone")),
        pytest.raises(OperationalError),
    ):
        findings.report_replace(review=review, user=world.north_manager, upload=upload, reason="Typo.")
    (written,) = [call.args[0] for call in save.call_args_list]
    assert written.startswith("reports/") and not default_storage.exists(written)  # written, then removed
    review.refresh_from_db()
    assert review.final_report.name == first and default_storage.exists(first)
    assert files.orphans() == []


@pytest.fixture
def in_progress(world: World, media) -> Review:
    """A review whose lead reviewer is writing the report: the next step records it."""
    from tests.reviews.test_workflow import at_state

    return at_state(world, State.IN_PROGRESS)


def _receive_report(review: Review, user) -> Review:
    from reviews import services as review_services
    from tests.reviews.test_workflow import step_data

    data = step_data(review, "receive_report")
    return review_services.review_transition(review_id=review.pk, name="receive_report", user=user, data=data)


def test_a_final_report_is_stored_before_the_step_and_kept_once_recorded(in_progress, world, media):
    storage = Review._meta.get_field("final_report").storage
    with mock.patch.object(storage, "save", wraps=storage.save) as save:
        review = _receive_report(in_progress, world.north_manager)
    (written,) = [call.args[0] for call in save.call_args_list]
    assert review.final_report.name == written and default_storage.exists(written)
    assert files.orphans() == []


def test_a_final_report_stored_before_the_step_fails_is_removed_and_nothing_is_left(
    in_progress, world, media
):
    from reviews import services as review_services

    before = sum(1 for _ in files.stored())
    storage = Review._meta.get_field("final_report").storage
    with (
        mock.patch.object(storage, "save", wraps=storage.save) as save,
        # Inside the step's transaction, after the review was saved naming the file: the database goes.
        mock.patch.object(review_services, "timeline_add", side_effect=OperationalError("gone")),
        pytest.raises(OperationalError),
    ):
        _receive_report(in_progress, world.north_manager)
    (written,) = [call.args[0] for call in save.call_args_list]
    assert written.startswith("reports/") and not default_storage.exists(written)  # written, then removed
    review = Review.objects.get(pk=in_progress.pk)
    assert (review.state, review.final_report.name) == (State.IN_PROGRESS, "")
    assert sum(1 for _ in files.stored()) == before
    text, ok = _verify()
    assert ok, text
    assert "named by no record: 0" in text


def test_a_final_report_stored_for_a_refused_step_is_removed(in_progress, world, media):
    from reviews.services import TransitionRefused

    with pytest.raises(TransitionRefused, match="Only a business manager"):
        _receive_report(in_progress, world.north_member)  # not theirs to record
    assert not any((media / "reports").rglob("*.pdf"))
    assert files.orphans() == []


def test_a_final_report_left_by_a_process_killed_before_the_step_committed_is_swept(in_progress, world):
    from reviews import services as review_services
    from tests.reviews.test_workflow import step_data

    data = step_data(in_progress, "receive_report")
    # What a process killed between storing the report and committing the step leaves: the file alone.
    kept = review_services._step_files_store(
        workflow.SCR_TRANSITIONS["receive_report"], in_progress.pk, data, []
    )
    left = kept["final_report"]
    text, ok = _verify()
    assert not ok and f"Stored file {left} (" in text
    assert files.orphans_sweep(now=_later()) == 1
    assert not default_storage.exists(left)
    text, ok = _verify()
    assert ok, text
