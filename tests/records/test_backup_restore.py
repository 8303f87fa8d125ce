"""Backup and restore, for real: the demo dataset plus rendered documents is committed to PostgreSQL, backed
up with scripts/backup.sh (pg_dump and the media store), restored with scripts/restore.sh into a database
and a media folder made for the test, and compared table by table (row counts and a hash of every row's
content) and file by file; every signature still verifies against the restored data and files.

PostgreSQL only: skipped on SQLite, a failure when REQUIRE_SERVICES=1 (CI's second run)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
import uuid
from contextlib import closing
from pathlib import Path

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from responses.models import digest_of
from tests.integration.conftest import ROOT, _require_services

pytestmark = pytest.mark.services


def _url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{name}"


def _connect(name: str):
    db = connection.settings_dict
    handle = psycopg2.connect(
        dbname=name, user=db["USER"], password=db["PASSWORD"] or None, host=db["HOST"], port=db["PORT"]
    )
    handle.autocommit = True
    return handle


def _snapshot(name: str) -> dict[str, tuple[int, str]]:
    """Each table's row count and a digest of all its rows' content, in a fixed order."""
    with closing(_connect(name)) as handle, handle.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        tables = [row[0] for row in cursor.fetchall()]
        found = {}
        for table in tables:
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM \"{table}\" t"
            )
            found[table] = cursor.fetchone()
    return found


def _files(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _run(script: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "scripts" / script), *args],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "scr_portal.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _rich_dataset() -> None:
    """The demo data (every role, reviews at every stage, signed responses, approved terms of reference,
    final reports and evidence files) plus two documents rendered by WeasyPrint."""
    from commissioning.models import ToRVersion
    from documents import services as documents
    from documents.models import Document
    from reviews.models import Membership, Review, Role

    call_command("seed_demo", password="demo-password-for-tests")
    review = Review.objects.filter(state="response").first()
    manager = Membership.objects.filter(board=review.lead_board, role=Role.BUSINESS_MANAGER).first().user
    documents.document_request(review=review, user=manager, kind=Document.Kind.BOARD_PACK)
    approved = ToRVersion.objects.filter(status=ToRVersion.Status.APPROVED).select_related("review").first()
    documents.document_request(
        review=approved.review, user=manager, kind=Document.Kind.TERMS_OF_REFERENCE, tor_version=approved
    )
    assert Document.objects.filter(status="ready").count() == 2


@pytest.fixture
def fresh_database():
    """A new, empty database on the same server, dropped afterwards."""
    _require_services()
    base = connection.settings_dict["NAME"].removeprefix("test_")
    name = f"{base}_restore_{uuid.uuid4().hex[:8]}"
    with closing(_connect(connection.settings_dict["NAME"])) as handle, handle.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with closing(_connect(connection.settings_dict["NAME"])) as handle, handle.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_every_row_every_file_and_every_signature(
    transactional_db, settings, tmp_path, fresh_database
):
    _require_services()
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    _rich_dataset()
    source_name = connection.settings_dict["NAME"]
    source = _snapshot(source_name)
    source_files = _files(media)
    with closing(_connect(source_name)) as handle, handle.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM responses_responseversion WHERE signed_at IS NOT NULL")
        signed_in_source = cursor.fetchone()[0]
    # The demo signs a response on each body kind: the legacy boards' and the partnership's.
    assert signed_in_source >= 3

    started = time.monotonic()
    backed_up = _run(
        "backup.sh", str(tmp_path / "backups"), DATABASE_URL=_url(source_name), MEDIA_ROOT=str(media)
    )
    backup_seconds = time.monotonic() - started
    assert backed_up.returncode == 0, backed_up.stderr
    (backup,) = (tmp_path / "backups").iterdir()
    manifest = (backup / "manifest.txt").read_text()
    assert not backup.name.endswith(".partial")
    for name, digest in source_files.items():
        assert f"{digest}  {(media / name).stat().st_size}  media/{name}\n" in manifest, name

    restored_media = tmp_path / "restored-media"
    started = time.monotonic()
    restored = _run(
        "restore.sh", str(backup), DATABASE_URL=_url(fresh_database), MEDIA_ROOT=str(restored_media)
    )
    restore_seconds = time.monotonic() - started
    assert restored.returncode == 0, restored.stdout + restored.stderr

    # Every row of every table, and every file, byte for byte.
    copy = _snapshot(fresh_database)
    assert copy == source
    assert len(source) > 100 and sum(n for n, _ in source.values()) > 1500
    assert source["reviews_review"][0] >= 10 and source["reviews_historicalreview"][0] > 0
    assert _files(restored_media) == source_files

    # Every signature verifies against the restored data and files (the portal's own check, run by the
    # restore script, and again here from the raw rows).
    assert "Every signature verifies and every stored file is present." in restored.stdout
    assert f"Signed response versions checked: {signed_in_source}\n" in restored.stdout
    with closing(_connect(fresh_database)) as handle, handle.cursor() as cursor:
        cursor.execute("SELECT content, digest FROM responses_responseversion WHERE signed_at IS NOT NULL")
        signed = cursor.fetchall()
        cursor.execute("SELECT file, sha256 FROM documents_document WHERE status = 'ready'")
        documents = cursor.fetchall()
        cursor.execute("SELECT count(*) FROM commissioning_torversion WHERE status = 'approved'")
        approved = cursor.fetchone()[0]
    assert len(signed) == signed_in_source and approved >= 1
    for content, digest in signed:
        assert digest_of(content.encode("utf-8")) == digest
    assert len(documents) == 2
    for name, digest in documents:
        assert hashlib.sha256((restored_media / name).read_bytes()).hexdigest() == digest

    print(
        f"\nbackup/restore: {len(source)} tables, {sum(n for n, _ in source.values())} rows, "
        f"{len(source_files)} files; database.dump {(backup / 'database.dump').stat().st_size} bytes, "
        f"media.tar {(backup / 'media.tar').stat().st_size} bytes; "
        f"backup {backup_seconds:.1f} s, restore (with verification) {restore_seconds:.1f} s"
    )


def test_a_damaged_backup_or_a_used_database_is_refused(transactional_db, settings, tmp_path, fresh_database):
    _require_services()
    media = tmp_path / "media"
    (media / "reports").mkdir(parents=True)
    (media / "reports" / "report.pdf").write_bytes(b"%PDF-1.4 report")
    source_name = connection.settings_dict["NAME"]
    assert (
        _run(
            "backup.sh", str(tmp_path / "backups"), DATABASE_URL=_url(source_name), MEDIA_ROOT=str(media)
        ).returncode
        == 0
    )
    (backup,) = (tmp_path / "backups").iterdir()

    damaged = tmp_path / "damaged"
    shutil.copytree(backup, damaged)
    with (damaged / "media.tar").open("r+b") as handle:
        handle.seek(600)
        handle.write(b"X")
    refused = _run(
        "restore.sh", str(damaged), DATABASE_URL=_url(fresh_database), MEDIA_ROOT=str(tmp_path / "a")
    )
    assert refused.returncode == 1 and "do not match its manifest" in refused.stderr

    used = _run(
        "restore.sh",
        "--no-verify",
        str(backup),
        DATABASE_URL=_url(source_name),
        MEDIA_ROOT=str(tmp_path / "b"),
    )
    assert used.returncode == 1 and "restore only into a new, empty database" in used.stderr

    done = _run(
        "restore.sh",
        "--no-verify",
        str(backup),
        DATABASE_URL=_url(fresh_database),
        MEDIA_ROOT=str(tmp_path / "c"),
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "c" / "reports" / "report.pdf").read_bytes() == b"%PDF-1.4 report"
